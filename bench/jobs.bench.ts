/**
 * Jobs on a real PostgreSQL metadata store (pg-boss queue, LISTEN/NOTIFY log bus), with two `tdm
 * worker` processes (the CLI, `node --import tsx`, concurrency 4 each) doing the work and this process
 * only queueing jobs and listening, as the API server does:
 *  - log latency: one job whose step (the test plugin `slow-step.ts`, loaded by the workers through
 *    TDM_PLUGINS) emits 200 progress events, 10 ms apart, each carrying the worker's send time;
 *    100 subscribers (`jobs.logs.subscribe`) in this process receive every event through NOTIFY.
 *    Latency = receive time − send time, over all 100 × 200 deliveries: p50 and p99;
 *  - throughput: 20 `['discover']` workflows on one source (chinook; the demo source without the
 *    shared fixtures) queued at once, until all 20 are COMPLETED. The reference is the same 20
 *    workflows run one after the other in one process (`jobs.run`, no queue): ratio = parallel speed-up.
 *    Both sides rediscover the same, already stored schema version (each side warms up first), so
 *    both do the same work; goal: the queued run takes at most 2× the sequential one.
 *  - pickup: 20 single jobs, one after the other, into idle workers: created → started, p50.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../packages/core/src/config.ts';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import { seedDemoSource } from '../packages/core/src/demo/demo-source.ts';
import { InProcessQueue } from '../packages/core/src/jobs/in-process-queue.ts';
import { createTdm, type Tdm } from '../packages/core/src/runtime.ts';
import { PG_ADMIN_URL, pgAvailable } from '../packages/core/test/support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture } from '../packages/core/test/support/load-sql.ts';
import { SLOW_STEP } from '../packages/core/test/support/slow-step.ts';
import { type BenchContext, benchDatabase, median, type Result, result, round } from './lib.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TDM_BIN = join(REPO_ROOT, 'packages', 'core', 'src', 'bin', 'tdm.ts');
const SLOW_STEP_MODULE = join(REPO_ROOT, 'packages', 'core', 'test', 'support', 'slow-step.ts');

const WORKERS = 2;
const WORKER_CONCURRENCY = 4;
const SUBSCRIBERS = 100;
const EVENTS = 200;
const EVENT_INTERVAL_MS = 10;
const WORKFLOWS = 20;
const PICKUPS = 20;

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

interface Worker {
  child: ChildProcess;
  output: string[];
  exited: Promise<void>;
}

/** `tdm worker` as one node process (tsx as a loader, no wrapper process): its pid is the worker. */
function spawnWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', TDM_BIN, 'worker'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const record = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output, exited };
}

async function ready(worker: Worker, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.output.some((line) => line.includes('working pg-boss jobs'))) {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null || Date.now() > deadline)
      throw new Error(`worker ${worker.child.pid} did not start:\n${worker.output.join('\n')}`);
    await sleep(50);
  }
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  if (await Promise.race([worker.exited.then(() => true), sleep(10_000, false)])) return;
  worker.child.kill('SIGKILL');
  await worker.exited;
}

/** Resolves once every job is COMPLETED; throws if one ends otherwise or `timeoutMs` passes. */
async function allCompleted(tdm: Tdm, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await tdm.store.prisma.job.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, error: true } });
    const failed = rows.find((r) => r.status === 'FAILED' || r.status === 'CANCELLED');
    if (failed) throw new Error(`job ${failed.id} ended ${failed.status}: ${JSON.stringify(failed.error)}`);
    if (rows.filter((r) => r.status === 'COMPLETED').length === ids.length) return;
    if (Date.now() > deadline)
      throw new Error(`${ids.length - rows.filter((r) => r.status === 'COMPLETED').length} of ${ids.length} jobs not completed after ${timeoutMs} ms`);
    await sleep(20);
  }
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  if (!(await pgAvailable())) {
    ctx.note(`PostgreSQL not reachable at ${new URL(PG_ADMIN_URL).host}: jobs entries (pg-boss, LISTEN/NOTIFY) skipped`);
    return [];
  }
  const [metadata, source] = await Promise.all([benchDatabase(ctx, 'jobs_meta'), benchDatabase(ctx, 'jobs_src')]);
  const sourceName = await loadSource(ctx, source.url);

  const env = {
    DATABASE_URL: metadata.url,
    TDM_DATA_DIR: join(ctx.tmpDir, 'data'),
    TDM_QUEUE: 'pg-boss',
    TDM_SECRET_KEY: 'bench-jobs',
    TDM_QUEUE_HEARTBEAT_SECONDS: '10',
  };
  // This process queues and listens; the migrations run here, before the workers start.
  const tdm = await createTdm(loadConfig(env));
  ctx.defer(() => tdm.close());
  await startWorkers(ctx, env);

  const submit: Submit = (operations, config) => tdm.jobs.execute({ connectionString: source.url, operations, config });

  // Warm-up (untimed): both workers past their first discover of the source.
  const warm = await Promise.all(Array.from({ length: WORKERS * WORKER_CONCURRENCY }, () => submit(['discover'])));
  await allCompleted(
    tdm,
    warm.map((j) => j.jobId),
    60_000,
  );

  return [
    ...(await measureLogLatency(ctx, tdm, submit)),
    ...(await measurePickup(ctx, tdm, submit)),
    ...(await measureThroughput(ctx, tdm, submit, { env, sourceUrl: source.url, sourceName })),
  ];
}

