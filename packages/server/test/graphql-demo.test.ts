/**
 * The GraphQL API end to end through `yoga.fetch` (no port) on the project's demo source: discovery
 * of tables, keys, types and row counts, the walk from a schema version to its tables, new versions
 * on change, several schemas, stored connections; then no password in any response, log line or
 * metadata row of the run.
 */
import { randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { openSqlClient } from '@tdm/core/db/open';
import { quoteQualified } from '@tdm/core/db/quote';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';
import {
  bodies,
  createConnection,
  createConnectionOk,
  discoverFails,
  discoverOk,
  dropLater,
  fkCount,
  fkOn,
  gql,
  graphqlApiSuite,
  output,
  SECRETS,
  type TableNode,
  table,
  tdm,
  type VersionNode,
} from './support/graphql-api.ts';

graphqlApiSuite();

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
