/**
 * Worker threads that encode tables' row groups into Parquet, beside the thread that reads the COPY
 * text and cuts it into column buffers: the two halves of `writeParquetFromCopyText` run on two
 * cores, the next row group being read while the last one is encoded, and a subset reading several
 * tables at once (subset/parallel-read.ts) gets one encoder per table. The file is the one
 * `writeParquetFromCopyText` writes in one thread, byte for byte (the same encoder, one snappy
 * compressor per file used in file order). On by default from three cores (`encodeWorkersEnabled`).
 *
 * Memory: each worker has a heap of its own, capped by `resourceLimits`; at most `GROUPS_IN_FLIGHT`
 * row groups' buffers wait for a worker (they come back to be filled again) and `OUT_LIMIT`
 * (encode-worker.ts) of Parquet bytes for the sink. Idle workers are kept for `IDLE_MS` (the next
 * table of the same run reuses them), then terminated.
 */
import type { Worker } from 'node:worker_threads';
import { type PooledWorker as PooledWorkerOf, WorkerPool, workersSwitch } from './worker-pool.ts';
import { TdmError } from '../errors.ts';
import { type ColumnBuffer, newColumnBuffers } from './copy-text-columns.ts';
import { deserializeError, type FromWorker, reviveBuffers, type ToWorker, transferList } from './encode-protocol.ts';
import { type ByteSink, groupBounds, type ParquetWriteResult } from './parquet.ts';
import { type ParquetFromCopyTextOptions, readCopyTextGroups } from './parquet-from-copy-text.ts';
import type { DatasetColumn } from './types.ts';

/**
 * Tables expected to have fewer rows are encoded in the calling thread: a worker's start (≈ 0.1 s of
 * CPU from the built JavaScript, ≈ 0.3 s through tsx) is about what encoding 50,000 rows costs.
 */
export const WORKER_MIN_ROWS = 50_000;
/** Row groups handed to a worker and not yet encoded: the next one is read meanwhile. */
const GROUPS_IN_FLIGHT = 2;
const IDLE_MS = 500;
const MAX_IDLE = 4;
/** Cores from which the workers are on by default. */
const MIN_CORES = 3;

/** An encoding worker stopped (crashed, ran out of memory, was terminated) while it held a table. */
export class EncodeWorkerError extends TdmError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('STEP_FAILED', message, options);
  }
}

/**
 * Whether tables are encoded on worker threads: `TDM_ENCODE_WORKERS` (1/0) when set, else when the
 * machine has at least `MIN_CORES` cores. A subset keeps a database backend busy sending the rows
 * and this thread cutting them; the worker pays when it gets a core of its own. On two cores it
 * does not: the three compete for two, and the worker's hand-offs cost ≈ 0.2–0.4 s of CPU more per
 * million rows (measured in bench/README.md).
 */
export function encodeWorkersEnabled(): boolean {
  return workersSwitch(process.env.TDM_ENCODE_WORKERS, MIN_CORES);
}

const pool = new WorkerPool<ToWorker, FromWorker>({
  caller: import.meta.url,
  module: 'encode-worker',
  label: 'the Parquet encoding worker',
  failure: (message, options) => new EncodeWorkerError(message, options),
  idleMs: IDLE_MS,
  maxIdle: MAX_IDLE,
});

type PooledWorker = PooledWorkerOf<ToWorker, FromWorker>;

/**
 * Starts an encoding worker ahead of the table that will need it (kept idle for `IDLE_MS`, as one a
 * table gave back): its start-up (loading the encoder, compiling snappy) then overlaps the wait for
 * the first rows instead of delaying the first row group. Does nothing when one is idle already.
 */
export function warmEncodeWorker(): void {
  if (pool.idle.some((w) => !w.dead)) return;
  pool.release(pool.spawn());
}

/** Terminates every encoding worker (idle or busy: a busy one's table fails with `EncodeWorkerError`). */
export async function terminateEncodeWorkers(): Promise<void> {
  await pool.terminateAll();
}

/** The encoding workers alive now (tests). */
export function encodeWorkers(): Worker[] {
  return pool.workers();
}

export { runEncodeJob as writeParquetFromCopyTextInWorker };

/**
 * Writes `chunks` of COPY text as one Parquet file into `sink` like `writeParquetFromCopyText`: the
 * text is cut into row groups here and the groups are encoded on a worker thread while the next one
 * is read. An abort, a failing source or sink terminates the worker.
 */
