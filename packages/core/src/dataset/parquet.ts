/**
 * The Parquet codec of the dataset store: PostgreSQL text rows in, one Parquet file out, and back,
 * losslessly. Integers, booleans and float8 get native Parquet types (smaller files, usable by any
 * Parquet reader); everything else is a STRING holding the exact PostgreSQL text, which the database
 * itself parses back. Each column's PostgreSQL type travels in the file's key-value metadata.
 *
 * Library: hyparquet-writer + hyparquet (pure JS). Chosen over @duckdb/node-api by `bench/parquet.bench.ts`
 * on our column types: it streams row group by row group with memory bounded by one group, needs no
 * native binary, and reads a page range for a preview without a query engine (figures in the bench).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead, type SchemaElement } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { snappyCompressor, snappyUncompressor } from 'hysnappy';
import { InvalidInputError } from '../errors.ts';
import { formatFloat8, parseFloat8 } from './float8.ts';
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

type Encode = (text: string, column: DatasetColumn) => unknown;

const INT64_TEXT = /^(?:0|-?[1-9][0-9]{0,18})$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function badValue(column: DatasetColumn, text: string): never {
  throw new InvalidInputError(`value ${JSON.stringify(text.slice(0, 80))} of column ${JSON.stringify(column.name)} is not valid ${column.pgType} text`, {
    column: column.name,
    pgType: column.pgType,
  });
}

const ENCODERS: Record<ParquetType, Encode> = {
  INT32: (text, column) => {
    const value = +text;
    // `| 0` is the identity only for 32-bit integers; the text check keeps "1e3" or " 7" out.
    if ((value | 0) !== value || String(value) !== text) badValue(column, text);
    return value;
  },
  INT64: (text, column) => {
    // BigInt() would also take " 7", "0x1f" or "": only PostgreSQL's own spelling is let through.
    if (!INT64_TEXT.test(text)) badValue(column, text);
    const value = BigInt(text);
    if (value < INT64_MIN || value > INT64_MAX) badValue(column, text);
    return value;
  },
  BOOLEAN: (text, column) => (text === 't' ? true : text === 'f' ? false : badValue(column, text)),
  DOUBLE: (text, column) => {
    const value = parseFloat8(text);
    // PostgreSQL ≥ 12 prints the shortest exact text; anything else (extra_float_digits < 1, another
    // producer) would not come back byte for byte, so it is refused rather than silently changed.
    if (formatFloat8(value) !== text) {
      throw new InvalidInputError(
        `float8 value ${JSON.stringify(text)} of column ${JSON.stringify(column.name)} is not in PostgreSQL's shortest-exact form (extra_float_digits must be ≥ 1)`,
        { column: column.name },
      );
    }
    return value;
  },
  STRING: (text) => text,
  BYTES: (_text, column) => badValue(column, _text),
};

type Decode = (value: unknown) => string;

const DECODERS: Record<ParquetType, Decode> = {
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
function uncompressor(): (input: Uint8Array, outputLength: number) => Uint8Array {
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

/**
 * The strings of a column chunk as UTF-8 views into one buffer. hyparquet-writer would otherwise
 * encode each value into an ArrayBuffer of its own, and a million small ArrayBuffers cost more in
 * allocation and garbage collection than the encoding itself. PostgreSQL text never holds NUL, so
 * the values are joined with NUL, encoded in one go and cut at the NUL bytes.
 */
function utf8Views(values: (string | null)[]): (Uint8Array | null)[] {
  const joined = values.map((v) => v ?? '').join('\0');
  const bytes = Buffer.from(joined, 'utf8');
  const { buffer, byteOffset } = bytes;
  const views: (Uint8Array | null)[] = new Array(values.length);
  let start = 0;
  if (bytes.length === joined.length) {
    // All ASCII: byte offsets are string offsets.
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as string | null;
      const length = value === null ? 0 : value.length;
      views[i] = value === null ? null : new Uint8Array(buffer, byteOffset + start, length);
      start += length + 1;
    }
    return views;
  }
  for (let i = 0; i < values.length; i++) {
    let end = bytes.indexOf(0, start);
    if (end === -1) end = bytes.length;
    views[i] = values[i] === null ? null : new Uint8Array(buffer, byteOffset + start, end - start);
    start = end + 1;
  }
  // A NUL inside a value (not from PostgreSQL, which cannot store one) shifts the cuts: encode one by one.
  if (start !== bytes.length + 1) return values.map((v) => (v === null ? null : Buffer.from(v, 'utf8')));
  return views;
}

