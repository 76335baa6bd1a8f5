/**
 * Workflow runs through the API, as a user sees them: `executeWorkflow` answers QUEUED at once, the
 * job goes RUNNING → COMPLETED (or FAILED / CANCELLED), its log streams over a real WebSocket and
 * ends by itself, and lineage, trace, audit and the job lists tell what happened. Mostly on a real
 * PostgreSQL metadata store (jobs on pg-boss, log events over LISTEN/NOTIFY); the happy path once
 * more on the embedded PGlite store (in-process queue), which also runs `examples/vitest`.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { redactConnectionString } from '@tdm/core/db/url';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../../core/test/support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture } from '../../core/test/support/load-sql.ts';
import { type JobLogEvent, TdmClient, TdmDomainError } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the pg-boss workflow tests are SKIPPED`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: the workflow tests discover the demo source instead of pagila`);

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What discovering a source reports (pagila from SOURCES.md; the demo source as seeded by `seedDemoSource`). */
const PAGILA = { tables: 15, partitions: 7, foreignKeys: 36 };
const DEMO = { tables: 9, partitions: 0, foreignKeys: 12 };

const REGISTRATION_FEATURE = `Feature: User registration
  Scenario: A visitor signs up with an email address
    Given I am on the registration page
    When I fill in "email" with "ada@example.com"
    And I fill in "first name" with "Ada"
    And I press "Sign up"
    Then I should see "Welcome, Ada"
`;

// ---------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds; fails with the last value after `timeoutMs`. */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(20);
  }
}

/** Every item of a stream that must end by itself; fails (instead of hanging) after `timeoutMs`. */
async function collect<T>(stream: AsyncIterable<T>, timeoutMs = 30_000): Promise<T[]> {
  const items: T[] = [];
  const iterator = stream[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') {
      void iterator.return?.();
      throw new Error(`the stream did not end within ${timeoutMs} ms; it gave ${items.length} item(s): ${JSON.stringify(items)}`);
    }
    if (next.done) return items;
    items.push(next.value);
  }
}

/**
 * A job's whole log: seq 1, 2, 3… (no gap, no repeat), the workflow's own start first and its one
 * terminal event last, the discover step started before it completed or failed, times in order.
 */
