/**
 * Writes one masked table. Where the store can hand out the source file and take a file from a
 * producer (both stores do), the table is rewritten column by column (`parquet-passthrough.ts`):
 * the masked columns (and the row key, when a transform works per row) are decoded, masked and
 * encoded, and every other column chunk is copied as it is, row groups unchanged. Otherwise, or
 * for a source file laid out differently, the rows are read, masked and written whole. Both paths
 * run the transforms in the same order (a batch of at most 10,000 rows of one row group at a time,
 * column by column), so stateful transforms (collision remaps, shuffle) give the same values; a
 * transform of the value alone may run in any order, so a dictionary-encoded column of one only has
 * its dictionary masked (`parquet-dictionary-chunk.ts`). Columns whose masking is a function of the
 * value and row key alone can be masked a row group ahead, on worker threads too (`mask-pool.ts`).
 */
import { datasetColumns } from '../dataset/parquet.ts';
import { type ColumnRewrite, openRewriteSource, type RewriteSource, rewriteParquet } from '../dataset/parquet-passthrough.ts';
import type { DatasetColumn, DatasetStore, DatasetTableManifest, DatasetWriter, TableInput, TextRow } from '../dataset/types.ts';
import { maskSpec } from './mask-columns.ts';
import { type MaskTableHelper, maskTableHelper, maskWorkersFor } from './mask-pool.ts';
import { type ColumnPlan, type PortableTransform, rowKey } from './plans.ts';

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
  const { store, writer } = input;
  if (!store.openTableFile || !writer.writeTableParquet) return null;
  const file = await store.openTableFile(input.datasetVersionId, input.table);
  try {
    const columns = datasetColumns(tableInput.columns);
    const source = await openRewriteSource(file, columns);
    if (!source) return null;
    return await writer.writeTableParquet(tableInput, async (sink, options) => {
      const { plan, helper } = rewritePlan(input, source, columns, options.signal);
      try {
        return await rewriteParquet(source, columns, plan, sink, options);
      } finally {
        helper?.close();
      }
    });
  } finally {
    await file.close();
  }
}

/**
 * The rewrite of the table's masked columns. For a table of several row groups big enough for the
 * workers (`maskWorkersFor`), the columns with portable plans are masked in any order
 * (row groups ahead, on the workers and on this thread) and the others in row order on this thread;
 * otherwise every column is masked here in row order.
 */
function rewritePlan(input: MaskTableInput, source: RewriteSource, columns: DatasetColumn[], writeSignal: AbortSignal | undefined) {
  const { plans, keyColumns, signal } = input;
  const groups = source.metadata.row_groups.length;
  const parallel = groups > 1 && plans.some((p) => p.portable) && maskWorkersFor(input.table.rowCount);
  if (!parallel) return { plan: maskSpec(plans, keyColumns, signal) as ColumnRewrite, helper: undefined };
  const anyOrder = plans.filter((p) => p.portable);
  const helper: MaskTableHelper = maskTableHelper(
    {
      type: 'table',
      columns,
      metadata: source.metadata,
      byteLength: source.file.byteLength,
      plans: anyOrder.map((p) => ({ index: p.index, transform: p.portable as PortableTransform })),
      keyColumns,
    },
    [signal, writeSignal],
  );
  const plan: ColumnRewrite = {
    ...maskSpec(
      plans.filter((p) => !p.portable),
      keyColumns,
      signal,
    ),
    anyOrder: { spec: maskSpec(anyOrder, keyColumns, signal), helper },
  };
  return { plan, helper };
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
