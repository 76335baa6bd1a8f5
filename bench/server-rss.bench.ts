/**
 * Memory of the API server (`packages/server/src/index.ts`, as `npm run server` starts it) with the
 * metadata on PostgreSQL, before any job: RSS a few seconds after it listens and the peak during
 * start-up (VmRSS / VmHWM of the server process), for the first start (which seeds the embedded demo
 * database) and for a restart (which finds it and does not open it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PG_ADMIN_URL, pgAvailable } from '../packages/core/test/support/databases.ts';
import { type BenchContext, benchDatabase, type Result, result } from './lib.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const IDLE_MS = 5_000;

async function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; listening: Promise<void> }> {
  // One node process (tsx as a loader): its pid is the server's.
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'packages/server/src/index.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
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

export async function run(ctx: BenchContext): Promise<Result[]> {
  if (!(await pgAvailable())) {
    ctx.note(`PostgreSQL not reachable at ${new URL(PG_ADMIN_URL).host}: server RSS entries skipped`);
    return [];
  }
  const metadata = await benchDatabase(ctx, 'rss_meta');
  const env = { DATABASE_URL: metadata.url, TDM_DATA_DIR: join(ctx.tmpDir, 'data'), API_PORT: '0', TDM_SECRET_KEY: 'bench-rss', TDM_SERVER_WORKER: 'off' };
  const results: Result[] = [];
  for (const start of ['first-start', 'restart']) {
    const { child, listening } = await startServer(env);
    ctx.defer(() => stop(child));
    await listening;
    await sleep(IDLE_MS);
    const rss = (await statusKb(child.pid!, 'VmRSS')) / 1024;
    const peak = (await statusKb(child.pid!, 'VmHWM')) / 1024;
    ctx.log(`${start}: idle RSS ${Math.round(rss)} MB, peak during start-up ${Math.round(peak)} MB`);
    results.push(result(`server/idle-rss/postgres-metadata/${start}`, rss, 'MB', '< 200 MB'));
    results.push(result(`server/peak-rss-startup/postgres-metadata/${start}`, peak, 'MB', 'report only'));
    await stop(child);
  }
  return results;
}
