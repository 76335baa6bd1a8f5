/**
 * Worker threads that mask row groups beside the thread writing the masked file: while that thread
 * masks some row groups itself and writes them all in file order (compression, copied columns,
 * footer), the workers mask others (decode, transform, encode up to the compression) from the
 * source chunks handed to them (`parquet-passthrough.ts`, `GroupHelper`). Only columns whose
 * masking is a function of the value and row key through a built-in transformer go to them
 * (`ColumnPlan.portable`); the file is the one a single thread writes, byte for byte.
 *
 * The mask step reads and writes files only, with PostgreSQL idle: a second core is free, so the
 * workers are on by default from two cores (`maskWorkersEnabled`), one per core beyond the first
 * (at most `MAX_WORKERS`). Memory: each worker has a heap of its own, capped by `resourceLimits`,
 * and holds at most `GROUPS_PER_WORKER` row groups. Idle workers are kept for `IDLE_MS` (the next
 * table of the run reuses them), then terminated.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { type PooledWorker as PooledWorkerOf, WorkerPool, workersSwitch } from '../dataset/worker-pool.ts';
import { deserializeError } from '../dataset/encode-protocol.ts';
import type { GroupHelper } from '../dataset/parquet-passthrough.ts';
import type { PreparedColumn } from '../dataset/parquet-rewrite-group.ts';
import { TdmError } from '../errors.ts';
import type { FromMaskWorker, ToMaskWorker } from './mask-protocol.ts';

/**
 * Tables from this many rows are masked with workers. A worker takes ≈ 0.2–0.3 s to start from the
 * built JavaScript (the transformers, Faker, zod), while the writing thread masks ≈ 150,000 rows
 * alone: a smaller table is done before a new worker helps (measured in bench/README.md).
 */
export const MASK_WORKER_MIN_ROWS = 250_000;
/** Tables from this many rows (several row groups) are masked with workers that have started already (idle ones). */
export const MASK_WORKER_MIN_ROWS_STARTED = 50_000;
/** Row groups handed to a worker and not yet back: the next one waits there while one is masked. */
const GROUPS_PER_WORKER = 3;
const MAX_WORKERS = 3;
const IDLE_MS = 2000;
const MAX_IDLE = 4;

/** A masking worker stopped (crashed, ran out of memory, was terminated) while it held a table. */
export class MaskWorkerError extends TdmError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('STEP_FAILED', message, options);
  }
}

/**
 * Whether tables are masked with worker threads: `TDM_MASK_WORKERS` (1/0) when set, else when the
 * machine has at least two cores. A new worker costs ≈ 0.5 s of CPU (its start, then compiling its
 * own copy of the hot code): on cores kept busy by other work it costs more than it saves, and
 * `TDM_MASK_WORKERS=0` is the better setting there (measured in bench/README.md).
 */
export function maskWorkersEnabled(): boolean {
  return workersSwitch(process.env.TDM_MASK_WORKERS, 2);
}

/** Whether a table of `rows` rows is masked with workers: they are on, and it is big enough for new or started ones. */
export function maskWorkersFor(rows: number): boolean {
  if (!maskWorkersEnabled()) return false;
  return rows >= MASK_WORKER_MIN_ROWS || (rows >= MASK_WORKER_MIN_ROWS_STARTED && pool.idle.some((w) => w.booted && !w.dead));
}

/** Workers per table: one per core beside the writing thread's, at least one, at most `MAX_WORKERS`. */
export function maskWorkerCount(): number {
  return Math.max(1, Math.min(MAX_WORKERS, availableParallelism() - 1));
}

const pool = new WorkerPool<ToMaskWorker, FromMaskWorker>({
  caller: import.meta.url,
  module: 'mask-worker',
  label: 'the masking worker',
  failure: (message, options) => new MaskWorkerError(message, options),
  idleMs: IDLE_MS,
  maxIdle: MAX_IDLE,
});

type PooledWorker = PooledWorkerOf<ToMaskWorker, FromMaskWorker>;

/**
 * Starts workers ahead of the tables that will use them (up to `count` idle ones), so that a table
 * has its workers from its first row group; resolves once they have started.
 */
export async function warmMaskWorkers(count = maskWorkerCount()): Promise<void> {
  const fresh = Array.from({ length: Math.max(0, count - pool.idle.length) }, () => pool.spawn());
  for (const w of fresh) pool.release(w);
  await Promise.all(pool.idle.map((w) => w.started));
}

