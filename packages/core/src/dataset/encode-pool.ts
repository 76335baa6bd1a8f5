/**
 * Worker threads that encode tables' COPY text into Parquet, so the thread reading the database only
 * moves bytes: a subset reading several tables at once (subset/parallel-read.ts) gets one encoder per
 * reading connection, and even one table overlaps the parsing and encoding with the socket. The file
 * is the one `writeParquetFromCopyText` writes in this thread, byte for byte (the same function runs
 * in the worker). `TDM_ENCODE_WORKERS=0` encodes in this thread instead.
 *
 * Memory: each worker has a heap of its own, capped by `resourceLimits`; at most `IN_LIMIT` bytes of
 * COPY text wait in a worker's queue and `OUT_LIMIT` (encode-worker.ts) of Parquet in this thread's.
 * Idle workers are kept for `IDLE_MS` (the next table of the same run reuses them), then terminated.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TdmError } from '../errors.ts';
import { type FromWorker, type ToWorker, deserializeError } from './encode-protocol.ts';
import { abortable, type ByteSink, type ParquetWriteResult } from './parquet.ts';
import type { ParquetFromCopyTextOptions } from './parquet-from-copy-text.ts';
import type { DatasetColumn } from './types.ts';

/**
 * Tables expected to have fewer rows are encoded in the calling thread: a worker's start (≈ 0.1 s of
 * CPU from the built JavaScript, ≈ 0.3 s through tsx) is about what encoding 50,000 rows costs.
 */
export const WORKER_MIN_ROWS = 50_000;
/** COPY text handed to a worker in buffers of this size (fewer messages than socket reads). */
const BATCH_BYTES = 256 * 1024;
/** COPY text sent to a worker and not yet taken by its encoder. */
const IN_LIMIT = 2 * 1024 * 1024;
const IDLE_MS = 500;
const MAX_IDLE = 4;
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

/** An encoding worker stopped (crashed, ran out of memory, was terminated) while it held a table. */
export class EncodeWorkerError extends TdmError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('STEP_FAILED', message, options);
  }
}

/** Whether tables are encoded on worker threads (`TDM_ENCODE_WORKERS`, default on). */
export function encodeWorkersEnabled(): boolean {
  const v = process.env.TDM_ENCODE_WORKERS?.trim().toLowerCase();
  return !(v === '0' || v === 'false' || v === 'off');
}

