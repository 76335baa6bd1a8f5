/**
 * How many rows one synthetic table may ask for (`TDM_MAX_ROWS_PER_TABLE`, default 10,000,000).
 * Past it a request is refused with a LimitExceededError naming the table and the setting, instead
 * of failing deep inside a generator ("Invalid typed array length") or running for hours.
 */
import { LimitExceededError } from '../errors.ts';

export const DEFAULT_MAX_ROWS_PER_TABLE = 10_000_000;

export function maxRowsPerTable(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.TDM_MAX_ROWS_PER_TABLE);
  return env.TDM_MAX_ROWS_PER_TABLE && Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_MAX_ROWS_PER_TABLE;
}

export function checkRowCounts(rowCounts: Record<string, number> | null | undefined, limit = maxRowsPerTable()): void {
  for (const [table, n] of Object.entries(rowCounts ?? {})) {
    if (n > limit) {
      throw new LimitExceededError(`rowCounts: ${JSON.stringify(table)} asks for ${n} rows; at most ${limit} per table (TDM_MAX_ROWS_PER_TABLE)`, {
        table,
        requested: n,
        limit,
        setting: 'TDM_MAX_ROWS_PER_TABLE',
      });
    }
  }
}
