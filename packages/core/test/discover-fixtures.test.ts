/**
 * `tdm.discoverSchema` on the shared sample databases (pagila, sakila, chinook, world, edgecases):
 * each is loaded into a fresh database on the real PostgreSQL (pagila and chinook also on PGlite),
 * discovered into a PGlite metadata store, and checked against what PostgreSQL's own catalog says
 * (../shared/acceptance/expected-discover.jsonl) and against the shapes each sample is known for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogHash } from '../src/catalog/hash.ts';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog } from '../src/catalog/types.ts';
import { loadConfig } from '../src/config.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { createTdm, type DiscoverResult, type Tdm } from '../src/runtime.ts';
import { loadCatalog } from '../src/store/schema-store.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';
import { FIXTURES_DIR, type FixtureName, fixturesAvailable, loadFixture } from './support/load-sql.ts';
import { partitionsOnly, shapes, tablesOnly } from './support/sample-shapes.ts';

const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: discover-fixtures tests are SKIPPED`);
const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: discovering the samples on PostgreSQL is SKIPPED`);

/** One line of expected-discover.jsonl: counts taken from pg_catalog by the acceptance suite. */
interface Expected {
  fixture: FixtureName;
  schemas: string[];
  /** Tables that are neither declarative partitions nor INHERITS children. */
  tables: number;
  partitions: number;
  /** FKs declared on `tables`. */
  fks: number;
  fks_on_partitions: number;
  self_fks: number;
  composite_pk_tables: number;
  /** Rows of `tables`, partitions and children included. */
  rows: number;
}

// FIXTURES_DIR is `<shared>/fixtures` (or, through TDM_FIXTURES, its sourcedb/ folder).
const expectedFile = [
  join(FIXTURES_DIR, '..', 'acceptance', 'expected-discover.jsonl'),
  join(FIXTURES_DIR, '..', '..', 'acceptance', 'expected-discover.jsonl'),
].find((f) => existsSync(f));
const expected = new Map<string, Expected>(
  (expectedFile ? readFileSync(expectedFile, 'utf8') : '')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Expected)
    .map((e) => [e.fixture, e]),
);

if (haveFixtures && !expectedFile) console.warn('expected-discover.jsonl not found next to the fixtures: the comparison with its counts is SKIPPED');

type EngineName = 'postgres' | 'pglite';
const engineSkipped: Record<EngineName, boolean> = { postgres: !pgUp, pglite: false };

/** The figures of expected-discover.jsonl, computed from a discovered catalog. */
function countsOf(c: Catalog): Omit<Expected, 'fixture' | 'schemas'> {
  const tables = tablesOnly(c);
  return {
    tables: tables.length,
    partitions: partitionsOnly(c).length,
    fks: tables.reduce((n, t) => n + t.foreignKeys.length, 0),
    fks_on_partitions: partitionsOnly(c).reduce((n, t) => n + t.foreignKeys.length, 0),
    self_fks: c.tables.reduce((n, t) => n + t.foreignKeys.filter((fk) => fk.referencedSchema === t.schema && fk.referencedTable === t.name).length, 0),
    composite_pk_tables: tables.filter((t) => (t.primaryKey?.columns.length ?? 0) > 1).length,
    rows: tables.reduce((n, t) => n + (t.rowCount ?? 0), 0),
  };
}

/** A table without partitions or children in each sample, given a column to trigger a new version. */
const PROBE_TABLE: Record<FixtureName, string> = { pagila: 'actor', sakila: 'actor', chinook: 'artist', world: 'city', edgecases: 'company' };

const cases: { fixture: FixtureName; engine: EngineName }[] = [
  { fixture: 'pagila', engine: 'postgres' },
  { fixture: 'sakila', engine: 'postgres' },
  { fixture: 'chinook', engine: 'postgres' },
  { fixture: 'world', engine: 'postgres' },
  { fixture: 'edgecases', engine: 'postgres' },
  { fixture: 'pagila', engine: 'pglite' },
  { fixture: 'chinook', engine: 'pglite' },
];

interface Source {
  db: TestDatabase;
  /** A clean session on the loaded database, for the tests' own reads and changes. */
  sql: SqlClient;
}

/** A fresh database on `engine` with `fixture` loaded. */
async function loadSource(fixture: FixtureName, engine: EngineName): Promise<Source> {
  const db = engine === 'postgres' ? await createTestDatabase(`discover_${fixture}`) : await createPgliteUrl();
  const loader = await openSqlClient(db.url);
  try {
    await loadFixture(loader, fixture);
  } catch (err) {
    await loader.close();
    await db.drop();
    throw err;
  }
  // pg_dump scripts leave session settings behind (search_path = ''), and catalog text such as
  // defaults is printed relative to the search_path: reset them (PGlite is one shared session) or
  // leave the loading pool behind (PostgreSQL).
  if (engine === 'pglite') {
    await loader.exec('RESET ALL');
    return { db, sql: loader };
  }
  await loader.close();
  return { db, sql: await openSqlClient(db.url) };
}

