/**
 * The statistics hyparquet-writer's `getStatistics` puts on a column chunk, computed from a column
 * buffer (`copy-text-columns.ts`) without a JavaScript value per row; `parquet-encode.ts` writes them.
 */
import type { ColumnBuffer } from './copy-text-columns.ts';

/** Min, max and NULL count of an INT32, INT64 or BOOLEAN column, as `getStatistics` computes them. */
export function statistics(c: ColumnBuffer, rows: number): { min_value: unknown; max_value: unknown; null_count: bigint } {
  let nulls = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const type = c.column.parquetType;
  const numbers = type === 'INT64' ? c.nums : c.ints;
  for (let r = 0; r < rows; r++) {
    if (!c.defs[r]) {
      nulls++;
      continue;
    }
    if (c.big.size && c.big.has(r)) continue;
    const v = numbers[r] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const null_count = BigInt(nulls);
  if (nulls === rows) return { min_value: undefined, max_value: undefined, null_count };
  if (type === 'BOOLEAN') return { min_value: min === 1, max_value: max === 1, null_count };
  if (type === 'INT32') return { min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max, null_count };
  let lo = min === Number.POSITIVE_INFINITY ? undefined : BigInt(min);
  let hi = max === Number.NEGATIVE_INFINITY ? undefined : BigInt(max);
  for (const v of c.big.values()) {
    if (lo === undefined || v < lo) lo = v;
    if (hi === undefined || v > hi) hi = v;
  }
  return { min_value: lo, max_value: hi, null_count };
}
