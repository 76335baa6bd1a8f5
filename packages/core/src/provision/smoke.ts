/**
 * Smoke tests of a provisioned dataset, run in the provisioning transaction so a failure can still
 * roll everything back: each table holds the rows the manifest promises, every foreign key holds
 * (checked by real NOT EXISTS queries, as /work/shared/acceptance/fk-violations.sql does, so
 * nothing that bypassed triggers can hide a broken key), and every sequence is ahead of its ids.
 */
import type { ForeignKeyDef, TableDef } from '../catalog/types.ts';
import type { DatasetManifest } from '../dataset/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { provisionedForeignKeys } from './ddl.ts';
import { type DatasetObjects, tableKey } from './objects.ts';
import { checkSequences, type SequenceCheck } from './sequences.ts';

export interface SmokeReport {
  passed: boolean;
  rowCounts: { table: string; expected: number; actual: number }[];
  /** One entry per foreign key; keys the source left NOT VALID are reported but do not fail the test. */
  fkViolations: { fk: string; table: string; violations: number; notValid?: boolean }[];
  sequences: SequenceCheck[];
}

/**
 * One sentence per failed check of a smoke report (empty when it passed): what the API shows beside
 * the counts, so no client re-derives it. Foreign keys the source left NOT VALID never count.
 */
export function smokeFailures(smoke: SmokeReport): string[] {
  return [
    ...smoke.rowCounts.filter((c) => c.expected !== c.actual).map((c) => `${c.table} has ${c.actual} rows, expected ${c.expected}`),
    ...smoke.fkViolations.filter((f) => !f.notValid && f.violations > 0).map((f) => `${f.fk}: ${f.violations} violating rows`),
    ...smoke.sequences.filter((s) => !s.ok).map((s) => `sequence ${s.sequence} is not past ${s.maxValue}`),
  ];
}

/** `only` where PostgreSQL itself reads one table: not on a partitioned table, whose rows live in its partitions. */
const from = (t: TableDef) => `${t.kind === 'PARTITIONED_TABLE' ? '' : 'only '}${quoteQualified(t.schema, t.name)}`;

export function fkViolationQuery(table: TableDef, fk: ForeignKeyDef, referenced: TableDef): string {
  const child = fk.columns.map((c) => `c.${quoteIdent(c)}`);
  const parent = fk.referencedColumns.map((c) => `p.${quoteIdent(c)}`);
  const allSet = child.map((c) => `${c} is not null`).join(' and ');
  const missing = `(${allSet} and not exists (select 1 from ${from(referenced)} p where (${parent.join(', ')}) = (${child.join(', ')})))`;
  // MATCH FULL also forbids a key that is only partly NULL.
  const partial = fk.matchType === 'FULL' && child.length > 1 ? ` or num_nulls(${child.join(', ')}) between 1 and ${child.length - 1}` : '';
  return `select count(*)::int8::text as n from ${from(table)} c where ${missing}${partial}`;
}

/**
 * Row counts: a table's own rows (FROM ONLY). A partitioned table owns none, so its count is the
 * rows under it that no provisioned partition accounts for (rows the dataset gave the parent).
 */
async function rowCounts(tx: SqlClient, objects: DatasetObjects, manifest: DatasetManifest): Promise<SmokeReport['rowCounts']> {
  const own = new Map<TableDef, number>();
  const total = new Map<TableDef, number>();
  for (const t of objects.tables) {
    const { rows } = await tx.query<{ own: string; total: string }>(
      `select (select count(*) from only ${quoteQualified(t.schema, t.name)})::int8::text as own, (select count(*) from ${quoteQualified(t.schema, t.name)})::int8::text as total`,
    );
    own.set(t, Number(rows[0]?.own ?? 0));
    total.set(t, Number(rows[0]?.total ?? 0));
  }
  // Only descendants the dataset loads directly hold rows of their own; the others hold rows routed from the parent.
  const inManifest = new Set(manifest.tables.map(tableKey));
  const descendants = (p: TableDef): TableDef[] => objects.tables.filter((t) => t !== p && inManifest.has(tableKey(t)) && isUnder(objects, t, p));
  const byKey = new Map(objects.tables.map((t) => [tableKey(t), t]));
  return manifest.tables.map((m) => {
    const t = byKey.get(tableKey(m)) as TableDef;
    const actual =
      t.kind === 'PARTITIONED_TABLE'
        ? (total.get(t) ?? 0) - descendants(t).reduce((n, d) => n + (d.kind === 'PARTITIONED_TABLE' ? 0 : (own.get(d) ?? 0)), 0)
        : (own.get(t) ?? 0);
    return { table: tableKey(m), expected: m.rowCount, actual };
  });
}

function isUnder(objects: DatasetObjects, table: TableDef, ancestor: TableDef): boolean {
  for (let p = objects.parentOf.get(table); p; p = objects.parentOf.get(p)) if (p === ancestor) return true;
  return false;
}

export async function runSmokeTests(tx: SqlClient, objects: DatasetObjects, manifest: DatasetManifest): Promise<SmokeReport> {
  const counts = await rowCounts(tx, objects, manifest);
  const byKey = new Map(objects.tables.map((t) => [tableKey(t), t]));
  const fkViolations: SmokeReport['fkViolations'] = [];
  for (const { table, fk } of provisionedForeignKeys(objects)) {
    const referenced = byKey.get(`${fk.referencedSchema}.${fk.referencedTable}`) as TableDef;
    const { rows } = await tx.query<{ n: string }>(fkViolationQuery(table, fk, referenced));
    fkViolations.push({
      fk: `${tableKey(table)}.${fk.name}`,
      table: tableKey(table),
      violations: Number(rows[0]?.n ?? 0),
      ...(fk.notValid ? { notValid: true } : {}),
    });
  }
  const sequences = await checkSequences(tx, objects.sequences);
  const passed = counts.every((c) => c.expected === c.actual) && fkViolations.every((f) => f.notValid || f.violations === 0) && sequences.every((s) => s.ok);
  return { passed, rowCounts: counts, fkViolations, sequences };
}
