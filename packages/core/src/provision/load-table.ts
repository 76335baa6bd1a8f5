/**
 * Loading the dataset's tables inside the provisioning transaction: each table streamed from the
 * store into `COPY … FROM STDIN`, one after another on the transaction's one connection (the load
 * stays all or nothing). While the server takes one table, the next table's COPY text is already
 * being read from the store (up to `READ_AHEAD_BYTES` held in memory), so the decoding in this
 * process overlaps the server's work instead of waiting for it.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TableDef } from '../catalog/types.ts';
import { batchesToCopyText } from '../dataset/copy-text.ts';
import type { DatasetStore, DatasetTableManifest, TextRow } from '../dataset/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError, TdmError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { tableKey } from './objects.ts';
import { readAhead } from './read-ahead.ts';

const STEP = 'provision';
/** At most one progress event per table per this many milliseconds (plus one when it is loaded). */
const PROGRESS_INTERVAL_MS = 1000;
/** COPY text of the next table read ahead while the current one loads. */
const READ_AHEAD_BYTES = 16 * 1024 * 1024;

export interface LoadSource {
  store: DatasetStore;
  datasetVersionId: string;
  emit: EmitEvent;
  signal: AbortSignal | undefined;
}

/** One table's rows on their way to the target: its COPY text (being read) and its progress reporting. */
interface TableText {
  table: TableDef;
  m: DatasetTableManifest;
  /** Quoted column list; null when no column can be loaded (generated columns only). */
  columnList: string | null;
  chunks: AsyncIterable<Uint8Array> | null;
  loaded(rows: number): void;
  cancel(): Promise<void>;
}

/**
 * Loads the tables in `order` (each with its manifest entry) into `tx`; returns the rows loaded per
 * table, in that order. A failure stops the read-ahead of the next table before it is thrown.
 */
export async function loadTables(tx: SqlClient, order: { table: TableDef; m: DatasetTableManifest }[], source: LoadSource): Promise<number[]> {
  const counts: number[] = [];
  let current: TableText | null = null;
  // The first table has no load to overlap with: it streams at the server's pace from the start.
  let next = order[0] ? openTableText(order[0].table, order[0].m, source, 0) : null;
  try {
    for (let i = 0; i < order.length; i++) {
      current = next as TableText;
      const following = order[i + 1];
      next = following ? openTableText(following.table, following.m, source, READ_AHEAD_BYTES) : null;
      counts.push(await loadTable(tx, current, source.signal));
    }
    return counts;
  } catch (err) {
    // Neither file stays open: the table that failed and the one read ahead.
    await Promise.all([current?.cancel(), next?.cancel()]);
    throw err;
  }
}

/**
 * Starts reading one table's rows: the store's own COPY text when it has one (no row array per
 * row), else its rows formatted here; up to `ahead` bytes of it before its turn. Generated columns
 * are left out (PostgreSQL computes them); identity columns, ALWAYS included, keep the dataset's values.
 */
function openTableText(table: TableDef, m: DatasetTableManifest, source: LoadSource, ahead: number): TableText {
  const { store, datasetVersionId, emit, signal } = source;
  const generated = new Set(table.columns.filter((c) => c.generated !== null).map((c) => c.name));
  const keep = m.columns.flatMap((c, i) => (generated.has(c.name) ? [] : [i]));
  const width = m.columns.length;
  const name = tableKey(table);
  const started = Date.now();
  let rows = 0;
  let lastEvent = started;
  const progress = () => {
    const seconds = (Date.now() - started) / 1000;
    emit({
      step: STEP,
      level: 'progress',
      message: `${name}: ${rows} rows`,
      data: { table: name, rows, rowsPerSec: seconds > 0 ? Math.round(rows / seconds) : rows },
    });
  };
  const counted = (n: number) => {
    rows += n;
    if (Date.now() - lastEvent >= PROGRESS_INTERVAL_MS) {
      lastEvent = Date.now();
      progress();
    }
  };
  const loaded = (n: number) => {
    rows = n;
    progress();
  };
  // `COPY t () FROM STDIN` is not SQL: a table with nothing to load can only be empty.
  if (keep.length === 0) return { table, m, columnList: null, chunks: null, loaded, cancel: async () => {} };

  async function* batches(): AsyncGenerator<TextRow[]> {
    for await (const batch of store.readTable(datasetVersionId, { schema: m.schema, name: m.name })) {
      signal?.throwIfAborted();
      for (const row of batch) {
        if (row.length !== width) {
          throw new InvalidInputError(`dataset table ${name} has a row of ${row.length} values; its manifest lists ${width} columns`, { table: name });
        }
      }
      yield keep.length === width ? batch : batch.map((row) => keep.map((i) => row[i] ?? null));
      counted(batch.length);
    }
  }
  const names = keep.map((i) => (m.columns[i] as { name: string }).name);
  const text: AsyncIterable<Uint8Array> = store.readTableCopyText
    ? store.readTableCopyText(datasetVersionId, { schema: m.schema, name: m.name }, { columns: names, onRows: counted, signal })
    : batchesToCopyText(batches());
  const read = readAhead(text, ahead);
  return { table, m, columnList: names.map(quoteIdent).join(', '), chunks: read.chunks, loaded, cancel: read.cancel };
}

/**
 * Streams one table's COPY text into `COPY … FROM STDIN`: what was read ahead first, then the rest
 * at the database's pace through the stream's backpressure.
 */
async function loadTable(tx: SqlClient, text: TableText, signal: AbortSignal | undefined): Promise<number> {
  const { table, m } = text;
  if (text.columnList === null || text.chunks === null) {
    if (m.rowCount === 0) return 0;
    throw new InvalidInputError(`dataset table ${tableKey(table)} has ${m.rowCount} rows but no column that can be loaded`, { table: tableKey(table) });
  }
  const { stream, done } = await tx.copyIn(`COPY ${quoteQualified(table.schema, table.name)} (${text.columnList}) FROM STDIN`);
  try {
    const source = Readable.from(text.chunks, { objectMode: false });
    await (signal ? pipeline(source, stream, { signal }) : pipeline(source, stream));
  } catch (err) {
    if (signal?.aborted || err instanceof TdmError) throw err;
    // The database's own error (a CHECK, a type) explains more than the stream's "premature close".
    throw await done.then(
      () => err,
      (e: unknown) => e,
    );
  }
  const loaded = await done;
  text.loaded(loaded);
  return loaded;
}
