/**
 * The Parquet codec of the dataset store: PostgreSQL text rows in, one Parquet file out, and back,
 * losslessly. Integers, booleans and float8 get native Parquet types (smaller files, usable by any
 * Parquet reader); everything else is a STRING holding the exact PostgreSQL text, which the database
 * itself parses back. Each column's PostgreSQL type travels in the file's key-value metadata.
 * This module holds the type mapping, the value codecs and the writer; `parquet-read.ts` reads a file
 * back as text rows, `parquet-copy-text.ts` (with `parquet-pages.ts`) as COPY text for provisioning.
 *
 * Library: hyparquet-writer + hyparquet (pure JS). Chosen over @duckdb/node-api by `bench/parquet.bench.ts`
 * on our column types: it streams row group by row group with memory bounded by one group, needs no
 * native binary, and reads a page range for a preview without a query engine (figures in the bench).
 */
import { createHash } from 'node:crypto';
import type { AsyncBuffer, SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { snappyCompressor, snappyUncompressor } from 'hysnappy';
import { InvalidInputError } from '../errors.ts';
import { CopyTextColumns } from './copy-text-columns.ts';
import { formatFloat8 } from './float8.ts';
import { writeCopyTextRowGroup } from './parquet-encode.ts';
import type { DatasetColumn, TextRow } from './types.ts';

export type { AsyncBuffer };
export type ParquetType = DatasetColumn['parquetType'];

/**
 * Rows per row group (the unit of streaming on write and read). A row group is held whole in memory
 * as JavaScript values while it is written and again while it is read (a 6-column row costs ~300
 * bytes there, several times its text), so this bounds the rows' share of a dataset step's memory:
 * 16,384 rows keep it to a few tens of MB (65,536 cost ~50 MB more at the peak of
 * subset → mask → provision, bench/pipeline-rss.bench.ts) at the same speed.
 */
export const DEFAULT_ROW_GROUP_ROWS = 16_384;
/**
 * A row group is also closed once its text reaches this many characters, which bounds memory for
 * wide rows and big documents. Each value also counts `VALUE_OVERHEAD_CHARS` (its slot and header
 * in memory), so a table of many small columns is bounded too.
 */
export const DEFAULT_ROW_GROUP_CHARS = 8 * 1024 * 1024;
const VALUE_OVERHEAD_CHARS = 16;
/** Key-value metadata entry holding the columns (name, pgType, nullable, parquetType) as JSON. */
export const COLUMNS_METADATA_KEY = 'tdm.columns';
const FORMAT_METADATA_KEY = 'tdm.formatVersion';

const PHYSICAL: Record<string, ParquetType> = {
  smallint: 'INT32',
  int2: 'INT32',
  integer: 'INT32',
  int: 'INT32',
  int4: 'INT32',
  bigint: 'INT64',
  int8: 'INT64',
  boolean: 'BOOLEAN',
  bool: 'BOOLEAN',
  'double precision': 'DOUBLE',
  float8: 'DOUBLE',
};

/**
 * The lossless Parquet type for a PostgreSQL type as `format_type()` spells it (`integer`,
 * `bigint`, `double precision`, `numeric(12,2)`, `text[]`…): int2/int4 → INT32, int8 → INT64,
 * bool → BOOLEAN, float8 → DOUBLE, anything else → STRING with the exact PostgreSQL text.
 */
export function parquetTypeFor(pgType: string): ParquetType {
  return PHYSICAL[pgType.trim().toLowerCase()] ?? 'STRING';
}

/** Columns of a table input with their Parquet types. */
export function datasetColumns(columns: { name: string; pgType: string; nullable: boolean }[]): DatasetColumn[] {
  return columns.map(({ name, pgType, nullable }) => ({ name, pgType, nullable, parquetType: parquetTypeFor(pgType) }));
}

function schemaElement(column: DatasetColumn): SchemaElement {
  const base = { name: column.name, repetition_type: 'OPTIONAL' as const };
  switch (column.parquetType) {
    case 'INT32':
      return /^(smallint|int2)$/i.test(column.pgType.trim())
        ? { ...base, type: 'INT32', converted_type: 'INT_16', logical_type: { type: 'INTEGER', bitWidth: 16, isSigned: true } }
        : { ...base, type: 'INT32' };
    case 'INT64':
      return { ...base, type: 'INT64' };
    case 'BOOLEAN':
      return { ...base, type: 'BOOLEAN' };
    case 'DOUBLE':
      return { ...base, type: 'DOUBLE' };
    case 'STRING':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    default:
      throw new InvalidInputError(`parquet type ${column.parquetType} is not written by the dataset store`, { column: column.name });
  }
}

export type Decode = (value: unknown) => string;

export const DECODERS: Record<ParquetType, Decode> = {
  INT32: (value) => String(value),
  INT64: (value) => String(value),
  BOOLEAN: (value) => (value ? 't' : 'f'),
  DOUBLE: (value) => formatFloat8(value as number),
  STRING: (value) => (typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('utf8')),
  BYTES: (value) => `\\x${Buffer.from(value as Uint8Array).toString('hex')}`,
};

// Snappy in WebAssembly (hysnappy): about 3× faster than the writer's and reader's JavaScript
// snappy. The compressor's output depends on what its instance compressed before (its match
// table outlives a call): still valid snappy, but other bytes for the same page. So each file gets
// a fresh instance (~0.1 ms) and the same rows always give the same file, whatever else the
// process wrote first. Decompression has one right answer: one instance per process.
let uncompress: ((input: Uint8Array, outputLength: number) => Uint8Array) | undefined;
export function uncompressor(): (input: Uint8Array, outputLength: number) => Uint8Array {
  uncompress ??= snappyUncompressor();
  return uncompress;
}

/** Receives the file's bytes in order; each chunk is the sink's to keep. Backpressure: return a promise. */
export type ByteSink = (chunk: Uint8Array) => Promise<void> | void;

export interface ParquetWriteOptions {
  /** Rows per row group (default 16,384). */
  rowGroupRows?: number;
  /** Closes a row group early once its text (plus 16 per value) reaches this many characters (default 8 Mi). */
  rowGroupChars?: number;
  /** Extra key-value metadata (e.g. the table's name). */
  metadata?: Record<string, string>;
  /** Stops the write between row groups (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface ParquetWriteResult {
  rowCount: number;
  bytes: number;
  /** Hex sha256 of the bytes handed to the sink. */
  checksum: string;
}

/** hyparquet-writer's buffer, emptied into the sink after every row group (so memory is one group). */
export class SinkWriter extends ByteWriter {
  readonly #sink: ByteSink;
  readonly #hash = createHash('sha256');
  bytes = 0;
  constructor(sink: ByteSink) {
    super(1 << 20);
    this.#sink = sink;
  }
  flush(): Promise<void> | void {
    if (this.index === 0) return;
    const chunk = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    return this.#sink(chunk);
  }
  override finish(): Promise<void> | void {
    return this.flush();
  }
  checksum(): string {
    return this.#hash.digest('hex');
  }
}

/**
 * The batches, until `signal` aborts: then the iteration rejects at once, even while the source is
 * still waiting for its next batch (a stalled query must not hold up an abort). The source is told
 * to stop but not waited for.
 */
export async function* abortable<T>(source: AsyncIterable<T> | Iterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (!signal) {
    yield* source;
    return;
  }
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  let done = false;
  try {
    for (;;) {
      signal.throwIfAborted();
      // A fresh listener per batch, removed once the batch arrives: racing every next() against one
      // long-lived "aborted" promise would pile reactions on it that keep every batch reachable.
      const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        Promise.resolve(iterator.next()).then(
          (result) => {
            signal.removeEventListener('abort', onAbort);
            resolve(result);
          },
          (err: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(err);
          },
        );
      });
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) Promise.resolve(iterator.return?.()).catch(() => {});
  }
}

