/**
 * What the workflow tests share: the polling and streaming helpers, the whole-log check, the GraphQL
 * documents, and the setup of a server on a real PostgreSQL metadata store (jobs on pg-boss, log
 * events over LISTEN/NOTIFY) with one worker and a source database each file can hold a lock on.
 */
import { execFile } from 'node:child_process';
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
import { afterAll, beforeAll, expect } from 'vitest';
import { createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../../../core/test/support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture } from '../../../core/test/support/load-sql.ts';
import { type JobLogEvent, TdmClient } from '../../../sdk/src/index.ts';
import { type App, createApp } from '../../src/app.ts';

export const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the pg-boss workflow tests are SKIPPED`);
export const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: the workflow tests discover the demo source instead of pagila`);

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** What discovering a source reports (pagila from SOURCES.md; the demo source as seeded by `seedDemoSource`). */
export const PAGILA = { tables: 15, partitions: 7, foreignKeys: 36 };
export const DEMO = { tables: 9, partitions: 0, foreignKeys: 12 };

export const REGISTRATION_FEATURE = `Feature: User registration
  Scenario: A visitor signs up with an email address
    Given I am on the registration page
    When I fill in "email" with "ada@example.com"
    And I fill in "first name" with "Ada"
    And I press "Sign up"
    Then I should see "Welcome, Ada"
`;

// ---------------------------------------------------------------------------------------------
// Helpers

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds; fails with the last value after `timeoutMs`. */
export async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(20);
  }
}

/** Every item of a stream that must end by itself; fails (instead of hanging) after `timeoutMs`. */
export async function collect<T>(stream: AsyncIterable<T>, timeoutMs = 30_000): Promise<T[]> {
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
export function expectWholeLog(events: JobLogEvent[], end: 'completed' | 'failed'): void {
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

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

export interface JobRow {
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
export const JOB_FIELDS =
  'rawId workflowId status operations attempts startedAt finishedAt input context { operations fallbacksUsed testCaseId schemas } result { operations completed artifacts { schemaVersionId } } error { code message step }';

export const EXECUTE = `
  mutation Execute($input: ExecuteWorkflowInput!) {
    executeWorkflow(input: $input) {
      __typename
      ... on Error { message code }
      ... on MutationExecuteWorkflowSuccess { data { workflowId jobId status operations } }
    }
  }`;
export type ExecuteMember = {
  __typename: string;
  message?: string;
  code?: string;
  data?: { workflowId: string; jobId: string; status: string; operations: string[] };
};

/** GraphQL through `yoga.fetch` (no port); any GraphQL-level error fails the test. */
export function graphqlOf(app: () => App) {
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
export function runExample(url: string, reportFile: string): Promise<{ code: number | null; output: string; report: Record<string, unknown> | null }> {
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
// A server on a PostgreSQL metadata store

export const pgSkip = pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)';
export const PG_SUITE = `on a PostgreSQL metadata store: jobs on pg-boss, logs over LISTEN/NOTIFY${pgSkip}`;
export const facts = haveFixtures ? PAGILA : DEMO;

/** A discovery job that has COMPLETED: its ids and the schema version it made or found. */
export interface DoneJob {
  jobId: string;
  workflowId: string;
  schemaVersionId: string;
}

export interface PgWorkflowSuite {
  meta: TestDatabase;
  source: TestDatabase;
  /** One connection to the source, for holding a lock the discovery must wait for. */
  sourceSql: SqlClient;
  dataDir: string;
  tdm: Tdm;
  app: App;
  url: string;
  sdk: TdmClient;
  gql: ReturnType<typeof graphqlOf>;
  /** Every job the file starts, with the status it must end in. */
  jobs: Map<string, 'COMPLETED' | 'FAILED' | 'CANCELLED'>;
  job: (id: string) => Promise<JobRow>;
  ended: (id: string) => Promise<JobRow>;
  lockSource: () => Promise<unknown>;
  unlockSource: () => Promise<unknown>;
  /** Runs one discovery of the source through `executeWorkflow` (GraphQL) and waits for it to complete. */
  discoverOnce: () => Promise<DoneJob>;
}

/**
 * Registers the `beforeAll` / `afterAll` of a file's PostgreSQL suite: its own metadata store and
 * source databases, an engine with one worker (a second job waits in the queue while the first is
 * held by the lock), and a server on a real port. The fields are set once `beforeAll` has run.
 */
export function pgWorkflowSuite(): PgWorkflowSuite {
  const s = { jobs: new Map() } as PgWorkflowSuite;
  s.gql = graphqlOf(() => s.app);
  s.job = async (id) => (await s.gql<{ job: JobRow | null }>(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id })).job as JobRow;
  s.ended = (id) =>
    until(
      `job ${id} to end`,
      () => s.job(id),
      (j) => TERMINAL.includes(j.status),
    );
  // Discovery counts the rows of every table: while this lock is held it waits, so its job stays RUNNING.
  s.lockSource = () => s.sourceSql.exec('begin; lock table public.customer in access exclusive mode');
  s.unlockSource = () => s.sourceSql.exec('rollback');
  s.discoverOnce = async () => {
    const { executeWorkflow } = await s.gql<{ executeWorkflow: ExecuteMember }>(EXECUTE, {
      input: { connectionString: s.source.url, operations: ['discover'] },
    });
    expect(executeWorkflow.__typename, executeWorkflow.message).toBe('MutationExecuteWorkflowSuccess');
    const jobId = executeWorkflow.data?.jobId as string;
    s.jobs.set(jobId, 'COMPLETED');
    const done = await s.ended(jobId);
    expect(done.status, JSON.stringify(done.error)).toBe('COMPLETED');
    return { jobId, workflowId: done.workflowId, schemaVersionId: done.result?.artifacts.schemaVersionId as string };
  };

  beforeAll(async () => {
    [s.meta, s.source] = await Promise.all([createTestDatabase('wf_meta'), createTestDatabase('wf_source')]);
    s.sourceSql = await openSqlClient(s.source.url, { poolSize: 1 });
    if (haveFixtures) await loadFixture(s.sourceSql, 'pagila');
    else await seedDemoSource(s.sourceSql, { customers: 30, products: 10, orders: 40 });
    s.dataDir = await mkdtemp(join(tmpdir(), 'tdm-wf-pg-'));
    s.tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: s.dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), databaseUrl: s.meta.url });
    expect(s.tdm.jobs.queue.kind).toBe('pg-boss');
    // One job at a time: a second job waits in the queue while the first is held by the lock.
    await s.tdm.jobs.startWorking({ concurrency: 1 });
    s.app = createApp(s.tdm);
    s.url = `http://127.0.0.1:${await s.app.start(0, '127.0.0.1')}/graphql`;
    s.sdk = new TdmClient({ url: s.url });
  });

  afterAll(async () => {
    await s.sdk?.close();
    await s.app?.stop();
    await s.tdm?.close();
    await s.sourceSql?.close();
    await Promise.all([s.meta?.drop(), s.source?.drop()]);
    if (s.dataDir) await rm(s.dataDir, { recursive: true, force: true });
  });

  return s;
}
