/**
 * COPY text bytes (what `COPY … TO STDOUT` sends) cut into the columns of a Parquet row group, with no
 * JavaScript value per field: a STRING field's unescaped UTF-8 goes into its column's byte arena, an
 * integer is parsed digit by digit into a typed array, a boolean into a byte. Anything unusual — an
 * escape in a number, a spelling PostgreSQL would not print, a float — goes through the same text
 * codec as the row path (`parseCopyTextLine` and the Parquet value encoders), so values and errors
 * are the ones `writeParquet` gives for the same rows.
 */
import { InvalidInputError } from '../errors.ts';
import { parseCopyTextLine } from './copy-text.ts';
import { encodeParquetValue } from './parquet-values.ts';
import type { DatasetColumn, TextRow } from './types.ts';

const TAB = 9;
const NEWLINE = 10;
const CR = 13;
const BACKSLASH = 92;
const MINUS = 45;
const ZERO = 48;
const TWO_32 = 4294967296;

/** One column of a row group being filled. `defs[r]` is 1 for a value, 0 for NULL. */
export interface ColumnBuffer {
  column: DatasetColumn;
  defs: Uint8Array;
  /** STRING: value `r` is `bytes[offsets[r], offsets[r + 1])`. */
  bytes: Buffer;
  offsets: Int32Array;
  /** INT32 and BOOLEAN values. */
  ints: Int32Array;
  /** INT64 (exact below 2^53) and DOUBLE values. */
  nums: Float64Array;
  /** INT64 values beyond 2^53, by row. */
  big: Map<number, bigint>;
}

/**
 * Empty buffers for `rows` values of each column (the ones a `CopyTextColumns` of `rows` starts with).
 * `shared`: in SharedArrayBuffers, for row groups that go back and forth between threads — shared
 * memory is handed over without being counted again as each thread's external memory, which a
 * transferred buffer is on every arrival (enough, group after group, to set off full collections).
 */
export function newColumnBuffers(columns: DatasetColumn[], rows: number, shared = false): ColumnBuffer[] {
  return columns.map((c) => newBuffer(c, rows, shared));
}

