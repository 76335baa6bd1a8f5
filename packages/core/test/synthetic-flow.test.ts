/**
 * Synthetic data as a user runs it, through `executeWorkflow` (jobs.execute) to provisioned tables:
 * the seed's example 2 (a Gherkin registration feature → a users table of 500 rows) and example 3
 * (the ecommerce b2c domain pack, 1000 rows per entity), schema mode after discover, and the
 * recorded fallback when a crawled URL cannot be reached. Metadata on PGlite with in-process jobs;
 * targets on the PostgreSQL at 127.0.0.1:5432 when it answers and on PGlite always.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../src/db/open.ts';
import { quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import type { JobLogEvent } from '../src/jobs/log-bus.ts';
import { jobLogStream } from '../src/jobs/log-stream.ts';
import { jobTrace, lineageAround } from '../src/lineage/graph.ts';
import type { Tdm } from '../src/runtime.ts';
import { runSynthetic } from '../src/graphs/synthetic/graph.ts';
import { pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';
import { fkCheck } from './support/fk-check.ts';
import { loadSqlScript } from './support/load-sql.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn('PostgreSQL at 127.0.0.1:5432 is not reachable: the synthetic flows run on PGlite targets only');
const TARGET_KINDS = pgUp ? (['postgres', 'pglite'] as const) : (['pglite'] as const);

const REGISTRATION = `Feature: Registration
  In order to shop
  As a visitor
  I want to create an account

  Background:
    Given I am on the registration page

  Scenario: Register with valid details
    When I fill in "Email" with "ann.lee@test.com"
    And I fill in "First name" with "Ann"
    And I fill in "Last name" with "Lee"
    And I fill in "Password" with "Secret123!"
    And I fill in "Phone number" with "+44 20 7946 0958"
    And I press "Create account"
    Then I should see "Welcome, Ann"

  Scenario: Email must be unique
    Given a user "bob@test.com" already exists
    When I fill in "Email" with "bob@test.com"
    And I press "Create account"
    Then I should see "This email is already used"

  Scenario: Password must be at least 8 characters
    When I fill in "Password" with "short"
    Then I should see "The password must be at least 8 characters long"
`;

let engine: TestEngine;
let tdm: Tdm;

beforeAll(async () => {
  engine = await createTestEngine('synthetic-flow', { work: true });
  tdm = engine.tdm;
});

afterAll(() => engine?.close());

/** A fresh, empty database of the given kind, registered as an environment. */
const targetEnv = (kind: 'postgres' | 'pglite', label: string) => engine.environment(kind, label);

async function runJob(input: Parameters<Tdm['jobs']['execute']>[0]) {
  const { jobId } = await tdm.jobs.execute(input);
  const events: JobLogEvent[] = [];
  for await (const e of jobLogStream(tdm.jobs, jobId, AbortSignal.timeout(170_000))) events.push(e);
  return { jobId, events, job: await tdm.jobs.get(jobId) };
}

async function count(sql: SqlClient, table: string): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`select count(*)::text as n from ${quoteQualified('public', table)}`);
  return Number(rows[0]?.n);
}