/** hyparquet-writer's buffer, emptied into the sink after every row group (so memory is one group). */
class SinkWriter extends ByteWriter {
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
async function* abortable<T>(source: AsyncIterable<T> | Iterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
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
  if (!columns.length) throw new InvalidInputError('a dataset table needs at least one column');
  const groupRows = Math.max(1, options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS);
  const groupChars = Math.max(1, options.rowGroupChars ?? DEFAULT_ROW_GROUP_CHARS);
  const width = columns.length;
  const rowOverhead = width * VALUE_OVERHEAD_CHARS;
  const writer = new SinkWriter(sink);
  const metadata = {
    [FORMAT_METADATA_KEY]: '1',
    [COLUMNS_METADATA_KEY]: JSON.stringify(columns.map(({ name, pgType, nullable, parquetType }) => ({ name, pgType, nullable, parquetType }))),
    ...options.metadata,
  };
  const pq = new ParquetWriter({
    writer,
    schema: [{ name: 'root', num_children: width }, ...columns.map(schemaElement)],
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    createdBy: 'tdm dataset store (hyparquet-writer)',
    compressors: { SNAPPY: snappyCompressor() },
  });
  const encoders = columns.map((c) => ENCODERS[c.parquetType]);
  const passThrough = columns.map((c) => c.parquetType === 'STRING');
  let data: unknown[][] = columns.map(() => []);
  let rows = 0;
  let chars = 0;
  let rowCount = 0;

  const flushGroup = async () => {
    if (!rows) return;
    options.signal?.throwIfAborted();
    // Min/max statistics only where they mean something to a reader: on STRING columns they would
    // compare PostgreSQL text byte-wise (not in the type's order) and cost ~1 s per million rows.
    const columnData = columns.map((c, i) => ({
      name: c.name,
      data: c.parquetType === 'STRING' ? utf8Views(data[i] as (string | null)[]) : (data[i] as unknown[]),
      statistics: c.parquetType !== 'STRING',
    }));
    data = columns.map(() => []);
    rowCount += rows;
    const size = rows;
    rows = 0;
    chars = 0;
    // biome-ignore lint/suspicious/noExplicitAny: hyparquet's DecodedArray is a union of typed arrays and any[]
    await pq.write({ columnData: columnData as any, rowGroupSize: size });
  };

  for await (const batch of abortable(batches, options.signal)) {
    for (const row of batch) {
      if (row.length !== width) {
        throw new InvalidInputError(`row ${rowCount + rows + 1} has ${row.length} values; the table has ${width} columns`, {
          expected: width,
          actual: row.length,
        });
      }
      for (let i = 0; i < width; i++) {
        const text = row[i];
        if (text === null || text === undefined) {
          (data[i] as unknown[]).push(null);
        } else {
          chars += text.length;
          (data[i] as unknown[]).push(passThrough[i] ? text : (encoders[i] as Encode)(text, columns[i] as DatasetColumn));
        }
      }
      chars += rowOverhead;
      if (++rows >= groupRows || chars >= groupChars) await flushGroup();
    }
  }
  await flushGroup();
  options.signal?.throwIfAborted();
  await pq.finish();
  return { rowCount, bytes: writer.bytes, checksum: writer.checksum() };
}

function metadataValue(metadata: FileMetaData, key: string): string | undefined {
  return metadata.key_value_metadata?.find((kv) => kv.key === key)?.value;
}

/** The columns stored in a dataset Parquet file's metadata. */
export function columnsOfMetadata(metadata: FileMetaData): DatasetColumn[] {
  const stored = metadataValue(metadata, COLUMNS_METADATA_KEY);
  if (!stored) throw new InvalidInputError(`the Parquet file has no ${COLUMNS_METADATA_KEY} metadata: it was not written by the dataset store`);
  return JSON.parse(stored) as DatasetColumn[];
}

export interface ParquetReadOptions {
  /** Rows per yielded batch (default 10,000); a batch never spans two row groups. */
  batchSize?: number;
  /** Rows to skip first; whole row groups before it are not read at all. */
  offset?: number;
  /** Maximum rows to yield. */
  limit?: number;
  /** Parsed footer, when the caller has it already. */
  metadata?: FileMetaData;
}

/** Reads a file's footer (key-value metadata, row groups). */
export function readParquetMetadata(file: AsyncBuffer): Promise<FileMetaData> {
  return parquetMetadataAsync(file);
}

/**
 * Streams a dataset Parquet file back as PostgreSQL text rows, one row group at a time. With
 * `offset`/`limit` only the row groups (and, through the offset index, the pages) holding the
 * requested rows are read, so a paged preview of a large file stays cheap.
 */
export async function* readParquet(file: AsyncBuffer, options: ParquetReadOptions = {}): AsyncGenerator<TextRow[]> {
  const metadata = options.metadata ?? (await parquetMetadataAsync(file));
  const columns = columnsOfMetadata(metadata);
  const decoders = columns.map((c) => DECODERS[c.parquetType]);
  const width = columns.length;
  const batchSize = Math.max(1, options.batchSize ?? 10_000);
  const start = Math.max(0, options.offset ?? 0);
  const end = options.limit === undefined ? Number.POSITIVE_INFINITY : start + Math.max(0, options.limit);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    const from = Math.max(start, groupStart);
    const to = Math.min(end, groupEnd);
    groupStart = groupEnd;
    if (from >= to) {
      if (groupEnd >= end) break;
      continue;
    }
    let rows: unknown[][] = [];
    await parquetRead({
      file,
      metadata,
      rowStart: from,
      rowEnd: to,
      useOffsetIndex: true,
      compressors: { SNAPPY: uncompressor() },
      rowFormat: 'array',
      onComplete: (result: unknown[][]) => {
        rows = result;
      },
    });
    // Convert in place: the arrays hyparquet built for this group become the text rows.
    for (const row of rows) {
      for (let i = 0; i < width; i++) {
        const value = row[i];
        row[i] = value === null || value === undefined ? null : (decoders[i] as Decode)(value);
      }
    }
    for (let i = 0; i < rows.length; i += batchSize) yield (i === 0 && rows.length <= batchSize ? rows : rows.slice(i, i + batchSize)) as TextRow[];
    if (groupEnd >= end) break;
  }
}

