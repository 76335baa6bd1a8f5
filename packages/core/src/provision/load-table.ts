/**
 * Loading the dataset's tables inside the provisioning transaction: each table streamed from the
 * store into `COPY … FROM STDIN`, one after another on the transaction's one connection (the load
 * stays all or nothing). Reading starts before the load: the first tables' COPY text is read from
 * the store while the server runs the DDL, and while the server takes one table the next one's is
 * read (each up to `READ_AHEAD_BYTES`), so the decoding in this process overlaps
 * the server's work instead of waiting for it.
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
/**
 * Default bound of the COPY text held ahead of the load: of the first tables, read before the load
 * starts (while the DDL runs), and of the next table while the current one loads.
 */
const READ_AHEAD_BYTES = 16 * 1024 * 1024;

export interface LoadSource {
  store: DatasetStore;
  datasetVersionId: string;
  emit: EmitEvent;
  signal: AbortSignal | undefined;
  /** COPY text held ahead of the load (default 16 MiB). */
  readAheadBytes?: number;
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
  /** Settles once reading ahead stopped: the bytes held and whether that is the whole table. */
  filled: Promise<{ bytes: number; whole: boolean }>;
}

/** The load of a provision's tables, reading from the moment it is made (see `startLoads`). */
export interface TableLoads {
  /** Loads the tables into `tx` in order; returns the rows loaded per table, in that order. */
  load(tx: SqlClient): Promise<number[]>;
  /** Stops every read still open: the provision failed, or will not load. */
  cancel(): Promise<void>;
}

/**
 * Starts reading the COPY text of the tables in `order` (each with its manifest entry) now, before
 * the caller's DDL: table after table in load order while each fits whole in what is left of
 * the read-ahead bound; the first that does not fit keeps what was read and streams the rest in its turn.
 * The caller must `load` or `cancel`.
 */
export function startLoads(order: { table: TableDef; m: DatasetTableManifest }[], source: LoadSource): TableLoads {
  const texts: TableText[] = [];
  const limit = source.readAheadBytes ?? READ_AHEAD_BYTES;
  let stopped = false;
  const opened = (i: number, ahead: number): TableText => {
    const entry = order[i] as { table: TableDef; m: DatasetTableManifest };
    texts[i] ??= openTableText(entry.table, entry.m, source, ahead);
    return texts[i];
  };
  const cancel = async () => {
    stopped = true;
    await Promise.all(texts.filter(Boolean).map((t) => t.cancel()));
  };
  void (async () => {
    let budget = limit;
    // Stops where the load got first: from there on it reads ahead itself.
    for (let i = 0; i < order.length && budget > 0 && !stopped && !texts[i]; i++) {
      const { bytes, whole } = await opened(i, budget).filled;
      budget -= bytes;
      if (!whole) return;
    }
  })();
  return {
    async load(tx) {
      const counts: number[] = [];
      try {
        for (let i = 0; i < order.length; i++) {
          const current = opened(i, 0);
          if (i + 1 < order.length) opened(i + 1, limit);
          counts.push(await loadTable(tx, current, source.signal));
        }
        return counts;
      } catch (err) {
        // No file stays open: the table that failed and those read ahead.
        await cancel();
        throw err;
      }
    },
    cancel,
  };
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
  if (keep.length === 0)
    return { table, m, columnList: null, chunks: null, loaded, cancel: async () => {}, filled: Promise.resolve({ bytes: 0, whole: true }) };

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
  return { table, m, columnList: names.map(quoteIdent).join(', '), chunks: read.chunks, loaded, cancel: read.cancel, filled: read.filled };
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
