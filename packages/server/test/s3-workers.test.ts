/**
 * Horizontal scale on real engines: two `tdm worker` processes (started as `npm run worker` starts the
 * engine's CLI, each with a data directory of its own) share one PostgreSQL metadata store and one
 * S3-compatible dataset store — s3rver, a real S3 server speaking HTTP, started here. Worker A runs
 * discover and subset (the dataset's Parquet files go to the bucket) and is killed in the next step;
 * worker B resumes the job and provisions from the dataset A wrote, and the API (this process) exports
 * the same dataset from the bucket.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config.ts';
import { openSqlClient } from '../../core/src/db/open.ts';
import { seedDemoSource } from '../../core/src/demo/demo-source.ts';
import { createTdm, type Tdm } from '../../core/src/runtime.ts';
import { createTestDatabase, pgAvailable, type TestDatabase } from '../../core/test/support/databases.ts';
import { SLOW_STEP } from '../../core/test/support/slow-step.ts';
import { type App, createApp } from '../src/app.ts';
import { parseCsv } from './csv.ts';

const pgUp = await pgAvailable();
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const TDM_BIN = join(REPO_ROOT, 'packages', 'core', 'src', 'bin', 'tdm.ts');
const SLOW_STEP_MODULE = fileURLToPath(new URL('../../core/test/support/slow-step.ts', import.meta.url));
const BUCKET = 'tdm-datasets';

interface Worker {
  child: ChildProcess;
  output: string[];
  exited: Promise<void>;
}

function spawnWorker(env: Record<string, string>): Worker {
  // A process group of its own: tsx runs node as a child, signals go to the group.
  const child = spawn(TSX, [TDM_BIN, 'worker'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const record = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output, exited };
}

async function ready(worker: Worker): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!worker.output.some((line) => line.includes('working pg-boss jobs'))) {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited before it was ready:\n${worker.output.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`the worker is not ready after 60 s:\n${worker.output.join('\n')}`);
    await sleep(100);
  }
}

async function kill(worker: Worker | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  try {
    process.kill(-(worker.child.pid as number), signal);
  } catch {}
  if (await Promise.race([worker.exited.then(() => true), sleep(8_000, false)])) return;
  try {
    process.kill(-(worker.child.pid as number), 'SIGKILL');
  } catch {}
  await worker.exited;
}

describe.skipIf(!pgUp)('worker processes on PostgreSQL metadata and an S3 dataset store (s3rver)', () => {
  let s3: S3rver;
  let s3Dir: string;
  let metadata: TestDatabase;
  let source: TestDatabase;
  let target: TestDatabase;
  let dirs: string[] = [];
  let tdm: Tdm;
  let app: App;
  let env: Record<string, string>;
  const workers: Worker[] = [];

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(tmpdir(), 'tdm-s3rver-'));
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
    const { port } = (await s3.run()) as AddressInfo;
    [metadata, source, target] = await Promise.all([createTestDatabase('s3w_meta'), createTestDatabase('s3w_src'), createTestDatabase('s3w_tgt')]);
    const client = await openSqlClient(source.url);
    try {
      await seedDemoSource(client);
    } finally {
      await client.close();
    }
    env = {
      DATABASE_URL: metadata.url,
      TDM_QUEUE: 'pg-boss',
      TDM_QUEUE_HEARTBEAT_SECONDS: '10',
      TDM_QUEUE_MONITOR_SECONDS: '2',
      // Worker B takes the killed worker's job at its next poll after the missed heartbeat.
      TDM_QUEUE_POLL_SECONDS: '1',
      TDM_SECRET_KEY: 's3-workers-test',
      TDM_DATASET_STORE: `s3://${BUCKET}/datasets/`,
      TDM_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      TDM_S3_FORCE_PATH_STYLE: 'true',
      // s3rver's fixed credentials.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    };
    // The dataset store reads its endpoint and credentials from the process environment.
    for (const [name, value] of Object.entries(env)) if (/^(TDM_S3_|AWS_)/.test(name)) process.env[name] = value;
    // The API process: its own data directory; it queues jobs and exports, it never works.
    const apiDir = await mkdtemp(join(tmpdir(), 'tdm-s3w-api-'));
    dirs.push(apiDir);
    tdm = await createTdm(loadConfig({ ...env, TDM_DATA_DIR: apiDir }));
    await tdm.environments.create({ name: 'ci', connectionString: target.url, allowReset: true });
    app = createApp(tdm);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => kill(w)));
    await app?.stop();
    await tdm?.close();
    await Promise.all([metadata?.drop(), source?.drop(), target?.drop()]);
    await s3?.close();
    for (const dir of [...dirs, s3Dir]) if (dir) await rm(dir, { recursive: true, force: true });
    dirs = [];
    for (const name of Object.keys(env ?? {})) if (/^(TDM_S3_|AWS_)/.test(name)) delete process.env[name];
  });

  async function workerEnv(name: string): Promise<Record<string, string>> {
    const dir = await mkdtemp(join(tmpdir(), `tdm-s3w-${name}-`));
    dirs.push(dir);
    return { ...env, TDM_DATA_DIR: dir, TDM_PLUGINS: SLOW_STEP_MODULE, TDM_WORKER_CONCURRENCY: '1' };
  }

  it('a dataset written by worker A is provisioned by worker B and exported by the API, all through the bucket', { timeout: 240_000 }, async () => {
    const a = spawnWorker(await workerEnv('a'));
    workers.push(a);
    await ready(a);
    const { jobId } = await tdm.jobs.execute({
      connectionString: source.url,
      operations: ['discover', 'subset', SLOW_STEP, 'provision'],
      config: { subset: { maxRowsPerTable: { '*': 20 } }, [SLOW_STEP]: { durationMs: 6000 }, provision: { targetEnv: 'ci', resetEnv: true } },
    });
    // Worker A has written the subset to the bucket once the slow step reports progress.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const history = await tdm.jobs.logs.history(jobId);
      if (history.some((e) => e.step === SLOW_STEP && e.level === 'progress')) break;
      if (history.some((e) => e.level === 'failed')) throw new Error(`the job failed on worker A: ${JSON.stringify(history.at(-1))}\n${a.output.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`worker A did not reach ${SLOW_STEP}:\n${a.output.join('\n')}`);
      await sleep(200);
    }
    const onA = await tdm.jobs.get(jobId);
    const datasets = await tdm.store.prisma.datasetVersion.findMany({ orderBy: { createdAt: 'asc' } });
    expect(datasets).toHaveLength(1);
    const datasetId = datasets[0]!.id;
    await kill(a, 'SIGKILL');

    const b = spawnWorker(await workerEnv('b'));
    workers.push(b);
    await ready(b);
    const end = Date.now() + 120_000;
    let job = await tdm.jobs.get(jobId);
    while (!['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) && Date.now() < end) {
      await sleep(300);
      job = await tdm.jobs.get(jobId);
    }
    const history = await tdm.jobs.logs.history(jobId);
    expect(job.status, `${JSON.stringify(history.slice(-5))}\n${b.output.join('\n')}`).toBe('COMPLETED');
    expect(job.workerId).not.toBe(onA.workerId);
    // Worker B read the dataset from the bucket (its data directory never held it): the target has the rows.
    const targetClient = await openSqlClient(target.url);
    try {
      const { rows } = await targetClient.query<{ n: number }>('SELECT count(*)::int AS n FROM public.customer');
      expect(rows[0]?.n).toBe(20);
    } finally {
      await targetClient.close();
    }

    // The API process reads the same dataset from the bucket.
    const base = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
    const res = await fetch(`${base}/export/datasets/${datasetId}.zip`);
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(parseCsv(strFromU8(files['public.customer.csv'] as Uint8Array))).toHaveLength(21);
  });
});