type Submit = (operations: ('discover' | typeof SLOW_STEP)[], config?: Record<string, unknown>) => Promise<{ jobId: string }>;

/** Loads chinook into the source database, or the demo source without the shared fixtures; returns which. */
async function loadSource(ctx: BenchContext, url: string): Promise<'chinook' | 'demo'> {
  const sourceName = fixturesAvailable() ? 'chinook' : 'demo';
  if (sourceName === 'demo') ctx.note(`shared fixtures not found in ${FIXTURES_DIR}: throughput measured on the demo source instead of chinook`);
  const loader = await openSqlClient(url);
  try {
    if (sourceName === 'chinook') await loadFixture(loader, 'chinook');
    else await seedDemoSource(loader);
  } finally {
    await loader.close();
  }
  return sourceName;
}

/** Starts the worker processes (stopped when the bench ends) and waits until each works the queue. */
async function startWorkers(ctx: BenchContext, env: Record<string, string>): Promise<void> {
  const workers = Array.from({ length: WORKERS }, () =>
    spawnWorker({ ...env, TDM_PLUGINS: SLOW_STEP_MODULE, TDM_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY) }),
  );
  ctx.defer(() => Promise.all(workers.map(stopWorker)));
  await Promise.all(workers.map((w) => ready(w)));
  ctx.log(`${WORKERS} worker processes (pids ${workers.map((w) => w.child.pid).join(', ')}) × concurrency ${WORKER_CONCURRENCY} ready`);
}

/** Log latency: every subscriber's receive time − the worker's send time of each progress event. */
async function measureLogLatency(ctx: BenchContext, tdm: Tdm, submit: Submit): Promise<Result[]> {
  const { jobId } = await submit(['discover', SLOW_STEP], { [SLOW_STEP]: { durationMs: EVENTS * EVENT_INTERVAL_MS, intervalMs: EVENT_INTERVAL_MS } });
  const latencies: number[] = [];
  const received = new Array<number>(SUBSCRIBERS).fill(0);
  const unsubscribe = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, (_, i) =>
      tdm.jobs.logs.subscribe(jobId, (e) => {
        const sentAt = e.data?.sentAt;
        if (e.step !== SLOW_STEP || e.level !== 'progress' || typeof sentAt !== 'number') return;
        latencies.push(performance.timeOrigin + performance.now() - sentAt);
        received[i] = (received[i] ?? 0) + 1;
      }),
    ),
  );
  await allCompleted(tdm, [jobId], 60_000);
  // The terminal event is written after the last progress event: give its NOTIFY a moment to land.
  const deadline = Date.now() + 2_000;
  while (latencies.length < SUBSCRIBERS * EVENTS && Date.now() < deadline) await sleep(10);
  for (const off of unsubscribe) off();
  const missing = SUBSCRIBERS * EVENTS - latencies.length;
  if (missing) ctx.note(`log latency: ${missing} of ${SUBSCRIBERS * EVENTS} deliveries did not arrive (min per subscriber ${Math.min(...received)})`);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  ctx.log(
    `log latency over ${latencies.length} deliveries (${SUBSCRIBERS} subscribers × ${EVENTS} events): ` +
      `p50 ${round(p50, 2)} ms, p99 ${round(p99, 2)} ms, max ${round(Math.max(...latencies), 2)} ms`,
  );
  return [
    result(`jobs/log-latency/${SUBSCRIBERS}-subscribers/postgres/p50`, p50, 'ms', 'report only'),
    result(`jobs/log-latency/${SUBSCRIBERS}-subscribers/postgres/p99`, p99, 'ms', '< 50 ms'),
  ];
}

