import type { JobHandler, JobQueue } from './queue.ts';

/** A FIFO queue inside this process (the embedded default: PGlite allows one process). */
export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  readonly #pending: string[] = [];
  readonly #running = new Set<Promise<void>>();
  #handler: JobHandler | null = null;
  #concurrency = 2;
  #stopped = false;

  async enqueue(jobId: string): Promise<void> {
    if (!this.#pending.includes(jobId)) this.#pending.push(jobId);
    this.#pump();
  }

  async work(handler: JobHandler, options: { concurrency?: number } = {}): Promise<void> {
    this.#handler = handler;
    this.#concurrency = Math.max(1, options.concurrency ?? 2);
    this.#stopped = false;
    this.#pump();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    while (!this.#stopped && this.#handler && this.#running.size < this.#concurrency && this.#pending.length) {
      const jobId = this.#pending.shift() as string;
      const handler = this.#handler;
      const run: Promise<void> = handler(jobId)
        .catch(() => undefined)
        .finally(() => {
          this.#running.delete(run);
          this.#pump();
        });
      this.#running.add(run);
    }
  }
}
