/**
 * Workflow jobs that fail or are cancelled, and the lists that tell what happened, on a real
 * PostgreSQL metadata store: a source on a closed port, `cancelJob` on a queued, a running and an
 * ended job, then the job lists, the templates, `workflowStatus` and the audit log.
 */
import { randomUUID } from 'node:crypto';
import type { Tdm } from '@tdm/core/runtime';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestDatabase } from '../../core/test/support/databases.ts';
import { type TdmClient, TdmDomainError } from '../../sdk/src/index.ts';
import { collect, type DoneJob, expectWholeLog, PG_SUITE, pgUp, pgWorkflowSuite, until } from './support/workflow.ts';

describe.skipIf(!pgUp)(PG_SUITE, () => {
  const suite = pgWorkflowSuite();
  const { jobs, job, ended, gql, lockSource, unlockSource } = suite;
  let source: TestDatabase;
  let tdm: Tdm;
  let sdk: TdmClient;
  let firstJob: DoneJob;

  beforeAll(async () => {
    ({ source, tdm, sdk } = suite);
    firstJob = await suite.discoverOnce();
  });

  it('a source on a closed port: the job FAILS with HOST_UNREACHABLE and its log ends with a failed event', async () => {
    const started = await sdk.workflows.execute({ connectionString: 'postgresql://tdm@127.0.0.1:1/nowhere', operations: ['discover'] });
    expect(started.status).toBe('QUEUED');
    jobs.set(started.jobId, 'FAILED');
    const events = await collect(sdk.jobs.logs(started.jobId));
    expectWholeLog(events, 'failed');
    expect(events.at(-1)).toMatchObject({ step: 'workflow', level: 'failed', data: { status: 'FAILED', code: 'HOST_UNREACHABLE', step: 'discover' } });
    expect(events.at(-1)?.message).toContain('127.0.0.1:1');
    expect(events.find((e) => e.step === 'discover' && e.level === 'failed')?.data).toMatchObject({ code: 'HOST_UNREACHABLE' });

    const failed = await job(started.jobId);
    expect(failed).toMatchObject({ status: 'FAILED', result: null, error: { code: 'HOST_UNREACHABLE', step: 'discover' } });
    expect(failed.error?.message).toMatch(/127\.0\.0\.1:1 is unreachable/);
    expect(failed.finishedAt).not.toBeNull();
  });

  it('cancelJob: a queued job and a running one end CANCELLED and their log streams end; an ended job cannot be cancelled (CONFLICT)', async () => {
    await lockSource();
    try {
      const running = await sdk.workflows.execute({ connectionString: source.url, operations: ['discover'] });
      jobs.set(running.jobId, 'CANCELLED');
      await until(
        'RUNNING',
        () => job(running.jobId),
        (j) => j.status === 'RUNNING',
      );
      const queued = await sdk.workflows.execute({ connectionString: source.url, operations: ['discover'] });
      jobs.set(queued.jobId, 'CANCELLED');
      expect((await job(queued.jobId)).status).toBe('QUEUED');

      const history = vi.spyOn(tdm.jobs.logs, 'history');
      const get = vi.spyOn(tdm.jobs, 'get');
      /** When the server read the stored log of `id`, for each subscription (vitest's call order). */
      const historyReads = (id: string) => history.mock.invocationCallOrder.filter((_, i) => history.mock.calls[i]?.[0] === id);
      // The queued job's status is written before its closing event: that event is held back below,
      // so that a second subscriber arrives in between; it must still get it.
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const append = tdm.jobs.logs.append.bind(tdm.jobs.logs);
      const held = vi.spyOn(tdm.jobs.logs, 'append').mockImplementation(async (id, event, seq) => {
        if (id === queued.jobId) await gate;
        return append(id, event, seq);
      });
      try {
        const runningLog = collect(sdk.jobs.logs(running.jobId));
        const queuedLog = collect(sdk.jobs.logs(queued.jobId));
        await until(
          'the first subscription',
          async () => historyReads(queued.jobId).length,
          (n) => n === 1,
        );

        const CANCEL = `mutation($id: ID!) { cancelJob(id: $id) { __typename ... on Error { message code } ... on MutationCancelJobSuccess { data { rawId status finishedAt } } } }`;
        const cancelling = gql<{ cancelJob: { __typename: string; message?: string; data?: { rawId: string; status: string; finishedAt: string | null } } }>(
          CANCEL,
          {
            id: queued.jobId,
          },
        );
        await until(
          'CANCELLED',
          () => job(queued.jobId),
          (j) => j.status === 'CANCELLED',
        );
        const lateLog = collect(sdk.jobs.logs(queued.jobId));
        // The late subscriber's server side has read the (empty) log, then the status: CANCELLED.
        const [, lateRead = 0] = await until(
          'the late subscription',
          async () => historyReads(queued.jobId),
          (reads) => reads.length === 2,
        );
        await until(
          'the status check',
          async () => get.mock.calls.some(([id], i) => id === queued.jobId && (get.mock.invocationCallOrder[i] ?? 0) > lateRead),
          Boolean,
        );
        await Promise.all(get.mock.results.map((r) => r.value));
        release();

        const { cancelJob } = await cancelling;
        expect(cancelJob.__typename, cancelJob.message).toBe('MutationCancelJobSuccess');
        expect(cancelJob.data).toMatchObject({ rawId: queued.jobId, status: 'CANCELLED', finishedAt: expect.any(String) });
        const closing = [
          expect.objectContaining({ seq: 1, step: 'workflow', level: 'failed', message: 'cancelled before it started', data: { status: 'CANCELLED' } }),
        ];
        expect(await queuedLog).toEqual(closing);
        expect(await lateLog).toEqual(closing);

        expect((await sdk.jobs.cancel(running.jobId)).status).toBe('CANCELLED');
        const events = await runningLog;
        expectWholeLog(events, 'failed');
        expect(events.at(-1)).toMatchObject({ step: 'workflow', level: 'failed', message: 'cancelled', data: { status: 'CANCELLED' } });
      } finally {
        release();
        held.mockRestore();
        history.mockRestore();
        get.mockRestore();
      }
      // Cancelling again is harmless.
      expect((await sdk.jobs.cancel(running.jobId)).status).toBe('CANCELLED');
    } finally {
      await unlockSource();
    }

    // An ended job: a typed CONFLICT (BaseError), through GraphQL and the SDK.
    const { cancelJob } = await gql<{ cancelJob: { __typename: string; message: string; code: string } }>(
      'mutation($id: ID!) { cancelJob(id: $id) { __typename ... on Error { message code } } }',
      { id: firstJob.jobId },
    );
    expect(cancelJob).toEqual({ __typename: 'BaseError', code: 'CONFLICT', message: `job ${firstJob.jobId} has already ended (COMPLETED)` });
    const err = await sdk.jobs.cancel(firstJob.jobId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TdmDomainError);
    expect(err).toMatchObject({ code: 'CONFLICT', typename: 'BaseError' });
    expect((await job(firstJob.jobId)).status).toBe('COMPLETED');
    // Unknown job: NotFoundError.
    const missing = await gql<{ cancelJob: { __typename: string; code: string } }>(
      'mutation($id: ID!) { cancelJob(id: $id) { __typename ... on Error { code } } }',
      {
        id: randomUUID(),
      },
    );
    expect(missing.cancelJob).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('jobs(status) filters, workflowTemplates lists A–D, workflowStatus sums up a run, auditLogs records who did what', async () => {
    // Every job has ended as it should, and the cancelled ones stayed cancelled once their discovery could go on.
    for (const [id, status] of jobs) expect((await ended(id)).status, id).toBe(status);

    type JobsPage = { jobs: { totalCount: number; edges: { node: { rawId: string; status: string } }[] } };
    const byStatus = async (status: string) =>
      (await gql<JobsPage>('query($s: JobStatus) { jobs(status: $s, first: 100) { totalCount edges { node { rawId status } } } }', { s: status })).jobs;
    for (const status of ['COMPLETED', 'FAILED', 'CANCELLED'] as const) {
      const expected = [...jobs].filter(([, s]) => s === status).map(([id]) => id);
      const page = await byStatus(status);
      expect(page.totalCount, status).toBe(expected.length);
      expect(page.edges.map((e) => e.node.rawId).sort(), status).toEqual(expected.sort());
      expect(page.edges.every((e) => e.node.status === status)).toBe(true);
    }
    expect((await byStatus('QUEUED')).totalCount).toBe(0);
    const all = await gql<JobsPage>('{ jobs(first: 100) { totalCount edges { node { rawId } } } }');
    expect(all.jobs.totalCount).toBe(jobs.size);
    expect((await sdk.jobs.list({ status: 'FAILED' })).map((j) => j.rawId)).toEqual([...jobs].filter(([, s]) => s === 'FAILED').map(([id]) => id));

    const { workflowTemplates } = await gql<{ workflowTemplates: { name: string; title: string; operations: string[] }[] }>(
      '{ workflowTemplates { name title operations } }',
    );
    expect(workflowTemplates.map((t) => t.name)).toEqual(['A', 'B', 'C', 'D']);
    for (const t of workflowTemplates) expect(t.operations.length, t.name).toBeGreaterThan(0);
    expect((await sdk.workflows.templates()).map((t) => t.name)).toEqual(['A', 'B', 'C', 'D']);

    const { workflowStatus } = await gql<{ workflowStatus: { workflowId: string; status: string; jobs: { rawId: string }[] } | null }>(
      'query($w: String!) { workflowStatus(workflowId: $w) { workflowId status jobs { rawId } } }',
      { w: firstJob.workflowId },
    );
    expect(workflowStatus).toEqual({ workflowId: firstJob.workflowId, status: 'COMPLETED', jobs: [{ rawId: firstJob.jobId }] });
    expect(await sdk.workflows.status(firstJob.workflowId)).toMatchObject({ workflowId: firstJob.workflowId, status: 'COMPLETED' });
    expect(await sdk.workflows.status(randomUUID())).toBeNull();

    type AuditPage = {
      auditLogs: { totalCount: number; edges: { node: { actor: string; action: string; targetKind: string; targetId: string; severity: string } }[] };
    };
    const AUDIT =
      'query($a: String, $s: Severity) { auditLogs(action: $a, severity: $s, first: 100) { totalCount edges { node { actor action targetKind targetId severity } } } }';
    const executed = (await gql<AuditPage>(AUDIT, { a: 'executeWorkflow' })).auditLogs;
    expect(executed.totalCount).toBe(jobs.size);
    expect(executed.edges.map((e) => e.node.targetId).sort()).toEqual([...jobs.keys()].sort());
    for (const { node } of executed.edges) expect(node).toMatchObject({ actor: 'anonymous', action: 'executeWorkflow', targetKind: 'JOB', severity: 'INFO' });

    const warnings = (await gql<AuditPage>(AUDIT, { s: 'WARNING' })).auditLogs;
    expect(warnings.edges.every((e) => e.node.severity === 'WARNING')).toBe(true);
    const cancelled = [...jobs].filter(([, s]) => s === 'CANCELLED').map(([id]) => id);
    for (const id of cancelled) {
      expect(warnings.edges.map((e) => e.node)).toContainEqual({
        actor: 'anonymous',
        action: 'cancelJob',
        targetKind: 'JOB',
        targetId: id,
        severity: 'WARNING',
      });
    }
    expect((await gql<AuditPage>(AUDIT, { a: 'executeWorkflow', s: 'WARNING' })).auditLogs.totalCount).toBe(0);
  });
});
