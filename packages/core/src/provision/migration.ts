/**
 * The evolution report of a target against a dataset version's schema, and the migration script
 * that brings the target over: ordered statements in one transaction, idempotent where PostgreSQL
 * allows (IF [NOT] EXISTS, constraints dropped before they are added), destructive ones marked.
 */
import { readCatalogInTransaction } from '../catalog/read-catalog.ts';
import type { Catalog } from '../catalog/types.ts';
import type { TableRef } from '../dataset/types.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { diffSchemas } from './evolution.ts';
import type { PlannedChange, SchemaEvolution } from './evolution-types.ts';
import { type DatasetObjects, datasetObjects } from './objects.ts';

export interface MigrationScript {
  /** psql-ready: BEGIN … COMMIT. */
  sql: string;
  destructive: boolean;
  /** Statements between BEGIN and COMMIT, settings excluded. */
  statements: number;
}

/** Reads the target's live schema (the dataset's schemas that exist there) inside `tx`. */
export async function readLiveCatalog(tx: SqlClient, schemas: string[]): Promise<Catalog> {
  const { rows } = await tx.query<{ name: string }>('select nspname as name from pg_namespace where nspname = any($1::text[])', [schemas]);
  const existing = schemas.filter((s) => rows.some((r) => r.name === s));
  return readCatalogInTransaction(tx, existing, { exactCounts: false });
}

/** The evolution of `target` towards the dataset's objects, read in a transaction of `tx` (rolled back: nothing changes). */
export async function evolutionOf(target: SqlClient, catalog: Catalog, tables?: TableRef[]): Promise<{ evolution: SchemaEvolution; objects: DatasetObjects }> {
  const objects = datasetObjects(catalog, tables);
  const evolution = await target.transaction(async (tx) => {
    await tx.query('set transaction read only');
    await tx.query(`select set_config('search_path', 'pg_catalog', true)`);
    return evolutionIn(tx, objects, catalog);
  });
  return { evolution, objects };
}

/** The evolution inside a transaction already set to search_path = pg_catalog. */
export async function evolutionIn(tx: SqlClient, objects: DatasetObjects, catalog: Catalog): Promise<SchemaEvolution> {
  const schemas = [...new Set([...objects.schemas, ...(objects.extras.full ? catalog.schemas : [])])];
  const live = await readLiveCatalog(tx, schemas);
  return diffSchemas(live, objects, catalog);
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').slice(0, 300);

function describe(c: PlannedChange): string {
  const where = [c.schema, c.table, c.table === c.name ? null : c.name].filter((x) => x !== null).join('.');
  return `-- ${c.destructive ? 'DESTRUCTIVE ' : ''}${c.kind} ${where}: ${oneLine(c.detail)}`;
}

/** The migration script of an evolution; an evolution without changes gives an empty transaction. */
export function writeMigration(evolution: SchemaEvolution, header?: string): MigrationScript {
  const lines: string[] = [];
  if (header) lines.push(...header.split('\n').map((l) => `-- ${l}`));
  lines.push(
    `-- ${evolution.changes.length} changes${evolution.destructive ? ', some DESTRUCTIVE (marked below)' : ''}. Names are schema-qualified; run it with psql -v ON_ERROR_STOP=1.`,
    'BEGIN;',
    // Like pg_dump's scripts: routine bodies may name objects created further down.
    'SET LOCAL check_function_bodies = false;',
    'SET LOCAL search_path = pg_catalog;',
  );
  let statements = 0;
  for (const c of evolution.changes) {
    lines.push('', describe(c));
    for (const s of c.sql) {
      lines.push(`${s};`);
      statements++;
    }
  }
  lines.push('', 'COMMIT;', '');
  return { sql: lines.join('\n'), destructive: evolution.destructive, statements };
}

/** Runs an evolution's statements inside `tx` (the caller's transaction), in order. */
export async function applyEvolution(tx: SqlClient, evolution: SchemaEvolution, run: (tx: SqlClient, statements: string[]) => Promise<void>): Promise<void> {
  await tx.query(`select set_config('check_function_bodies', 'false', true)`);
  await run(
    tx,
    evolution.changes.flatMap((c) => c.sql),
  );
}
