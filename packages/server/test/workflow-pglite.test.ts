/**
 * Workflow runs on the embedded PGlite metadata store (in-process queue): the happy path as a user
 * sees it, and `examples/vitest` run against this server and against none.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';
import { TdmClient } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';
import {
  collect,
  DEMO,
  EXECUTE,
  type ExecuteMember,
  expectWholeLog,
  graphqlOf,
  JOB_FIELDS,
  type JobRow,
  runExample,
  TERMINAL,
  UUID,
  until,
} from './support/workflow.ts';

describe('on the embedded PGlite metadata store: jobs on the in-process queue', () => {
  let demo: TestDatabase;
  let demoSql: SqlClient;
  let dataDir: string;
  let tdm: Tdm;
  let app: App;
  let url: string;
  let sdk: TdmClient;
  const gql = graphqlOf(() => app);

  beforeAll(async () => {
    demo = await createPgliteUrl();
    // Held open for the whole block: the discoveries share this PGlite instance instead of starting their own.
    demoSql = await openSqlClient(demo.url);
    await seedDemoSource(demoSql, { customers: 30, products: 10, orders: 40 });
    dataDir = await mkdtemp(join(tmpdir(), 'tdm-wf-pglite-'));
    tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }));
    expect(tdm.jobs.queue.kind).toBe('in-process');
    // The connection the example (and a fresh server's users) know the demo source by.
    await tdm.connections.create({ name: 'demo', connectionString: demo.url });
    app = createApp(tdm);
    url = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql`;
    sdk = new TdmClient({ url });
  });

  afterAll(async () => {
    await sdk?.close();
    await app?.stop();
    await tdm?.close();
    await demoSql?.close();
    await demo?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('executeWorkflow answers QUEUED; once a worker starts the job goes RUNNING → COMPLETED and runs once; its log streams live and ends', async () => {
    const { executeWorkflow } = await gql<{ executeWorkflow: ExecuteMember }>(EXECUTE, { input: { connectionString: demo.url, operations: ['discover'] } });
    expect(executeWorkflow.__typename, executeWorkflow.message).toBe('MutationExecuteWorkflowSuccess');
    expect(executeWorkflow.data).toMatchObject({ status: 'QUEUED', operations: ['discover'], jobId: expect.stringMatching(UUID) });
    const jobId = executeWorkflow.data?.jobId as string;
    const job = async () => (await gql<{ job: JobRow }>(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id: jobId })).job;

    // No worker yet: it waits. A subscriber connects now, before the job starts.
    const history = vi.spyOn(tdm.jobs.logs, 'history');
    const streaming = collect(sdk.jobs.logs(jobId));
    await until('the server-side subscription', async () => history.mock.calls.some(([id]) => id === jobId), Boolean);
    history.mockRestore();
    expect((await job()).status).toBe('QUEUED');

    // Hold the discovery until the test has seen the job RUNNING.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const discover = tdm.discoverSchema.bind(tdm);
    const held = vi.spyOn(tdm, 'discoverSchema').mockImplementation(async (...args) => {
      await gate;
      return discover(...args);
    });
    try {
      await tdm.jobs.startWorking();
      const running = await until('RUNNING', job, (j) => j.status !== 'QUEUED');
      expect(running).toMatchObject({ status: 'RUNNING', result: null, finishedAt: null });
      release();
      const events = await streaming;
      expectWholeLog(events, 'completed');
      expect(events).toEqual(await sdk.jobs.history(jobId));
    } finally {
      release();
      held.mockRestore();
    }

    const done = await until('the end', job, (j) => TERMINAL.includes(j.status));
    expect(done.status, JSON.stringify(done.error)).toBe('COMPLETED');
    expect(done.result?.operations.discover).toMatchObject({ ...DEMO, reused: false });
    expect(done.context).toMatchObject({ operations: ['discover'], fallbacksUsed: [] });
    // Queued before the worker started, and run exactly once.
    expect(done.attempts).toBe(1);

    // The SDK path on the same store: execute, logs to the end, waitFor.
    const again = await sdk.workflows.execute({ connectionString: demo.url, operations: ['discover'] });
    expect(again.status).toBe('QUEUED');
    expectWholeLog(await collect(sdk.jobs.logs(again.jobId)), 'completed');
    const second = await sdk.jobs.waitFor(again.jobId, { timeoutMs: 20_000 });
    expect(second).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect((second.result as JobRow['result'])?.operations.discover).toMatchObject({ ...DEMO, reused: true });
    const graph = await sdk.lineage.forJob(again.jobId);
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ from: `JOB:${again.jobId}`, to: `SCHEMA_VERSION:${done.result?.artifacts.schemaVersionId}`, operation: 'discover' }),
    );
  });

  it('examples/vitest passes against this server, and skips with a message when no server answers', async () => {
    const [served, absent] = await Promise.all([
      runExample(url, join(dataDir, 'example-report.json')),
      runExample('http://127.0.0.1:1/graphql', join(dataDir, 'example-absent-report.json')),
    ]);
    expect(served.code, served.output).toBe(0);
    expect(served.report, served.output).toMatchObject({ success: true, numFailedTests: 0, numPendingTests: 0 });
    expect(served.report?.numPassedTests as number, served.output).toBeGreaterThanOrEqual(2);

    expect(absent.code, absent.output).toBe(0);
    expect(absent.report, absent.output).toMatchObject({ numPassedTests: 0, numFailedTests: 0 });
    expect(absent.report?.numPendingTests as number, absent.output).toBeGreaterThanOrEqual(2);
    expect(absent.output).toContain('no TDM server answers at http://127.0.0.1:1/graphql');
  });
});
