/**
 * The product's example 2 sent as written: three bare steps (no `Feature:` line), domain `generic`,
 * operations synthetic and provision, 500 rows. The steps are read as Gherkin, the workflow stays in
 * test-case mode (no fallback to the domain pack) and provisions a `users` table of 500 rows with
 * email, first and last name, the test's own example among them, smoke tests passing. Metadata on
 * PGlite with in-process jobs; the target on PostgreSQL at 127.0.0.1:5432 when it answers, else PGlite.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quoteQualified } from '../src/db/quote.ts';
import type { JobLogEvent } from '../src/jobs/log-bus.ts';
import { jobLogStream } from '../src/jobs/log-stream.ts';
import type { Tdm } from '../src/runtime.ts';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import { pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

const EXAMPLE_2 = `When I enter "email" as "user@test.com"
And I enter "first name" as "John"
And I enter "last name" as "Doe"
`;

const kind = (await pgAvailable()) ? 'postgres' : 'pglite';
let engine: TestEngine;
let tdm: Tdm;

beforeAll(async () => {
  engine = await createTestEngine('testcase-example2', { work: true });
  tdm = engine.tdm;
});

afterAll(() => engine?.close());

it('reads the bare steps as Gherkin: one user with email, first and last name', async () => {
  await loadTestCaseParsers();
  const analysis = analyzeTestCase({ content: EXAMPLE_2 });
  expect(analysis.format).toBe('GHERKIN');
  expect(analysis.needsSyntheticData).toBe(true);
  expect(analysis.entities.map((e) => [e.name, e.fields.map((f) => `${f.name}:${f.type}`)])).toEqual([
    ['user', ['email:email', 'first_name:string', 'last_name:string']],
  ]);
  expect(analysis.entities[0]?.fields[1]?.source).toEqual({ line: 2, text: 'And I enter "first name" as "John"' });
});

it(`example 2 as written: a users table of 500 rows in a ${kind} target, no fallback`, async () => {
  const target = await engine.environment(kind, 'ex2bare');
  const { jobId } = await tdm.jobs.execute({
    testCaseContent: EXAMPLE_2,
    domain: 'generic',
    operations: ['synthetic', 'provision'],
    rowCounts: { '*': 500 },
    config: { provision: { targetEnv: target.name } },
  });
  const events: JobLogEvent[] = [];
  for await (const e of jobLogStream(tdm.jobs, jobId, AbortSignal.timeout(170_000))) events.push(e);
  const job = await tdm.jobs.get(jobId);
  expect(job.status, JSON.stringify(job.error)).toBe('COMPLETED');
  const context = JSON.parse(JSON.stringify(job.context)) as { fallbacksUsed?: string[]; domainPack?: string };
  expect(context.fallbacksUsed ?? []).toEqual([]);
  expect(events.some((e) => /fall(?:s|ing)? ?back/i.test(e.message))).toBe(false);

  const { rows: tables } = await target.sql.query<{ t: string }>(
    `select table_name::text as t from information_schema.tables where table_schema = 'public' order by 1`,
  );
  expect(tables.map((r) => r.t)).toEqual(['users']);
  const { rows } = await target.sql.query<{ n: string; distinct_emails: string; missing: string }>(
    `select count(*)::text as n, count(distinct email)::text as distinct_emails,
            count(*) filter (where email is null or first_name is null or last_name is null)::text as missing
       from ${quoteQualified('public', 'users')}`,
  );
  expect(rows[0]).toEqual({ n: '500', distinct_emails: '500', missing: '0' });
  const { rows: example } = await target.sql.query<{ first_name: string; last_name: string }>(
    `select first_name, last_name from public.users where email = 'user@test.com'`,
  );
  expect(example).toEqual([{ first_name: 'John', last_name: 'Doe' }]);
  // The provision step's smoke tests ran and passed (a failing one fails the job).
  expect(events.filter((e) => e.step === 'provision').at(-1)?.level).toBe('completed');
}, 180_000);
