/**
 * The GraphQL API end to end through `yoga.fetch` (no port): a PGlite metadata store, the project's
 * demo source (always), the shared sample databases on the real PostgreSQL (when both are present),
 * typed errors for bad input, and no password in any response, log line or metadata row.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { quoteIdent, quoteQualified } from '@tdm/core/db/quote';
import { redactConnectionString } from '@tdm/core/db/url';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, pgUrlFor, type TestDatabase } from '../../core/test/support/databases.ts';
import { FIXTURES_DIR, type FixtureName, fixturesAvailable, loadFixture } from '../../core/test/support/load-sql.ts';
import { type App, createApp } from '../src/app.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: PostgreSQL API tests are SKIPPED`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: fixture API tests are SKIPPED`);

/** Given in connection strings to the API; must never come back out. */
const SECRET = 'SeCrEt-Pw-123';
/** The password of a stored connection (createConnection). */
const CONN_SECRET = 'Conn-Pw-456-Stored';
const SECRETS = [SECRET, CONN_SECRET];

// ---------------------------------------------------------------------------------------------
// Everything written to the console or to stdout/stderr while this file runs.
const output: string[] = [];
const restoreOutput: (() => void)[] = [];
function captureOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    restoreOutput.push(() => {
      stream.write = original;
    });
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method];
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(format(...args));
      original.apply(console, args);
    });
    restoreOutput.push(() => spy.mockRestore());
  }
}

// ---------------------------------------------------------------------------------------------
// GraphQL over yoga.fetch
let dataDir: string;
let tdm: Tdm;
let app: App;
/** Every response body, to search for secrets at the end. */
const bodies: string[] = [];

interface GqlResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

async function post<T>(query: string, variables: Record<string, unknown> = {}): Promise<GqlResponse<T>> {
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
async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = await post<T>(query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data as T;
}

interface ErrorMember {
  __typename: string;
  message: string;
  code: string;
  missing?: string[];
}
interface ForeignKeyNode {
  name: string;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
  selfReference: boolean;
  target: { schema: string; name: string };
}
interface TableNode {
  schema: string;
  name: string;
  kind: string;
  partitionOf: string | null;
  primaryKey: string[];
  rowCount: number | null;
  columns: { name: string; dataType: string; nullable: boolean; enumLabels: string[]; domainBaseType: string | null }[];
  foreignKeys: ForeignKeyNode[];
}
interface VersionNode {
  id: string;
  version: number;
  tableCount: number;
  schema: { id: string; name: string; sourceUrl: string; schemaNames: string[]; connection: { name: string } | null };
  tables: TableNode[];
}
type DiscoverMember = ({ __typename: 'MutationDiscoverSchemaSuccess'; data: VersionNode } & Partial<ErrorMember>) | ErrorMember;

const VERSION_FIELDS = `
  id version tableCount
  schema { id name sourceUrl schemaNames connection { name } }
  tables {
    schema name kind partitionOf primaryKey rowCount
    columns { name dataType nullable enumLabels domainBaseType }
    foreignKeys { name columns referencedSchema referencedTable referencedColumns selfReference target { schema name } }
  }`;

const DISCOVER = `
  mutation Discover($input: DiscoverSchemaInput!) {
    discoverSchema(input: $input) {
      __typename
      ... on Error { message code }
      ... on SchemaNotFoundError { missing }
      ... on MutationDiscoverSchemaSuccess { data { ${VERSION_FIELDS} } }
    }
  }`;

const CREATE_CONNECTION = `
  mutation CreateConnection($input: CreateConnectionInput!) {
    createConnection(input: $input) {
      __typename
      ... on Error { message code }
      ... on MutationCreateConnectionSuccess { data { id name kind url passwordStorage passwordEnv } }
    }
  }`;

interface DiscoverInput {
  connectionString?: string | null;
  connectionId?: string | null;
  schemas?: string[] | null;
}

async function discover(input: DiscoverInput): Promise<DiscoverMember> {
  return (await gql<{ discoverSchema: DiscoverMember }>(DISCOVER, { input })).discoverSchema;
}

async function discoverOk(input: DiscoverInput): Promise<VersionNode> {
  const result = await discover(input);
  if (result.__typename !== 'MutationDiscoverSchemaSuccess') throw new Error(`expected a schema version, got ${result.__typename}: ${result.message}`);
  return (result as { data: VersionNode }).data;
}

/** Runs discoverSchema expecting the typed error `typename` with `code`; returns it. */
async function discoverFails(input: DiscoverInput, typename: string, code: string): Promise<ErrorMember> {
  const result = await discover(input);
  expect(result.__typename, result.message).toBe(typename);
  expect(result.code).toBe(code);
  return result as ErrorMember;
}

interface ConnectionNode {
  id: string;
  name: string;
  kind: string;
  url: string;
  passwordStorage: string;
  passwordEnv: string | null;
}
async function createConnection(input: { name: string; connectionString: string; passwordEnv?: string }) {
  return (await gql<{ createConnection: ({ __typename: string; data: ConnectionNode } & Partial<ErrorMember>) | ErrorMember }>(CREATE_CONNECTION, { input }))
    .createConnection;
}
async function createConnectionOk(input: { name: string; connectionString: string; passwordEnv?: string }): Promise<ConnectionNode> {
  const result = await createConnection(input);
  if (result.__typename !== 'MutationCreateConnectionSuccess') throw new Error(`expected a connection, got ${result.__typename}: ${result.message}`);
  return (result as { data: ConnectionNode }).data;
}

const table = (v: VersionNode, name: string, schema = 'public'): TableNode => {
  const t = v.tables.find((x) => x.schema === schema && x.name === name);
  if (!t) throw new Error(`table ${schema}.${name} not in version ${v.id} (${v.tables.map((x) => x.name).join(', ')})`);
  return t;
};
const fkOn = (v: VersionNode, tableName: string, columns: string[]): ForeignKeyNode => {
  const fk = table(v, tableName).foreignKeys.find((k) => k.columns.join() === columns.join());
  if (!fk) throw new Error(`no foreign key on ${tableName}(${columns.join()})`);
  return fk;
};
const fkCount = (v: VersionNode) => v.tables.reduce((n, t) => n + t.foreignKeys.length, 0);

/** `url` with a user and password. */
function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
const dropLater: TestDatabase[] = [];
const rolesToDrop: string[] = [];

beforeAll(async () => {
  captureOutput();
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-server-test-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: (msg) => console.log(`[tdm] ${msg}`) });
  app = createApp(tdm);
});

