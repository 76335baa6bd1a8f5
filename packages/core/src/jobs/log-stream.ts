import type { JobService } from './service.ts';
import { isTerminal, type JobLogEvent } from './log-bus.ts';

/**
 * A job's log as one ordered stream: the stored events first, then live ones, ending with the
 * workflow's terminal event. Subscribes before reading history, so nothing falls in between.
 */
const POLL_MS = 2_000;

export async function* jobLogStream(jobs: JobService, jobId: string, signal?: AbortSignal): AsyncGenerator<JobLogEvent> {
  await jobs.get(jobId);
  const buffer: JobLogEvent[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = await jobs.logs.subscribe(jobId, (e) => {
    buffer.push(e);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    let last = 0;
    for (const e of await jobs.logs.history(jobId)) {
      yield e;
      last = e.seq;
      if (isTerminal(e)) return;
    }
    // A job's status is written before its terminal event, so an ended job's last events may still
    // be on their way: wait for them up to one poll. A log without a terminal event (written before
    // terminal events existed) ends after that poll.
    const endedAt = jobs.isTerminal((await jobs.get(jobId)).status) ? Date.now() : null;
    while (!signal?.aborted) {
      if (endedAt !== null && buffer.length === 0 && Date.now() - endedAt >= POLL_MS) return;
      while (buffer.length) {
        const e = buffer.shift() as JobLogEvent;
        if (e.seq <= last) continue;
        if (e.seq > last + 1) {
          // A notification was missed (reconnect): fill the gap from the table.
          for (const missed of await jobs.logs.history(jobId, last)) {
            if (missed.seq >= e.seq) break;
            yield missed;
            last = missed.seq;
          }
        }
        yield e;
        last = e.seq;
        if (isTerminal(e)) return;
      }
      // Notifications sent while a listening connection reconnects are lost: poll the table now and then.
      const timedOut = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = null;
      if (timedOut && buffer.length === 0) buffer.push(...(await jobs.logs.history(jobId, last)));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