/** A local file as hyparquet's random-access buffer; `close()` releases the file handle. */
export async function openParquetFile(path: string): Promise<AsyncBuffer & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    byteLength: size,
    async slice(startByte: number, endByte?: number): Promise<ArrayBuffer> {
      const stop = Math.min(endByte ?? size, size);
      const length = Math.max(0, stop - startByte);
      const buffer = new ArrayBuffer(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(new Uint8Array(buffer, done, length - done), 0, length - done, startByte + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buffer;
    },
    close: () => handle.close(),
  };
}

/** `readParquetCopyText` hands out chunks of about this many bytes (COPY data need not end at a row). */
const COPY_CHUNK_BYTES = 1 << 20;

// How each column is written as COPY text.
const KIND_BYTES = 0;
const KIND_INT = 1;
const KIND_INT64 = 2;
const KIND_BOOL = 3;
const KIND_TEXT = 4;

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The output of `readParquetCopyText`: a buffer filled byte by byte, handed out (and replaced by a
 * fresh one) once it holds `COPY_CHUNK_BYTES`. Values are written straight from what the Parquet
 * decoder produced: a STRING's UTF-8 bytes are copied (escaped where needed), integers are printed
 * digit by digit; no JavaScript string is made per value.
 */
class CopyTextBuffer {
  buf: Buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES + 256);
  pos = 0;
  readonly done: Buffer[] = [];

  /** Room for `need` more bytes: the bytes so far become a chunk when the buffer is too small. */
  ensure(need: number): void {
    if (this.pos + need <= this.buf.length) return;
    if (this.pos) this.done.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES + 256, need));
    this.pos = 0;
  }

  /** Hands out the bytes written so far as a chunk. */
  cut(): void {
    if (!this.pos) return;
    this.done.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(COPY_CHUNK_BYTES + 256);
    this.pos = 0;
  }

  /** UTF-8 bytes of a PostgreSQL text value, with COPY's escapes for the backslash and \b \t \n \v \f \r. */
  bytes(value: Uint8Array): void {
    const length = value.length;
    this.ensure(2 * length);
    const buf = this.buf;
    let pos = this.pos;
    for (let k = 0; k < length; k++) {
      const c = value[k] as number;
      if (c === 92) {
        buf[pos++] = 92;
        buf[pos++] = 92;
      } else if (c <= 13 && c >= 8) {
        buf[pos++] = 92;
        // \b \t \n \v \f \r
        buf[pos++] = c === 8 ? 98 : c === 9 ? 116 : c === 10 ? 110 : c === 11 ? 118 : c === 12 ? 102 : 114;
      } else {
        buf[pos++] = c;
      }
    }
    this.pos = pos;
  }

  /** An integer of at most 53 bits, as PostgreSQL prints it. */
  int(value: number): void {
    this.ensure(24);
    const buf = this.buf;
    let pos = this.pos;
    let n = value;
    if (n < 0) {
      buf[pos++] = 45;
      n = -n;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    pos += digits;
    this.pos = pos;
    if (n < 2147483648) {
      for (let k = pos - 1; k >= pos - digits; k--) {
        const q = (n / 10) | 0;
        buf[k] = 48 + (n - q * 10);
        n = q;
      }
    } else {
      for (let k = pos - 1; k >= pos - digits; k--) {
        const q = Math.floor(n / 10);
        buf[k] = 48 + (n - q * 10);
        n = q;
      }
    }
  }

  /** A JavaScript string, UTF-8, escaped as a COPY text field. */
  text(value: string): void {
    const field = formatCopyField(value);
    this.ensure(3 * field.length);
    this.pos += this.buf.write(field, this.pos, 'utf8');
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  nul(): void {
    this.ensure(2);
    this.buf[this.pos++] = 92;
    this.buf[this.pos++] = 78;
  }
}

const COPY_NEEDS_ESCAPE = /[\\\t\n\r\b\f\v]/;
const COPY_ESCAPE_ALL = /[\\\t\n\r\b\f\v]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
const copyEscape = (c: string) => COPY_ESCAPES[c] as string;
function formatCopyField(value: string): string {
  return COPY_NEEDS_ESCAPE.test(value) ? value.replace(COPY_ESCAPE_ALL, copyEscape) : value;
}

/** Writes rows `[from, to)` of a row group's columns; stops after the row that fills a chunk and returns the next row. */
function writeCopyRows(out: CopyTextBuffer, data: ArrayLike<unknown>[], kinds: number[], decoders: Decode[], from: number, to: number): number {
  const width = data.length;
  let row = from;
  while (row < to) {
    for (let i = 0; i < width; i++) {
      if (i) out.byte(9);
      const value = (data[i] as ArrayLike<unknown>)[row];
      if (value === null || value === undefined) {
        out.nul();
        continue;
      }
      switch (kinds[i]) {
        case KIND_BYTES:
          if (value instanceof Uint8Array) out.bytes(value);
          else out.text(String(value));
          break;
        case KIND_INT:
          out.int(value as number);
          break;
        case KIND_INT64:
          if ((value as bigint) >= SAFE_MIN && (value as bigint) <= SAFE_MAX) out.int(Number(value));
          else out.text(String(value));
          break;
        case KIND_BOOL:
          out.byte(value ? 116 : 102);
          break;
        default:
          out.text((decoders[i] as Decode)(value));
      }
    }
    out.byte(10);
    row++;
    if (out.pos >= COPY_CHUNK_BYTES) break;
  }
  return row;
}

/** A page layout the direct decoder below does not read: the row group goes through hyparquet instead. */
class UnsupportedLayout extends Error {}

/**
 * One column of a row group as COPY text fields: field `r` is `arena[starts[r] .. ends[r])`, already
 * escaped (`\N` for NULL). A dictionary's entries are printed once and shared by every row using them.
 */
interface ColumnText {
  arena: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
}

/** A growable byte buffer; positions stay valid when it grows. */
class Arena {
  buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(64, size));
  }
  ensure(need: number): Uint8Array {
    if (this.pos + need > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + need));
      bigger.set(this.buf.subarray(0, this.pos));
      this.buf = bigger;
    }
    return this.buf;
  }
  /** Bytes `src[from, to)` as a COPY text field (backslash and \b \t \n \v \f \r escaped). */
  escaped(src: Uint8Array, from: number, to: number): void {
    const buf = this.ensure(2 * (to - from));
    let pos = this.pos;
    for (let k = from; k < to; k++) {
      const c = src[k] as number;
      if (c === 92) {
        buf[pos++] = 92;
        buf[pos++] = 92;
      } else if (c <= 13 && c >= 8) {
        buf[pos++] = 92;
        buf[pos++] = c === 8 ? 98 : c === 9 ? 116 : c === 10 ? 110 : c === 11 ? 118 : c === 12 ? 102 : 114;
      } else {
        buf[pos++] = c;
      }
    }
    this.pos = pos;
  }
  /** An integer of at most 53 bits. */
  int(value: number): void {
    const buf = this.ensure(24);
    let pos = this.pos;
    let n = value;
    if (n < 0) {
      buf[pos++] = 45;
      n = -n;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    pos += digits;
    this.pos = pos;
    if (n < 2147483648) {
      for (let k = pos - 1; k >= pos - digits; k--) {
        const q = (n / 10) | 0;
        buf[k] = 48 + (n - q * 10);
        n = q;
      }
    } else {
      for (let k = pos - 1; k >= pos - digits; k--) {
        const q = Math.floor(n / 10);
        buf[k] = 48 + (n - q * 10);
        n = q;
      }
    }
  }
  /** ASCII text (digits, float8 spellings). */
  ascii(text: string): void {
    const buf = this.ensure(text.length);
    for (let k = 0; k < text.length; k++) buf[this.pos++] = text.charCodeAt(k);
  }
}

