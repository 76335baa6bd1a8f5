/**
 * What the GraphQL API tests share: a PGlite metadata store and the app over `yoga.fetch` (no port)
 * for each file, the GraphQL documents and helpers, and the check that no password is in any
 * response, metadata row or line written to the console while the file runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { quoteIdent, quoteQualified } from '@tdm/core/db/quote';
import { redactConnectionString } from '@tdm/core/db/url';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, expect } from 'vitest';
import { PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../../../core/test/support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable } from '../../../core/test/support/load-sql.ts';
import { type App, createApp } from '../../src/app.ts';
import { captureOutput, output, restoreOutput } from './output.ts';

export { output };

export const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: PostgreSQL API tests are SKIPPED`);
export const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: fixture API tests are SKIPPED`);

/** Given in connection strings to the API; must never come back out. */
export const SECRET = 'SeCrEt-Pw-123';
/** The password of a stored connection (createConnection). */
export const CONN_SECRET = 'Conn-Pw-456-Stored';
export const SECRETS = [SECRET, CONN_SECRET];

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// GraphQL over yoga.fetch
let dataDir: string;
export let tdm: Tdm;
let app: App;
/** Every response body, to search for secrets at the end. */
export const bodies: string[] = [];

export interface GqlResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

export async function post<T>(query: string, variables: Record<string, unknown> = {}): Promise<GqlResponse<T>> {
  const response = await app.yoga.fetch('http://tdm.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  bodies.push(text);
  for (const secret of SECRETS) expect(text, 'a response body holds a password').not.toContain(secret);
  return JSON.parse(text) as GqlResponse<T>;
}

/** Runs an operation that must succeed at the GraphQL level (typed error members are data). */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = await post<T>(query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data as T;
}

export interface ErrorMember {
  __typename: string;
  message: string;
  code: string;
  missing?: string[];
}
export interface ForeignKeyNode {
  name: string;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
  selfReference: boolean;
  target: { schema: string; name: string };
}
export interface TableNode {
  schema: string;
  name: string;
  kind: string;
  partitionOf: string | null;
  primaryKey: string[];
  rowCount: number | null;
  columns: { name: string; dataType: string; nullable: boolean; enumLabels: string[]; domainBaseType: string | null }[];
  foreignKeys: ForeignKeyNode[];
}
export interface VersionNode {
  id: string;
  version: number;
  tableCount: number;
  schema: { id: string; name: string; sourceUrl: string; schemaNames: string[]; connection: { name: string } | null };
  tables: TableNode[];
}
export type DiscoverMember = ({ __typename: 'MutationDiscoverSchemaSuccess'; data: VersionNode } & Partial<ErrorMember>) | ErrorMember;

export const VERSION_FIELDS = `
  id version tableCount
  schema { id name sourceUrl schemaNames connection { name } }
  tables {
    schema name kind partitionOf primaryKey rowCount
    columns { name dataType nullable enumLabels domainBaseType }
    foreignKeys { name columns referencedSchema referencedTable referencedColumns selfReference target { schema name } }
  }`;

export const DISCOVER = `
  mutation Discover($input: DiscoverSchemaInput!) {
    discoverSchema(input: $input) {
      __typename
      ... on Error { message code }
      ... on SchemaNotFoundError { missing }
      ... on MutationDiscoverSchemaSuccess { data { ${VERSION_FIELDS} } }
    }
  }`;

export const CREATE_CONNECTION = `
  mutation CreateConnection($input: CreateConnectionInput!) {
    createConnection(input: $input) {
      __typename
      ... on Error { message code }
      ... on MutationCreateConnectionSuccess { data { id name kind url passwordStorage passwordEnv } }
    }
  }`;

export interface DiscoverInput {
  connectionString?: string | null;
  connectionId?: string | null;
  schemas?: string[] | null;
}

export async function discover(input: DiscoverInput): Promise<DiscoverMember> {
  return (await gql<{ discoverSchema: DiscoverMember }>(DISCOVER, { input })).discoverSchema;
}

export async function discoverOk(input: DiscoverInput): Promise<VersionNode> {
  const result = await discover(input);
  if (result.__typename !== 'MutationDiscoverSchemaSuccess') throw new Error(`expected a schema version, got ${result.__typename}: ${result.message}`);
  return (result as { data: VersionNode }).data;
}

/** Runs discoverSchema expecting the typed error `typename` with `code`; returns it. */
export async function discoverFails(input: DiscoverInput, typename: string, code: string): Promise<ErrorMember> {
  const result = await discover(input);
  expect(result.__typename, result.message).toBe(typename);
  expect(result.code).toBe(code);
  return result as ErrorMember;
}

export interface ConnectionNode {
  id: string;
  name: string;
  kind: string;
  url: string;
  passwordStorage: string;
  passwordEnv: string | null;
}
export async function createConnection(input: { name: string; connectionString: string; passwordEnv?: string }) {
  return (await gql<{ createConnection: ({ __typename: string; data: ConnectionNode } & Partial<ErrorMember>) | ErrorMember }>(CREATE_CONNECTION, { input }))
    .createConnection;
}
export async function createConnectionOk(input: { name: string; connectionString: string; passwordEnv?: string }): Promise<ConnectionNode> {
  const result = await createConnection(input);
  if (result.__typename !== 'MutationCreateConnectionSuccess') throw new Error(`expected a connection, got ${result.__typename}: ${result.message}`);
  return (result as { data: ConnectionNode }).data;
}

export const table = (v: VersionNode, name: string, schema = 'public'): TableNode => {
  const t = v.tables.find((x) => x.schema === schema && x.name === name);
  if (!t) throw new Error(`table ${schema}.${name} not in version ${v.id} (${v.tables.map((x) => x.name).join(', ')})`);
  return t;
};
export const fkOn = (v: VersionNode, tableName: string, columns: string[]): ForeignKeyNode => {
  const fk = table(v, tableName).foreignKeys.find((k) => k.columns.join() === columns.join());
  if (!fk) throw new Error(`no foreign key on ${tableName}(${columns.join()})`);
  return fk;
};
export const fkCount = (v: VersionNode) => v.tables.reduce((n, t) => n + t.foreignKeys.length, 0);

/** `url` with a user and password. */
export function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// The metadata store and the app of one test file
export const dropLater: TestDatabase[] = [];
export const rolesToDrop: string[] = [];

/** Every table of the metadata store, one row a line (`Table: row`). */
export async function dumpMetadataStore(): Promise<{ tables: string[]; text: string }> {
  const { rows: tables } = await tdm.store.sql.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by 1");
  const dump: string[] = [];
  for (const { name } of tables) {
    const { rows } = await tdm.store.sql.query<{ row: string }>(`select t::text as row from ${quoteQualified('public', name)} t`);
    dump.push(...rows.map((r) => `${name}: ${r.row}`));
  }
  return { tables: tables.map((t) => t.name), text: dump.join('\n') };
}

/**
 * No password in anything this file did: the response bodies, the rows of the metadata store (plain
 * and URL-encoded) and what was written to the console or stdout/stderr. Every file runs it in its
 * `afterAll`; the `secrets` tests make the same checks with more about what the run wrote.
 */
export async function expectNoSecretsLeaked(): Promise<void> {
  for (const body of bodies) for (const secret of SECRETS) expect(body, 'a response body holds a password').not.toContain(secret);
  const { text } = await dumpMetadataStore();
  for (const secret of SECRETS) {
    expect(text, 'a metadata row holds a password').not.toContain(secret);
    expect(text, 'a metadata row holds a password').not.toContain(encodeURIComponent(secret));
  }
  const written = output.join('');
  expect(written).toContain('[tdm] metadata store: applied'); // the capture works
  for (const secret of SECRETS) expect(written, 'the console output holds a password').not.toContain(secret);
}

/** Registers the file's `beforeAll` (capture the output, open the store and the app) and `afterAll` (check for passwords, clean up). */
export function graphqlApiSuite(): void {
  beforeAll(async () => {
    captureOutput();
    dataDir = await mkdtemp(join(tmpdir(), 'tdm-server-test-'));
    tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: (msg) => console.log(`[tdm] ${msg}`) });
    app = createApp(tdm);
  });

  afterAll(async () => {
    try {
      if (tdm) await expectNoSecretsLeaked();
    } finally {
      restoreOutput();
      await tdm?.close();
      if (rolesToDrop.length) {
        const admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
        await admin.exec(`drop role if exists ${rolesToDrop.map(quoteIdent).join(', ')}`).finally(() => admin.close());
      }
      for (const db of dropLater) await db.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }
  });
}
