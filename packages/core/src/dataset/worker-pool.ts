/**
 * What the engine's worker-thread pools share (`dataset/encode-pool.ts`, `mask/mask-pool.ts`): how a
 * worker module is started, from the built JavaScript or from its TypeScript source; how a pool's
 * `TDM_*_WORKERS` switch is read; and the pool itself — workers that say `{ type: 'ready' }` once
 * started, serve one table at a time, and are kept idle for a while for the next table, then
 * terminated.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TdmError } from '../errors.ts';

/** Each worker's own heap: enough for a few row groups, never the table. */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

/**
 * Starts worker module `name` (`encode-worker`, `mask-worker`) that stands beside `caller` (the
 * pool's `import.meta.url`): plain JavaScript from dist; from TypeScript (tests, tsx) its source
 * through tsx's loader.
 */
export function spawnWorkerModule(caller: string, name: string): Worker {
  const options = { resourceLimits: RESOURCE_LIMITS, stdout: false, stderr: false };
  if (!caller.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, caller), options);
  const tsxDir = dirname(createRequire(caller).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL(`./${name}.ts`, caller).href;
  const code = `const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry)});`;
  return new Worker(code, { ...options, eval: true });
}

/** A pool's switch: `value` (1/true/on, 0/false/off) when set, else whether the machine has `minCores` cores. */
export function workersSwitch(value: string | undefined, minCores: number): boolean {
  const v = value?.trim().toLowerCase();
  if (v === '0' || v === 'false' || v === 'off') return false;
  if (v === '1' || v === 'true' || v === 'on') return true;
  return availableParallelism() >= minCores;
}

type ErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

export interface WorkerPoolOptions {
  /** The pool module's `import.meta.url` and its worker module's name (see `spawnWorkerModule`). */
  caller: string;
  module: string;
  /** How errors name a worker: "the masking worker". */
  label: string;
  /** The typed error a worker that stops while it holds a table gives its table. */
  failure: (message: string, options: ErrorOptions) => TdmError;
  /** How long a started idle worker is kept, and how many are kept at most. */
  idleMs: number;
  maxIdle: number;
}

/** One worker, whether it has started, and the table it works for (at most one at a time). */
export class PooledWorker<In, Out extends { type: string }> {
  readonly worker: Worker;
  /** Started: it said 'ready' (messages posted before wait until then). */
  booted = false;
  /** Settles once it has started or stopped. */
  readonly started: Promise<void>;
  dead = false;
  idleTimer: NodeJS.Timeout | null = null;
  #listener: ((message: Out) => void) | null = null;
  #onExit: ((err: Error) => void) | null = null;

  constructor(options: WorkerPoolOptions, onGone: (w: PooledWorker<In, Out>) => void) {
    this.worker = spawnWorkerModule(options.caller, options.module);
    let started = () => {};
    this.started = new Promise((resolve) => {
      started = resolve;
    });
    this.worker.on('message', (m: Out) => {
      if (m.type === 'ready') {
        this.booted = true;
        started();
      }
      this.#listener?.(m);
    });
    const gone = (err: Error) => {
      started();
      this.dead = true;
      onGone(this);
      this.#onExit?.(err);
    };
    this.worker.on('error', (err) => gone(options.failure(`${options.label} failed: ${err.message}`, { cause: err })));
    this.worker.on('exit', (code) => gone(options.failure(`${options.label} stopped (exit code ${code})`, { details: { exitCode: code } })));
  }

  attach(listener: (message: Out) => void, onExit: (err: Error) => void): void {
    this.#listener = listener;
    this.#onExit = onExit;
    this.worker.ref();
  }

  detach(): void {
    this.#listener = null;
    this.#onExit = null;
    this.worker.unref();
  }

  post(message: In, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }
}

/** The workers of one kind: idle ones kept for the next table, every live one reachable to terminate. */
export class WorkerPool<In, Out extends { type: string }> {
  readonly idle: PooledWorker<In, Out>[] = [];
  readonly #live = new Set<PooledWorker<In, Out>>();

  constructor(private readonly options: WorkerPoolOptions) {}

  /** A new worker (not idle: give it back with `release`). */
  spawn(): PooledWorker<In, Out> {
    const w = new PooledWorker<In, Out>(this.options, (gone) => {
      this.#live.delete(gone);
      const at = this.idle.indexOf(gone);
      if (at >= 0) this.idle.splice(at, 1);
    });
    this.#live.add(w);
    return w;
  }

  /** `count` workers: idle ones first (started ones before the others), then new ones. */
  acquire(count: number): PooledWorker<In, Out>[] {
    this.idle.sort((a, b) => Number(a.booted) - Number(b.booted));
    const out: PooledWorker<In, Out>[] = [];
    while (out.length < count) {
      const w = this.idle.pop();
      if (!w) break;
      if (w.idleTimer) clearTimeout(w.idleTimer);
      w.idleTimer = null;
      if (!w.dead) out.push(w);
    }
    while (out.length < count) out.push(this.spawn());
    return out;
  }

  /** Keeps `w` idle for `idleMs` from when it has started (a start can take longer than that on a busy machine), then terminates it. */
  release(w: PooledWorker<In, Out>): void {
    w.detach();
    if (w.dead) return;
    if (this.idle.length >= this.options.maxIdle) {
      void w.worker.terminate();
      return;
    }
    this.idle.push(w);
    void w.started.then(() => {
      if (!this.idle.includes(w) || w.idleTimer) return;
      w.idleTimer = setTimeout(() => {
        const at = this.idle.indexOf(w);
        if (at >= 0) this.idle.splice(at, 1);
        void w.worker.terminate();
      }, this.options.idleMs);
      w.idleTimer.unref();
    });
  }

  /** Terminates every worker (idle or busy: a busy one's table fails with the pool's error). */
  async terminateAll(): Promise<void> {
    await Promise.all([...this.#live].map((w) => w.worker.terminate()));
  }

  /** The workers alive now. */
  workers(): Worker[] {
    return [...this.#live].map((w) => w.worker);
  }
}