// Fixed fields at the start of every arena.
const NULL_FIELD = 0; // \N, 2 bytes
const TRUE_FIELD = 2; // t
const FALSE_FIELD = 3; // f

/**
 * Decodes the values of a PLAIN page (or a dictionary page) of `type` into the arena: rows `[at, at +
 * rows)` get their fields, a row whose definition level is 0 (`defs`) the NULL field. One loop per
 * type, so the hot loop does not branch on it.
 */
function plainValues(
  arena: Arena,
  type: string,
  page: Uint8Array,
  count: number,
  starts: Int32Array,
  ends: Int32Array,
  at: number,
  defs: Uint8Array | null,
  rows: number,
): void {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const defined = rows - (defs ? rows - count : 0);
  let p = 0;
  let v = 0;
  const width = type === 'INT32' ? 4 : type === 'INT64' || type === 'DOUBLE' ? 8 : 0;
  if (width && count * width > page.length) throw new UnsupportedLayout('page shorter than its values');
  if (defined > count && !defs) throw new UnsupportedLayout('fewer values than rows');
  for (let r = 0; r < rows; r++) {
    const row = at + r;
    if (defs !== null && defs[r] === 0) {
      starts[row] = NULL_FIELD;
      ends[row] = NULL_FIELD + 2;
      continue;
    }
    if (v++ >= count) throw new UnsupportedLayout('fewer values than rows');
    const start = arena.pos;
    if (type === 'BYTE_ARRAY') {
      const length = view.getUint32(p, true);
      p += 4;
      if (p + length > page.length) throw new UnsupportedLayout('value past the page');
      arena.escaped(page, p, p + length);
      p += length;
    } else if (type === 'INT32') {
      arena.int(view.getInt32(p, true));
      p += 4;
    } else if (type === 'INT64') {
      const hi = view.getInt32(p + 4, true);
      if (hi >= -2097152 && hi < 2097152) arena.int(hi * 4294967296 + view.getUint32(p, true));
      else arena.ascii(String(view.getBigInt64(p, true)));
      p += 8;
    } else if (type === 'DOUBLE') {
      arena.ascii(formatFloat8(view.getFloat64(p, true)));
      p += 8;
    } else if (type === 'BOOLEAN') {
      const bit = ((page[(v - 1) >> 3] as number) >> ((v - 1) & 7)) & 1;
      starts[row] = bit ? TRUE_FIELD : FALSE_FIELD;
      ends[row] = (bit ? TRUE_FIELD : FALSE_FIELD) + 1;
      continue;
    } else {
      throw new UnsupportedLayout(type);
    }
    starts[row] = start;
    ends[row] = arena.pos;
  }
}

