/**
 * A source password given to TDM never comes back out. Workflows run with a distinctive password in
 * their connection strings (inline and as a stored connection; succeeding and failing), and then the
 * whole metadata database — every table of every schema, pg-boss's included, bytea decoded — the
 * console output, every GraphQL response, every log event and every SDK error are searched for it.
 * The real PostgreSQL trusts 127.0.0.1, so any password connects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { quoteQualified } from '@tdm/core/db/quote';
import { redactConnectionString } from '@tdm/core/db/url';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PG_ADMIN_URL, pgAvailable, pgUrlFor, type TestDatabase } from '../../core/test/support/databases.ts';
import { TdmClient, TdmError } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';
import { captureOutput, output, restoreOutput } from './support/output.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the password leak tests are SKIPPED`);

/** Characters URL-encoding changes, around a core that no encoding changes. */
const CORE = 'tdmLEAK7f3a';
const PASSWORD = `${CORE}:p@ss/w%rd`;
const FORMS = [CORE, PASSWORD, encodeURIComponent(PASSWORD)];

/** Fails when `text` holds the password in any form; `where` names the text in the failure. */
function expectNoPassword(text: string, where: string): void {
  for (const form of FORMS) expect(text.includes(form), `${where} holds the password (${form})`).toBe(false);
}

/** `url` with user and password. */
function withCredentials(url: string, user: string, password = PASSWORD): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

// ---------------------------------------------------------------------------------------------

/** A value read from the database as text: bytea decoded as UTF-8, JSON as JSON. */
function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'object') return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
  return String(value);
}

