/**
 * Worker processes on the pg-boss queue, end to end: real `tdm worker` processes (the CLI, spawned
 * with tsx) share one PostgreSQL metadata store with this process, which only queues jobs and reads
 * their logs. Covers a worker killed in the middle of a step (another one resumes the job after the
 * last completed step, without running that step again) and two workers draining a batch of jobs.
 * The slow step is the test plugin `support/slow-step.ts`, loaded by the workers via TDM_PLUGINS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openSqlClient } from '../src/db/open.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import type { JobLogEvent } from '../src/jobs/log-bus.ts';
import { jobLogStream } from '../src/jobs/log-stream.ts';
import { createTdm, type Tdm } from '../src/runtime.ts';
import { createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';
import { fixturesAvailable, loadFixture } from './support/load-sql.ts';
import { MARKER_TABLE, SLOW_STEP } from './support/slow-step.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: worker process tests are SKIPPED`);

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const TDM_BIN = join(REPO_ROOT, 'packages', 'core', 'src', 'bin', 'tdm.ts');
const SLOW_STEP_MODULE = fileURLToPath(new URL('./support/slow-step.ts', import.meta.url));
const SECRET_KEY = 'workers-test-key';

/**
 * Queue settings shared by this process and the workers: whoever creates the queue first sets them. The
 * shortest heartbeat, a monitor every 2 s and idle workers polling every second: a killed worker's job
 * is taken again about 13 s after its last heartbeat.
 */
const QUEUE_ENV = {
  TDM_QUEUE: 'pg-boss',
  TDM_QUEUE_HEARTBEAT_SECONDS: '10',
  TDM_QUEUE_MONITOR_SECONDS: '2',
  TDM_QUEUE_POLL_SECONDS: '1',
  TDM_SECRET_KEY: SECRET_KEY,
};

interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** stdout and stderr, interleaved, for failure messages. */
  output: string[];
  exited: Promise<void>;
  alive(): boolean;
}

const workers: WorkerProcess[] = [];

/** Spawns `tdm worker` in a process group of its own (tsx runs node as a child: signals go to the group). */
function spawnWorker(name: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(TSX, [TDM_BIN, 'worker'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const record = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      output.push(`(exited: ${signal ?? code})`);
      resolve();
    }),
  );
  const worker = { name, child, output, exited, alive: () => running };
  workers.push(worker);
  return worker;
}

/** Resolves once the worker says it is taking jobs; rejects with its output if it exits or stalls first. */
async function ready(worker: WorkerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.output.some((line) => line.includes('working pg-boss jobs'))) {
    if (!worker.alive()) throw new Error(`worker ${worker.name} exited before it was ready:\n${worker.output.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`worker ${worker.name} not ready after ${timeoutMs} ms:\n${worker.output.join('\n')}`);
    await sleep(50);
  }
}

function signalGroup(worker: WorkerProcess, signal: NodeJS.Signals): void {
  if (!worker.alive() || worker.child.pid === undefined) return;
  try {
    process.kill(-worker.child.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** SIGTERM (the worker stops gracefully), SIGKILL after `graceMs`. */
async function stopWorker(worker: WorkerProcess, graceMs = 5_000): Promise<void> {
  signalGroup(worker, 'SIGTERM');
  if (await Promise.race([worker.exited.then(() => true), sleep(graceMs, false)])) return;
  signalGroup(worker, 'SIGKILL');
  await worker.exited;
}

async function stopAllWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => stopWorker(w)));
}

/** Log streams still open; a failed test leaves some, closed after each test. */
const streams = new Set<AbortController>();

const workerOutput = () => workers.map((w) => `--- worker ${w.name}\n${w.output.join('\n')}`).join('\n');

/** A job's log as `jobLogStream` delivers it to this process, collected in the background from right after execute. */
function followLog(tdm: Tdm, jobId: string) {
  const events: JobLogEvent[] = [];
  const abort = new AbortController();
  streams.add(abort);
  // A holder, not a `let`: TypeScript would narrow a local only ever assigned in callbacks to `null`.
  const waiter: { wake: (() => void) | null } = { wake: null };
  const done = (async () => {
    try {
      for await (const e of jobLogStream(tdm.jobs, jobId, abort.signal)) {
        events.push(e);
        waiter.wake?.();
      }
    } finally {
      streams.delete(abort);
      waiter.wake?.();
    }
  })();
  let ended = false;
  void done.then(
    () => (ended = true),
    () => (ended = true),
  );
  return {
    events,
    done,
    /** Waits for the first event matching `match`. */
    async waitFor(match: (e: JobLogEvent) => boolean, what: string, timeoutMs: number): Promise<JobLogEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (ended) throw new Error(`job ${jobId}: the log ended without ${what}: ${summary(events)}\n${workerOutput()}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`job ${jobId}: no ${what} within ${timeoutMs} ms: ${summary(events)}\n${workerOutput()}`);
        await Promise.race([new Promise<void>((resolve) => (waiter.wake = resolve)), sleep(Math.min(left, 500))]);
      }
    },
    /** Waits for the end of the log (the workflow's terminal event). */
    async end(timeoutMs: number): Promise<JobLogEvent[]> {
      const finished = await Promise.race([done.then(() => true), sleep(timeoutMs, false)]);
      if (!finished) {
        abort.abort();
        throw new Error(`job ${jobId}: the log did not end within ${timeoutMs} ms: ${summary(events)}\n${workerOutput()}`);
      }
      return events;
    },
  };
}