/**
 * Decodes one column chunk, as hyparquet-writer writes them (an optional PLAIN dictionary page, then
 * DATA_PAGE_V2 pages, PLAIN / RLE_DICTIONARY / RLE booleans, snappy or uncompressed), straight into
 * COPY text fields. Anything else throws UnsupportedLayout.
 */
function columnChunkText(bytes: Uint8Array, type: string, codec: string, rows: number, sizeHint: number): ColumnText {
  if (codec !== 'SNAPPY' && codec !== 'UNCOMPRESSED') throw new UnsupportedLayout(codec);
  const arena = new Arena(sizeHint + 64);
  arena.ascii('\\Ntf');
  const starts = new Int32Array(rows);
  const ends = new Int32Array(rows);
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  let dictStarts: Int32Array | null = null;
  let dictEnds: Int32Array | null = null;
  let row = 0;
  while (row < rows) {
    if (reader.offset >= bytes.length) throw new UnsupportedLayout('column chunk ends early');
    const header = parquetHeader(reader);
    const body = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const count = header.dictionary_page_header?.num_values ?? 0;
      const page = codec === 'SNAPPY' ? uncompressor()(body, header.uncompressed_page_size) : body;
      dictStarts = new Int32Array(count);
      dictEnds = new Int32Array(count);
      plainValues(arena, type, page, count, dictStarts, dictEnds, 0, null, count);
      continue;
    }
    const h = header.data_page_header_v2;
    if (header.type !== 'DATA_PAGE_V2' || !h || h.repetition_levels_byte_length) throw new UnsupportedLayout(header.type);
    const pageRows = h.num_values;
    if (row + pageRows > rows) throw new UnsupportedLayout('more values than rows');
    const defLength = h.definition_levels_byte_length;
    let defs: Uint8Array | null = null;
    if (h.num_nulls) {
      if (!defLength) throw new UnsupportedLayout('nulls without definition levels');
      defs = new Uint8Array(pageRows);
      readRleBitPackedHybrid({ view: new DataView(body.buffer, body.byteOffset, defLength), offset: 0 }, 1, defs, defLength);
    }
    const compressed = body.subarray(defLength);
    const size = header.uncompressed_page_size - defLength;
    const page = codec === 'SNAPPY' && h.is_compressed !== false ? uncompressor()(compressed, size) : compressed;
    const count = pageRows - h.num_nulls;
    if (h.encoding === 'PLAIN') {
      plainValues(arena, type, page, count, starts, ends, row, defs, pageRows);
    } else if ((h.encoding === 'RLE_DICTIONARY' || h.encoding === 'PLAIN_DICTIONARY') && dictStarts && dictEnds) {
      const indexes = new Int32Array(count);
      if (count)
        readRleBitPackedHybrid({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 1 }, page[0] as number, indexes, page.length - 1);
      let v = 0;
      for (let r = 0; r < pageRows; r++) {
        if (defs && !defs[r]) {
          starts[row + r] = NULL_FIELD;
          ends[row + r] = NULL_FIELD + 2;
          continue;
        }
        const index = indexes[v++] as number;
        if (index >= dictStarts.length) throw new UnsupportedLayout('dictionary index out of range');
        starts[row + r] = dictStarts[index] as number;
        ends[row + r] = dictEnds[index] as number;
      }
    } else if (h.encoding === 'RLE' && type === 'BOOLEAN') {
      const bits = new Uint8Array(count);
      readRleBitPackedHybrid({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, 1, bits);
      let v = 0;
      for (let r = 0; r < pageRows; r++) {
        const field = defs && !defs[r] ? NULL_FIELD : bits[v++] ? TRUE_FIELD : FALSE_FIELD;
        starts[row + r] = field;
        ends[row + r] = field + (field === NULL_FIELD ? 2 : 1);
      }
    } else {
      throw new UnsupportedLayout(h.encoding);
    }
    row += pageRows;
  }
  return { arena: arena.buf, starts, ends };
}