async function runEncodeJob(
  columns: DatasetColumn[],
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  sink: ByteSink,
  options: ParquetFromCopyTextOptions = {},
): Promise<ParquetWriteResult> {
  options.signal?.throwIfAborted();
  const [w] = pool.acquire(1) as [PooledWorker];
  const job = new EncodeJob(w, sink, options);
  w.post({ type: 'start', columns, metadata: options.metadata });
  const groupRows = groupBounds(options).groupRows;
  let clean = false;
  try {
    // A failure in the worker ends the wait at once, even while the source has nothing to give.
    // Row groups in shared memory: they go to the worker and come back without a copy or a transfer.
    const reading = readCopyTextGroups(
      columns,
      chunks,
      options,
      async (group) => {
        const fresh = (await job.freeBuffers()) ?? newColumnBuffers(columns, groupRows, true);
        job.send(group.rows, group.swapBuffers(fresh));
      },
      true,
    );
    reading.catch(() => {});
    await Promise.race([reading, job.done]);
    await reading;
    job.end();
    const result = await job.done;
    clean = true;
    return result;
  } catch (err) {
    job.fail(err);
    throw job.error ?? err;
  } finally {
    job.close();
    if (clean) pool.release(w);
    else {
      w.detach();
      void w.worker.terminate();
    }
  }
}

/** The feeding thread's side of one table: buffers in flight, the sink for the output, the outcome. */
class EncodeJob {
  readonly done: Promise<ParquetWriteResult>;
  error: unknown = null;
  settled = false;
  #resolve!: (r: ParquetWriteResult) => void;
  #reject!: (err: unknown) => void;
  /** Row groups sent and not yet written. */
  #inFlight = 0;
  /** Buffer sets the worker gave back. */
  readonly #free: ColumnBuffer[][] = [];
  #wakeFree: (() => void) | null = null;
  #writes: Promise<void> = Promise.resolve();
  readonly #w: PooledWorker;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.fail(this.#signal?.reason);

  constructor(w: PooledWorker, sink: ByteSink, options: ParquetFromCopyTextOptions) {
    this.#w = w;
    this.#signal = options.signal;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => {});
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    w.attach(
      (m) => this.#message(m, sink, options),
      (err) => this.fail(err),
    );
  }

  #message(m: FromWorker, sink: ByteSink, options: ParquetFromCopyTextOptions): void {
    if (this.settled) return;
    switch (m.type) {
      case 'out': {
        const bytes = m.bytes;
        this.#writes = this.#writes.then(async () => {
          if (this.settled) return;
          await sink(bytes);
          if (!this.settled) this.#w.post({ type: 'written', bytes: bytes.byteLength });
        });
        this.#writes.catch((err: unknown) => this.fail(err));
        break;
      }
      case 'rows':
        this.#inFlight--;
        this.#free.push(reviveBuffers(m.buffers));
        this.#wake();
        options.onRows?.(m.rows);
        break;
      case 'done': {
        const { rowCount, bytes, checksum } = m;
        this.#writes.then(() => this.#settle(() => this.#resolve({ rowCount, bytes, checksum })));
        break;
      }
      case 'error':
        this.fail(deserializeError(m.error));
        break;
    }
  }

  /**
   * Buffers to fill next: a set the worker gave back, or null for a new one while fewer than
   * `GROUPS_IN_FLIGHT` groups wait in the worker; else waits for one to come back.
   */
  async freeBuffers(): Promise<ColumnBuffer[] | null> {
    while (!this.#free.length && this.#inFlight >= GROUPS_IN_FLIGHT && !this.settled)
      await new Promise<void>((resolve) => {
        this.#wakeFree = resolve;
      });
    if (this.settled) throw this.error;
    return this.#free.pop() ?? null;
  }

  /** Hands a full row group's buffers to the worker (shared, or transferred when not in shared memory). */
  send(rows: number, buffers: ColumnBuffer[]): void {
    if (this.settled) return;
    this.#inFlight++;
    this.#w.post({ type: 'group', rows, buffers }, transferList(buffers));
  }

  end(): void {
    if (!this.settled) this.#w.post({ type: 'end' });
  }

  fail(err: unknown): void {
    this.#settle(() => {
      this.error = err;
      this.#reject(err);
    });
  }

  close(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  #settle(fn: () => void): void {
    if (this.settled) return;
    this.settled = true;
    fn();
    this.#wake();
  }

  #wake(): void {
    const wake = this.#wakeFree;
    this.#wakeFree = null;
    wake?.();
  }
}
