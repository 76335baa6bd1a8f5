/**
 * The SDK against a running server on a real port: `TdmClient` resources, the pinned shape of a
 * discovered schema version, and the typed error hierarchy (domain, network) without credentials.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { redactConnectionString } from '@tdm/core/db/url';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../../core/test/support/databases.ts';
import { FIXTURES_DIR, type FixtureName, fixturesAvailable, loadFixture } from '../../core/test/support/load-sql.ts';
import {
  ConnectionError,
  InvalidConnectionStringError,
  InvalidInputError,
  NotFoundError,
  PathNotAllowedError,
  SchemaNotFoundError,
  type SchemaVersion,
  TdmClient,
  TdmDomainError,
  TdmError,
  TdmNetworkError,
} from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: PostgreSQL SDK tests are SKIPPED`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: fixture SDK tests are SKIPPED`);

const SECRET = 'SeCrEt-Pw-123';
const CONN_SECRET = 'Sdk-Conn-Pw-789';

/** Runs `call`, expects it to throw, and checks that no form of the error shows a password. */
async function thrown(call: Promise<unknown>): Promise<TdmError> {
  const err = await call.then(
    () => {
      throw new Error('expected the call to throw');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TdmError);
  const e = err as TdmError;
  for (const text of [e.message, String(e), JSON.stringify(e), e.stack ?? '', inspect(e, { depth: 5 })]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(CONN_SECRET);
  }
  return e;
}

function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

type TableShape = SchemaVersion['tables'][number];
const table = (v: SchemaVersion, name: string): TableShape => {
  const t = v.tables.find((x) => x.schema === 'public' && x.name === name);
  if (!t) throw new Error(`table ${name} missing from ${v.tables.map((x) => x.name).join(', ')}`);
  return t;
};

/** The pinned result shape of `tdm.schemas.discover`: these fields, with these types. */
function expectPinnedShape(v: SchemaVersion): void {
  expect(v.id).toEqual(expect.any(String));
  expect(v.tables.length).toBeGreaterThan(0);
  for (const t of v.tables) {
    expect(t).toMatchObject({
      schema: expect.any(String),
      name: expect.any(String),
      primaryKey: expect.any(Array),
      columns: expect.any(Array),
      foreignKeys: expect.any(Array),
    });
    expect(t.partitionOf === null || typeof t.partitionOf === 'string').toBe(true);
    expect(t.rowCount === null || typeof t.rowCount === 'number').toBe(true);
    expect(t.columns.length).toBeGreaterThan(0);
    for (const c of t.columns) expect(c).toMatchObject({ name: expect.any(String), dataType: expect.any(String), nullable: expect.any(Boolean) });
    for (const k of t.foreignKeys) {
      expect(k).toMatchObject({
        name: expect.any(String),
        columns: expect.any(Array),
        referencedSchema: expect.any(String),
        referencedTable: expect.any(String),
        referencedColumns: expect.any(Array),
      });
      expect(k.referencedColumns).toHaveLength(k.columns.length);
    }
  }
}

let dataDir: string;
let tdm: Tdm;
let app: App;
let client: TdmClient;
const dropLater: TestDatabase[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-sdk-test-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }));
  app = createApp(tdm);
  const port = await app.start(0, '127.0.0.1');
  client = new TdmClient({ url: `http://127.0.0.1:${port}/graphql` });
});