const pgSkip = pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)';
describe.skipIf(!pgUp)(`no password leaves TDM${pgSkip}`, () => {
  let meta: TestDatabase;
  let source: TestDatabase;
  let dataDir: string;
  let tdm: Tdm;
  let app: App;
  let url: string;
  let sdk: TdmClient;
  let previousLog: string | undefined;
  /** Every GraphQL response body and every log event this file received. */
  const received: string[] = [];
  /** Jobs started here, with the status each must end in. */
  const jobs = new Map<string, string>();

  async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await app.yoga.fetch('http://tdm.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    received.push(text);
    const body = JSON.parse(text) as { data?: T; errors?: unknown[] };
    expect(body.errors, text).toBeUndefined();
    return body.data as T;
  }
  /** Records what the SDK's HTTP requests received. */
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    received.push(await response.clone().text());
    return response;
  };
  async function execute(input: Record<string, unknown>): Promise<string> {
    const { executeWorkflow } = await gql<{ executeWorkflow: { __typename: string; message?: string; data?: { jobId: string } } }>(
      `mutation($input: ExecuteWorkflowInput!) {
        executeWorkflow(input: $input) { __typename ... on Error { message code } ... on MutationExecuteWorkflowSuccess { data { jobId } } }
      }`,
      { input: { operations: ['discover'], ...input } },
    );
    expect(executeWorkflow.__typename, executeWorkflow.message).toBe('MutationExecuteWorkflowSuccess');
    return executeWorkflow.data?.jobId as string;
  }
  async function createConnection(name: string, connectionString: string): Promise<string> {
    const { createConnection } = await gql<{
      createConnection: { __typename: string; message?: string; data?: { id: string; url: string; passwordStorage: string } };
    }>(
      `mutation($input: CreateConnectionInput!) {
        createConnection(input: $input) { __typename ... on Error { message code } ... on MutationCreateConnectionSuccess { data { id url passwordStorage } } }
      }`,
      { input: { name, connectionString } },
    );
    expect(createConnection.__typename, createConnection.message).toBe('MutationCreateConnectionSuccess');
    expect(createConnection.data?.passwordStorage).toBe('ENCRYPTED');
    return createConnection.data?.id as string;
  }
  /** Follows a job's log over the WebSocket to its end; returns the job as the SDK sees it. */
  async function follow(jobId: string, status: string) {
    jobs.set(jobId, status);
    const events = [];
    for await (const event of sdk.jobs.logs(jobId)) events.push(event);
    received.push(JSON.stringify(events));
    expect(events.at(-1)).toMatchObject({ step: 'workflow', level: status === 'COMPLETED' ? 'completed' : 'failed' });
    const job = await sdk.jobs.get(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe(status);
    return job;
  }
  /** Runs `call`, which must throw a TdmError; checks every form of it for the password. */
  async function sdkError(call: Promise<unknown>, where: string): Promise<TdmError> {
    const err = await call.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, where).toBeInstanceOf(TdmError);
    const e = err as TdmError;
    for (const text of [e.message, String(e), JSON.stringify(e), e.stack ?? '', inspect(e, { depth: 6 })]) expectNoPassword(text, `${where}: the SDK error`);
    return e;
  }

  beforeAll(async () => {
    captureOutput();
    // The most talkative setting: yoga's debug log, pg-boss's background errors.
    previousLog = process.env.TDM_LOG;
    process.env.TDM_LOG = 'debug';
    [meta, source] = await Promise.all([createTestDatabase('leak_meta'), createTestDatabase('leak_source')]);
    const sql = await openSqlClient(source.url, { poolSize: 1 });
    try {
      await seedDemoSource(sql, { customers: 10, products: 5, orders: 10 });
    } finally {
      await sql.close();
    }
    dataDir = await mkdtemp(join(tmpdir(), 'tdm-leaks-'));
    tdm = await createTdm(
      { ...loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), databaseUrl: meta.url },
      { log: (m) => console.log(`[tdm] ${m}`) },
    );
    await tdm.jobs.startWorking();
    app = createApp(tdm);
    url = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql`;
    sdk = new TdmClient({ url, fetch: recordingFetch });
  });

  afterAll(async () => {
    restoreOutput();
    if (previousLog === undefined) delete process.env.TDM_LOG;
    else process.env.TDM_LOG = previousLog;
    await sdk?.close();
    await app?.stop();
    await tdm?.close();
    await Promise.all([meta?.drop(), source?.drop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('workflows with a password in the connection string: inline and stored, succeeding and failing', async () => {
    // Inline, succeeding: through GraphQL and through the SDK.
    const inline = await follow(await execute({ connectionString: withCredentials(source.url, 'postgres') }), 'COMPLETED');
    // The stored request keeps the source, without its password.
    expect(inline.input).toMatchObject({ connectionString: source.url });
    const viaSdk = await sdk.workflows.execute({ connectionString: withCredentials(source.url, 'postgres'), operations: ['discover'] });
    await follow(viaSdk.jobId, 'COMPLETED');

    // Stored (createConnection), succeeding.
    const stored = await createConnection('leaky source', withCredentials(source.url, 'postgres'));
    await follow(await execute({ connectionId: stored }), 'COMPLETED');

    // Inline, failing: a closed port, a role that does not exist.
    const closed = await follow(await execute({ connectionString: withCredentials('postgresql://127.0.0.1:1/nowhere', 'tdm') }), 'FAILED');
    expect(closed.error).toMatchObject({ code: 'HOST_UNREACHABLE' });
    expect((closed.error as { message: string }).message).toContain('tdm:***@127.0.0.1:1');
    const noRole = await follow(await execute({ connectionString: withCredentials(source.url, 'tdm_no_such_role_leak') }), 'FAILED');
    expect(noRole.error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });

    // Stored, failing: a database that does not exist.
    const missing = await createConnection('leaky missing database', withCredentials(pgUrlFor(`${source.name}_missing`), 'postgres'));
    const missingJob = await follow(await execute({ connectionId: missing }), 'FAILED');
    expect(missingJob.error).toMatchObject({ code: 'DATABASE_NOT_FOUND' });

    // With a test case, so that a test case row and its lineage exist too.
    await follow(
      await execute({
        connectionString: withCredentials(source.url, 'postgres'),
        testCaseContent: 'Feature: Sign up\n  Scenario: new customer\n    When I fill in "email" with "ada@example.com"\n',
      }),
      'COMPLETED',
    );
  });

  it('SDK errors, GraphQL error members and plans name the source without its password', async () => {
    const invalid = await sdkError(
      sdk.workflows.execute({ connectionString: `postgresql://u:${encodeURIComponent(PASSWORD)}@db:notaport/x`, operations: ['discover'] }),
      'an invalid connection string',
    );
    expect(invalid.code).toBe('INVALID_CONNECTION_STRING');
    const invalidOps = await sdkError(
      sdk.workflows.execute({ connectionString: withCredentials(source.url, 'postgres'), operations: ['subset'] }),
      'invalid operations',
    );
    expect(invalidOps.code).toBe('INVALID_INPUT');
    const unreachable = await sdkError(
      sdk.schemas.discover({ connectionString: withCredentials('postgresql://127.0.0.1:1/nowhere', 'tdm') }),
      'discover on a closed port',
    );
    expect(unreachable).toMatchObject({ code: 'HOST_UNREACHABLE' });
    expect(unreachable.message).toContain('tdm:***@127.0.0.1:1');

    const plan = await sdk.workflows.classifyIntent({ connectionString: withCredentials(source.url, 'postgres') });
    expect(plan.operations).toEqual(['discover', 'pii', 'subset', 'mask']);
    received.push(JSON.stringify(plan));

    // Credentials in the API's own URL: the network error does not repeat them.
    const withUserInfo = new TdmClient({ url: withCredentials('http://127.0.0.1:1/graphql', 'tdm') });
    try {
      const network = await sdkError(withUserInfo.jobs.get('x'), 'an unreachable API');
      expect(network.code).toBe('NETWORK');
      const stream = await sdkError(
        (async () => {
          for await (const _ of withUserInfo.jobs.logs('x')) break;
        })(),
        'a log stream to an unreachable API',
      );
      expect(stream.code).toBe('NETWORK');
      expect(stream.message).toBe('job log stream failed: connect ECONNREFUSED 127.0.0.1:1');
    } finally {
      await withUserInfo.close();
    }
  });

  it('no table of any schema of the metadata database holds the password, in any column (bytea decoded)', async () => {
    for (const [id, status] of jobs) expect((await tdm.jobs.get(id)).status).toBe(status);
    const { rows: tables } = await tdm.store.sql.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'
        order by 1, 2`,
    );
    const names = tables.map((t) => `${t.schema}.${t.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'public.Connection',
        'public.Job',
        'public.JobLog',
        'public.Lineage',
        'public.AuditLog',
        'public.TestCase',
        'public.WorkflowCheckpoint',
        'public.WorkflowCheckpointWrite',
        'pgboss.job',
      ]),
    );

    const dump = new Map<string, string>();
    for (const { schema, name } of tables) {
      const { rows } = await tdm.store.sql.query<Record<string, unknown>>(`select * from ${quoteQualified(schema, name)}`);
      const { rows: asRows } = await tdm.store.sql.query<{ row: string }>(`select t::text as row from ${quoteQualified(schema, name)} t`);
      const text = [
        ...rows.map((r) =>
          Object.entries(r)
            .map(([column, v]) => `${column}=${asText(v)}`)
            .join(' | '),
        ),
        ...asRows.map((r) => r.row),
      ].join('\n');
      dump.set(`${schema}.${name}`, text);
      expectNoPassword(text, `table ${schema}.${name}`);
    }

    // The search is real: each place a password could hide holds what this file's runs wrote.
    const jobIds = [...jobs.keys()];
    const at = (table: string) => dump.get(table) ?? '';
    for (const id of jobIds) {
      expect(at('public.Job')).toContain(id);
      expect(at('public.JobLog')).toContain(id);
      expect(at('pgboss.job')).toContain(id);
    }
    expect(at('public.Connection')).toContain('leaky source');
    expect(at('public.Connection')).toContain(source.name);
    expect(at('public.JobLog')).toContain('reading the catalog of postgresql://postgres@127.0.0.1');
    expect(at('public.Job')).toMatch(/HOST_UNREACHABLE.*tdm:\*\*\*@127\.0\.0\.1:1/);
    expect(at('public.AuditLog')).toContain('createConnection');
    expect(at('public.TestCase')).toContain('Feature: Sign up');
    expect(at('public.Lineage')).toContain('discover');
    // Checkpoints are bytea: decoded, they show the run's state (its per-step results).
    expect(at('public.WorkflowCheckpoint')).toContain('"foreignKeys"');
    expect(at('public.WorkflowCheckpointWrite')).toContain('schemaVersionId');
  });

  it('no GraphQL response, log event or console line held the password', () => {
    expect(received.length).toBeGreaterThan(15);
    for (const [i, text] of received.entries()) expectNoPassword(text, `response ${i}`);
    const console = output.join('');
    expect(console).toContain('[tdm] metadata store: applied'); // the capture works
    expectNoPassword(console, 'the console output');
  });
});