function memory(bytes: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

function newBuffer(column: DatasetColumn, rows: number, shared = false): ColumnBuffer {
  const text = column.parquetType === 'STRING';
  const ints = column.parquetType === 'INT32' || column.parquetType === 'BOOLEAN' ? rows : 0;
  const nums = column.parquetType === 'INT64' || column.parquetType === 'DOUBLE' ? rows : 0;
  return {
    column,
    defs: new Uint8Array(memory(rows, shared)),
    bytes: Buffer.from(memory(text ? 64 * rows : 0, shared)),
    offsets: new Int32Array(memory(text ? 4 * (rows + 1) : 0, shared)),
    ints: new Int32Array(memory(4 * ints, shared)),
    nums: new Float64Array(memory(8 * nums, shared)),
    big: new Map(),
  };
}

/**
 * The rows of one row group as column buffers. `parse` takes complete lines; it stops after the row
 * that fills the group (by rows, or by characters counted as `writeParquet` counts them).
 */
export class CopyTextColumns {
  readonly columns: ColumnBuffer[];
  rows = 0;
  /** UTF-16 length of the values plus the per-value overhead, as `writeParquet` bounds a group. */
  chars = 0;
  /** Set once the end-of-data line `\.` was read. */
  ended = false;
  /** Rows before this group (for error messages). */
  rowsBefore = 0;
  readonly #groupRows: number;
  readonly #groupChars: number;
  readonly #rowOverhead: number;

  /** `shared`: the buffers in SharedArrayBuffers (`newColumnBuffers`). */
  constructor(columns: DatasetColumn[], groupRows: number, groupChars: number, valueOverhead: number, shared = false) {
    this.#groupRows = groupRows;
    this.#groupChars = groupChars;
    this.#rowOverhead = columns.length * valueOverhead;
    this.columns = newColumnBuffers(columns, groupRows, shared);
  }

  get full(): boolean {
    return this.rows >= this.#groupRows || this.chars >= this.#groupChars;
  }

  /**
   * Puts `buffers` (empty, for as many rows as this group holds) in place of the current ones and
   * returns those, filled: a row group handed to another thread while the next one is read.
   */
  swapBuffers(buffers: ColumnBuffer[]): ColumnBuffer[] {
    const filled = this.columns.slice();
    this.columns.splice(0, this.columns.length, ...buffers);
    return filled;
  }

  /** Starts the next row group. */
  reset(): void {
    this.rowsBefore += this.rows;
    this.rows = 0;
    this.chars = 0;
    for (const c of this.columns) c.big.clear();
  }

  /**
   * Reads the complete lines of `buf[pos, end)` (`end` is just after a newline) until the group is
   * full or the data ends; returns the position after the last line read.
   */
  parse(buf: Uint8Array, pos: number, end: number): number {
    let p = pos;
    const width = this.columns.length;
    while (p < end && !this.full && !this.ended) {
      if (buf[p] === BACKSLASH && buf[p + 1] === 46 && (buf[p + 2] === NEWLINE || (buf[p + 2] === CR && buf[p + 3] === NEWLINE))) {
        this.ended = true;
        return end;
      }
      const lineStart = p;
      const row = this.rows;
      for (let i = 0; i < width; i++) {
        const last = i === width - 1;
        p = this.#field(this.columns[i] as ColumnBuffer, buf, p, row, last, end);
        const sep = buf[p];
        if (sep !== (last ? NEWLINE : TAB)) this.#badWidth(buf, lineStart);
        p++;
      }
      this.chars += this.#rowOverhead;
      this.rows++;
    }
    return p;
  }

  #badWidth(buf: Uint8Array, lineStart: number): never {
    let values = 1;
    let q = lineStart;
    while (buf[q] !== NEWLINE && q < buf.length) if (buf[q++] === TAB) values++;
    const width = this.columns.length;
    throw new InvalidInputError(`row ${this.rowsBefore + this.rows + 1} has ${values} values; the table has ${width} columns`, {
      expected: width,
      actual: values,
    });
  }

  /** One field at `p` into `c`'s row `row`; returns the position of its separator. */
  #field(c: ColumnBuffer, buf: Uint8Array, p: number, row: number, last: boolean, end: number): number {
    if (buf[p] === BACKSLASH && buf[p + 1] === 78) {
      const after = buf[p + 2];
      if (after === TAB || after === NEWLINE || (last && after === CR && buf[p + 3] === NEWLINE)) {
        c.defs[row] = 0;
        if (c.column.parquetType === 'STRING') c.offsets[row + 1] = c.offsets[row] as number;
        return after === CR ? p + 3 : p + 2;
      }
    }
    c.defs[row] = 1;
    switch (c.column.parquetType) {
      case 'STRING':
        return this.#text(c, buf, p, row, last, end);
      case 'INT32':
      case 'INT64':
        return this.#integer(c, buf, p, row, last);
      case 'BOOLEAN': {
        const v = buf[p];
        const after = buf[p + 1];
        if ((v === 116 || v === 102) && (after === TAB || after === NEWLINE)) {
          c.ints[row] = v === 116 ? 1 : 0;
          this.chars += 1;
          return p + 1;
        }
        return this.#slow(c, buf, p, row, last);
      }
      default:
        return this.#slow(c, buf, p, row, last);
    }
  }

  /**
   * A STRING field: unescaped UTF-8 into the column's arena. When the arena has room for the rest of
   * the lines being parsed (`end`), the bytes are copied as they are scanned, in one pass.
   */
  #text(c: ColumnBuffer, buf: Uint8Array, p: number, row: number, last: boolean, end: number): number {
    const at = c.offsets[row] as number;
    const bytes = c.bytes;
    if (at + (end - p) > bytes.length) return this.#longText(c, buf, p, row, last);
    let q = p;
    let o = at;
    let extra = 0; // UTF-16 length = bytes - continuation bytes + 4-byte sequences
    let b = buf[q] as number;
    while (b !== TAB && b !== NEWLINE && b !== BACKSLASH) {
      bytes[o++] = b;
      if (b >= 0x80) extra += b < 0xc0 ? -1 : b >= 0xf0 ? 1 : 0;
      b = buf[++q] as number;
    }
    if (b === BACKSLASH) return this.#escaped(c, buf, q, row, o, last);
    if (b === NEWLINE && last && o > at && bytes[o - 1] === CR) o--;
    c.offsets[row + 1] = o;
    this.chars += o - at + extra;
    return q;
  }

  /** A STRING field that may not fit the arena: scanned first, the arena grown to its length, then copied. */
  #longText(c: ColumnBuffer, buf: Uint8Array, p: number, row: number, last: boolean): number {
    let q = p;
    let extra = 0;
    let b = buf[q] as number;
    while (b !== TAB && b !== NEWLINE && b !== BACKSLASH) {
      if (b >= 0x80) extra += b < 0xc0 ? -1 : b >= 0xf0 ? 1 : 0;
      b = buf[++q] as number;
    }
    let stop = q;
    if (b === NEWLINE && last && stop > p && buf[stop - 1] === CR) stop--;
    const at = c.offsets[row] as number;
    let bytes = c.bytes;
    if (at + (stop - p) > bytes.length) bytes = grow(c, at + (stop - p));
    bytes.set(buf.subarray(p, stop), at);
    const out = at + (stop - p);
    if (b === BACKSLASH) return this.#escaped(c, buf, q, row, out, last);
    c.offsets[row + 1] = out;
    this.chars += out - at + extra;
    return q;
  }

  /** The rest of a STRING field from its first backslash. */
  #escaped(c: ColumnBuffer, buf: Uint8Array, from: number, row: number, at: number, last: boolean): number {
    let end = from;
    while (buf[end] !== TAB && buf[end] !== NEWLINE) end++;
    const start = c.offsets[row] as number;
    let text = Buffer.from(c.bytes.buffer, c.bytes.byteOffset + start, at - start).toString('utf8');
    let rest = Buffer.from(buf.buffer, buf.byteOffset + from, end - from).toString('utf8');
    if (last && buf[end] === NEWLINE && rest.endsWith('\r')) rest = rest.slice(0, -1);
    // `rest` is `\N` only after other bytes: then it is an escaped N, not a NULL.
    text += parseCopyTextLine(rest)[0] ?? 'N';
    const encoded = Buffer.from(text, 'utf8');
    if (start + encoded.length > c.bytes.length) grow(c, start + encoded.length);
    c.bytes.set(encoded, start);
    c.offsets[row + 1] = start + encoded.length;
    this.chars += text.length;
    return end;
  }

  /** An INT32 or INT64 field as PostgreSQL prints it, digit by digit; anything else through the codec. */
  #integer(c: ColumnBuffer, buf: Uint8Array, p: number, row: number, last: boolean): number {
    const int32 = c.column.parquetType === 'INT32';
    let q = p;
    const negative = buf[q] === MINUS;
    if (negative) q++;
    let value = 0;
    const first = q;
    let d = (buf[q] as number) - ZERO;
    while (d >= 0 && d <= 9) {
      value = value * 10 + d;
      d = (buf[++q] as number) - ZERO;
    }
    const digits = q - first;
    const sep = buf[q];
    const plain = digits > 0 && digits <= (int32 ? 10 : 15) && (sep === TAB || sep === NEWLINE) && (buf[first] !== ZERO || (digits === 1 && !negative));
    if (!plain) return this.#slow(c, buf, p, row, last);
    const signed = negative ? -value : value;
    if (int32) {
      if ((signed | 0) !== signed) return this.#slow(c, buf, p, row, last);
      c.ints[row] = signed;
    } else {
      c.nums[row] = signed;
    }
    this.chars += q - p;
    return q;
  }

  /** Any field through the text codec of the row path: the same value, or the same error. */
  #slow(c: ColumnBuffer, buf: Uint8Array, p: number, row: number, last: boolean): number {
    let end = p;
    while (buf[end] !== TAB && buf[end] !== NEWLINE) end++;
    let raw = Buffer.from(buf.buffer, buf.byteOffset + p, end - p).toString('utf8');
    if (last && buf[end] === NEWLINE && raw.endsWith('\r')) raw = raw.slice(0, -1);
    const text = parseCopyTextLine(raw)[0] ?? null;
    if (text === null) {
      c.defs[row] = 0;
      if (c.column.parquetType === 'STRING') c.offsets[row + 1] = c.offsets[row] as number;
      return end;
    }
    this.chars += text.length;
    store(c, row, encodeParquetValue(text, c.column));
    return end;
  }

  /** One row of PostgreSQL text values (`null` for NULL): the row path of `writeParquet`. */
  addRow(row: TextRow): void {
    const width = this.columns.length;
    if (row.length !== width) {
      throw new InvalidInputError(`row ${this.rowsBefore + this.rows + 1} has ${row.length} values; the table has ${width} columns`, {
        expected: width,
        actual: row.length,
      });
    }
    const r = this.rows;
    for (let i = 0; i < width; i++) {
      const c = this.columns[i] as ColumnBuffer;
      const text = row[i];
      const string = c.column.parquetType === 'STRING';
      if (text === null || text === undefined) {
        c.defs[r] = 0;
        if (string) c.offsets[r + 1] = c.offsets[r] as number;
        continue;
      }
      c.defs[r] = 1;
      this.chars += text.length;
      if (!string) {
        store(c, r, encodeParquetValue(text, c.column));
        continue;
      }
      const at = c.offsets[r] as number;
      if (at + 3 * text.length > c.bytes.length) grow(c, at + 3 * text.length);
      c.offsets[r + 1] = at + c.bytes.write(text, at, 'utf8');
    }
    this.chars += this.#rowOverhead;
    this.rows++;
  }
}