/** The chosen columns of one row group as COPY text fields; null when a chunk's layout is not one the direct decoder reads. */
async function rowGroupText(file: AsyncBuffer, metadata: FileMetaData, groupIndex: number, names: string[]): Promise<ColumnText[] | null> {
  const group = metadata.row_groups[groupIndex];
  if (!group) return null;
  const rows = Number(group.num_rows);
  const chunks = names.map((name) => group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name)?.meta_data);
  if (chunks.some((c) => !c)) return null;
  const buffers = await Promise.all(
    chunks.map((c) => {
      const meta = c as NonNullable<(typeof chunks)[0]>;
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      return file.slice(start, start + Number(meta.total_compressed_size));
    }),
  );
  try {
    const out: ColumnText[] = [];
    for (const [i, c] of chunks.entries()) {
      const meta = c as NonNullable<(typeof chunks)[0]>;
      const hint = meta.type === 'BYTE_ARRAY' ? Number(meta.total_uncompressed_size) + (rows >> 2) : rows * 12;
      // A turn of the event loop between columns: the socket keeps being fed while a row group is decoded.
      if (i) await new Promise<void>((resolve) => setImmediate(resolve));
      out.push(columnChunkText(new Uint8Array(buffers[i] as ArrayBuffer), meta.type, meta.codec, rows, hint));
    }
    return out;
  } catch (err) {
    if (err instanceof UnsupportedLayout) return null;
    throw err;
  }
}