/**
 * Pickup: one job at a time into idle workers, created (the row) → started (a worker's claim).
 * pg-boss wakes a worker through LISTEN/NOTIFY on send; its 30 s poll is only the backstop.
 */
async function measurePickup(ctx: BenchContext, tdm: Tdm, submit: Submit): Promise<Result[]> {
  const pickups: number[] = [];
  for (let i = 0; i < PICKUPS; i++) {
    const { jobId: id } = await submit(['discover']);
    await allCompleted(tdm, [id], 60_000);
    const row = await tdm.store.prisma.job.findUniqueOrThrow({ where: { id }, select: { createdAt: true, startedAt: true } });
    if (row.startedAt) pickups.push(row.startedAt.getTime() - row.createdAt.getTime());
  }
  ctx.log(`job pickup over ${pickups.length} jobs (other process): p50 ${round(percentile(pickups, 50), 1)} ms, max ${round(Math.max(...pickups), 1)} ms`);
  return [result('jobs/pickup/postgres/other-process/p50', percentile(pickups, 50), 'ms', '< 50 ms')];
}

/** Throughput: the workflows queued at once through the worker processes, against the same run one after the other here. */
async function measureThroughput(
  ctx: BenchContext,
  tdm: Tdm,
  submit: Submit,
  { env, sourceUrl, sourceName }: { env: Record<string, string>; sourceUrl: string; sourceName: string },
): Promise<Result[]> {
  const t0 = performance.now();
  const parallel = await Promise.all(Array.from({ length: WORKFLOWS }, () => submit(['discover'])));
  await allCompleted(
    tdm,
    parallel.map((j) => j.jobId),
    60_000,
  );
  const parallelMs = performance.now() - t0;
  const perWorker = await tdm.store.prisma.job.groupBy({ by: ['workerId'], where: { id: { in: parallel.map((j) => j.jobId) } }, _count: true });

  const { serialMs, perJob } = await runSequentially(ctx, env, sourceUrl);
  ctx.log(
    `${WORKFLOWS} discover workflows on ${sourceName}: ${round(parallelMs / 1000, 2)} s through ${WORKERS} workers × ${WORKER_CONCURRENCY} ` +
      `(jobs per worker ${perWorker.map((g) => g._count).join(' + ')}), ${round(serialMs / 1000, 2)} s one after the other in one process ` +
      `(median ${round(median(perJob))} ms per workflow)`,
  );
  const name = `jobs/throughput/${WORKFLOWS}-discover-${sourceName}/postgres/${WORKERS}-workers-x${WORKER_CONCURRENCY}`;
  return [
    result(`${name}/total`, parallelMs / 1000, 's', 'report only', { name: 'sequential, one process', value: serialMs / 1000 }),
    result(`${name}/rate`, (WORKFLOWS * 1000) / parallelMs, 'workflows/s', 'report only'),
    result(`${name}/vs-sequential`, parallelMs / serialMs, '×', '≤ 2 ×'),
  ];
}

/** Reference: the same workflows one after the other in one process (no queue, no polling). */
async function runSequentially(ctx: BenchContext, env: Record<string, string>, sourceUrl: string): Promise<{ serialMs: number; perJob: number[] }> {
  const serial = await createTdm(loadConfig(env), { queue: new InProcessQueue() });
  ctx.defer(() => serial.close());
  const runHere = async () => {
    const { jobId } = await serial.jobs.execute({ connectionString: sourceUrl, operations: ['discover'] });
    await serial.jobs.run(jobId);
    const job = await serial.jobs.get(jobId);
    if (job.status !== 'COMPLETED') throw new Error(`sequential job ${jobId} ended ${job.status}: ${JSON.stringify(job.error)}`);
  };
  for (let i = 0; i < 2; i++) await runHere(); // warm-up of this process's own discover path
  const perJob: number[] = [];
  const t1 = performance.now();
  for (let i = 0; i < WORKFLOWS; i++) {
    const s = performance.now();
    await runHere();
    perJob.push(performance.now() - s);
  }
  return { serialMs: performance.now() - t1, perJob };
}
