/**
 * The SQL fragments of a subset execution: each planned table's work record and how its rows, its
 * key table and its foreign keys are named in the statements of `select.ts` and `stream.ts`.
 */
import type { ColumnDef, TableDef } from '../catalog/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { PlannedForeignKey, PlannedTable } from './planner.ts';

/** One planned table being executed. */
export interface Work {
  plan: PlannedTable;
  def: TableDef;
  /** Data columns: catalog order, generated ones left out. */
  columns: ColumnDef[];
  keyTable: string;
  /** Source column (or `ctid` / `tableoid`) → key table column. */
  keyColumns: Map<string, string>;
  rows: number;
  /**
   * Every row of the table is chosen (no filter, a cap at or above its row count in the snapshot):
   * its key table stays empty and statements read the table itself instead.
   */
  whole: boolean;
  /**
   * A whole table taken on the catalog's word that it has at most this many rows (its cap), not
   * counted: it is read up to one row more, and selected and read again as a capped table if that
   * row comes. Null when the table was counted, or has no cap.
   */
  verifyCap: number | null;
}

export const from = (w: Work) => `${w.plan.only ? 'ONLY ' : ''}${quoteQualified(w.def.schema, w.def.name)}`;

export function isSystem(w: Work, column: string): boolean {
  return w.plan.key.kind === 'ctid' && (column === 'ctid' || column === 'tableoid');
}

export function col(w: Work, alias: string, column: string): string {
  return isSystem(w, column) ? `${alias}.${column}` : `${alias}.${quoteIdent(column)}`;
}

export function keyCol(w: Work, column: string): string {
  const k = w.keyColumns.get(column);
  if (!k) throw new Error(`internal: ${w.plan.qualified} has no key column for ${column}`);
  return k;
}

/** The key table's columns, in order, as expressions over the source table under `alias`. */
export function keyExprs(w: Work, alias: string): string {
  return [...w.keyColumns.keys()].map((c) => col(w, alias, c)).join(', ');
}

export const keyList = (w: Work) => [...w.keyColumns.values()].join(', ');

/** `q.k0 = p."id" AND …` over the row key. */
export function sameKey(w: Work, keyAlias: string, sourceAlias: string): string {
  return w.plan.key.columns.map((c) => `${keyAlias}.${keyCol(w, c)} = ${col(w, sourceAlias, c)}`).join(' AND ');
}

/** Column `column` of `w` under `alias`, in its key table (`inKeys`) or in the table itself. */
export function ref(w: Work, alias: string, column: string, inKeys: boolean): string {
  return inKeys ? `${alias}.${keyCol(w, column)}` : col(w, alias, column);
}

/** The chosen rows of `w` under `alias`: its key table, or the table itself when every row is chosen. */
export function chosen(w: Work, alias: string): string {
  return w.whole ? `${from(w)} ${alias}` : `${w.keyTable} ${alias}`;
}

export function fkMatch(
  child: Work,
  childAlias: string,
  childIsKeyTable: boolean,
  parent: Work,
  parentAlias: string,
  parentIsKeyTable: boolean,
  fk: PlannedForeignKey,
): string {
  return fk.columns
    .map((c, i) => `${ref(child, childAlias, c, childIsKeyTable)} = ${ref(parent, parentAlias, fk.referencedColumns[i] as string, parentIsKeyTable)}`)
    .join(' AND ');
}