const summary = (events: JobLogEvent[]) => JSON.stringify(events.map((e) => `${e.seq} ${e.step} ${e.level}: ${e.message}`));
const count = (events: JobLogEvent[], step: string, level: JobLogEvent['level']) => events.filter((e) => e.step === step && e.level === level).length;
const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
function perWorker(jobs: { workerId: string | null }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(j.workerId ?? '?', (counts.get(j.workerId ?? '?') ?? 0) + 1);
  return counts;
}

describe.skipIf(!pgUp)(`tdm worker processes on pg-boss${!pgUp ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
  let metadata: TestDatabase;
  let source: TestDatabase;
  let dataDir: string;
  let tdm: Tdm;
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    [metadata, source] = await Promise.all([createTestDatabase('workers_meta'), createTestDatabase('workers_src')]);
    dataDir = await mkdtemp(join(tmpdir(), 'tdm-workers-'));
    const client = await openSqlClient(source.url);
    try {
      if (fixturesAvailable()) await loadFixture(client, 'pagila');
      else await seedDemoSource(client);
      // Created up front so that every discover of the source sees the same catalog.
      await client.exec(`CREATE TABLE public.${MARKER_TABLE} (job_id text, completed_at timestamptz)`); // pagila empties search_path
    } finally {
      await client.close();
    }
    const env = { DATABASE_URL: metadata.url, TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), ...QUEUE_ENV };
    // This process queues jobs and reads logs; it never works (no startWorking). The migrations run
    // here, before any worker starts.
    tdm = await createTdm(loadConfig(env));
    workerEnv = { ...env, TDM_PLUGINS: SLOW_STEP_MODULE, TDM_LOG: 'debug' };
  });

  afterEach(async () => {
    for (const stream of streams) stream.abort();
    await stopAllWorkers();
  });

  afterAll(async () => {
    await stopAllWorkers();
    await tdm?.close();
    await Promise.all([metadata?.drop(), source?.drop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function markerRows(jobIds: string[]): Promise<Map<string, number>> {
    const client = await openSqlClient(source.url);
    try {
      const { rows } = await client.query<{ job_id: string; n: number }>(
        `SELECT job_id, count(*)::int AS n FROM ${MARKER_TABLE} WHERE job_id = ANY($1::text[]) GROUP BY job_id`,
        [jobIds],
      );
      return new Map(rows.map((r) => [r.job_id, r.n]));
    } finally {
      await client.close();
    }
  }

  it('resumes a job after its worker is killed mid-step, without running the completed step again', { timeout: 90_000 }, async () => {
    const started = Date.now();
    const a = spawnWorker('A', { ...workerEnv, TDM_WORKER_CONCURRENCY: '1' });
    await ready(a);

    const { jobId } = await tdm.jobs.execute({
      connectionString: source.url,
      operations: ['discover', SLOW_STEP],
      config: { [SLOW_STEP]: { durationMs: 6000 } },
    });
    const log = followLog(tdm, jobId);
    await log.waitFor((e) => e.step === SLOW_STEP && e.level === 'progress', `${SLOW_STEP} progress`, 30_000);
    const ranOnA = await tdm.jobs.get(jobId);
    expect(ranOnA.status).toBe('RUNNING');

    signalGroup(a, 'SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    const b = spawnWorker('B', { ...workerEnv, TDM_WORKER_CONCURRENCY: '1' });
    await ready(b);

    const resumed = await log.waitFor((e) => e.step === 'workflow' && e.level === 'progress' && e.message.startsWith('resuming'), 'resume', 45_000);
    const resumedAt = Date.now();
    const events = await log.end(30_000);
    const job = await tdm.jobs.get(jobId);
    const stored = await tdm.jobs.logs.history(jobId);
    console.info(
      `kill and resume: worker A killed ${((killedAt - started) / 1000).toFixed(1)} s into the test; ` +
        `worker B resumed the job ${((resumedAt - killedAt) / 1000).toFixed(1)} s after the kill; ` +
        `job ended after ${((Date.now() - started) / 1000).toFixed(1)} s (${job.attempts} attempts, ${stored.length} log events)`,
    );

    expect(job.status, `${summary(stored)}\n${workerOutput()}`).toBe('COMPLETED');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(job.workerId).not.toBe(ranOnA.workerId);
    // The completed step ran once: one completion in the log, and the resumed run said it skipped it.
    expect(count(stored, 'discover', 'completed')).toBe(1);
    expect(count(stored, 'discover', 'started')).toBe(1);
    expect(count(stored, SLOW_STEP, 'completed')).toBe(1);
    expect(count(stored, SLOW_STEP, 'started')).toBe(2);
    expect(resumed.message).toMatch(/already completed: discover\b/);
    expect(resumed.data).toMatchObject({ attempt: job.attempts });
    // The interrupted step's side effect happened once, by the run that completed it.
    expect(await markerRows([jobId])).toEqual(new Map([[jobId, 1]]));
    // One log across both workers: numbered 1..n, no gap, no duplicate; the stream delivered all of it.
    expect(seqs(stored)).toEqual(oneToN(stored.length));
    expect(events).toEqual(stored);
    expect(stored[0]).toMatchObject({ step: 'workflow', level: 'started' });
    expect(stored.at(-1)).toMatchObject({ step: 'workflow', level: 'completed' });
    expect(stored.filter((e) => e.step === 'workflow' && e.level === 'completed')).toHaveLength(1);
  });

  it('two worker processes drain ten jobs between them, every log complete', { timeout: 90_000 }, async () => {
    const ws = [spawnWorker('C', { ...workerEnv, TDM_WORKER_CONCURRENCY: '2' }), spawnWorker('D', { ...workerEnv, TDM_WORKER_CONCURRENCY: '2' })];
    await Promise.all(ws.map((w) => ready(w)));
    const request = { connectionString: source.url, operations: ['discover', SLOW_STEP] as const, config: { [SLOW_STEP]: { durationMs: 800 } } };
    const run = async () => {
      const { jobId } = await tdm.jobs.execute({ ...request, operations: [...request.operations] });
      return { jobId, log: followLog(tdm, jobId) };
    };

    // One job alone first: the single-job time (and both workers past their first, cold discover).
    let t0 = performance.now();
    const single = await run();
    await single.log.end(30_000);
    const singleMs = performance.now() - t0;
    expect((await tdm.jobs.get(single.jobId)).status).toBe('COMPLETED');

    t0 = performance.now();
    const runs = await Promise.all(Array.from({ length: 10 }, run));
    const logs = await Promise.all(runs.map((r) => r.log.end(60_000)));
    const wallMs = performance.now() - t0;
    const ids = runs.map((r) => r.jobId);
    const jobs = await tdm.store.prisma.job.findMany({ where: { id: { in: ids } } });
    const serialEstimateMs = 10 * singleMs;
    console.info(
      `two workers × concurrency 2: 10 jobs in ${(wallMs / 1000).toFixed(2)} s; one job alone ${(singleMs / 1000).toFixed(2)} s ` +
        `→ serial estimate ${(serialEstimateMs / 1000).toFixed(1)} s, speed-up ${(serialEstimateMs / wallMs).toFixed(2)}×; ` +
        `jobs per worker: ${[...perWorker(jobs).values()].join(' + ')}`,
    );

    expect(jobs.map((j) => j.status)).toEqual(Array(10).fill('COMPLETED'));
    expect(perWorker(jobs).size).toBe(2);
    expect(jobs.map((j) => j.attempts)).toEqual(Array(10).fill(1));
    expect([...(await markerRows(ids)).values()]).toEqual(Array(10).fill(1));
    for (const [i, events] of logs.entries()) {
      const stored = await tdm.jobs.logs.history(ids[i] as string);
      expect(seqs(events), `job ${ids[i]}: ${summary(events)}`).toEqual(oneToN(events.length));
      expect(events).toEqual(stored);
      expect(events[0]).toMatchObject({ step: 'workflow', level: 'started' });
      expect(events.at(-1)).toMatchObject({ step: 'workflow', level: 'completed' });
      expect(count(events, 'discover', 'completed')).toBe(1);
      expect(count(events, SLOW_STEP, 'completed')).toBe(1);
    }
    // Speed is the bench's business (bench/jobs.bench.ts); here: both workers took jobs at the same time.
    const spans = jobs.map((j) => [j.startedAt?.getTime() ?? 0, j.finishedAt?.getTime() ?? 0] as const);
    const overlapping = spans.some(([s1, e1], i) => spans.some(([s2, e2], k) => k !== i && s2 < e1 && s1 < e2));
    expect(overlapping).toBe(true);
  });
});