afterAll(async () => {
  for (const restore of restoreOutput.reverse()) restore();
  await tdm?.close();
  if (rolesToDrop.length) {
    const admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
    await admin.exec(`drop role if exists ${rolesToDrop.map(quoteIdent).join(', ')}`).finally(() => admin.close());
  }
  for (const db of dropLater) await db.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
describe('the demo source (no shared fixtures needed)', () => {
  let demo: TestDatabase;
  // Held open for the whole block: the clients discovery opens share this PGlite instance instead of
  // starting a new one (WASM start-up) each time.
  let sql: SqlClient | undefined;
  let first: VersionNode;

  beforeAll(async () => {
    demo = await createPgliteUrl();
    dropLater.push(demo);
    sql = await openSqlClient(demo.url);
    await seedDemoSource(sql, { customers: 40, products: 20, orders: 60 });
    // A second schema with a key into public: discovery across schemas.
    await sql.exec(`
      create schema audit;
      create table audit.event (
        event_id bigint generated always as identity primary key,
        customer_id integer not null references public.customer (customer_id),
        happened_at timestamptz not null
      );`);
  });
  afterAll(async () => {
    await sql?.close();
  });

  it('discovers tables, keys, types and row counts', async () => {
    first = await discoverOk({ connectionString: demo.url });
    expect(first.version).toBe(1);
    expect(first.tableCount).toBe(9);
    expect(first.schema.sourceUrl).toBe(demo.url);
    expect(first.schema.schemaNames).toEqual(['public']);
    expect(first.tables.map((t) => t.name).sort()).toEqual(
      ['address', 'category', 'customer', 'employee', 'order', 'order_item', 'payment', 'product', 'product_category'].sort(),
    );
    expect(first.tables.every((t) => t.schema === 'public' && t.partitionOf === null && t.kind === 'TABLE')).toBe(true);

    expect(table(first, 'customer').rowCount).toBe(40);
    expect(table(first, 'product').rowCount).toBe(20);
    expect(table(first, 'order').rowCount).toBe(60);
    expect(table(first, 'employee').rowCount).toBe(12);

    expect(table(first, 'product_category').primaryKey).toEqual(['product_id', 'category_id']);
    expect(table(first, 'order_item').primaryKey).toEqual(['order_id', 'line_no']);

    // employee → manager is a self-reference; customer ↔ address is a cycle.
    expect(fkOn(first, 'employee', ['manager_id'])).toMatchObject({ referencedTable: 'employee', selfReference: true, target: { name: 'employee' } });
    expect(fkOn(first, 'customer', ['default_address_id'])).toMatchObject({ referencedTable: 'address', selfReference: false, target: { name: 'address' } });
    expect(fkOn(first, 'address', ['customer_id'])).toMatchObject({ referencedTable: 'customer', target: { name: 'customer' } });
    expect(fkOn(first, 'order_item', ['order_id'])).toMatchObject({ referencedTable: 'order', referencedColumns: ['order_id'], target: { name: 'order' } });
    expect(fkCount(first)).toBe(12);

    const status = table(first, 'order').columns.find((c) => c.name === 'status');
    expect(status).toMatchObject({ nullable: false, enumLabels: ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] });
    const email = table(first, 'customer').columns.find((c) => c.name === 'email');
    expect(email).toMatchObject({ nullable: false, domainBaseType: 'text' });
    expect(table(first, 'customer').columns.find((c) => c.name === 'phone')).toMatchObject({ dataType: 'character varying(32)', nullable: true });
    expect(table(first, 'product').columns.find((c) => c.name === 'price')).toMatchObject({ dataType: 'numeric(10,2)', nullable: false });
  });

  it('walks schemaVersion(id) → tables → columns and foreign keys → target tables', async () => {
    const { schemaVersion } = await gql<{
      schemaVersion: {
        id: string;
        tableCount: number;
        tables: {
          name: string;
          columns: { name: string; position: number }[];
          foreignKeys: {
            name: string;
            referencedTable: string;
            referencedColumns: string[];
            table: { name: string };
            target: { name: string; columns: { name: string }[] };
          }[];
          referencedBy: { table: { name: string }; columns: string[] }[];
        }[];
        order: { name: string; primaryKey: string[] } | null;
        missing: unknown;
      } | null;
    }>(
      `query Walk($id: ID!) {
        schemaVersion(id: $id) {
          id tableCount
          tables {
            name
            columns { name position }
            foreignKeys { name referencedTable referencedColumns table { name } target { name columns { name } } }
            referencedBy { table { name } columns }
          }
          order: table(name: "order") { name primaryKey }
          missing: table(name: "no_such_table") { name }
        }
      }`,
      { id: first.id },
    );
    expect(schemaVersion?.id).toBe(first.id);
    const tables = schemaVersion?.tables ?? [];
    expect(tables).toHaveLength(9);
    for (const t of tables) {
      expect(t.columns.length, t.name).toBeGreaterThan(0);
      expect(t.columns.map((c) => c.position)).toEqual(t.columns.map((_, i) => i + 1));
      for (const fk of t.foreignKeys) {
        expect(fk.table.name).toBe(t.name);
        expect(fk.target.name).toBe(fk.referencedTable);
        // The referenced columns exist on the target table.
        for (const c of fk.referencedColumns) expect(fk.target.columns.map((x) => x.name)).toContain(c);
      }
    }
    const customer = tables.find((t) => t.name === 'customer');
    expect(customer?.referencedBy.map((r) => `${r.table.name}(${r.columns.join()})`).sort()).toEqual(['address(customer_id)', 'order(customer_id)']);
    expect(schemaVersion?.order).toEqual({ name: 'order', primaryKey: ['order_id'] });
    expect(schemaVersion?.missing).toBeNull();

    // An unknown id is null, not an error.
    const unknown = await gql<{ schemaVersion: unknown }>('query($id: ID!) { schemaVersion(id: $id) { id } }', {
      id: encodeGlobalID('SchemaVersion', randomUUID()),
    });
    expect(unknown.schemaVersion).toBeNull();
  });

  it('returns the same version for an unchanged source and a new one after ALTER TABLE … ADD COLUMN', async () => {
    const again = await discoverOk({ connectionString: demo.url });
    expect(again.id).toBe(first.id);
    expect(again.version).toBe(1);

    await sql?.exec('alter table customer add column loyalty_tier text');
    const changed = await discoverOk({ connectionString: demo.url });
    expect(changed.id).not.toBe(first.id);
    expect(changed.version).toBe(2);
    expect(changed.schema.id).toBe(first.schema.id);
    expect(table(changed, 'customer').columns.find((c) => c.name === 'loyalty_tier')).toMatchObject({ dataType: 'text', nullable: true });

    // The old version is a snapshot: it keeps the columns it had.
    const old = await gql<{ schemaVersion: { table: { columns: { name: string }[] } } }>(
      'query($id: ID!) { schemaVersion(id: $id) { table(name: "customer") { columns { name } } } }',
      { id: first.id },
    );
    expect(old.schemaVersion.table.columns.map((c) => c.name)).not.toContain('loyalty_tier');

    const versions = await gql<{ node: { versions: { totalCount: number; edges: { node: { version: number } }[] } } }>(
      'query($id: ID!) { node(id: $id) { ... on Schema { versions { totalCount edges { node { version } } } } } }',
      { id: first.schema.id },
    );
    expect(versions.node.versions.totalCount).toBe(2);
    expect(versions.node.versions.edges.map((e) => e.node.version)).toEqual([2, 1]);
    first = changed;
  });

  it('reads several schemas, with foreign keys across them', async () => {
    const both = await discoverOk({ connectionString: demo.url, schemas: ['public', 'audit'] });
    expect(both.schema.id).not.toBe(first.schema.id);
    expect([...both.schema.schemaNames].sort()).toEqual(['audit', 'public']);
    expect(both.tableCount).toBe(10);
    expect(table(both, 'event', 'audit').foreignKeys).toEqual([
      expect.objectContaining({
        columns: ['customer_id'],
        referencedSchema: 'public',
        referencedTable: 'customer',
        target: { schema: 'public', name: 'customer' },
      }),
    ]);

    // Alone, audit's key points outside what was read: kept in the catalog document, not as a relation.
    const alone = await gql<{
      discoverSchema: {
        __typename: string;
        data: { id: string; tables: TableNode[]; catalog: { tables: { name: string; foreignKeys: { referencedTable: string }[] }[] } };
      };
    }>(
      `mutation($input: DiscoverSchemaInput!) {
        discoverSchema(input: $input) {
          __typename
          ... on MutationDiscoverSchemaSuccess { data { id tables { schema name foreignKeys { name } } catalog } }
        }
      }`,
      { input: { connectionString: demo.url, schemas: ['audit'] } },
    );
    expect(alone.discoverSchema.__typename).toBe('MutationDiscoverSchemaSuccess');
    expect(alone.discoverSchema.data.tables).toEqual([{ schema: 'audit', name: 'event', foreignKeys: [] }]);
    expect(alone.discoverSchema.data.catalog.tables[0]?.foreignKeys.map((k) => k.referencedTable)).toEqual(['customer']);
  });

  it('names the schemas that do not exist (SchemaNotFoundError)', async () => {
    const err = await discoverFails({ connectionString: demo.url, schemas: ['public', 'no_such_schema'] }, 'SchemaNotFoundError', 'SCHEMA_NOT_FOUND');
    expect(err.missing).toEqual(['no_such_schema']);
    expect(err.message).toContain('"no_such_schema"');
    expect(err.message).not.toContain('"public"');
  });

  it('discovers through a stored connection (createConnection, then discoverSchema(connectionId))', async () => {
    const conn = await createConnectionOk({ name: 'demo shop', connectionString: demo.url });
    expect(conn).toMatchObject({ name: 'demo shop', kind: 'PGLITE', url: demo.url, passwordStorage: 'NONE', passwordEnv: null });

    // Same source, unchanged: the existing version, now linked to the connection.
    const viaConnection = await discoverOk({ connectionId: conn.id });
    expect(viaConnection.id).toBe(first.id);
    expect(viaConnection.schema.connection?.name).toBe('demo shop');

    const { connections } = await gql<{ connections: { totalCount: number; edges: { node: { id: string; name: string; schemas: { id: string }[] } }[] } }>(
      '{ connections(first: 50) { totalCount edges { node { id name schemas { id } } } } }',
    );
    const listed = connections.edges.find((e) => e.node.id === conn.id);
    expect(listed?.node.schemas.map((s) => s.id)).toEqual([first.schema.id]);
    expect(connections.totalCount).toBe(connections.edges.length);

    const duplicate = await createConnection({ name: 'demo shop', connectionString: demo.url });
    expect(duplicate).toMatchObject({ __typename: 'BaseError', code: 'CONFLICT' });
    expect(duplicate.message).toContain('"demo shop" already exists');
  });
});

// ---------------------------------------------------------------------------------------------
describe('bad input becomes a typed error member', () => {
  it.each([
    ['not a url', /invalid connection string "not a url"/],
    ['mysql://x/y', /unsupported scheme "mysql:"/],
    [`postgresql://u:${SECRET}@h:notaport/db`, /invalid connection string "postgresql:\/\/u:\*\*\*@h:notaport\/db": not a valid URL/],
  ])('%s → InvalidConnectionStringError', async (connectionString, message) => {
    const err = await discoverFails({ connectionString }, 'InvalidConnectionStringError', 'INVALID_CONNECTION_STRING');
    expect(err.message).toMatch(message);
  });

  it('a closed port → ConnectionError HOST_UNREACHABLE, naming host and port but not the password', async () => {
    const err = await discoverFails({ connectionString: `postgresql://u:${SECRET}@127.0.0.1:1/db` }, 'ConnectionError', 'HOST_UNREACHABLE');
    expect(err.message).toContain('127.0.0.1:1');
    expect(err.message).toContain('u:***@');
  });

  it('both connectionString and connectionId, or neither → InvalidInputError', async () => {
    const both = await discoverFails({ connectionString: 'pglite:memory', connectionId: randomUUID() }, 'InvalidInputError', 'INVALID_INPUT');
    expect(both.message).toMatch(/either connectionString or connectionId, not both/);
    const neither = await discoverFails({ schemas: ['public'] }, 'InvalidInputError', 'INVALID_INPUT');
    expect(neither.message).toMatch(/connectionString or connectionId is required/);
  });

  it('an unknown connectionId (raw or global id) → NotFoundError', async () => {
    const id = randomUUID();
    for (const connectionId of [id, encodeGlobalID('DatabaseConnection', id)]) {
      const err = await discoverFails({ connectionId }, 'NotFoundError', 'NOT_FOUND');
      expect(err.message).toBe(`connection "${id}" was not found`);
    }
  });

  it('createConnection rejects a malformed connection string and a blank name', async () => {
    expect(await createConnection({ name: 'broken', connectionString: 'not a url' })).toMatchObject({
      __typename: 'InvalidConnectionStringError',
      code: 'INVALID_CONNECTION_STRING',
    });
    expect(await createConnection({ name: '  ', connectionString: 'pglite:memory' })).toMatchObject({
      __typename: 'InvalidInputError',
      code: 'INVALID_INPUT',
      message: 'a connection needs a name',
    });
  });
});

describe.skipIf(!pgUp)(`failures on the real PostgreSQL${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
  const suffix = randomBytes(4).toString('hex');
  const nologin = `tdm_t_nologin_${suffix}`;

  beforeAll(async () => {
    const admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
    try {
      await admin.exec(`create role ${quoteIdent(nologin)} nologin password '${SECRET}'`);
      rolesToDrop.push(nologin);
    } finally {
      await admin.close();
    }
  });

  it('a role that does not exist, or may not log in → ConnectionError AUTHENTICATION_FAILED', async () => {
    // The server trusts 127.0.0.1, so a wrong password for a real login role would still connect.
    for (const user of [`tdm_no_such_role_${suffix}`, nologin]) {
      const err = await discoverFails({ connectionString: urlAs(pgUrlFor('postgres'), user, SECRET) }, 'ConnectionError', 'AUTHENTICATION_FAILED');
      expect(err.message).toContain(user);
    }
  });

  it('a database that does not exist → ConnectionError DATABASE_NOT_FOUND', async () => {
    const missing = `tdm_missing_${suffix}`;
    const err = await discoverFails({ connectionString: urlAs(pgUrlFor(missing), 'postgres', SECRET) }, 'ConnectionError', 'DATABASE_NOT_FOUND');
    expect(err.message).toContain(missing);
  });
});

// ---------------------------------------------------------------------------------------------
interface FixtureFacts {
  fixture: FixtureName;
  tables: number;
  partitions: number;
  foreignKeys: number;
  rows: number;
}
// From the fixtures' SOURCES.md (verified with psql); rows = sum over non-partition tables.
const FIXTURE_FACTS: FixtureFacts[] = [
  { fixture: 'pagila', tables: 15, partitions: 7, foreignKeys: 36, rows: 49636 },
  { fixture: 'chinook', tables: 11, partitions: 0, foreignKeys: 11, rows: 15607 },
  { fixture: 'sakila', tables: 15, partitions: 6, foreignKeys: 40, rows: 46273 },
  { fixture: 'world', tables: 3, partitions: 0, foreignKeys: 2, rows: 5302 },
  { fixture: 'edgecases', tables: 9, partitions: 0, foreignKeys: 9, rows: 50 },
];

const fixtureSkip = !pgUp ? ' (SKIPPED: PostgreSQL not reachable)' : haveFixtures ? '' : ` (SKIPPED: no fixtures under ${FIXTURES_DIR})`;
describe.skipIf(!pgUp || !haveFixtures)(`the sample databases on PostgreSQL${fixtureSkip}`, () => {
  const dbs = new Map<FixtureName, TestDatabase>();
  const versions = new Map<FixtureName, VersionNode>();

  beforeAll(async () => {
    await Promise.all(
      FIXTURE_FACTS.map(async ({ fixture }) => {
        const db = await createTestDatabase(`api_${fixture}`);
        dropLater.push(db);
        dbs.set(fixture, db);
        const client = await openSqlClient(db.url, { poolSize: 1 });
        try {
          await loadFixture(client, fixture);
        } finally {
          await client.close();
        }
      }),
    );
  });

  const db = (fixture: FixtureName) => dbs.get(fixture) as TestDatabase;
  const version = (fixture: FixtureName) => versions.get(fixture) as VersionNode;

  it.each(FIXTURE_FACTS)('$fixture: $tables tables and $partitions partitions, $foreignKeys foreign keys, $rows rows', async (facts) => {
    const v = await discoverOk({ connectionString: db(facts.fixture).url });
    versions.set(facts.fixture, v);
    const partitions = v.tables.filter((t) => t.partitionOf !== null);
    expect(v.tables.length - partitions.length).toBe(facts.tables);
    expect(partitions.length).toBe(facts.partitions);
    expect(v.tableCount).toBe(facts.tables + facts.partitions);
    expect(fkCount(v)).toBe(facts.foreignKeys);
    expect(v.tables.filter((t) => t.partitionOf === null).reduce((n, t) => n + (t.rowCount ?? 0), 0)).toBe(facts.rows);
    for (const t of v.tables) for (const fk of t.foreignKeys) expect(fk.target.name).toBe(fk.referencedTable);
  });

  it('pagila: payment is partitioned into 7 partitions, whose 18 foreign keys are on the partitions only', () => {
    const v = version('pagila');
    expect(table(v, 'payment')).toMatchObject({ kind: 'PARTITIONED_TABLE', partitionOf: null, primaryKey: ['payment_date', 'payment_id'], foreignKeys: [] });
    const partitions = v.tables.filter((t) => t.partitionOf !== null);
    expect(partitions.map((t) => t.name).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `payment_p2022_0${i + 1}`));
    expect(new Set(partitions.map((t) => t.partitionOf))).toEqual(new Set(['public.payment']));
    expect(partitions.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(18);
    expect(table(v, 'film_actor').primaryKey).toEqual(['actor_id', 'film_id']);
    expect(table(v, 'film_category').primaryKey).toEqual(['film_id', 'category_id']);
    expect(fkOn(v, 'film', ['original_language_id'])).toMatchObject({ target: { name: 'language' } });
    expect(table(v, 'film').columns.find((c) => c.name === 'rating')).toMatchObject({
      // The catalog is read with search_path = pg_catalog: user types are always schema-qualified.
      dataType: 'public.mpaa_rating',
      enumLabels: ['G', 'PG', 'PG-13', 'R', 'NC-17'],
    });
  });

  it('chinook: employee.reports_to is a self-reference; playlist_track has a composite key', () => {
    const v = version('chinook');
    expect(fkOn(v, 'employee', ['reports_to'])).toMatchObject({
      referencedTable: 'employee',
      referencedColumns: ['employee_id'],
      selfReference: true,
      target: { name: 'employee' },
    });
    expect(table(v, 'employee').columns.find((c) => c.name === 'reports_to')).toMatchObject({ dataType: 'integer', nullable: true });
    expect(table(v, 'playlist_track').primaryKey).toEqual(['playlist_id', 'track_id']);
    expect(v.tables.flatMap((t) => t.foreignKeys).filter((k) => k.selfReference)).toHaveLength(1);
  });

  it('world: country.capital → city; countrylanguage has a composite key', () => {
    const v = version('world');
    expect(fkOn(v, 'country', ['capital'])).toMatchObject({ referencedTable: 'city', referencedColumns: ['id'], target: { name: 'city' } });
    expect(fkOn(v, 'countrylanguage', ['countrycode'])).toMatchObject({ target: { name: 'country' } });
    expect(table(v, 'countrylanguage').primaryKey).toEqual(['countrycode', 'language']);
  });

  it('sakila: INHERITS partitions of payment, and the staff ↔ store cycle', () => {
    const v = version('sakila');
    const partitions = v.tables.filter((t) => t.partitionOf !== null);
    expect(partitions.map((t) => t.name).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `payment_p2007_0${i + 1}`));
    expect(new Set(partitions.map((t) => t.partitionOf))).toEqual(new Set(['public.payment']));
    expect(table(v, 'payment')).toMatchObject({ kind: 'TABLE', rowCount: 16049 });
    expect(fkOn(v, 'staff', ['store_id'])).toMatchObject({ target: { name: 'store' } });
    expect(fkOn(v, 'store', ['manager_staff_id'])).toMatchObject({ referencedColumns: ['staff_id'], target: { name: 'staff' } });
  });

  it('edgecases: odd identifiers exactly as written, a key to a non-key unique column, a 3-table cycle', () => {
    const v = version('edgecases');
    const bad = table(v, 'Bad Name 123!@#');
    expect(bad.name).toBe('Bad Name 123!@#');
    expect(bad.primaryKey).toEqual(['ID']);
    expect(bad.columns.map((c) => c.name)).toContain('NAME');
    expect(bad.foreignKeys).toEqual([
      expect.objectContaining({ columns: ['NAME'], referencedTable: 'BadName', referencedColumns: ['NAME'], target: { schema: 'public', name: 'BadName' } }),
    ]);
    expect(table(v, 'BadName').primaryKey).toEqual(['ID']);
    expect(fkOn(v, 'addresses', ['order_id']).target.name).toBe('orders');
    expect(fkOn(v, 'orders', ['customer_id']).target.name).toBe('customers');
    expect(fkOn(v, 'customers', ['address_id']).target.name).toBe('addresses');
  });

  it('world: unchanged → the same version; ALTER TABLE … ADD COLUMN → version 2', async () => {
    const before = version('world');
    // The server trusts 127.0.0.1, so a password in the URL connects: it is not part of the source's identity.
    const again = await discoverOk({ connectionString: urlAs(db('world').url, 'postgres', SECRET) });
    expect(again).toMatchObject({ id: before.id, version: 1, schema: { id: before.schema.id, sourceUrl: db('world').url } });

    const client = await openSqlClient(db('world').url, { poolSize: 1 });
    try {
      await client.exec('alter table city add column founded_year smallint');
    } finally {
      await client.close();
    }
    const after = await discoverOk({ connectionString: db('world').url });
    expect(after.id).not.toBe(before.id);
    expect(after.version).toBe(2);
    expect(after.schema.id).toBe(before.schema.id);
    expect(table(after, 'city').columns.find((c) => c.name === 'founded_year')).toMatchObject({ dataType: 'smallint', nullable: true });
  });

  it('schemaVersion(id) of pagila: every table with its columns, every key with its target', async () => {
    const v = version('pagila');
    const { schemaVersion } = await gql<{
      schemaVersion: {
        tableCount: number;
        tables: { name: string; columns: { name: string }[]; foreignKeys: { referencedTable: string; target: { name: string } }[] }[];
      };
    }>('query($id: ID!) { schemaVersion(id: $id) { tableCount tables { name columns { name } foreignKeys { referencedTable target { name } } } } }', {
      id: v.id,
    });
    expect(schemaVersion.tableCount).toBe(22);
    expect(schemaVersion.tables.map((t) => t.name).sort()).toEqual(v.tables.map((t) => t.name).sort());
    expect(
      schemaVersion.tables
        .find((t) => t.name === 'rental')
        ?.foreignKeys.map((k) => k.target.name)
        .sort(),
    ).toEqual(['customer', 'inventory', 'staff']);
    for (const t of schemaVersion.tables) {
      expect(t.columns.length).toBeGreaterThan(0);
      for (const fk of t.foreignKeys) expect(fk.target.name).toBe(fk.referencedTable);
    }
  });

  it('a stored connection keeps its password encrypted and still connects with it', async () => {
    const conn = await createConnectionOk({ name: 'chinook (stored password)', connectionString: urlAs(db('chinook').url, 'postgres', CONN_SECRET) });
    expect(conn.kind).toBe('POSTGRES');
    expect(conn.passwordStorage).toBe('ENCRYPTED');
    expect(conn.passwordEnv).toBeNull();
    expect(conn.url).toBe(db('chinook').url);

    // pg_hba trusts 127.0.0.1, so any password is accepted: this shows the stored password decrypts into a usable URL.
    const v = await discoverOk({ connectionId: conn.id });
    expect(v.id).toBe(version('chinook').id);
    expect(v.schema.connection?.name).toBe('chinook (stored password)');

    const row = await tdm.store.prisma.connection.findUniqueOrThrow({ where: { name: 'chinook (stored password)' } });
    expect(row.passwordCipher).toMatch(/^v1:/);
    expect(await tdm.connections.connectionString(row.id)).toContain(`:${CONN_SECRET}@`);
  });

  it('a stored connection can name an environment variable instead of storing the password', async () => {
    const conn = await createConnectionOk({ name: 'world (env password)', connectionString: db('world').url, passwordEnv: 'TDM_DB_PASSWORD_TEST_WORLD' });
    expect(conn).toMatchObject({ passwordStorage: 'ENVIRONMENT', passwordEnv: 'TDM_DB_PASSWORD_TEST_WORLD', url: db('world').url });
    // The variable is not set: a typed error, not a connection attempt without the password.
    const err = await discoverFails({ connectionId: conn.id }, 'InvalidInputError', 'INVALID_INPUT');
    expect(err.message).toContain('TDM_DB_PASSWORD_TEST_WORLD');
  });
});

// ---------------------------------------------------------------------------------------------
describe('schemas: a Relay connection', () => {
  it('pages with first: 2 and after, covering every schema once, in the order of a single page', async () => {
    const PAGE = `query($first: Int, $after: String) {
      schemas(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id name latestVersion { id version } } }
      }
    }`;
    type Page = {
      schemas: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { cursor: string; node: { id: string; name: string; latestVersion: { id: string } | null } }[];
      };
    };
    const all = (await gql<Page>(PAGE, { first: 100 })).schemas;
    // demo (public), demo (public, audit), demo (audit), and each sample database when loaded.
    expect(all.totalCount).toBe(3 + (pgUp && haveFixtures ? FIXTURE_FACTS.length : 0));
    expect(all.edges).toHaveLength(all.totalCount);
    expect(all.pageInfo.hasNextPage).toBe(false);

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const page: Page['schemas'] = (await gql<Page>(PAGE, { first: 2, after })).schemas;
      expect(page.totalCount).toBe(all.totalCount);
      expect(page.edges.length).toBeLessThanOrEqual(2);
      expect(page.edges.length).toBeGreaterThan(0);
      for (const e of page.edges) expect(e.node.latestVersion).not.toBeNull();
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      if (!page.pageInfo.hasNextPage) {
        expect(pages).toBe(Math.ceil(all.totalCount / 2));
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
  });
});

// ---------------------------------------------------------------------------------------------
describe('secrets', () => {
  it('no response body held a password', () => {
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) for (const secret of SECRETS) expect(body).not.toContain(secret);
  });

  it('no table of the metadata store holds a password', async () => {
    const { rows: tables } = await tdm.store.sql.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by 1");
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['Connection', 'Schema', 'SchemaVersion', 'AuditLog']));
    const dump: string[] = [];
    for (const { name } of tables) {
      const { rows } = await tdm.store.sql.query<{ row: string }>(`select t::text as row from ${quoteQualified('public', name)} t`);
      dump.push(...rows.map((r) => `${name}: ${r.row}`));
    }
    const text = dump.join('\n');
    // The dump is real: it holds the stored connections and the audit trail of this run.
    expect(text).toContain('demo shop');
    expect(text).toMatch(/AuditLog: .*createConnection/);
    expect(text).toMatch(/AuditLog: .*discoverSchema/);
    for (const secret of SECRETS) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
  });

  it('nothing written to the console or stdout/stderr held a password', () => {
    const text = output.join('');
    expect(text).toContain('[tdm] metadata store: applied'); // the capture works
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
