/**
 * The read step of a subset execution: one table's chosen rows through `COPY (SELECT …) TO STDOUT`
 * into the dataset writer — as COPY text bytes when the writer takes them (no row array or string per
 * value), else as batches of text rows.
 */
import { copyTextToBatches } from '../dataset/copy-text.ts';
import { RowLimitError } from '../dataset/parquet-from-copy-text.ts';
import type { DatasetWriter, TableInput, TextRow } from '../dataset/types.ts';
import { quoteIdent } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { col, from, keyCol, type Work } from './key-sql.ts';
import type { SubsetPlan } from './planner.ts';

/** At most one progress event per table per this many milliseconds while streaming. */
const PROGRESS_INTERVAL_MS = 2000;

/**
 * The SELECT of `w`'s chosen rows: the table joined to its key table, or the whole table (up to one
 * row past the cap it was not counted against).
 */
function rowsQuery(plan: SubsetPlan, w: Work): string {
  const list = w.columns.map((c) => `t.${quoteIdent(c.name)}`).join(', ');
  if (plan.mode !== 'subset' || w.whole) return `SELECT ${list} FROM ${from(w)} t${w.verifyCap === null ? '' : ` LIMIT ${w.verifyCap + 1}`}`;
  return `SELECT ${list} FROM ${from(w)} t JOIN ${w.keyTable} k ON ${w.plan.key.columns.map((c) => `k.${keyCol(w, c)} = ${col(w, 't', c)}`).join(' AND ')}`;
}

/** The catalog's count of `w`'s rows, else its estimate; undefined when unknown (never analyzed). */
export function expectedRows(w: Work): number | undefined {
  const known = w.def.rowCount ?? w.def.rowEstimate;
  return known !== null && known >= 0 ? known : undefined;
}

/** One table's chosen rows through COPY into the writer; returns the row count. */
export async function stream(
  tx: SqlClient,
  plan: SubsetPlan,
  w: Work,
  writer: DatasetWriter,
  batchSize: number,
  signal: AbortSignal | undefined,
  emit: EmitEvent | undefined,
): Promise<number> {
  const table = w.plan.qualified;
  const input: TableInput = {
    schema: w.def.schema,
    name: w.def.name,
    columns: w.columns.map((c) => ({ name: c.name, pgType: c.dataType, nullable: c.nullable })),
  };
  const started = Date.now();
  let rows = 0;
  let lastEvent = started;
  const progress = () => {
    const seconds = (Date.now() - started) / 1000;
    emit?.({
      step: 'subset',
      level: 'progress',
      message: `${table}: ${rows} rows`,
      data: { table, rows, rowsPerSec: seconds > 0 ? Math.round(rows / seconds) : rows },
    });
  };
  const counted = (n: number) => {
    rows += n;
    if (Date.now() - lastEvent >= PROGRESS_INTERVAL_MS) {
      lastEvent = Date.now();
      progress();
    }
  };
  const readable = await tx.copyOut(`COPY (${rowsQuery(plan, w)}) TO STDOUT`);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of readable) {
      signal?.throwIfAborted();
      yield chunk as Uint8Array;
    }
  }
  const maxRows = w.verifyCap ?? undefined;
  async function* batches(): AsyncGenerator<TextRow[]> {
    for await (const batch of copyTextToBatches(readable, batchSize)) {
      signal?.throwIfAborted();
      counted(batch.length);
      yield batch;
    }
    if (maxRows !== undefined && rows > maxRows) throw new RowLimitError(maxRows);
  }
  try {
    if (writer.writeTableCopyText) await writer.writeTableCopyText(input, { copyText: chunks(), onRows: counted, expectedRows: expectedRows(w), maxRows });
    else await writer.writeTable(input, batches());
  } catch (err) {
    readable.destroy();
    throw err;
  }
  progress();
  return rows;
}