/** Terminates every masking worker (idle or busy: a busy one's table fails with `MaskWorkerError`). */
export async function terminateMaskWorkers(): Promise<void> {
  await pool.terminateAll();
}

/** The masking workers alive now (tests). */
export function maskWorkers(): Worker[] {
  return pool.workers();
}

/**
 * Workers for one table (`maskWorkerCount()` of them) as the rewrite's helper: the table message goes
 * out now, row groups as the rewrite hands them over. `close()` gives them back.
 */
export function maskTableHelper(table: Extract<ToMaskWorker, { type: 'table' }>, signals: (AbortSignal | undefined)[]): MaskTableHelper {
  return new MaskTableHelper(pool.acquire(maskWorkerCount()), table, signals);
}

/** The writing thread's side of one table on its workers: row groups in flight per worker, the outcome. */
export class MaskTableHelper implements GroupHelper {
  readonly #workers: PooledWorker[];
  readonly #inFlight = new Map<PooledWorker, number>();
  readonly #waiting = new Map<number, { resolve: (c: PreparedColumn[]) => void; reject: (err: unknown) => void }>();
  readonly #signals: AbortSignal[];
  #failed: { error: unknown } | null = null;
  readonly #onAbort = (event: Event) => this.#fail((event.target as AbortSignal).reason);

  constructor(workers: PooledWorker[], table: Extract<ToMaskWorker, { type: 'table' }>, signals: (AbortSignal | undefined)[]) {
    this.#workers = workers;
    this.#signals = signals.filter((s): s is AbortSignal => s !== undefined);
    for (const s of this.#signals) s.addEventListener('abort', this.#onAbort, { once: true });
    for (const w of workers) {
      this.#inFlight.set(w, 0);
      w.attach(
        (m) => this.#message(w, m),
        (err) => this.#fail(err),
      );
      w.post(table);
    }
    const aborted = this.#signals.find((s) => s.aborted);
    if (aborted) this.#fail(aborted.reason);
  }

  hasRoom(): boolean {
    return this.#failed !== null || this.#pick() !== undefined;
  }

  prepare(g: number, start: number, rows: number, chunks: { at: number; bytes: ArrayBuffer }[]): Promise<PreparedColumn[]> {
    if (this.#failed) return Promise.reject(this.#failed.error);
    const w = this.#pick();
    if (!w) return Promise.reject(new Error(`no masking worker has room for row group ${g}`));
    this.#inFlight.set(w, (this.#inFlight.get(w) ?? 0) + 1);
    return new Promise((resolve, reject) => {
      this.#waiting.set(g, { resolve, reject });
      w.post({ type: 'group', g, start, rows, chunks }, [...new Set(chunks.map((c) => c.bytes))]);
    });
  }

  /**
   * Gives the workers back: to the idle pool after a table that went well, else terminated (also when
   * row groups are still out: their answers must not reach the worker's next table).
   */
  close(): void {
    for (const s of this.#signals) s.removeEventListener('abort', this.#onAbort);
    const clean = !this.#failed && this.#waiting.size === 0;
    for (const w of this.#workers) {
      if (clean && !w.dead) {
        w.post({ type: 'end' });
        pool.release(w);
      } else {
        w.detach();
        void w.worker.terminate();
      }
    }
  }

  /** The started worker with the fewest row groups, if one has room. */
  #pick(): PooledWorker | undefined {
    let best: PooledWorker | undefined;
    for (const w of this.#workers) {
      const n = this.#inFlight.get(w) ?? 0;
      if (w.booted && !w.dead && n < GROUPS_PER_WORKER && (!best || n < (this.#inFlight.get(best) ?? 0))) best = w;
    }
    return best;
  }

  #message(w: PooledWorker, m: FromMaskWorker): void {
    if (this.#failed) return;
    if (m.type === 'group') {
      this.#inFlight.set(w, (this.#inFlight.get(w) ?? 1) - 1);
      const waiting = this.#waiting.get(m.g);
      this.#waiting.delete(m.g);
      waiting?.resolve(m.columns);
    } else if (m.type === 'error') {
      this.#fail(deserializeError(m.error));
    }
  }

  /** Fails every row group still out (the first failure wins); the workers are terminated on `close()`. */
  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = { error };
    for (const { reject } of this.#waiting.values()) reject(error);
    this.#waiting.clear();
  }
}