async function columnsOf(sql: SqlClient, table: string): Promise<string[]> {
  const { rows } = await sql.query<{ c: string }>(
    `select attname::text as c from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [quoteQualified('public', table)],
  );
  return rows.map((r) => r.c);
}

/** The job completed, each step logged started … completed, and the workflow ended. */
function expectCompleted(run: Awaited<ReturnType<typeof runJob>>, steps: string[]): void {
  expect(run.job.status, JSON.stringify(run.job.error)).toBe('COMPLETED');
  for (const step of steps) {
    const levels = run.events.filter((e) => e.step === step).map((e) => e.level);
    expect(levels[0], step).toBe('started');
    expect(levels.at(-1), step).toBe('completed');
  }
  expect(run.events.at(-1)).toMatchObject({ step: 'workflow', level: 'completed' });
}

describe.each(TARGET_KINDS)('synthetic workflows into a %s target', (kind) => {
  it("example 2: a Gherkin registration feature becomes a users table of 500 rows, the test's own example first", async () => {
    const target = await targetEnv(kind, 'ex2');
    const run = await runJob({
      testCaseContent: REGISTRATION,
      testCaseFileName: 'registration.feature',
      rowCounts: { users: 500 },
      config: { provision: { targetEnv: target.name } },
    });
    expect(run.job.operations).toEqual(['synthetic', 'provision']);
    expectCompleted(run, ['synthetic', 'provision']);

    expect(await count(target.sql, 'users')).toBe(500);
    const columns = await columnsOf(target.sql, 'users');
    for (const c of ['email', 'first_name', 'last_name', 'password', 'phone_number']) expect(columns).toContain(c);
    // The example the test types exists in the database, and every row looks like what the form takes.
    const { rows: example } = await target.sql.query<{ first_name: string }>(`select first_name from public.users where email = 'ann.lee@test.com'`);
    expect(example).toEqual([{ first_name: 'Ann' }]);
    const { rows: bad } = await target.sql.query<{ n: string }>(
      `select count(*)::text as n from public.users where email !~ '^[^@\\s]+@[^@\\s]+\\.[a-z]+$' or char_length(password) < 8`,
    );
    expect(bad[0]?.n).toBe('0');
    const { rows: dup } = await target.sql.query<{ n: string }>('select (count(*) - count(distinct email))::text as n from public.users');
    expect(dup[0]?.n).toBe('0');
    // The test can add its own user after the load: the key's sequence continues after the loaded rows.
    const { rows: added } = await target.sql.query<{ id: string }>(
      `insert into public.users (email, first_name, last_name, password, phone_number) values ('new.user@test.com', 'New', 'User', 'Secret123!', '+1 555 0100') returning id::text as id`,
    );
    expect(added[0]?.id).toBe('501');

    // Lineage: test case → job → dataset version → the provisioned table.
    const trace = await jobTrace(tdm.store.prisma, run.jobId);
    const graph = await lineageAround(tdm.store.prisma, { kind: 'JOB', id: run.jobId });
    const kinds = new Set(graph.nodes.map((n) => n.kind));
    for (const k of ['TEST_CASE', 'JOB', 'DATASET_VERSION', 'TABLE']) expect(kinds, k).toContain(k);
    expect(trace?.provisionedTables.map((p) => p.table)).toEqual(['users']);
  }, 180_000);

  it('example 3: the ecommerce b2c pack gives 1000 rows per entity with intact keys and consistent totals', async () => {
    const target = await targetEnv(kind, 'ex3');
    const run = await runJob({
      domain: 'ecommerce',
      scenario: 'b2c',
      rowCounts: { '*': 1000 },
      config: { provision: { targetEnv: target.name } },
    });
    expectCompleted(run, ['synthetic', 'provision']);
    for (const t of ['customer', 'order', 'order_item', 'product', 'payment']) expect(await count(target.sql, t), t).toBe(1000);
    expect((await fkCheck(target.sql)).violations).toBe(0);
    expect(JSON.parse(JSON.stringify(run.job.context)).domainPack).toBe('ecommerce');
  }, 180_000);
});

describe('schema mode and fallbacks as jobs', () => {
  let server: Server;
  let deadUrl: string;
  beforeAll(async () => {
    // A port that refuses connections: open a server, note its port, close it.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    deadUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/signup`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('an unreachable form URL falls back to the test case, and the job records the fallback', async () => {
    const target = await targetEnv('pglite', 'fallback');
    const run = await runJob({
      testCaseUrls: [deadUrl],
      testCaseContent: REGISTRATION,
      testCaseFileName: 'registration.feature',
      rowCounts: { '*': 20 },
      config: { provision: { targetEnv: target.name } },
    });
    expectCompleted(run, ['synthetic', 'provision']);
    const context = run.job.context as { fallbacksUsed: string[] };
    expect(context.fallbacksUsed.some((f) => f.startsWith('synthetic: URL → TEST_CASE'))).toBe(true);
    expect(await count(target.sql, 'users')).toBe(20);
    expect(run.events.some((e) => e.level === 'warn' && e.message.includes('fallback'))).toBe(true);
  }, 120_000);

  it('without any other input, an unreachable URL fails the job with the crawl error', async () => {
    const run = await runJob({ testCaseUrls: [deadUrl], operations: ['synthetic'] });
    expect(run.job.status).toBe('FAILED');
    expect(JSON.stringify(run.job.error)).toMatch(/CRAWL_FAILED|unreach|refused/i);
  }, 120_000);

  it('discover → synthetic → provision generates rows for every table of a discovered source, within its constraints', async () => {
    const source = await engine.database('pglite', 'schema-src');
    const src = await openSqlClient(source.url, { poolSize: 1 });
    await loadSqlScript(src, await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8'));
    await src.close();
    const target = await targetEnv('pglite', 'schema');
    const run = await runJob({
      connectionString: source.url,
      operations: ['discover', 'synthetic', 'provision'],
      rowCounts: { '*': 40 },
      config: { provision: { targetEnv: target.name } },
    });
    expectCompleted(run, ['discover', 'synthetic', 'provision']);
    const trace = await jobTrace(tdm.store.prisma, run.jobId);
    expect(trace?.provisionedTables.length).toBeGreaterThan(3);
    expect((await fkCheck(target.sql)).violations).toBe(0);
  }, 120_000);

  it('runSynthetic with the same seed gives the same dataset, another seed another one', async () => {
    const a = await runSynthetic(tdm, { mode: 'TEST_CASE', testCaseContent: REGISTRATION, rowCounts: { '*': 50 }, seed: 7 });
    const b = await runSynthetic(tdm, { mode: 'TEST_CASE', testCaseContent: REGISTRATION, rowCounts: { '*': 50 }, seed: 7 });
    const c = await runSynthetic(tdm, { mode: 'TEST_CASE', testCaseContent: REGISTRATION, rowCounts: { '*': 50 }, seed: 8 });
    const sums = async (id: string) => (await tdm.datasets.readManifest(id)).tables.map((t) => t.checksum);
    expect(await sums(a.datasetVersionId)).toEqual(await sums(b.datasetVersionId));
    expect(await sums(a.datasetVersionId)).not.toEqual(await sums(c.datasetVersionId));
  }, 60_000);
});