/** Rows `[from, to)` of a row group's fields into `out`; stops after the row that fills a chunk and returns the next row. */
function writeFieldRows(out: CopyTextBuffer, columns: ColumnText[], from: number, to: number): number {
  const width = columns.length;
  const arenas = columns.map((c) => c.arena);
  const starts = columns.map((c) => c.starts);
  const ends = columns.map((c) => c.ends);
  let row = from;
  while (row < to) {
    let need = width;
    for (let i = 0; i < width; i++) need += (ends[i] as Int32Array)[row] as number;
    for (let i = 0; i < width; i++) need -= (starts[i] as Int32Array)[row] as number;
    if (out.pos + need > out.buf.length) out.ensure(need);
    const buf = out.buf;
    let pos = out.pos;
    for (let i = 0; i < width; i++) {
      const start = (starts[i] as Int32Array)[row] as number;
      const end = (ends[i] as Int32Array)[row] as number;
      const arena = arenas[i] as Uint8Array;
      if (end - start > 48) {
        buf.set(arena.subarray(start, end), pos);
        pos += end - start;
      } else {
        for (let k = start; k < end; k++) buf[pos++] = arena[k] as number;
      }
      buf[pos++] = 9;
    }
    buf[pos - 1] = 10;
    out.pos = pos;
    row++;
    if (pos >= COPY_CHUNK_BYTES) break;
  }
  return row;
}

export interface ParquetCopyTextOptions {
  /** The columns to write, by name, in this order (default: all, in the file's order). */
  columns?: string[];
  /** Parsed footer, when the caller has it already. */
  metadata?: FileMetaData;
  /** Told how many rows each row group held once it is written out. */
  onRows?: (rows: number) => void;
  signal?: AbortSignal;
  /** false: decode every row group through hyparquet, never with the direct page decoder (default true). */
  direct?: boolean;
}

