/**
 * The contract between a synthetic mode and the writer. A mode (schema, domain, test case, URL)
 * turns its input into a `GeneratedDataset`: the catalog of the tables it makes (so provisioning can
 * create them exactly as for a subset) and, per table in load order, a stream of rows as
 * PostgreSQL text values. `writeGenerated` (write.ts) streams them into a dataset version.
 */
import type { Catalog } from '../catalog/types.ts';
import type { DatasetColumn, TableInput, TextRow } from '../dataset/types.ts';
import type { SyntheticMode } from '../decision/types.ts';

export type { SyntheticMode };

export interface GeneratedTable {
  table: TableInput;
  /** Rows this table will have. */
  rowCount: number;
  /** Streams the rows in batches of about `batchSize`; calling it again yields the same rows. */
  rows(batchSize: number): AsyncIterable<TextRow[]>;
}

export interface GeneratedDataset {
  mode: SyntheticMode;
  /**
   * The tables' structure (keys, uniques, checks, FKs). For schema mode the source's own catalog
   * (`schemaVersionId` set); for the other modes a catalog the mode built, stored as a schema version
   * of the synthetic source `sourceUrl` when the dataset is written.
   */
  catalog: Catalog;
  schemaVersionId: string | null;
  /** Identity of a synthetic source, e.g. `synthetic:domain/ecommerce/b2c`; null in schema mode. */
  sourceUrl: string | null;
  /** Tables in load order (parents before children). */
  tables: GeneratedTable[];
  /** Facts recorded on the dataset version (seed, pack and version, row counts, fallbacks…). */
  meta: Record<string, unknown>;
  /** Releases what generation held open (e.g. the database that checks CHECK constraints); call it once the rows are written. */
  close?(): Promise<void>;
}

/** Row counts as given by users: `{"*": 1000, "orders": 5000}` (bare or schema-qualified names). */
export type RowCounts = Record<string, number>;

/** The count for a table from a RowCounts map: qualified name, then bare name, then `*`, then `fallback`. */
export function rowCountFor(counts: RowCounts | null | undefined, schema: string, name: string, fallback: number): number {
  if (!counts) return fallback;
  return counts[`${schema}.${name}`] ?? counts[name] ?? counts['*'] ?? fallback;
}

export type { DatasetColumn, TableInput, TextRow };