/** Rows and characters after which a row group is closed. */
export function groupBounds(options: ParquetWriteOptions): { groupRows: number; groupChars: number; valueOverhead: number } {
  return {
    groupRows: Math.max(1, options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS),
    groupChars: Math.max(1, options.rowGroupChars ?? DEFAULT_ROW_GROUP_CHARS),
    valueOverhead: VALUE_OVERHEAD_CHARS,
  };
}

/**
 * A dataset file's ParquetWriter on `sink`: the columns' schema and key-value metadata, snappy with
 * a fresh compressor (so the same rows always give the same bytes).
 */
export function openParquetWriter(columns: DatasetColumn[], sink: ByteSink, options: ParquetWriteOptions): { pq: ParquetWriter; writer: SinkWriter } {
  if (!columns.length) throw new InvalidInputError('a dataset table needs at least one column');
  const writer = new SinkWriter(sink);
  const metadata = {
    [FORMAT_METADATA_KEY]: '1',
    [COLUMNS_METADATA_KEY]: JSON.stringify(columns.map(({ name, pgType, nullable, parquetType }) => ({ name, pgType, nullable, parquetType }))),
    ...options.metadata,
  };
  const pq = new ParquetWriter({
    writer,
    schema: [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)],
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    createdBy: 'tdm dataset store (hyparquet-writer)',
    compressors: { SNAPPY: snappyCompressor() },
  });
  return { pq, writer };
}

/**
 * Writes `batches` of PostgreSQL text rows as one Parquet file into `sink`, a row group at a time:
 * memory holds one row group, whatever the table's size. Rejects with `InvalidInputError` for a row
 * of the wrong width or a value that is not valid text for its column's Parquet type.
 */
export async function writeParquet(
  columns: DatasetColumn[],
  batches: AsyncIterable<TextRow[]> | Iterable<TextRow[]>,
  sink: ByteSink,
  options: ParquetWriteOptions = {},
): Promise<ParquetWriteResult> {
  const { groupRows, groupChars, valueOverhead } = groupBounds(options);
  const { pq, writer } = openParquetWriter(columns, sink, options);
  const group = new CopyTextColumns(columns, groupRows, groupChars, valueOverhead);
  let rowCount = 0;
  const flushGroup = async () => {
    if (!group.rows) return;
    options.signal?.throwIfAborted();
    await writeCopyTextRowGroup(pq, group);
    rowCount += group.rows;
    group.reset();
  };
  for await (const batch of abortable(batches, options.signal)) {
    for (const row of batch) {
      group.addRow(row);
      if (group.full) await flushGroup();
    }
  }
  await flushGroup();
  options.signal?.throwIfAborted();
  await pq.finish();
  return { rowCount, bytes: writer.bytes, checksum: writer.checksum() };
}
