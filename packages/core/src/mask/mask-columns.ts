/**
 * A table's column plans as the rewrite of its row groups (`RewriteSpec`): the columns masked row
 * by row (a batch of at most 10,000 rows at a time, column by column, as the row path does, so
 * stateful transforms give the same values), with the row key where a transform uses it, and the
 * columns masked value by value. The mask step builds it on this thread and worker threads build
 * it again from portable plans (`mask-worker.ts`).
 */
import type { RewriteSpec, TextColumn } from '../dataset/parquet-rewrite-group.ts';
import { type ColumnPlan, rowKey } from './plans.ts';
import type { RowContext } from './types.ts';

/** Rows masked per loop over a column: the batches the row path reads. */
export const BATCH_ROWS = 10_000;

/** The rewrite of `plans`' columns; `signal` is checked before each row group. */
export function maskSpec(plans: ColumnPlan[], keyColumns: number[] | undefined, signal?: AbortSignal): RewriteSpec {
  // Value-only transforms need no row order: a dictionary-encoded column of one is masked entry by entry.
  const inOrder = plans.filter((p) => !p.byValue);
  const values = plans.filter((p) => p.byValue).map((p) => ({ index: p.index, map: (v: string) => p.apply(v) }));
  const keys = inOrder.some((p) => p.usesRow) ? (keyColumns ?? []) : [];
  const writes = inOrder.map((p) => p.index);
  return {
    reads: [...writes, ...keys],
    writes,
    values,
    rewrite: (read, rows) => {
      signal?.throwIfAborted();
      return maskColumns(inOrder, read.slice(0, writes.length), read.slice(writes.length), rows);
    },
  };
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