/** From TypeScript (tests, tsx) the worker loads its source through tsx's loader; from dist, plain JavaScript. */
function spawnWorker(): Worker {
  const self = import.meta.url;
  const options = { resourceLimits: RESOURCE_LIMITS, stdout: false, stderr: false };
  if (!self.endsWith('.ts')) return new Worker(new URL('./encode-worker.js', self), options);
  const tsxDir = dirname(createRequire(self).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./encode-worker.ts', self).href;
  const code = `const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry)});`;
  return new Worker(code, { ...options, eval: true });
}

type Listener = (message: FromWorker) => void;

/** One worker and the table it is encoding (at most one at a time). */
class PooledWorker {
  readonly worker = spawnWorker();
  #listener: Listener | null = null;
  #onExit: ((err: Error) => void) | null = null;
  dead = false;
  idleTimer: NodeJS.Timeout | null = null;

  constructor(onGone: (w: PooledWorker) => void) {
    this.worker.on('message', (m: FromWorker) => this.#listener?.(m));
    const gone = (err: Error) => {
      this.dead = true;
      onGone(this);
      this.#onExit?.(err);
    };
    this.worker.on('error', (err) => gone(new EncodeWorkerError(`the Parquet encoding worker failed: ${err.message}`, { cause: err })));
    this.worker.on('exit', (code) => gone(new EncodeWorkerError(`the Parquet encoding worker stopped (exit code ${code})`, { details: { exitCode: code } })));
  }

  attach(listener: Listener, onExit: (err: Error) => void): void {
    this.#listener = listener;
    this.#onExit = onExit;
    this.worker.ref();
  }

  detach(): void {
    this.#listener = null;
    this.#onExit = null;
    this.worker.unref();
  }

  post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }
}

const idle: PooledWorker[] = [];
const live = new Set<PooledWorker>();

function acquire(): PooledWorker {
  for (let w = idle.pop(); w; w = idle.pop()) {
    if (w.idleTimer) clearTimeout(w.idleTimer);
    w.idleTimer = null;
    if (!w.dead) return w;
  }
  const w = new PooledWorker((gone) => {
    live.delete(gone);
    const at = idle.indexOf(gone);
    if (at >= 0) idle.splice(at, 1);
  });
  live.add(w);
  return w;
}

function release(w: PooledWorker): void {
  w.detach();
  if (w.dead) return;
  if (idle.length >= MAX_IDLE) {
    void w.worker.terminate();
    return;
  }
  w.idleTimer = setTimeout(() => {
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
    void w.worker.terminate();
  }, IDLE_MS);
  w.idleTimer.unref();
  idle.push(w);
}

/** Terminates every encoding worker (idle or busy: a busy one's table fails with `EncodeWorkerError`). */
export async function terminateEncodeWorkers(): Promise<void> {
  await Promise.all([...live].map((w) => w.worker.terminate()));
}

/** The encoding workers alive now (tests). */
export function encodeWorkers(): Worker[] {
  return [...live].map((w) => w.worker);
}

export { runEncodeJob as writeParquetFromCopyTextInWorker };

/**
 * Writes `chunks` of COPY text as one Parquet file into `sink` like `writeParquetFromCopyText`,
 * encoded on a worker thread. An abort, a failing source or sink terminates the worker.
 */
async function runEncodeJob(
  columns: DatasetColumn[],
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  sink: ByteSink,
  options: ParquetFromCopyTextOptions = {},
): Promise<ParquetWriteResult> {
  options.signal?.throwIfAborted();
  const w = acquire();
  const job = new EncodeJob(w, sink, options);
  w.post({ type: 'start', columns, rowGroupRows: options.rowGroupRows, rowGroupChars: options.rowGroupChars, metadata: options.metadata });
  let clean = false;
  try {
    // A failure in the worker ends the wait at once, even while the source has nothing to give.
    const feeding = feed(job, chunks, options.signal);
    feeding.catch(() => {});
    await Promise.race([feeding, job.done]);
    await feeding;
    const result = await job.done;
    clean = true;
    return result;
  } catch (err) {
    job.fail(err);
    throw job.error ?? err;
  } finally {
    job.close();
    if (clean) release(w);
    else {
      w.detach();
      void w.worker.terminate();
    }
  }
}

/**
 * Sends the COPY text copied into buffers of `BATCH_BYTES` (lines may be cut anywhere), at most
 * `IN_LIMIT` ahead of the encoder; the buffers come back from the worker and are filled again, so
 * neither thread leaves a trail of buffers for its garbage collector.
 */
async function feed(job: EncodeJob, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, signal: AbortSignal | undefined): Promise<void> {
  let buffer: Uint8Array | null = null;
  let used = 0;
  const send = async () => {
    if (!buffer || !used) return;
    const full = buffer.subarray(0, used);
    buffer = null;
    used = 0;
    await job.send(full);
  };
  for await (const chunk of abortable(chunks, signal)) {
    if (job.settled) return;
    for (let at = 0; at < chunk.byteLength; ) {
      buffer ??= job.buffer();
      const n = Math.min(chunk.byteLength - at, buffer.byteLength - used);
      buffer.set(chunk.subarray(at, at + n), used);
      used += n;
      at += n;
      if (used === buffer.byteLength) await send();
    }
  }
  await send();
  if (!job.settled) job.end();
}

/** The main thread's side of one table: credits for the input, the sink for the output, the outcome. */
class EncodeJob {
  readonly done: Promise<ParquetWriteResult>;
  error: unknown = null;
  settled = false;
  #resolve!: (r: ParquetWriteResult) => void;
  #reject!: (err: unknown) => void;
  #inFlight = 0;
  /** Buffers the worker gave back. */
  readonly #free: ArrayBuffer[] = [];
  #credit: (() => void) | null = null;
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
      case 'consumed':
        this.#inFlight -= m.bytes.byteLength;
        this.#free.push(m.bytes.buffer as ArrayBuffer);
        this.#wake();
        break;
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

  /** An empty buffer of `BATCH_BYTES` to fill. */
  buffer(): Uint8Array {
    return new Uint8Array(this.#free.pop() ?? new ArrayBuffer(BATCH_BYTES));
  }

  /** Posts `bytes` (transferred) once fewer than `IN_LIMIT` bytes wait in the worker. */
  async send(bytes: Uint8Array): Promise<void> {
    while (this.#inFlight >= IN_LIMIT && !this.settled)
      await new Promise<void>((resolve) => {
        this.#credit = resolve;
      });
    if (this.settled) return;
    this.#inFlight += bytes.byteLength;
    this.#w.post({ type: 'chunk', bytes }, [bytes.buffer as ArrayBuffer]);
  }

  end(): void {
    this.#w.post({ type: 'end' });
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
    const credit = this.#credit;
    this.#credit = null;
    credit?.();
  }
}