/**
 * One column's PostgreSQL text values (`null` for NULL) as a column buffer, as `addRow` fills it
 * (a bad value throws `InvalidInputError` from the same codec).
 */
export function columnBufferOfText(column: DatasetColumn, texts: readonly (string | null)[]): ColumnBuffer {
  const rows = texts.length;
  const c = newBuffer(column, rows);
  const string = column.parquetType === 'STRING';
  for (let r = 0; r < rows; r++) {
    const text = texts[r];
    if (text === null || text === undefined) {
      if (string) c.offsets[r + 1] = c.offsets[r] as number;
      continue;
    }
    c.defs[r] = 1;
    if (!string) {
      store(c, r, encodeParquetValue(text, column));
      continue;
    }
    const at = c.offsets[r] as number;
    if (at + 3 * text.length > c.bytes.length) grow(c, at + 3 * text.length);
    c.offsets[r + 1] = at + c.bytes.write(text, at, 'utf8');
  }
  return c;
}

/** A non-STRING value, as the column's Parquet type stores it, into row `row`. */
function store(c: ColumnBuffer, row: number, value: unknown): void {
  switch (c.column.parquetType) {
    case 'INT32':
      c.ints[row] = value as number;
      break;
    case 'BOOLEAN':
      c.ints[row] = value ? 1 : 0;
      break;
    case 'DOUBLE':
      c.nums[row] = value as number;
      break;
    case 'INT64':
      if (Number.isSafeInteger(Number(value))) c.nums[row] = Number(value);
      else c.big.set(row, value as bigint);
      break;
  }
}

/** Grows a STRING column's arena to at least `need` bytes (in shared memory when it was). */
function grow(c: ColumnBuffer, need: number): Buffer {
  const bigger = Buffer.from(memory(Math.max(need, 2 * c.bytes.length), c.bytes.buffer instanceof SharedArrayBuffer));
  bigger.set(c.bytes);
  c.bytes = bigger;
  return bigger;
}

/** Splits an INT64 below 2^53 into its low and high 32 bits. */
export function int64Words(value: number): [number, number] {
  const hi = Math.floor(value / TWO_32);
  return [value - hi * TWO_32, hi];
}
