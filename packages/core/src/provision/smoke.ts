/**
 * Smoke tests of a provisioned dataset, run in the provisioning transaction so a failure can still
 * roll everything back: each table holds the rows the manifest promises, every foreign key holds
 * (checked by real NOT EXISTS queries, as /work/shared/acceptance/fk-violations.sql does, so
 * nothing that bypassed triggers can hide a broken key), and every sequence is ahead of its ids.
 * A key the same transaction added validated after the load was checked row by row by PostgreSQL
 * as it was added (the rows cannot have changed since): it is reported, not queried again.
 */
import type { ForeignKeyDef, TableDef } from '../catalog/types.ts';
import type { DatasetManifest } from '../dataset/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { provisionedForeignKeys } from './ddl.ts';
import { type DatasetObjects, tableKey } from './objects.ts';
import { checkSequences, type Extremes, type SequenceCheck } from './sequences.ts';

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

/** Row counts or foreign-key checks per query (each a scalar subquery of one SELECT). */
const CHECKS_PER_QUERY = 50;

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
  // Many tables per query: one round trip per batch, not per table.
  for (let i = 0; i < objects.tables.length; i += CHECKS_PER_QUERY) {
    const batch = objects.tables.slice(i, i + CHECKS_PER_QUERY);
    const { rows } = await tx.query<Record<string, string>>(
      `select ${batch
        .map(
          (t, k) =>
            `(select count(*) from only ${quoteQualified(t.schema, t.name)})::int8::text as o${k}, (select count(*) from ${quoteQualified(t.schema, t.name)})::int8::text as t${k}`,
        )
        .join(', ')}`,
    );
    for (const [k, t] of batch.entries()) {
      own.set(t, Number(rows[0]?.[`o${k}`] ?? 0));
      total.set(t, Number(rows[0]?.[`t${k}`] ?? 0));
    }
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

/** Rows violating each of `keys`, counted by NOT EXISTS queries: many keys per query (each a scalar subquery), one round trip per batch. */
async function violations(tx: SqlClient, keys: { table: TableDef; fk: ForeignKeyDef }[], byKey: Map<string, TableDef>): Promise<Map<ForeignKeyDef, number>> {
  const out = new Map<ForeignKeyDef, number>();
  for (let i = 0; i < keys.length; i += CHECKS_PER_QUERY) {
    const batch = keys.slice(i, i + CHECKS_PER_QUERY);
    const checks = batch.map(({ table, fk }, k) => {
      const referenced = byKey.get(`${fk.referencedSchema}.${fk.referencedTable}`) as TableDef;
      return `(${fkViolationQuery(table, fk, referenced)}) as v${k}`;
    });
    const { rows } = await tx.query<Record<string, string>>(`select ${checks.join(', ')}`);
    for (const [k, { fk }] of batch.entries()) out.set(fk, Number(rows[0]?.[`v${k}`] ?? 0));
  }
  return out;
}

/** What the provisioning transaction established already, so the smoke tests need not query it again. */
export interface SmokeKnown {
  /** Foreign keys PostgreSQL validated as this transaction added them, after the load: none of their rows can violate them. */
  validated?: ReadonlySet<ForeignKeyDef>;
  /** The sequences' column extremes, read by `syncSequences` in this transaction. */
  extremes?: Extremes;
}

export async function runSmokeTests(tx: SqlClient, objects: DatasetObjects, manifest: DatasetManifest, known: SmokeKnown = {}): Promise<SmokeReport> {
  const counts = await rowCounts(tx, objects, manifest);
  const byKey = new Map(objects.tables.map((t) => [tableKey(t), t]));
  const all = provisionedForeignKeys(objects);
  const counted = await violations(
    tx,
    all.filter(({ fk }) => !known.validated?.has(fk)),
    byKey,
  );
  const fkViolations: SmokeReport['fkViolations'] = all.map(({ table, fk }) => ({
    fk: `${tableKey(table)}.${fk.name}`,
    table: tableKey(table),
    violations: counted.get(fk) ?? 0,
    ...(fk.notValid ? { notValid: true } : {}),
  }));
  const sequences = await checkSequences(tx, objects.sequences, known.extremes);
  const passed = counts.every((c) => c.expected === c.actual) && fkViolations.every((f) => f.notValid || f.violations === 0) && sequences.every((s) => s.ok);
  return { passed, rowCounts: counts, fkViolations, sequences };
}
