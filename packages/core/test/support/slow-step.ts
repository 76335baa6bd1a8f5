/**
 * TEST PLUGIN — not a real step. Loaded by worker processes through `TDM_PLUGINS` (and imported by
 * the test or bench process, whose `execute` validates the operations against the registry), it
 * replaces a built-in step with a slow stand-in, in the processes that load it, so tests can kill a
 * worker in the middle of a step and watch another one resume the job.
 *
 * The step emits a `progress` event every `intervalMs` (200) for `durationMs` (4000), stops as soon as the run is
 * aborted, and on completion writes one row per run into `tdm_test_step_runs` of the *source*
 * database: a side effect outside the metadata store, so a test can tell how often the step really
 * finished.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StepFailedError } from '../../src/errors.ts';
import type { Operation } from '../../src/jobs/context.ts';
import { registerStep } from '../../src/graphs/registry.ts';

/** The built-in operation the slow step replaces. */
export const SLOW_STEP: Operation = 'synthetic';
/** The marker table in the source database: one row per completed run of the slow step. */
export const MARKER_TABLE = 'tdm_test_step_runs';

const SlowStepConfig = z
  .object({
    durationMs: z.number().int().nonnegative().default(4000),
    intervalMs: z.number().int().positive().default(200),
  })
  .default({ durationMs: 4000, intervalMs: 200 });

registerStep(
  {
    name: SLOW_STEP,
    description: `Test plugin: emits progress for config.${SLOW_STEP}.durationMs, then records its run in ${MARKER_TABLE} of the source`,
    config: SlowStepConfig,
    async run(input, rt) {
      if (!input.source) throw new StepFailedError(SLOW_STEP, input.jobId, new Error('the slow test step needs a source connection'));
      const { durationMs, intervalMs } = input.config;
      // A fixed number of ticks, so a caller can ask for an exact number of events (bench: 200).
      const ticks = Math.ceil(durationMs / intervalMs);
      const started = Date.now();
      for (let tick = 1; tick <= ticks; tick++) {
        await sleep(intervalMs, undefined, { signal: rt.signal });
        rt.emit({
          step: SLOW_STEP,
          level: 'progress',
          message: `tick ${tick} of ${ticks}`,
          // `sentAt` (ms since the epoch, sub-ms precision) lets a subscriber measure delivery latency.
          data: { tick, ticks, elapsedMs: Date.now() - started, sentAt: performance.timeOrigin + performance.now() },
        });
      }
      rt.signal.throwIfAborted();
      const source = await (await rt.resolveSource(input.source)).open();
      try {
        await source.transaction(async (tx) => {
          // Serialises concurrent first runs: CREATE TABLE IF NOT EXISTS races on the catalog otherwise.
          await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [MARKER_TABLE]);
          await tx.exec(`CREATE TABLE IF NOT EXISTS ${MARKER_TABLE} (job_id text, completed_at timestamptz)`);
          await tx.query(`INSERT INTO ${MARKER_TABLE} (job_id, completed_at) VALUES ($1, now())`, [input.jobId]);
        });
      } finally {
        await source.close();
      }
      return { artifacts: {}, summary: { ticks, marker: MARKER_TABLE } };
    },
  },
  { replace: true },
);
