/**
 * A workflow run through the API on a real PostgreSQL metadata store (jobs on pg-boss, log events
 * over LISTEN/NOTIFY): `executeWorkflow` answers QUEUED at once, the job goes RUNNING → COMPLETED,
 * and its log streams over a real WebSocket, live or replayed, and ends by itself.
 */
import type { Tdm } from '@tdm/core/runtime';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestDatabase } from '../../core/test/support/databases.ts';
import { TdmClient } from '../../sdk/src/index.ts';
import {
  collect,
  type DoneJob,
  EXECUTE,
  type ExecuteMember,
  expectWholeLog,
  facts,
  type JobRow,
  PG_SUITE,
  pgUp,
  pgWorkflowSuite,
  sleep,
  UUID,
  until,
} from './support/workflow.ts';

describe.skipIf(!pgUp)(PG_SUITE, () => {
  const suite = pgWorkflowSuite();
  const { jobs, job, ended, gql, lockSource, unlockSource } = suite;
  let source: TestDatabase;
  let tdm: Tdm;
  let url: string;
  let sdk: TdmClient;
  let firstJob: DoneJob;

  beforeAll(async () => {
    ({ source, tdm, url, sdk } = suite);
  });

  it(`executeWorkflow (GraphQL) answers QUEUED; the job goes RUNNING, then COMPLETED with ${facts.tables} tables, ${facts.partitions} partitions, ${facts.foreignKeys} foreign keys`, async () => {
    await lockSource();
    let jobId: string;
    try {
      const { executeWorkflow } = await gql<{ executeWorkflow: ExecuteMember }>(EXECUTE, { input: { connectionString: source.url, operations: ['discover'] } });
      expect(executeWorkflow.__typename, executeWorkflow.message).toBe('MutationExecuteWorkflowSuccess');
      expect(executeWorkflow.data).toEqual({
        workflowId: expect.stringMatching(UUID),
        jobId: expect.stringMatching(UUID),
        status: 'QUEUED',
        operations: ['discover'],
      });
      jobId = executeWorkflow.data?.jobId as string;
      jobs.set(jobId, 'COMPLETED');

      const running = await until(
        'RUNNING',
        () => job(jobId),
        (j) => j.status !== 'QUEUED',
      );
      expect(running).toMatchObject({ status: 'RUNNING', result: null, error: null, finishedAt: null, attempts: 1 });
      // Still RUNNING a moment later: the discovery is waiting for the lock.
      await sleep(300);
      expect(await job(jobId)).toMatchObject({ status: 'RUNNING', startedAt: expect.any(String), finishedAt: null });
    } finally {
      await unlockSource();
    }

    const done = await ended(jobId);
    expect(done.status, JSON.stringify(done.error)).toBe('COMPLETED');
    expect(done.result?.operations.discover).toMatchObject({ ...facts, reused: false, schemaVersionId: expect.any(String) });
    expect(done.result?.completed).toEqual(['discover']);
    expect(done.context).toMatchObject({ operations: ['discover'], fallbacksUsed: [], testCaseId: null, schemas: ['public'] });
    expect(done.error).toBeNull();
    expect(done.attempts).toBe(1);
    expect(Date.parse(done.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(done.startedAt as string));
    // The stored request names the source without anything secret.
    expect(done.input.connectionString).toBe(source.url);
    firstJob = { jobId, workflowId: done.workflowId, schemaVersionId: done.result?.artifacts.schemaVersionId as string };
    expect(firstJob.schemaVersionId).toBe(done.result?.operations.discover?.schemaVersionId);
  });

  it('the SDK on a real port: execute → QUEUED, the log streams live over a WebSocket in order and ends by itself; get and waitFor agree', async () => {
    const started = await sdk.workflows.execute({ connectionString: source.url, operations: ['discover'] });
    expect(started).toMatchObject({ workflowId: expect.stringMatching(UUID), jobId: expect.stringMatching(UUID), status: 'QUEUED' });
    jobs.set(started.jobId, 'COMPLETED');

    const events = await collect(sdk.jobs.logs(started.jobId));
    expectWholeLog(events, 'completed');
    expect(events.every((e) => e.jobId === started.jobId)).toBe(true);
    // The unchanged source gives the same schema version, and the log says so.
    expect(events.find((e) => e.step === 'discover' && e.level === 'completed')?.data).toMatchObject({
      ...facts,
      reused: true,
      schemaVersionId: firstJob.schemaVersionId,
    });

    const got = await sdk.jobs.get(started.jobId);
    expect(got).toMatchObject({
      id: expect.any(String),
      status: 'COMPLETED',
      rawId: started.jobId,
      workflowId: started.workflowId,
      context: { operations: ['discover'], fallbacksUsed: [] },
    });
    expect((got.result as JobRow['result'])?.operations.discover).toMatchObject(facts);
    expect(await sdk.jobs.waitFor(started.jobId, { timeoutMs: 5_000 })).toEqual(got);
    // The polling API holds the same events.
    expect(await sdk.jobs.history(started.jobId)).toEqual(events);
  });

  it('a subscriber that connects after the job ended gets the whole log replayed, and the stream ends', async () => {
    const late = new TdmClient({ url });
    try {
      const replay = await collect(late.jobs.logs(firstJob.jobId));
      expectWholeLog(replay, 'completed');
      expect(replay).toEqual(await late.jobs.history(firstJob.jobId));
      // A second replay on the same socket is the same.
      expect(await collect(late.jobs.logs(firstJob.jobId))).toEqual(replay);
    } finally {
      await late.close();
    }
  });

  it('a subscriber connected before the job starts gets every event exactly once', async () => {
    await lockSource();
    const history = vi.spyOn(tdm.jobs.logs, 'history');
    try {
      // The one worker slot is taken by a job waiting for the lock, so the next job stays QUEUED.
      const blocker = await sdk.workflows.execute({ connectionString: source.url, operations: ['discover'] });
      jobs.set(blocker.jobId, 'COMPLETED');
      await until(
        'the blocker to run',
        () => job(blocker.jobId),
        (j) => j.status === 'RUNNING',
      );
      const queued = await sdk.workflows.execute({ connectionString: source.url, operations: ['discover'] });
      jobs.set(queued.jobId, 'COMPLETED');

      const streaming = collect(sdk.jobs.logs(queued.jobId));
      // The server has subscribed (history is read right after) while the job had not started.
      await until('the server-side subscription', async () => history.mock.calls.some(([id]) => id === queued.jobId), Boolean);
      const read = history.mock.results[history.mock.calls.findIndex(([id]) => id === queued.jobId)];
      expect(await read?.value).toEqual([]);
      expect((await job(queued.jobId)).status).toBe('QUEUED');

      await unlockSource();
      const events = await streaming;
      expectWholeLog(events, 'completed');
      expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
      expect(events).toEqual(await sdk.jobs.history(queued.jobId));
      expect((await sdk.jobs.waitFor(blocker.jobId, { timeoutMs: 20_000 })).status).toBe('COMPLETED');
    } finally {
      history.mockRestore();
      await unlockSource().catch(() => undefined);
    }
  });
});
