/**
 * One progress line per step of a job, fed by the job's log events. listr2 draws it: a live task
 * list on a terminal, and plain `[STARTED] subset` / `[OUTPUT] …` / `[COMPLETED] subset` lines when
 * stdout is not a TTY (a CI log) or when `--json` keeps stdout for the result (then on stderr).
 */
import type { JobLogEvent } from '@tdm/sdk';
import { Listr, ListrLogger, ListrLogLevels } from 'listr2';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
  output: (text: string) => void;
  done: boolean;
}

export class StepProgress {
  readonly #steps = new Map<string, Deferred>();
  // biome-ignore lint/suspicious/noExplicitAny: the renderer is chosen at run time (default on a TTY, simple otherwise).
  readonly #listr: Listr<unknown, any, any>;
  readonly #run: Promise<unknown>;

  constructor(operations: string[], options: { toStderr: boolean }) {
    for (const op of operations) this.#steps.set(op, deferred());
    const logger = new ListrLogger({ useIcons: false, toStderr: options.toStderr ? Object.values(ListrLogLevels) : [] });
    this.#listr = new Listr(
      operations.map((op) => ({
        title: op,
        task: async (_ctx: unknown, task: { output: string; title: string }) => {
          const step = this.#steps.get(op)!;
          step.output = (text) => {
            task.output = text;
          };
          await step.promise;
        },
      })),
      {
        concurrent: false,
        exitOnError: true,
        renderer: options.toStderr ? 'simple' : 'default',
        rendererOptions: { logger },
        fallbackRenderer: 'simple',
        fallbackRendererOptions: { logger },
        registerSignalListeners: false,
      },
    );
    this.#run = this.#listr.run().catch(() => undefined);
  }

  /** Applies one log event: progress text on its step's line, completion or failure. */
  event(ev: JobLogEvent): void {
    if (ev.step === 'workflow') {
      if (ev.level === 'failed') this.fail(ev.message);
      return;
    }
    const step = this.#steps.get(ev.step);
    if (!step || step.done) return;
    if (ev.level === 'completed') {
      step.output(ev.message.split('\n', 1)[0]!);
      step.done = true;
      step.resolve();
    } else if (ev.level === 'failed') {
      step.done = true;
      step.reject(new Error(ev.message));
    } else if (ev.level !== 'started') {
      // A multi-line message (a subset plan) shows its first line; `tdm jobs logs` has the rest.
      step.output(ev.message.split('\n', 1)[0]!);
    }
  }

  /** Fails the steps still open (the job failed or was cancelled). */
  fail(message: string): void {
    for (const step of this.#steps.values()) {
      if (step.done) continue;
      step.done = true;
      step.reject(new Error(message));
      return; // listr stops at the first failure; the rest stay pending and are never drawn as run
    }
  }

  /** Waits for the renderer to finish drawing. */
  async end(): Promise<void> {
    // Steps that never reported (a stream that ended early) end as failed rather than hang.
    this.fail('no further log events');
    await this.#run;
  }
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject, output: () => undefined, done: false };
}
