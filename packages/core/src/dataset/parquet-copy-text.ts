/**
 * A dataset Parquet file as PostgreSQL COPY text, for provisioning: row groups decoded column by
 * column (by the direct page decoder of `parquet-pages.ts`, or through hyparquet for other layouts)
 * and printed into byte chunks of about 1 MiB, with no row array or string per value.
 */
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { InvalidInputError } from '../errors.ts';
import { formatCopyTextValue, writeCopyEscaped, writeCopyInt } from './copy-text.ts';
import { DECODERS, type Decode, type ParquetType, uncompressor } from './parquet.ts';
import { columnsOfMetadata } from './parquet-read.ts';
import { type ColumnText, rowGroupText } from './parquet-pages.ts';

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
    this.ensure(2 * value.length);
    this.pos = writeCopyEscaped(this.buf, this.pos, value, 0, value.length);
  }

  /** An integer of at most 53 bits, as PostgreSQL prints it. */
  int(value: number): void {
    this.ensure(24);
    this.pos = writeCopyInt(this.buf, this.pos, value);
  }

  /** A JavaScript string, UTF-8, escaped as a COPY text field. */
  text(value: string): void {
    const field = formatCopyTextValue(value);
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
  const kinds = columns.map((c) => copyKind(c.parquetType));
  const decoders = columns.map((c) => DECODERS[c.parquetType]);
  const out = new CopyTextBuffer();
  let groupStart = 0;
  for (const [groupIndex, group] of metadata.row_groups.entries()) {
    options.signal?.throwIfAborted();
    const rows = Number(group.num_rows);
    const from = groupStart;
    groupStart += rows;
    if (!rows) continue;
    const fields = options.direct === false ? null : await rowGroupText(file, metadata, groupIndex, names);
    if (fields) yield* copyFieldRows(out, fields, rows);
    else yield* copyDecodedRows(out, await decodeRowGroup(file, metadata, names, from, rows), kinds, decoders, rows);
    options.onRows?.(rows);
  }
  out.cut();
  while (out.done.length) yield out.done.shift() as Buffer;
}

/** How a column of this Parquet type is written as COPY text. */
function copyKind(parquetType: ParquetType): number {
  switch (parquetType) {
    case 'STRING':
      return KIND_BYTES;
    case 'INT32':
      return KIND_INT;
    case 'INT64':
      return KIND_INT64;
    case 'BOOLEAN':
      return KIND_BOOL;
    default:
      return KIND_TEXT;
  }
}

/**
 * A row group the direct page decoder printed field by field, as COPY text chunks; the event loop
 * gets a turn between chunks, so the socket they go to keeps being fed.
 */
async function* copyFieldRows(out: CopyTextBuffer, fields: ColumnText[], rows: number): AsyncGenerator<Buffer> {
  let row = 0;
  while (row < rows) {
    row = writeFieldRows(out, fields, row, rows);
    if (out.pos >= COPY_CHUNK_BYTES) out.cut();
    while (out.done.length) yield out.done.shift() as Buffer;
    if (row < rows) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A row group hyparquet decoded into one array of values per column, as COPY text chunks. */
function* copyDecodedRows(out: CopyTextBuffer, data: ArrayLike<unknown>[], kinds: number[], decoders: Decode[], rows: number): Generator<Buffer> {
  let row = 0;
  while (row < rows) {
    row = writeCopyRows(out, data, kinds, decoders, row, rows);
    if (out.pos >= COPY_CHUNK_BYTES) out.cut();
    while (out.done.length) yield out.done.shift() as Buffer;
  }
}

/**
 * The `names` columns of the row group holding rows `[from, from + rows)`, decoded by hyparquet:
 * one array of `rows` values per column (STRING values as UTF-8 bytes), whatever pages they came in.
 */
async function decodeRowGroup(file: AsyncBuffer, metadata: FileMetaData, names: string[], from: number, rows: number): Promise<ArrayLike<unknown>[]> {
  const index = new Map(names.map((name, i) => [name, i]));
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
  return data;
}