afterAll(async () => {
  await app?.stop();
  await tdm?.close();
  for (const db of dropLater) await db.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
describe('on the demo source (no shared fixtures needed)', () => {
  let demo: TestDatabase;
  let sql: SqlClient | undefined; // keeps the PGlite instance up between calls
  let discovered: SchemaVersion;

  beforeAll(async () => {
    demo = await createPgliteUrl();
    dropLater.push(demo);
    sql = await openSqlClient(demo.url);
    await seedDemoSource(sql, { customers: 30, products: 15, orders: 40 });
  });
  afterAll(async () => {
    await sql?.close();
  });

  it('schemas.discover returns the pinned shape with the source’s tables and keys', async () => {
    discovered = await client.schemas.discover({ connectionString: demo.url });
    expectPinnedShape(discovered);
    expect(discovered.tables).toHaveLength(9);
    expect(table(discovered, 'customer')).toMatchObject({ partitionOf: null, rowCount: 30, primaryKey: ['customer_id'] });
    expect(table(discovered, 'product_category').primaryKey).toEqual(['product_id', 'category_id']);
    expect(table(discovered, 'employee').foreignKeys).toEqual([
      expect.objectContaining({ columns: ['manager_id'], referencedSchema: 'public', referencedTable: 'employee', referencedColumns: ['employee_id'] }),
    ]);
    expect(table(discovered, 'customer').columns.find((c) => c.name === 'phone')).toMatchObject({ dataType: 'character varying(32)', nullable: true });
  });

  it('schemas.list and schemas.get return what was discovered', async () => {
    const listed = await client.schemas.list();
    const summary = listed.find((s) => s.latestVersion?.id === discovered.id);
    expect(summary).toMatchObject({ sourceUrl: demo.url, schemaNames: ['public'], latestVersion: { version: 1, tableCount: 9 } });
    expect(await client.schemas.get(discovered.id)).toEqual(discovered);
  });

  it('schemas.get of an unknown id throws NotFoundError', async () => {
    const err = await thrown(client.schemas.get(randomUUID()));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('NOT_FOUND');
  });

  it('an unknown schema throws SchemaNotFoundError with `missing`', async () => {
    const err = await thrown(client.schemas.discover({ connectionString: demo.url, schemas: ['public', 'nope', 'nada'] }));
    expect(err).toBeInstanceOf(SchemaNotFoundError);
    expect(err).toBeInstanceOf(TdmDomainError);
    expect(err.code).toBe('SCHEMA_NOT_FOUND');
    expect((err as SchemaNotFoundError).missing).toEqual(['nope', 'nada']);
    expect(err.message).toMatch(/"nope", "nada" not found/);
  });

  it('a call after the script spent 6 s without yielding reuses its idle connection', async () => {
    await client.schemas.list();
    // A synchronous pause (like a script running psql with execSync) keeps the client from closing its
    // idle socket; the server must not close it first.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6_000);
    expect((await client.schemas.list()).length).toBeGreaterThan(0);
  });

  it('connections.create + list, and discover through the connection', async () => {
    const conn = await client.connections.create({ name: 'sdk demo', connectionString: demo.url });
    expect(conn).toMatchObject({ name: 'sdk demo', kind: 'PGLITE', url: demo.url, passwordStorage: 'NONE' });
    expect((await client.connections.list()).map((c) => c.id)).toContain(conn.id);
    const v = await client.schemas.discover({ connectionId: conn.id });
    expect(v.id).toBe(discovered.id);
  });
});

// ---------------------------------------------------------------------------------------------
describe('typed errors', () => {
  it('a closed port throws ConnectionError HOST_UNREACHABLE, without the password', async () => {
    const err = await thrown(client.schemas.discover({ connectionString: `postgresql://u:${SECRET}@127.0.0.1:1/db` }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toBeInstanceOf(TdmDomainError);
    expect(err).toBeInstanceOf(TdmError);
    expect(err).not.toBeInstanceOf(TdmNetworkError);
    expect(err.code).toBe('HOST_UNREACHABLE');
    expect((err as ConnectionError).typename).toBe('ConnectionError');
    expect(err.name).toBe('ConnectionError');
    expect(err.message).toContain('127.0.0.1:1');
  });

  it('a malformed connection string throws InvalidConnectionStringError; conflicting input InvalidInputError', async () => {
    const bad = await thrown(client.schemas.discover({ connectionString: `mysql://u:${SECRET}@x/y` }));
    expect(bad).toBeInstanceOf(InvalidConnectionStringError);
    expect(bad.code).toBe('INVALID_CONNECTION_STRING');
    const both = await thrown(client.schemas.discover({ connectionString: 'pglite:memory', connectionId: randomUUID() }));
    expect(both).toBeInstanceOf(InvalidInputError);
    expect(both.code).toBe('INVALID_INPUT');
  });

  it('a pglite directory outside the allowed roots throws PathNotAllowedError with its `path`', async () => {
    const err = await thrown(client.schemas.discover({ connectionString: 'pglite:///srv/tdm-not-allowed' }));
    expect(err).toBeInstanceOf(PathNotAllowedError);
    expect(err.code).toBe('PATH_NOT_ALLOWED');
    expect((err as PathNotAllowedError).path).toBe('/srv/tdm-not-allowed');
  });

  it('a server that cannot be reached throws TdmNetworkError', async () => {
    const offline = new TdmClient({ url: 'http://127.0.0.1:1/graphql' });
    const err = await thrown(offline.schemas.list());
    expect(err).toBeInstanceOf(TdmNetworkError);
    expect(err).not.toBeInstanceOf(TdmDomainError);
    expect(err.code).toBe('NETWORK');
    expect(err.message).toContain('http://127.0.0.1:1/graphql');

    // Credentials in the API URL itself are redacted too.
    const withCredentials = new TdmClient({ url: `http://admin:${SECRET}@127.0.0.1:1/graphql` });
    const err2 = await thrown(withCredentials.connections.list());
    expect(err2).toBeInstanceOf(TdmNetworkError);
    expect(err2.message).toContain('admin:***@127.0.0.1:1');
  });
});

// ---------------------------------------------------------------------------------------------
const fixtureSkip = !pgUp ? ' (SKIPPED: PostgreSQL not reachable)' : haveFixtures ? '' : ` (SKIPPED: no fixtures under ${FIXTURES_DIR})`;
describe.skipIf(!pgUp || !haveFixtures)(`pagila and chinook on PostgreSQL${fixtureSkip}`, () => {
  const dbs = new Map<FixtureName, TestDatabase>();
  const db = (name: FixtureName) => dbs.get(name) as TestDatabase;
  let pagila: SchemaVersion;
  let chinook: SchemaVersion;

  beforeAll(async () => {
    await Promise.all(
      (['pagila', 'chinook'] as const).map(async (fixture) => {
        const created = await createTestDatabase(`sdk_${fixture}`);
        dropLater.push(created);
        dbs.set(fixture, created);
        const sql = await openSqlClient(created.url, { poolSize: 1 });
        try {
          await loadFixture(sql, fixture);
        } finally {
          await sql.close();
        }
      }),
    );
  });

  it('discover pagila: 15 tables + 7 partitions of public.payment, 36 foreign keys', async () => {
    pagila = await client.schemas.discover({ connectionString: db('pagila').url, schemas: ['public'] });
    expectPinnedShape(pagila);
    const partitions = pagila.tables.filter((t) => t.partitionOf !== null);
    expect(pagila.tables.length - partitions.length).toBe(15);
    expect(partitions.map((t) => t.partitionOf)).toEqual(Array(7).fill('public.payment'));
    expect(pagila.tables.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(36);
    expect(table(pagila, 'rental')).toMatchObject({ rowCount: 16044, primaryKey: ['rental_id'] });
    expect(
      table(pagila, 'payment_p2022_01')
        .foreignKeys.map((k) => `${k.columns.join()}→${k.referencedTable}(${k.referencedColumns.join()})`)
        .sort(),
    ).toEqual(['customer_id→customer(customer_id)', 'rental_id→rental(rental_id)', 'staff_id→staff(staff_id)']);
    expect(table(pagila, 'film').columns.find((c) => c.name === 'title')).toEqual(
      expect.objectContaining({ name: 'title', dataType: 'text', nullable: false }),
    );
  });

  it('discover chinook (password in the URL): employee.reports_to → employee, 11 tables', async () => {
    // The server trusts 127.0.0.1, so the password connects; it must not come back.
    chinook = await client.schemas.discover({ connectionString: urlAs(db('chinook').url, 'postgres', SECRET) });
    expectPinnedShape(chinook);
    expect(JSON.stringify(chinook)).not.toContain(SECRET);
    expect(chinook.schema.sourceUrl).toBe(db('chinook').url);
    expect(chinook.tables).toHaveLength(11);
    expect(table(chinook, 'employee').foreignKeys).toEqual([
      expect.objectContaining({ columns: ['reports_to'], referencedSchema: 'public', referencedTable: 'employee', referencedColumns: ['employee_id'] }),
    ]);
    expect(table(chinook, 'playlist_track').primaryKey).toEqual(['playlist_id', 'track_id']);
    expect(table(chinook, 'track').rowCount).toBe(3503);
  });

  it('list and get include both', async () => {
    const latest = (await client.schemas.list()).map((s) => s.latestVersion?.id);
    expect(latest).toEqual(expect.arrayContaining([pagila.id, chinook.id]));
    expect(await client.schemas.get(pagila.id)).toEqual(pagila);
    expect((await client.schemas.get(chinook.id)).tables.map((t) => t.name)).toEqual(chinook.tables.map((t) => t.name));
  });

  it('connections.create stores the password encrypted; discover by connectionId uses it', async () => {
    const conn = await client.connections.create({ name: 'sdk chinook', connectionString: urlAs(db('chinook').url, 'postgres', CONN_SECRET) });
    expect(conn).toMatchObject({ name: 'sdk chinook', kind: 'POSTGRES', passwordStorage: 'ENCRYPTED', url: db('chinook').url });
    expect(JSON.stringify(conn)).not.toContain(CONN_SECRET);
    const listed = await client.connections.list();
    expect(listed.find((c) => c.id === conn.id)).toEqual(conn);
    expect(JSON.stringify(listed)).not.toContain(CONN_SECRET);
    const v = await client.schemas.discover({ connectionId: conn.id });
    expect(v.id).toBe(chinook.id);
  });

  it('a missing database throws ConnectionError DATABASE_NOT_FOUND', async () => {
    const missing = `${db('chinook').name}_gone`;
    const url = new URL(db('chinook').url);
    url.pathname = `/${missing}`;
    const err = await thrown(client.schemas.discover({ connectionString: urlAs(url.toString(), 'postgres', SECRET) }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('DATABASE_NOT_FOUND');
    expect(err.message).toContain(missing);
  });
});
