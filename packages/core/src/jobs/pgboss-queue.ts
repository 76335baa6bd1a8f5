import { PgBoss } from 'pg-boss';
import type { JobHandler, JobQueue } from './queue.ts';

const QUEUE = 'tdm-workflow';
/** pg-boss retries past TDM's own attempt limit, so the job row is always given a final status by a worker. */
const MAX_ATTEMPTS = 8;

export interface PgBossQueueOptions {
  /** Seconds without a heartbeat after which a running job is given to another worker (≥ 10). */
  heartbeatSeconds?: number;
  /** How often pg-boss's monitor looks for missed heartbeats. */
  monitorIntervalSeconds?: number;
  /**
   * How often an idle worker slot fetches without being notified (≥ 0.5, default 5). A job retried
   * after its worker missed its heartbeat sends no notification: this is how long it can wait before
   * a live worker takes it (pg-boss's own default is 30).
   */
  pollSeconds?: number;
}

/** Jobs on pg-boss in the metadata database (schema `pgboss`). */
export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  readonly #boss: PgBoss;
  readonly #options: PgBossQueueOptions;
  #ready: Promise<void> | null = null;

  constructor(connectionString: string, options: PgBossQueueOptions = {}) {
    this.#options = options;
    this.#boss = new PgBoss({
      connectionString,
      schema: 'pgboss',
      application_name: 'tdm-queue',
      // Wake workers as soon as a job is sent instead of at their next poll.
      useListenNotify: true,
      max: 4,
      ...(options.monitorIntervalSeconds
        ? { monitorIntervalSeconds: options.monitorIntervalSeconds, superviseIntervalSeconds: options.monitorIntervalSeconds }
        : {}),
    });
    // pg-boss reports background errors as events; they must not crash the process.
    this.#boss.on('error', (err: Error) => {
      if (process.env.TDM_LOG === 'debug') console.error('[tdm] queue:', err.message);
    });
  }

  #start(): Promise<void> {
    this.#ready ??= (async () => {
      await this.#boss.start();
      if (!(await this.#boss.getQueue(QUEUE))) {
        await this.#boss
          .createQueue(QUEUE, { heartbeatSeconds: this.#options.heartbeatSeconds ?? 30, retryLimit: MAX_ATTEMPTS, retryDelay: 1, notify: true })
          .catch(async (err: Error) => {
            // Two processes may create it at once.
            if (!(await this.#boss.getQueue(QUEUE))) throw err;
          });
      }
    })();
    return this.#ready;
  }

  async enqueue(jobId: string): Promise<void> {
    await this.#start();
    await this.#boss.send(QUEUE, { jobId }, { id: undefined });
  }

  /**
   * One pg-boss worker per slot (`concurrency` of them), each fetching one job at a time. A slot that
   * has just finished a job fetches again at once: with `useListenNotify` pg-boss only polls every
   * `pollSeconds` between notifications, and the notifications of a burst of jobs all arrive while the
   * slots are busy, so without this a backlog waited for that poll once the first jobs were done.
   */
  async work(handler: JobHandler, options: { concurrency?: number } = {}): Promise<void> {
    await this.#start();
    const slots = Math.max(1, options.concurrency ?? 2);
    const polling = { batchSize: 1, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: Math.max(0.5, this.#options.pollSeconds ?? 5) };
    for (let i = 0; i < slots; i++) {
      let workerId: string | null = null;
      workerId = await this.#boss.work<{ jobId: string }>(QUEUE, polling, async ([job]) => {
        try {
          if (job) await handler(job.data.jobId);
        } finally {
          // More jobs may be waiting: look for the next one now rather than at the next poll.
          if (job && workerId) this.#boss.notifyWorker(workerId);
        }
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.#ready) return;
    await this.#boss.stop({ graceful: true, timeout: 10_000 });
  }
}
