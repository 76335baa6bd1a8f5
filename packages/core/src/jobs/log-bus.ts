/**
 * Job log events: stored as JobLog rows and published with PostgreSQL NOTIFY, so a subscriber in any
 * process (the API server) sees the events of a job running in any other (a worker). On PGlite the
 * same calls stay in-process.
 */
import { EventEmitter } from 'node:events';
import type { SqlClient } from '../db/sql-client.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { StepEvent } from './events.ts';

export const LOG_CHANNEL = 'tdm_job_log';
export const CANCEL_CHANNEL = 'tdm_job_cancel';
// NOTIFY payloads are limited to 8000 bytes; larger events are announced by id and read back.
const MAX_INLINE_PAYLOAD = 7000;

export interface JobLogEvent {
  jobId: string;
  seq: number;
  step: string;
  level: StepEvent['level'];
  message: string;
  data: Record<string, unknown> | null;
  at: string;
}

/** True for the event that ends a job's log: the workflow's own completed/failed event. */
export const isTerminal = (e: Pick<JobLogEvent, 'step' | 'level'>): boolean => e.step === 'workflow' && (e.level === 'completed' || e.level === 'failed');

type LogRow = { jobId: string; seq: number; step: string; level: string; message: string; data: unknown; at: Date };

export function toEvent(row: LogRow): JobLogEvent {
  return {
    jobId: row.jobId,
    seq: row.seq,
    step: row.step,
    level: row.level as StepEvent['level'],
    message: row.message,
    data: (row.data as Record<string, unknown> | null) ?? null,
    at: row.at instanceof Date ? row.at.toISOString() : String(row.at),
  };
}

export class LogBus {
  readonly #emitter = new EventEmitter().setMaxListeners(0);
  #unlisten: (() => Promise<void>) | null = null;
  #starting: Promise<void> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlClient,
  ) {}

  /** Stores an event as the job's next log row and publishes it. Returns the stored event. */
  async append(jobId: string, event: Omit<StepEvent, 'jobId'>, seq: number): Promise<JobLogEvent> {
    const row = await this.prisma.jobLog.create({
      data: { jobId, seq, step: event.step, level: event.level, message: event.message, data: (event.data ?? undefined) as object | undefined },
    });
    const stored = toEvent(row);
    const payload = JSON.stringify(stored);
    await this.sql.notify(LOG_CHANNEL, payload.length <= MAX_INLINE_PAYLOAD ? payload : JSON.stringify({ jobId, seq, ref: true }));
    return stored;
  }

  /** Stored events of a job after `afterSeq`, in order. */
  async history(jobId: string, afterSeq = 0): Promise<JobLogEvent[]> {
    const rows = await this.prisma.jobLog.findMany({ where: { jobId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' } });
    return rows.map(toEvent);
  }

  /** Calls `onEvent` for every event of `jobId` published from now on (any process). */
  async subscribe(jobId: string, onEvent: (e: JobLogEvent) => void): Promise<() => void> {
    await this.#ensureListening();
    this.#emitter.on(jobId, onEvent);
    return () => this.#emitter.off(jobId, onEvent);
  }

  async close(): Promise<void> {
    const un = this.#unlisten;
    this.#unlisten = null;
    this.#starting = null;
    await un?.();
  }

  #ensureListening(): Promise<void> {
    this.#starting ??= this.sql
      .listen(LOG_CHANNEL, (payload) => {
        void this.#dispatch(payload);
      })
      .then((un) => {
        this.#unlisten = un;
      });
    return this.#starting;
  }

  async #dispatch(payload: string): Promise<void> {
    let msg: (JobLogEvent & { ref?: boolean }) | null = null;
    try {
      msg = JSON.parse(payload);
    } catch {
      return;
    }
    if (!msg || this.#emitter.listenerCount(msg.jobId) === 0) return;
    if (msg.ref) {
      const row = await this.prisma.jobLog.findUnique({ where: { jobId_seq: { jobId: msg.jobId, seq: msg.seq } } });
      if (row) this.#emitter.emit(msg.jobId, toEvent(row));
      return;
    }
    this.#emitter.emit(msg.jobId, msg);
  }
}

/**
 * Writes one job's events in order. `emit` is synchronous for the steps; rows are written by a
 * promise chain and `flush()` waits for them.
 */
export class JobLogger {
  #seq: number;
  #chain: Promise<unknown> = Promise.resolve();
  #error: unknown = null;

  constructor(
    private readonly bus: LogBus,
    private readonly jobId: string,
    lastSeq: number,
  ) {
    this.#seq = lastSeq;
  }

  emit = (event: StepEvent): void => {
    const seq = ++this.#seq;
    const { jobId: _ignored, ...rest } = event;
    this.#chain = this.#chain.then(() =>
      this.bus.append(this.jobId, rest, seq).catch((err) => {
        this.#error ??= err;
      }),
    );
  };

  async flush(): Promise<void> {
    await this.#chain;
    if (this.#error) throw this.#error;
  }
}
