/**
 * Memory of the API server as `npm run server` starts it (built JavaScript, `packages/server/dist/index.js`,
 * with the node flags of the `server` script and, on glibc, its malloc setting),
 * before any job: RSS a few seconds after it listens and the peak during start-up (VmRSS / VmHWM of the
 * server process), with the metadata on PostgreSQL and on PGlite (the default), for the first start
 * (which seeds the embedded demo database and checks the default target, in a short-lived child process
 * whose peak is reported too) and for a restart. A restart of the same server run from its TypeScript
 * source through tsx is the reference.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PG_ADMIN_URL, pgAvailable } from '../packages/core/test/support/databases.ts';
import { engineEnvironment } from '../scripts/engine-env.mjs';
import { type BenchContext, benchDatabase, engineNodeFlags, type Result, result } from './lib.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const IDLE_MS = 5_000;

async function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
}

async function startServer(env: Record<string, string>, fromSource = false): Promise<{ child: ChildProcess; listening: Promise<void> }> {
  // One node process (tsx as a loader for the source): its pid is the server's.
  // With the node flags (package.json) and the environment (scripts/engine-env.mjs) `npm run server` gives
  // the engine, for both.
  const args = fromSource
    ? [...engineNodeFlags(), '--import', 'tsx', '--conditions=tdm-source', join(REPO_ROOT, 'packages/server/src/index.ts')]
    : [...engineNodeFlags(), join(REPO_ROOT, 'packages/server/dist/index.js')];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...engineEnvironment(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('GraphQL API and GraphiQL on')) resolve();
    });
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
  });
  return { child, listening };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/**
 * The largest VmHWM seen among the server's child processes (a first start creates and seeds its
 * embedded databases in a short-lived one), sampled every 100 ms until `done` settles: a lower bound
 * of their peak, 0 when there were none.
 */
async function watchChildren(pid: number, done: Promise<unknown>): Promise<number> {
  let settled = false;
  void done.finally(() => (settled = true)).catch(() => undefined);
  let peakKb = 0;
  while (!settled) {
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
    for (const child of children.split(/\s+/).filter(Boolean)) {
      const kb = await statusKb(Number(child), 'VmHWM').catch(() => Number.NaN);
      if (kb > peakKb) peakKb = kb;
    }
    await sleep(100);
  }
  return peakKb / 1024;
}

async function measure(ctx: BenchContext, env: Record<string, string>, fromSource = false): Promise<{ rss: number; peak: number; childPeak: number }> {
  const { child, listening } = await startServer(env, fromSource);
  ctx.defer(() => stop(child));
  const childPeak = watchChildren(child.pid!, listening);
  await listening;
  await sleep(IDLE_MS);
  const rss = (await statusKb(child.pid!, 'VmRSS')) / 1024;
  const peak = (await statusKb(child.pid!, 'VmHWM')) / 1024;
  await stop(child);
  return { rss, peak, childPeak: await childPeak };
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  const built = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@tdm/server', '--output-logs=errors-only'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (built.status !== 0) throw new Error(`building the server failed:\n${built.stderr}`);
  const stores: { label: string; env: Record<string, string> }[] = [];
  if (await pgAvailable()) {
    const metadata = await benchDatabase(ctx, 'rss_meta');
    stores.push({ label: 'postgres-metadata', env: { DATABASE_URL: metadata.url, TDM_SERVER_WORKER: 'off' } });
  } else {
    ctx.note(`PostgreSQL not reachable at ${new URL(PG_ADMIN_URL).host}: server RSS on PostgreSQL metadata skipped`);
  }
  stores.push({ label: 'pglite-metadata', env: {} });
  const results: Result[] = [];
  for (const store of stores) {
    const env = { ...store.env, TDM_DATA_DIR: join(ctx.tmpDir, store.label), API_PORT: '0', TDM_SECRET_KEY: 'bench-rss' };
    for (const start of ['first-start', 'restart'] as const) {
      const { rss, peak, childPeak } = await measure(ctx, env);
      let reference: { name: string; value: number } | null = null;
      if (start === 'restart') {
        const source = await measure(ctx, env, true);
        reference = { name: 'the same server from its TypeScript source (tsx)', value: source.rss };
        ctx.log(`${store.label} restart from source: idle RSS ${Math.round(source.rss)} MB, peak ${Math.round(source.peak)} MB`);
      }
      const setup = childPeak > 0 ? `, its set-up child process peaked at ≥ ${Math.round(childPeak)} MB and exited` : '';
      ctx.log(`${store.label} ${start}: idle RSS ${Math.round(rss)} MB, peak during start-up ${Math.round(peak)} MB${setup}`);
      results.push(result(`server/idle-rss/${store.label}/${start}`, rss, 'MB', '< 200 MB', reference));
      results.push(result(`server/peak-rss-startup/${store.label}/${start}`, peak, 'MB', 'report only'));
      if (childPeak > 0) results.push(result(`server/peak-rss-startup-child/${store.label}/${start}`, childPeak, 'MB', 'report only'));
    }
  }
  return results;
}