function expectWholeLog(events: JobLogEvent[], end: 'completed' | 'failed'): void {
  expect(events.length).toBeGreaterThanOrEqual(3);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events[0]).toMatchObject({ step: 'workflow', level: 'started', message: expect.stringMatching(/^workflow started/) });
  expect(events.at(-1)).toMatchObject({ step: 'workflow', level: end });
  if (end === 'completed') expect(events.at(-1)?.message).toMatch(/^workflow completed/);
  expect(events.filter((e) => e.step === 'workflow' && (e.level === 'completed' || e.level === 'failed'))).toHaveLength(1);
  const discover = events.filter((e) => e.step === 'discover').map((e) => e.level);
  expect(discover[0]).toBe('started');
  expect(discover.at(-1)).toBe(end);
  for (const e of events) {
    expect(e).toEqual({
      jobId: expect.any(String),
      seq: expect.any(Number),
      step: expect.any(String),
      level: expect.any(String),
      message: expect.any(String),
      at: expect.any(String),
      data: e.data,
    });
    expect(Number.isNaN(Date.parse(e.at))).toBe(false);
  }
  const times = events.map((e) => Date.parse(e.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

interface JobRow {
  rawId: string;
  workflowId: string;
  status: string;
  operations: string[];
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  input: Record<string, unknown>;
  context: { operations: string[]; fallbacksUsed: string[]; testCaseId: string | null; schemas: string[] };
  result: { operations: Record<string, Record<string, unknown>>; artifacts: { schemaVersionId?: string }; completed: string[] } | null;
  error: { code: string; message: string; step: string | null } | null;
}
const JOB_FIELDS =
  'rawId workflowId status operations attempts startedAt finishedAt input context { operations fallbacksUsed testCaseId schemas } result { operations completed artifacts { schemaVersionId } } error { code message step }';

const EXECUTE = `
  mutation Execute($input: ExecuteWorkflowInput!) {
    executeWorkflow(input: $input) {
      __typename
      ... on Error { message code }
      ... on MutationExecuteWorkflowSuccess { data { workflowId jobId status operations } }
    }
  }`;
type ExecuteMember = {
  __typename: string;
  message?: string;
  code?: string;
  data?: { workflowId: string; jobId: string; status: string; operations: string[] };
};

/** GraphQL through `yoga.fetch` (no port); any GraphQL-level error fails the test. */
function graphqlOf(app: () => App) {
  return async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await app().yoga.fetch('http://tdm.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(response.status).toBe(200);
    return body.data as T;
  };
}

/** Runs `vitest run` on examples/vitest against `url`; returns the JSON report and the output. */
function runExample(url: string, reportFile: string): Promise<{ code: number | null; output: string; report: Record<string, unknown> | null }> {
  // A clean environment for the child: the variables this vitest worker sets would confuse it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        'examples/vitest/vitest.config.ts',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${reportFile}`,
      ],
      { cwd: REPO_ROOT, env: { ...env, TDM_URL: url, NO_COLOR: '1' }, timeout: 60_000 },
      async (error, stdout, stderr) => {
        const report = await readFile(reportFile, 'utf8').then(
          (text) => JSON.parse(text) as Record<string, unknown>,
          () => null,
        );
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}`, report });
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
const pgSkip = pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)';
describe.skipIf(!pgUp)(`on a PostgreSQL metadata store: jobs on pg-boss, logs over LISTEN/NOTIFY${pgSkip}`, () => {
  const facts = haveFixtures ? PAGILA : DEMO;
  let meta: TestDatabase;
  let source: TestDatabase;
  /** One connection to the source, for holding a lock the discovery must wait for. */
  let sourceSql: SqlClient;
  let dataDir: string;
  let tdm: Tdm;
  let app: App;
  let url: string;
  let sdk: TdmClient;
  const gql = graphqlOf(() => app);

  /** Every job this block starts, with the status it must end in. */
  const jobs = new Map<string, 'COMPLETED' | 'FAILED' | 'CANCELLED'>();
  let firstJob: { jobId: string; workflowId: string; schemaVersionId: string };

  const job = async (id: string) => (await gql<{ job: JobRow | null }>(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id })).job as JobRow;
  const ended = (id: string) =>
    until(
      `job ${id} to end`,
      () => job(id),
      (j) => TERMINAL.includes(j.status),
    );
  // Discovery counts the rows of every table: while this lock is held it waits, so its job stays RUNNING.
  const lockSource = () => sourceSql.exec('begin; lock table public.customer in access exclusive mode');
  const unlockSource = () => sourceSql.exec('rollback');

  beforeAll(async () => {
    [meta, source] = await Promise.all([createTestDatabase('wf_meta'), createTestDatabase('wf_source')]);
    sourceSql = await openSqlClient(source.url, { poolSize: 1 });
    if (haveFixtures) await loadFixture(sourceSql, 'pagila');
    else await seedDemoSource(sourceSql, { customers: 30, products: 10, orders: 40 });
    dataDir = await mkdtemp(join(tmpdir(), 'tdm-wf-pg-'));
    tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), databaseUrl: meta.url });
    expect(tdm.jobs.queue.kind).toBe('pg-boss');
    // One job at a time: a second job waits in the queue while the first is held by the lock.
    await tdm.jobs.startWorking({ concurrency: 1 });
    app = createApp(tdm);
    url = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql`;
    sdk = new TdmClient({ url });
  });

  afterAll(async () => {
    await sdk?.close();
    await app?.stop();
    await tdm?.close();
    await sourceSql?.close();
    await Promise.all([meta?.drop(), source?.drop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
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

  it('lineage: job → schema version by discover, walked from both ends; a test case links to the job it asked for', async () => {
    const { jobId, schemaVersionId } = firstJob;
    const graph = await sdk.lineage.forJob(jobId);
    expect(graph.nodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: `JOB:${jobId}`, kind: 'JOB', label: 'job discover (COMPLETED)' }),
        expect.objectContaining({ id: `SCHEMA_VERSION:${schemaVersionId}`, kind: 'SCHEMA_VERSION', label: expect.stringMatching(/ v1$/) }),
      ]),
    );
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ from: `JOB:${jobId}`, to: `SCHEMA_VERSION:${schemaVersionId}`, operation: 'discover', jobId }),
    );

    // From the schema version back to every job that discovered it (the unchanged source gave the same version).
    const completedJobs = [...jobs].filter(([, s]) => s === 'COMPLETED').map(([id]) => id);
    const back = await gql<{ schemaVersion: { lineage: { nodes: { id: string; kind: string }[]; edges: { from: string; to: string; operation: string }[] } } }>(
      'query($id: ID!) { schemaVersion(id: $id) { lineage { nodes { id kind } edges { from to operation } } } }',
      { id: schemaVersionId },
    );
    for (const id of completedJobs) {
      expect(back.schemaVersion.lineage.edges).toContainEqual({ from: `JOB:${id}`, to: `SCHEMA_VERSION:${schemaVersionId}`, operation: 'discover' });
    }
    const around = await gql<{ lineage: { nodes: { id: string }[] } }>('query($id: ID!) { lineage(kind: SCHEMA_VERSION, id: $id) { nodes { id } } }', {
      id: schemaVersionId,
    });
    expect(around.lineage.nodes.map((n) => n.id).sort()).toEqual(back.schemaVersion.lineage.nodes.map((n) => n.id).sort());
    expect(around.lineage.nodes.map((n) => n.id)).toContain(`JOB:${jobId}`);

    // A run asked for by a test case.
    const run = await sdk.workflows.execute({
      connectionString: source.url,
      operations: ['discover'],
      testCaseContent: REGISTRATION_FEATURE,
      testCaseFileName: 'registration.feature',
    });
    jobs.set(run.jobId, 'COMPLETED');
    const done = await sdk.jobs.waitFor(run.jobId, { timeoutMs: 20_000 });
    expect(done.status).toBe('COMPLETED');
    const testCaseId = (done.context as JobRow['context']).testCaseId as string;
    expect(testCaseId).toEqual(expect.any(String));

    const withTestCase = await sdk.lineage.forJob(run.jobId);
    expect(withTestCase.nodes).toContainEqual(expect.objectContaining({ id: `TEST_CASE:${testCaseId}`, kind: 'TEST_CASE', label: 'registration.feature' }));
    expect(withTestCase.edges).toContainEqual(expect.objectContaining({ from: `TEST_CASE:${testCaseId}`, to: `JOB:${run.jobId}` }));
    expect(withTestCase.edges).toContainEqual(
      expect.objectContaining({ from: `JOB:${run.jobId}`, to: `SCHEMA_VERSION:${schemaVersionId}`, operation: 'discover' }),
    );

    const { testCase } = await gql<{
      testCase: { rawId: string; name: string; kind: string; content: string; jobs: { rawId: string; status: string }[] } | null;
    }>('query($id: ID!) { testCase(id: $id) { rawId name kind content jobs { rawId status } } }', { id: testCaseId });
    expect(testCase).toEqual({
      rawId: testCaseId,
      name: 'registration.feature',
      kind: 'GHERKIN',
      content: REGISTRATION_FEATURE,
      jobs: [{ rawId: run.jobId, status: 'COMPLETED' }],
    });

    const { jobTrace } = await gql<{ jobTrace: Record<string, unknown> }>(
      'query($id: ID!) { jobTrace(jobId: $id) { jobId workflowId testCaseId status operations schemaVersionIds datasetVersionIds provisionedTables { table } rowCounts { table rowCount } fallbacksUsed } }',
      { id: run.jobId },
    );
    expect(jobTrace).toEqual({
      jobId: run.jobId,
      workflowId: run.workflowId,
      testCaseId,
      status: 'COMPLETED',
      operations: ['discover'],
      schemaVersionIds: [schemaVersionId],
      datasetVersionIds: [],
      provisionedTables: [],
      rowCounts: [],
      fallbacksUsed: [],
    });
    expect(await sdk.jobs.trace(run.jobId)).toMatchObject({
      workflowId: run.workflowId,
      testCaseId,
      operations: ['discover'],
      datasetVersionIds: [],
      provisionedTables: [],
      rowCounts: [],
    });
    expect(await sdk.jobs.trace(jobId)).toMatchObject({
      workflowId: firstJob.workflowId,
      testCaseId: null,
      operations: ['discover'],
      schemaVersionIds: [schemaVersionId],
    });
  });

  it('classifyIntent plans from each kind of input, with a reason per choice (GraphQL and SDK agree)', async () => {
    const source = 'postgresql://app@db.internal:5432/shop';
    const cases: { input: Record<string, unknown>; operations: string[]; syntheticMode: string | null; inputKinds: string[] }[] = [
      { input: { connectionString: source }, operations: ['discover', 'pii', 'subset', 'mask'], syntheticMode: null, inputKinds: ['connection'] },
      {
        input: { connectionString: source, piiFound: false },
        operations: ['discover', 'pii', 'subset'],
        syntheticMode: null,
        inputKinds: ['connection', 'piiFound'],
      },
      { input: { testCaseUrls: ['https://shop.example.com/signup'] }, operations: ['synthetic'], syntheticMode: 'URL', inputKinds: ['testCaseUrls'] },
      { input: { domain: 'ecommerce' }, operations: ['synthetic'], syntheticMode: 'DOMAIN', inputKinds: ['domain'] },
      { input: { testCaseContent: REGISTRATION_FEATURE }, operations: ['synthetic'], syntheticMode: 'TEST_CASE', inputKinds: ['testCaseContent'] },
      {
        input: { connectionString: source, targetEnv: 'staging' },
        operations: ['discover', 'pii', 'subset', 'mask', 'provision'],
        syntheticMode: null,
        inputKinds: ['connection', 'targetEnv'],
      },
    ];
    const CLASSIFY = `query($input: ClassifyIntentInput!) {
      classifyIntent(input: $input) {
        __typename
        ... on Error { message code }
        ... on QueryClassifyIntentSuccess { data { operations syntheticMode fallbackModes inputKinds reasons { subject reason } } }
      }
    }`;
    type Plan = { operations: string[]; syntheticMode: string | null; inputKinds: string[]; reasons: { subject: string; reason: string }[] };
    for (const c of cases) {
      const label = JSON.stringify(c.input);
      const { classifyIntent } = await gql<{ classifyIntent: { __typename: string; message?: string; data?: Plan } }>(CLASSIFY, { input: c.input });
      expect(classifyIntent.__typename, `${label}: ${classifyIntent.message}`).toBe('QueryClassifyIntentSuccess');
      const plan = classifyIntent.data as Plan;
      expect(plan.operations, label).toEqual(c.operations);
      expect(plan.syntheticMode, label).toBe(c.syntheticMode);
      expect(plan.inputKinds, label).toEqual(c.inputKinds);
      // Every planned operation (and the synthetic mode) says why.
      for (const subject of [...c.operations, ...(c.syntheticMode ? ['syntheticMode'] : [])]) {
        expect(plan.reasons.find((r) => r.subject === subject)?.reason, `${label}: reason for ${subject}`).toMatch(/\w{3,}/);
      }
      const viaSdk = await sdk.workflows.classifyIntent(c.input);
      expect(viaSdk, label).toMatchObject({ operations: plan.operations, syntheticMode: plan.syntheticMode, reasons: plan.reasons });
    }
    const plan = await sdk.workflows.classifyIntent({ connectionString: source, targetEnv: 'staging' });
    expect(plan.reasons.find((r) => r.subject === 'provision')?.reason).toContain('"staging"');
    expect(
      (await sdk.workflows.classifyIntent({ testCaseUrls: ['https://shop.example.com/signup'] })).reasons.find((r) => r.subject === 'syntheticMode')?.reason,
    ).toMatch(/^URL: crawl the 1 given URL/);
    // Nothing that can run: a typed error, not a plan.
    const err = await sdk.workflows.classifyIntent({ targetEnv: 'staging' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TdmDomainError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
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

// ---------------------------------------------------------------------------------------------
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
