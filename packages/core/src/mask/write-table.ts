/**
 * Writes one masked table. Where the store can hand out the source file and take a file from a
 * producer (both stores do), the table is rewritten column by column (`parquet-passthrough.ts`):
 * the masked columns (and the row key, when a transform works per row) are decoded, masked and
 * encoded, and every other column chunk is copied as it is, row groups unchanged. Otherwise, or
 * for a source file laid out differently, the rows are read, masked and written whole. Both paths
 * run the transforms in the same order (a batch of at most 10,000 rows of one row group at a time,
 * column by column), so stateful transforms (collision remaps, shuffle) give the same values; a
 * transform of the value alone may run in any order, so a dictionary-encoded column of one only has
 * its dictionary masked (`parquet-dictionary-chunk.ts`).
 */
import { datasetColumns } from '../dataset/parquet.ts';
import { openRewriteSource, rewriteParquet, type TextColumn } from '../dataset/parquet-passthrough.ts';
import type { DatasetStore, DatasetTableManifest, DatasetWriter, TableInput, TextRow } from '../dataset/types.ts';
import { type ColumnPlan, rowKey } from './plans.ts';
import type { RowContext } from './types.ts';

/** Rows masked per loop over a column: the batches the row path reads. */
const BATCH_ROWS = 10_000;

export interface MaskTableInput {
  store: DatasetStore;
  datasetVersionId: string;
  writer: DatasetWriter;
  table: DatasetTableManifest;
  plans: ColumnPlan[];
  /** Columns of the row key, when a plan uses the row. */
  keyColumns: number[] | undefined;
  signal?: AbortSignal;
}

/** Masks `table` into the writer; returns the written table's entry. */
export async function writeMaskedTable(input: MaskTableInput): Promise<DatasetTableManifest> {
  const { table } = input;
  const tableInput: TableInput = {
    schema: table.schema,
    name: table.name,
    columns: table.columns.map((c) => ({ name: c.name, pgType: c.pgType, nullable: c.nullable })),
  };
  return (await writeByColumns(input, tableInput)) ?? input.writer.writeTable(tableInput, maskedRows(input));
}

/** The column-by-column rewrite, or null when the store or the source file does not allow it. */
async function writeByColumns(input: MaskTableInput, tableInput: TableInput): Promise<DatasetTableManifest | null> {
  const { store, writer, plans } = input;
  if (!store.openTableFile || !writer.writeTableParquet) return null;
  const file = await store.openTableFile(input.datasetVersionId, input.table);
  try {
    const columns = datasetColumns(tableInput.columns);
    const source = await openRewriteSource(file, columns);
    if (!source) return null;
    // Value-only transforms need no row order: a dictionary-encoded column of one is masked entry by entry.
    const inOrder = plans.filter((p) => !p.byValue);
    const values = plans.filter((p) => p.byValue).map((p) => ({ index: p.index, map: (v: string) => p.apply(v) }));
    const keys = plans.some((p) => p.usesRow) ? (input.keyColumns ?? []) : [];
    const writes = inOrder.map((p) => p.index);
    const reads = [...writes, ...keys];
    const rewrite = (read: TextColumn[], rows: number) => {
      input.signal?.throwIfAborted();
      return maskColumns(inOrder, read.slice(0, writes.length), read.slice(writes.length), rows);
    };
    return await writer.writeTableParquet(tableInput, (sink, options) => rewriteParquet(source, columns, { reads, writes, rewrite, values }, sink, options));
  } finally {
    await file.close();
  }
}

/** One row group's masked columns from its source columns (`values[k]` is plan k's column), batch by batch. */
function maskColumns(plans: ColumnPlan[], values: TextColumn[], keyValues: TextColumn[], rows: number): TextColumn[] {
  const out = values; // fresh arrays from the decoder: masked in place
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    const end = Math.min(rows, start + BATCH_ROWS);
    let keys: RowContext[] | undefined;
    if (keyValues.length) {
      keys = [];
      for (let r = start; r < end; r++) keys.push({ key: rowKey(keyValues.map((column) => column[r] ?? null)) });
    }
    for (const [k, { t, apply }] of plans.entries()) {
      const column = out[k] as TextColumn;
      for (let r = start; r < end; r++) {
        const v = column[r] ?? null;
        const row = keys?.[r - start];
        column[r] = v === null ? t.apply(null, row) : apply(v, row);
      }
    }
  }
  return out;
}

/** The row path: the table's rows read, masked a batch at a time, column by column. */
async function* maskedRows({ store, datasetVersionId, table, plans, keyColumns, signal }: MaskTableInput): AsyncIterable<TextRow[]> {
  const needsRowKey = plans.some((p) => p.usesRow);
  for await (const batch of store.readTable(datasetVersionId, table)) {
    signal?.throwIfAborted();
    const rows = batch.map((row) => row.slice());
    const keys = needsRowKey ? batch.map((row) => ({ key: keyColumns ? rowKey(keyColumns.map((i) => row[i] ?? null)) : undefined })) : undefined;
    for (const { index, t, apply } of plans) {
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r] as TextRow;
        const v = row[index] ?? null;
        row[index] = v === null ? t.apply(null, keys?.[r]) : apply(v, keys?.[r]);
      }
    }
    yield rows;
  }
}
