/**
 * The GraphQL API on the shared sample databases on the real PostgreSQL (when both are present):
 * tables, partitions, keys and row counts of each, their odd corners, new versions on change, and
 * stored connections with an encrypted password or one named by an environment variable.
 */
import { openSqlClient } from '@tdm/core/db/open';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../core/test/support/databases.ts';
import { FIXTURES_DIR, type FixtureName, loadFixture } from '../../core/test/support/load-sql.ts';
import {
  CONN_SECRET,
  createConnectionOk,
  discoverFails,
  discoverOk,
  dropLater,
  fkCount,
  fkOn,
  gql,
  graphqlApiSuite,
  haveFixtures,
  pgUp,
  SECRET,
  table,
  tdm,
  urlAs,
  type VersionNode,
} from './support/graphql-api.ts';

graphqlApiSuite();

// ---------------------------------------------------------------------------------------------
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
