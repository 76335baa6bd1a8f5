/**
 * The project's edge-shapes fixture (test/fixtures/edge-shapes.sql) loaded once per engine for a test
 * file, with lookups into the catalog read from it, for the readCatalog and catalogHash tests.
 */
import { readFile } from 'node:fs/promises';
import { readCatalog } from '../../src/catalog/read-catalog.ts';
import type { Catalog, ColumnDef, ForeignKeyDef, TableDef } from '../../src/catalog/types.ts';
import { openSqlClient } from '../../src/db/open.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { redactConnectionString } from '../../src/db/url.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './databases.ts';
import { loadSqlScript } from './load-sql.ts';

const EDGE_SHAPES = await readFile(new URL('../fixtures/edge-shapes.sql', import.meta.url), 'utf8');
export const SCHEMAS = ['public', 'Other Schema'];

export const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: catalog tests on PostgreSQL are SKIPPED`);

export type EngineName = 'pglite' | 'postgres';
export const engines: { name: EngineName; skip: boolean; create: () => Promise<TestDatabase> }[] = [
  { name: 'pglite', skip: false, create: () => createPgliteUrl() },
  { name: 'postgres', skip: !pgUp, create: () => createTestDatabase('catalog') },
];

export interface Loaded {
  db: TestDatabase;
  sql: SqlClient;
  /** Read right after loading, before any test changes the database. */
  catalog: Catalog;
}

// One database per engine for the whole file, loaded on first use; the cross-engine comparison at
// the end reuses the catalogs read at load time.
const loaded = new Map<EngineName, Promise<Loaded>>();
export function edgeShapes(engine: (typeof engines)[number]): Promise<Loaded> {
  let entry = loaded.get(engine.name);
  if (!entry) {
    entry = (async () => {
      const db = await engine.create();
      const sql = await openSqlClient(db.url);
      await loadSqlScript(sql, EDGE_SHAPES);
      return { db, sql, catalog: await readCatalog(sql, SCHEMAS) };
    })();
    loaded.set(engine.name, entry);
  }
  return entry;
}

/** Closes and drops the databases `edgeShapes` loaded; for the test file's afterAll. */
export async function closeEdgeShapes(): Promise<void> {
  for (const entry of loaded.values()) {
    const { db, sql } = await entry.catch(() => ({ db: undefined, sql: undefined }));
    await sql?.close();
    await db?.drop();
  }
}

export function table(catalog: Catalog, qualifiedName: string): TableDef {
  const t = catalog.tables.find((x) => `${x.schema}.${x.name}` === qualifiedName);
  if (!t) throw new Error(`table ${qualifiedName} is not in the catalog (${catalog.tables.map((x) => `${x.schema}.${x.name}`).join(', ')})`);
  return t;
}

export function column(catalog: Catalog, qualifiedName: string, name: string): ColumnDef {
  const t = table(catalog, qualifiedName);
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`column ${name} is not in ${qualifiedName} (${t.columns.map((x) => x.name).join(', ')})`);
  return c;
}

export function foreignKey(catalog: Catalog, qualifiedName: string, name: string): ForeignKeyDef {
  const fk = table(catalog, qualifiedName).foreignKeys.find((x) => x.name === name);
  if (!fk) throw new Error(`foreign key ${name} is not on ${qualifiedName}`);
  return fk;
}

/** The catalog without what legitimately differs between two servers holding the same structure. */
export function structureOf(catalog: Catalog) {
  return {
    schemas: catalog.schemas,
    enums: catalog.enums,
    domains: catalog.domains,
    sequences: catalog.sequences.map(({ lastValue: _lastValue, ...s }) => s),
    tables: catalog.tables.map(({ rowEstimate: _estimate, ...t }) => t),
  };
}

export const PUBLIC_TABLES = [
  'Bad Name 123!@#',
  'MixedCase',
  'audit_note',
  'carrier',
  'country',
  'depot',
  'employee',
  'event_log',
  'event_log_archive',
  'gadget',
  'invoice',
  'order_line',
  'player',
  'promotion',
  'reading',
  'reading_2024',
  'reading_2025',
  'shipment_item',
  'team',
  'vendor',
];
