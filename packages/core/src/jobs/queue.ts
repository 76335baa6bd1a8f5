/**
 * Where queued jobs wait for a worker. On a real PostgreSQL metadata store this is pg-boss, so any
 * number of worker processes on any machine share the work and a dead worker's job (no heartbeat) is
 * retried by another. On the embedded default an in-process queue gives the same interface.
 */
export type JobHandler = (jobId: string) => Promise<void>;

export interface JobQueue {
  readonly kind: 'pg-boss' | 'in-process';
  enqueue(jobId: string): Promise<void>;
  /** Starts taking jobs with `concurrency` at a time. */
  work(handler: JobHandler, options?: { concurrency?: number }): Promise<void>;
  stop(): Promise<void>;
}
