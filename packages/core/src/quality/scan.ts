/**
 * One pass over one table of a dataset version, a row group at a time: every column profiled, keys
 * counted for duplicate and orphan checks (in memory, or spilled to disk past the report's key
 * budget: keys.ts), rows handed to the CHECK evaluator, and — for a
 * masked dataset — the input dataset's table read in step, to profile it as the reference and to
 * count masked values still equal to the input's.
 */
import type { Catalog, TableDef } from '../catalog/types.ts';
import type { DatasetColumn, TextRow } from '../dataset/types.ts';
import { resolveType } from '../synthetic/schema/column-type.ts';
import type { TableCheckRunner } from './checks.ts';
import { consistencyCheck, typeConstraintCheck } from './formats.ts';
import type { KeyBag, KeySpace } from './keys.ts';
import { ColumnProfile } from './profile.ts';
import { hash53 } from './sketch.ts';

const EMPTY_CATALOG: Catalog = { database: '', serverVersion: '', schemas: [], enums: [], domains: [], sequences: [], tables: [] };

/** A key to collect: column positions; rows with a NULL in it are left out unless `nullsNotDistinct`. */
export interface KeySpec {
  id: string;
  columns: number[];
  nullsNotDistinct?: boolean;
}

export interface TableScan {
  rowCount: number;
  profiles: ColumnProfile[];
  keys: Map<string, KeyBag>;
  /** Masked datasets: the input's profiles (the reference) and the masked columns' leaks. */
  reference: ColumnProfile[] | null;
  leaks: { column: string; compared: number; equal: number }[];
}

export interface ScanOptions {
  columns: DatasetColumn[];
  table: TableDef | null;
  catalog: Catalog | null;
  keys: KeySpec[];
  /** Where the keys are counted (and spilled): one per report, shared by its tables. */
  keySpace: KeySpace;
  checks: TableCheckRunner | null;
  /** The input dataset's rows of the same table, same order (masking keeps rows in place). */
  parentRows?: AsyncIterable<TextRow[]> | null;
  /** Positions of the columns masking transformed. */
  maskedColumns?: number[];
  signal?: AbortSignal;
}

/** Profiles of a table's columns with the checks their types and NOT NULL imply. */
export function columnProfiles(columns: DatasetColumn[], table: TableDef | null, catalog: Catalog | null, seed: number): ColumnProfile[] {
  return columns.map((c, i) => {
    const type = resolveType(catalog ?? EMPTY_CATALOG, c.pgType);
    const def = table?.columns.find((x) => x.name === c.name);
    const notNull = def ? !def.nullable : !c.nullable;
    return new ColumnProfile(
      { consistent: consistencyCheck(c.name, type).check, valid: typeConstraintCheck(type), notNull: notNull || type.domainNotNull },
      seed + i * 7919,
    );
  });
}

/** Pulls rows one by one from batches. */
class RowCursor {
  #batch: TextRow[] = [];
  #i = 0;
  readonly #it: AsyncIterator<TextRow[]>;
  constructor(source: AsyncIterable<TextRow[]>) {
    this.#it = source[Symbol.asyncIterator]();
  }
  async next(): Promise<TextRow | null> {
    while (this.#i >= this.#batch.length) {
      const r = await this.#it.next();
      if (r.done) return null;
      this.#batch = r.value;
      this.#i = 0;
    }
    return this.#batch[this.#i++] ?? null;
  }
  async close(): Promise<void> {
    await this.#it.return?.();
  }
}

const keyText = (row: TextRow, cols: number[], nullsNotDistinct: boolean): string | null => {
  if (cols.length === 1) {
    const v = row[cols[0] as number];
    return v === null || v === undefined ? (nullsNotDistinct ? '\u0000null' : null) : v;
  }
  const parts: string[] = [];
  for (const c of cols) {
    const v = row[c];
    if (v === null || v === undefined) {
      if (!nullsNotDistinct) return null;
      parts.push('\u0000null');
    } else parts.push(v);
  }
  return parts.join('\u0001');
};

export async function scanTable(rows: AsyncIterable<TextRow[]>, options: ScanOptions, seed = 1): Promise<TableScan> {
  const { columns, checks } = options;
  const width = columns.length;
  const profiles = columnProfiles(columns, options.table, options.catalog, seed);
  const keySets = new Map(options.keys.map((k) => [k.id, options.keySpace.bag()]));
  const keyList = options.keys.map((k) => ({ spec: k, bag: keySets.get(k.id) as KeyBag }));
  const parent = options.parentRows ? new RowCursor(options.parentRows) : null;
  const reference = parent ? columnProfiles(columns, options.table, options.catalog, seed + 1) : null;
  const masked = options.maskedColumns ?? [];
  const leaks = masked.map((i) => ({ column: columns[i]?.name ?? String(i), compared: 0, equal: 0 }));
  const checkCols = checks?.columnIndexes ?? [];
  const consistent: boolean[] = new Array(width).fill(true);
  let rowCount = 0;
  try {
    for await (const batch of rows) {
      options.signal?.throwIfAborted();
      for (const row of batch) {
        rowCount++;
        for (let i = 0; i < width; i++) consistent[i] = (profiles[i] as ColumnProfile).add(row[i] ?? null);
        for (const { spec, bag } of keyList) {
          const text = keyText(row, spec.columns, spec.nullsNotDistinct ?? false);
          if (text !== null) bag.add(text);
        }
        if (checks && checkCols.every((i) => consistent[i])) await checks.add(row);
        if (parent && reference) {
          const input = await parent.next();
          if (input) {
            for (let i = 0; i < width; i++) (reference[i] as ColumnProfile).add(input[i] ?? null);
            for (let m = 0; m < masked.length; m++) {
              const i = masked[m] as number;
              const before = input[i];
              if (before === null || before === undefined) continue;
              const leak = leaks[m] as (typeof leaks)[number];
              leak.compared++;
              if (row[i] === before) leak.equal++;
            }
          }
        }
      }
      // Between batches: spill keys past the budget, write what spilled keys have buffered.
      await options.keySpace.settle();
    }
    await checks?.flush();
    for (const bag of keySets.values()) await bag.flush(true);
  } finally {
    await parent?.close();
  }
  return { rowCount, profiles, keys: keySets, reference, leaks };
}

/** Stable seed of a table's samples, so the same dataset gives the same report. */
export const seedOf = (table: string) => hash53(table) % 2147483647;