const suite = `discoverSchema on the shared sample databases${haveFixtures ? '' : ` (SKIPPED: no sample databases under ${FIXTURES_DIR})`}`;
describe.skipIf(!haveFixtures)(suite, () => {
  let tdm: Tdm;
  let dataDir: string;
  let metadata: TestDatabase;
  const sources = new Map<string, Promise<Source>>();
  /** First version discovered per `${fixture}/${engine}`, for the comparison across engines. */
  const firstVersions = new Map<string, DiscoverResult>();

  beforeAll(async () => {
    // Start every load now: PostgreSQL loads run in the server while PGlite initialises and loads here.
    for (const { fixture, engine } of cases) {
      if (engineSkipped[engine]) continue;
      const loading = loadSource(fixture, engine);
      loading.catch(() => {}); // reported by the block that awaits it
      sources.set(`${fixture}/${engine}`, loading);
    }
    dataDir = await mkdtemp(join(tmpdir(), 'tdm-discover-'));
    metadata = await createPgliteUrl();
    tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir() }), databaseUrl: metadata.url }, { log: () => {} });
  });
  afterAll(async () => {
    // Blocks drop their own databases; this catches loads whose block never ran.
    for (const loading of sources.values()) {
      const source = await loading.catch(() => undefined);
      await source?.sql.close();
      await source?.db.drop();
    }
    await tdm?.close();
    await metadata?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  for (const { fixture, engine } of cases) {
    const skipped = engineSkipped[engine];
    describe.skipIf(skipped)(`${fixture} on ${engine}${skipped ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
      let source: TestDatabase;
      let sql: SqlClient;
      let first: DiscoverResult;
      /** The catalog document stored with the version. */
      let stored: Catalog;

      beforeAll(async () => {
        ({ db: source, sql } = await (sources.get(`${fixture}/${engine}`) as Promise<Source>));
        first = await tdm.discoverSchema({ connectionString: source.url, schemas: ['public'] });
        firstVersions.set(`${fixture}/${engine}`, first);
        stored = await loadCatalog(tdm.store.prisma, first.schemaVersionId);
      });
      afterAll(async () => {
        sources.delete(`${fixture}/${engine}`);
        await sql?.close();
        await source?.drop();
      });

      it.skipIf(!expected.has(fixture))("finds the counts of PostgreSQL's own catalog (expected-discover.jsonl)", () => {
        const e = expected.get(fixture) as Expected;
        expect(e.schemas).toEqual(['public']);
        const { tables, partitions, fks, fks_on_partitions, self_fks, composite_pk_tables, rows } = e;
        expect(countsOf(stored)).toEqual({ tables, partitions, fks, fks_on_partitions, self_fks, composite_pk_tables, rows });
        expect(first.version).toBe(1);
        expect(first.summary).toMatchObject({
          tables: e.tables,
          partitions: e.partitions,
          foreignKeys: e.fks + e.fks_on_partitions,
          rows: e.rows,
          reused: false,
        });
        expect(first.summary.database).toBe(engine === 'postgres' ? source.name : 'postgres');
      });

      it('stores TableMeta, ColumnMeta and Relationship rows matching the catalog', async () => {
        const prisma = tdm.store.prisma;
        // The stored version is what a fresh read of the source gives.
        const read = await readCatalog(sql, ['public']);
        const version = await prisma.schemaVersion.findUniqueOrThrow({ where: { id: first.schemaVersionId } });
        expect(version).toMatchObject({
          schemaId: first.schemaId,
          version: 1,
          contentHash: catalogHash(read),
          tableCount: read.tables.length,
          serverVersion: read.serverVersion,
        });
        expect(catalogHash(stored)).toBe(version.contentHash);

        const tables = await prisma.tableMeta.findMany({ where: { schemaVersionId: first.schemaVersionId }, orderBy: { position: 'asc' } });
        expect(tables.map((t) => [t.schemaName, t.name, t.partitionOf, t.partitionKind, t.primaryKey])).toEqual(
          read.tables.map((t) => [t.schema, t.name, t.partitionOf, t.partitionKind, t.primaryKey?.columns ?? []]),
        );
        expect(tables.map((t) => (t.rowCount === null ? null : Number(t.rowCount)))).toEqual(read.tables.map((t) => t.rowCount));

        const columns = await prisma.columnMeta.count({ where: { table: { schemaVersionId: first.schemaVersionId } } });
        expect(columns).toBe(read.tables.reduce((n, t) => n + t.columns.length, 0));
        expect(columns).toBe(first.summary.columns);

        const relationships = await prisma.relationship.findMany({
          where: { schemaVersionId: first.schemaVersionId },
          include: { fromTable: { select: { name: true } }, toTable: { select: { name: true } } },
        });
        const fromCatalog = read.tables.flatMap((t) =>
          t.foreignKeys.map((fk) => `${t.name}(${fk.columns.join(',')}) -> ${fk.referencedTable}(${fk.referencedColumns.join(',')})`),
        );
        expect(relationships.map((r) => `${r.fromTable.name}(${r.columns.join(',')}) -> ${r.toTable.name}(${r.referencedColumns.join(',')})`).sort()).toEqual(
          fromCatalog.sort(),
        );
        expect(relationships.filter((r) => r.selfReference).length).toBe(countsOf(read).self_fks);
      });

      for (const [title, check] of shapes[fixture]) it(title, () => check(stored));

      // Changes the source: keep it last.
      it('returns the same version when nothing changed, and version 2 after ADD COLUMN, keeping version 1', async () => {
        const prisma = tdm.store.prisma;
        // Stale counts and lastSeenAt: an unchanged rediscovery refreshes them on the same version.
        await prisma.tableMeta.updateMany({ where: { schemaVersionId: first.schemaVersionId }, data: { rowCount: -1, rowEstimate: -1 } });
        await prisma.schemaVersion.update({ where: { id: first.schemaVersionId }, data: { lastSeenAt: new Date(0) } });
        const again = await tdm.discoverSchema({ connectionString: source.url, schemas: ['public'] });
        expect(again).toMatchObject({ schemaVersionId: first.schemaVersionId, schemaId: first.schemaId, version: 1 });
        expect(again.summary.reused).toBe(true);
        const refreshed = await prisma.tableMeta.findMany({ where: { schemaVersionId: first.schemaVersionId }, orderBy: { position: 'asc' } });
        expect(refreshed.map((t) => (t.rowCount === null ? null : Number(t.rowCount)))).toEqual(stored.tables.map((t) => t.rowCount));
        expect(refreshed.every((t) => t.rowEstimate === null || t.rowEstimate >= 0n)).toBe(true);
        const seen = await prisma.schemaVersion.findUniqueOrThrow({ where: { id: first.schemaVersionId }, select: { lastSeenAt: true } });
        expect(seen.lastSeenAt.getTime()).toBeGreaterThan(0);
        // Concurrent rediscoveries of the unchanged source all land on the same version.
        const concurrent = await Promise.all(Array.from({ length: 4 }, () => tdm.discoverSchema({ connectionString: source.url, schemas: ['public'] })));
        expect(concurrent.map((d) => [d.schemaVersionId, d.version, d.summary.reused])).toEqual(concurrent.map(() => [first.schemaVersionId, 1, true]));

        const probe = PROBE_TABLE[fixture];
        await sql.exec(`ALTER TABLE public.${probe} ADD COLUMN tdm_probe integer`);
        const changed = await tdm.discoverSchema({ connectionString: source.url, schemas: ['public'] });
        expect(changed.schemaVersionId).not.toBe(first.schemaVersionId);
        expect(changed).toMatchObject({ schemaId: first.schemaId, version: 2 });
        expect(changed.summary).toMatchObject({ reused: false, tables: first.summary.tables, columns: first.summary.columns + 1 });

        const versions = await prisma.schemaVersion.findMany({
          where: { schemaId: first.schemaId },
          orderBy: { version: 'asc' },
          select: { id: true, version: true },
        });
        expect(versions).toEqual([
          { id: first.schemaVersionId, version: 1 },
          { id: changed.schemaVersionId, version: 2 },
        ]);
        const columnsOf = async (schemaVersionId: string) =>
          (await prisma.columnMeta.findMany({ where: { table: { schemaVersionId, name: probe } }, orderBy: { position: 'asc' } })).map((c) => c.name);
        const before = await columnsOf(first.schemaVersionId);
        expect(before).not.toContain('tdm_probe');
        expect(await columnsOf(changed.schemaVersionId)).toEqual([...before, 'tdm_probe']);
        expect(await prisma.tableMeta.count({ where: { schemaVersionId: first.schemaVersionId } })).toBe(stored.tables.length);
      });
    });
  }

  describe.skipIf(!pgUp)(`the same sample on PostgreSQL and PGlite${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
    it.each(['pagila', 'chinook'])('%s gives the same content hash on both engines', async (fixture) => {
      const versions = ['postgres', 'pglite'].map((engine) => firstVersions.get(`${fixture}/${engine}`));
      if (!versions[0] || !versions[1]) throw new Error(`${fixture} was not discovered on both engines`);
      const hashes = await Promise.all(
        versions.map(async (v) => (await tdm.store.prisma.schemaVersion.findUniqueOrThrow({ where: { id: v?.schemaVersionId as string } })).contentHash),
      );
      expect(hashes[0]).toBe(hashes[1]);
      // Different sources, so different schemas in the store.
      expect(versions[0].schemaId).not.toBe(versions[1].schemaId);
    });
  });
});
