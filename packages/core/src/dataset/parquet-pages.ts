/**
 * The direct Parquet page decoder behind `readParquetCopyText`: reads the column chunks that
 * hyparquet-writer writes (an optional PLAIN dictionary page, then DATA_PAGE_V2 pages, PLAIN /
 * RLE_DICTIONARY / RLE booleans, snappy or uncompressed) straight into COPY text fields, without a
 * JavaScript value per row. Any other layout is reported (null) so the caller decodes through hyparquet.
 */
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { parseCopyTextLine, writeCopyEscaped, writeCopyInt } from './copy-text.ts';
import { formatFloat8 } from './float8.ts';
import { uncompressor } from './parquet.ts';

/** A page layout the direct decoder below does not read: the row group goes through hyparquet instead. */
class UnsupportedLayout extends Error {}

/**
 * One column of a row group as COPY text fields: field `r` is `arena[starts[r] .. ends[r])`, already
 * escaped (`\N` for NULL). A dictionary's entries are printed once and shared by every row using them.
 */
export interface ColumnText {
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
    this.pos = writeCopyEscaped(buf, this.pos, src, from, to);
  }
  /** An integer of at most 53 bits. */
  int(value: number): void {
    const buf = this.ensure(24);
    this.pos = writeCopyInt(buf, this.pos, value);
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
export async function rowGroupText(file: AsyncBuffer, metadata: FileMetaData, groupIndex: number, names: string[]): Promise<ColumnText[] | null> {
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

/**
 * The values of a column as PostgreSQL text (`null` for NULL), from its COPY text fields: what
 * hyparquet's rows give, with one string per value and nothing else. A STRING value loses a leading
 * U+FEFF as it does through hyparquet (its TextDecoder drops a byte order mark), so both readings agree.
 */
export function columnTextStrings(t: ColumnText, rows: number, string: boolean): (string | null)[] {
  const out = new Array<string | null>(rows);
  const arena = Buffer.from(t.arena.buffer, t.arena.byteOffset, t.arena.byteLength);
  for (let r = 0; r < rows; r++) {
    const start = t.starts[r] as number;
    if (start === NULL_FIELD) {
      out[r] = null;
      continue;
    }
    let text = arena.toString('utf8', start, t.ends[r]);
    if (text.includes('\\')) text = parseCopyTextLine(text)[0] ?? '';
    if (string && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    out[r] = text;
  }
  return out;
}