/**
 * Streams a dataset Parquet file as PostgreSQL COPY text (what `COPY … FROM STDIN` reads by default),
 * the same bytes `batchesToCopyText(readParquet(file))` gives, without building a row array or a
 * string per value: each row group is decoded column by column (STRING values stay UTF-8 bytes) and
 * printed straight into byte chunks of about 1 MiB. Memory holds one row group and its chunks.
 */
export async function* readParquetCopyText(file: AsyncBuffer, options: ParquetCopyTextOptions = {}): AsyncGenerator<Buffer> {
  const metadata = options.metadata ?? (await parquetMetadataAsync(file));
  const stored = columnsOfMetadata(metadata);
  const names = options.columns ?? stored.map((c) => c.name);
  const columns = names.map((name) => {
    const column = stored.find((c) => c.name === name);
    if (!column) throw new InvalidInputError(`the Parquet file has no column ${JSON.stringify(name)}`, { column: name });
    return column;
  });
  const kinds = columns.map((c) =>
    c.parquetType === 'STRING'
      ? KIND_BYTES
      : c.parquetType === 'INT32'
        ? KIND_INT
        : c.parquetType === 'INT64'
          ? KIND_INT64
          : c.parquetType === 'BOOLEAN'
            ? KIND_BOOL
            : KIND_TEXT,
  );
  const decoders = columns.map((c) => DECODERS[c.parquetType]);
  const index = new Map(names.map((name, i) => [name, i]));
  const out = new CopyTextBuffer();
  let groupStart = 0;
  for (const [groupIndex, group] of metadata.row_groups.entries()) {
    options.signal?.throwIfAborted();
    const rows = Number(group.num_rows);
    const from = groupStart;
    groupStart += rows;
    if (!rows) continue;
    const fields = options.direct === false ? null : await rowGroupText(file, metadata, groupIndex, names);
    if (fields) {
      let row = 0;
      while (row < rows) {
        row = writeFieldRows(out, fields, row, rows);
        if (out.pos >= COPY_CHUNK_BYTES) out.cut();
        while (out.done.length) yield out.done.shift() as Buffer;
        if (row < rows) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      options.onRows?.(rows);
      continue;
    }
    const chunks: { column: number; rowStart: number; data: ArrayLike<unknown> }[] = [];
    await parquetRead({
      file,
      metadata,
      rowStart: from,
      rowEnd: from + rows,
      columns: names,
      compressors: { SNAPPY: uncompressor() },
      // STRING values as their UTF-8 bytes (views into the page): printed as they are.
      parsers: { stringFromBytes: (bytes: Uint8Array) => bytes as unknown as string },
      onChunk: ({ columnName, columnData, rowStart }) => {
        chunks.push({ column: index.get(columnName) as number, rowStart, data: columnData as ArrayLike<unknown> });
      },
    });
    const data: ArrayLike<unknown>[] = names.map((_, i) => {
      const parts = chunks.filter((c) => c.column === i).sort((a, b) => a.rowStart - b.rowStart);
      if (parts.length === 1 && (parts[0] as (typeof parts)[0]).rowStart === from) return (parts[0] as (typeof parts)[0]).data;
      const all: unknown[] = [];
      for (const part of parts) {
        if (part.rowStart - from !== all.length) break;
        for (let k = 0; k < part.data.length; k++) all.push(part.data[k]);
      }
      return all;
    });
    for (const [i, column] of data.entries()) {
      if (column.length !== rows) {
        throw new InvalidInputError(`column ${JSON.stringify(names[i])} of the Parquet file has ${column.length} values in a row group of ${rows} rows`, {
          column: names[i],
        });
      }
    }
    let row = 0;
    while (row < rows) {
      row = writeCopyRows(out, data, kinds, decoders, row, rows);
      if (out.pos >= COPY_CHUNK_BYTES) out.cut();
      while (out.done.length) yield out.done.shift() as Buffer;
    }
    options.onRows?.(rows);
  }
  out.cut();
  while (out.done.length) yield out.done.shift() as Buffer;
}
