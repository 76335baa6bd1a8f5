/**
 * Writes a row group held in `CopyTextColumns` buffers through a hyparquet-writer `ParquetWriter`,
 * page by page, without a JavaScript value per field: the pages, page headers, dictionary decisions,
 * statistics and column chunk metadata are the ones `writeColumn` produces for the same values, so
 * the file is byte for byte the one `writeParquet` writes for the same rows (checked in
 * `parquet-encode.test.ts`). DOUBLE columns go through `writeColumn` itself.
 *
 * A chunk is encoded in two steps: `prepareColumnChunk` builds its pages uncompressed (any thread, any
 * order), `writePreparedChunk` compresses and writes them where the file stands. Compression stays in
 * the second step because the snappy compressor's output depends on what it compressed before
 * (parquet.ts): the file's pages go through it in file order, whichever thread prepared them.
 */
import type { ColumnChunk, Encoding, OffsetIndex, SchemaElement } from 'hyparquet';
import type { ParquetWriter } from 'hyparquet-writer';
import { ByteWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { writePlain } from 'hyparquet-writer/src/plain.js';
import type { ColumnBuffer, CopyTextColumns } from './copy-text-columns.ts';
import { int64Words } from './copy-text-columns.ts';
import { statistics } from './parquet-statistics.ts';
import { type ColumnDictionary, numberDictionary, textDictionary } from './parquet-dictionary.ts';

/** hyparquet-writer's default page size (`ParquetWriter.write`). */
const PAGE_SIZE = 1048576;

type Compress = (bytes: Uint8Array) => Uint8Array;

interface Chunk {
  c: ColumnBuffer;
  rows: number;
  dictionary: ColumnDictionary | null;
}

/** A DATA_PAGE_V2 of rows `[from, to)` before compression: its definition levels and its values. */
interface PreparedPage {
  from: number;
  to: number;
  levels: Uint8Array;
  defLength: number;
  nulls: number;
  body: Uint8Array;
}

type Statistics = NonNullable<NonNullable<ColumnChunk['meta_data']>['statistics']>;

/**
 * A column chunk encoded up to its compression (plain typed arrays, so it can be transferred between
 * threads): its pages, or for a DOUBLE column the values `writeColumn` encodes where it is written.
 */
export type PreparedChunk =
  | {
      kind: 'pages';
      type: ColumnBuffer['column']['parquetType'];
      rows: number;
      dictionary: { plain: Uint8Array; count: number } | null;
      encoding: Encoding;
      pages: PreparedPage[];
      statistics: Statistics | undefined;
    }
  | { kind: 'values'; rows: number; defs: Uint8Array; nums: Float64Array };

/** Page boundaries as `getPageBoundaries` sets them from each value's estimated size. */
function pageBoundaries(k: Chunk): [number, number][] {
  const { c, rows, dictionary } = k;
  const type = c.column.parquetType;
  const fixed = dictionary ? 4 : type === 'INT32' ? 4 : type === 'INT64' ? 8 : type === 'BOOLEAN' ? 0.125 : -1;
  const pages: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let r = 0; r < rows; r++) {
    const size = !c.defs[r] ? 0 : fixed >= 0 ? fixed : (c.offsets[r + 1] as number) - (c.offsets[r] as number);
    bytes += size;
    if (bytes >= PAGE_SIZE && r > start) {
      pages.push([start, r]);
      start = r;
      bytes = size;
    }
  }
  if (start < rows) pages.push([start, rows]);
  return pages;
}

/** The non-NULL values of rows `[from, to)` as a page body in `encoding`. */
function pageValues(k: Chunk, encoding: Encoding, from: number, to: number, reuse: boolean): Uint8Array {
  const { c, dictionary } = k;
  const type = c.column.parquetType;
  let n = 0;
  for (let r = from; r < to; r++) n += c.defs[r] as number;
  if (dictionary) {
    const values = new Int32Array(n);
    let max = 0;
    for (let r = from, v = 0; r < to; r++) {
      if (!c.defs[r]) continue;
      const index = dictionary.indexes[r] as number;
      values[v++] = index;
      if (index > max) max = index;
    }
    const bitWidth = Math.ceil(Math.log2(max + 1));
    const page = new ByteWriter();
    page.appendUint8(bitWidth);
    writeRleBitPackedHybrid(page, values, bitWidth);
    return page.getBytes();
  }
  if (type === 'BOOLEAN') {
    const bits = new Array<boolean>(n);
    for (let r = from, v = 0; r < to; r++) if (c.defs[r]) bits[v++] = c.ints[r] === 1;
    const page = new ByteWriter();
    if (encoding === 'RLE') {
      const rle = new ByteWriter();
      writeRleBitPackedHybrid(rle, bits as unknown as number[], 1);
      page.appendUint32(rle.offset);
      page.appendBytes(rle.getBytes());
    } else {
      writePlain(page, bits, 'BOOLEAN', undefined);
    }
    return page.getBytes();
  }
  if (type === 'STRING') {
    const length = (c.offsets[to] as number) - (c.offsets[from] as number);
    const out = body(length + 4 * n, reuse);
    const { bytes, offsets, defs } = c;
    let at = 0;
    for (let r = from; r < to; r++) {
      if (!defs[r]) continue;
      const start = offsets[r] as number;
      const end = offsets[r + 1] as number;
      const size = end - start;
      out[at] = size & 0xff;
      out[at + 1] = (size >>> 8) & 0xff;
      out[at + 2] = (size >>> 16) & 0xff;
      out[at + 3] = size >>> 24;
      at += 4;
      if (size > 32) out.set(bytes.subarray(start, end), at);
      else for (let q = 0; q < size; q++) out[at + q] = bytes[start + q] as number;
      at += size;
    }
    return out;
  }
  const width = type === 'INT32' ? 4 : 8;
  const out = body(width * n, reuse);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = -width;
  for (let r = from; r < to; r++) {
    if (!c.defs[r]) continue;
    at += width;
    if (width === 4) view.setInt32(at, c.ints[r] as number, true);
    else {
      const big = c.big.size ? c.big.get(r) : undefined;
      if (big !== undefined) view.setBigInt64(at, big, true);
      else {
        const [lo, hi] = int64Words(c.nums[r] as number);
        view.setUint32(at, lo, true);
        view.setInt32(at + 4, hi, true);
      }
    }
  }
  return out;
}

/**
 * Memory for one uncompressed page body, reused page after page where a page is compressed (copied
 * into the compressor's memory) before the next one is built: not allocating ≈ 60 MB of pages per
 * million rows spares the collector the work their external memory would cause. Pages prepared to be
 * written later (another thread, another order) get their own memory.
 */
let pageMemory = new Uint8Array(1 << 16);

function body(size: number, reuse: boolean): Uint8Array {
  if (!reuse) return new Uint8Array(size);
  if (pageMemory.length < size) pageMemory = new Uint8Array(Math.max(size, 2 * pageMemory.length));
  return pageMemory.subarray(0, size);
}

/** Rows `[from, to)` as a DATA_PAGE_V2's levels and body, uncompressed (`reuse`: the body in the shared page memory). */
function preparePage(k: Chunk, encoding: Encoding, from: number, to: number, reuse = false): PreparedPage {
  const levels = new ByteWriter();
  const defs = k.c.defs.subarray(from, to);
  const defLength = writeRleBitPackedHybrid(levels, defs, 1);
  let nulls = 0;
  for (let r = 0; r < defs.length; r++) nulls += 1 - (defs[r] as number);
  return { from, to, levels: levels.getBytes(), defLength, nulls, body: pageValues(k, encoding, from, to, reuse) };
}

/** Writes a prepared page, compressed; returns its uncompressed size with the header, as `writeDataPageV2`. */
function writePage(writer: ByteWriter, page: PreparedPage, encoding: Encoding, compress: Compress): number {
  const compressed = compress(page.body);
  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: page.levels.length + page.body.length,
    compressed_page_size: page.levels.length + compressed.length,
    data_page_header_v2: {
      num_values: page.to - page.from,
      num_nulls: page.nulls,
      num_rows: page.to - page.from,
      encoding,
      definition_levels_byte_length: page.defLength,
      repetition_levels_byte_length: 0,
      is_compressed: true,
    },
  });
  const headerSize = writer.offset - headerStart;
  writer.appendBytes(page.levels);
  writer.appendBytes(compressed);
  return headerSize + page.levels.length + page.body.length;
}

function writeDictionaryPage(writer: ByteWriter, dictionary: { plain: Uint8Array; count: number }, compress: Compress): number {
  const compressed = compress(dictionary.plain);
  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DICTIONARY_PAGE',
    uncompressed_page_size: dictionary.plain.length,
    compressed_page_size: compressed.length,
    dictionary_page_header: { num_values: dictionary.count, encoding: 'PLAIN' },
  });
  const headerSize = writer.offset - headerStart;
  writer.appendBytes(compressed);
  return headerSize + dictionary.plain.length;
}

type PagesChunk = Extract<PreparedChunk, { kind: 'pages' }>;

/** A pages chunk written where it is made: each page built in the shared page memory as the writer takes it. */
type StreamedChunk = Omit<PagesChunk, 'pages'> & { pages: Iterable<PreparedPage>; pageCount: number };

/** Column buffer `c`'s dictionary decision, encoding, statistics and page boundaries; a DOUBLE column's values. */
function planChunk(c: ColumnBuffer, rows: number) {
  const type = c.column.parquetType;
  if (type === 'DOUBLE') return { kind: 'values', rows, defs: c.defs.subarray(0, rows), nums: c.nums.subarray(0, rows) } as const;
  const dictionary = type === 'STRING' ? textDictionary(c, rows) : type === 'BOOLEAN' ? null : numberDictionary(c, rows);
  const k: Chunk = { c, rows, dictionary };
  const encoding: Encoding = dictionary ? 'RLE_DICTIONARY' : type === 'BOOLEAN' && rows > 16 ? 'RLE' : 'PLAIN';
  const head = {
    kind: 'pages',
    type,
    rows,
    dictionary: dictionary && { plain: dictionary.plain, count: dictionary.count },
    encoding,
    statistics: type === 'STRING' ? undefined : (statistics(c, rows) as Statistics),
  } as const;
  return { ...head, k, bounds: pageBoundaries(k) };
}

/** Column buffer `c` (`rows` values) as a prepared chunk: its dictionary decision, pages and statistics. */
export function prepareColumnChunk(c: ColumnBuffer, rows: number): PreparedChunk {
  const plan = planChunk(c, rows);
  if (plan.kind === 'values') return plan;
  const { k, bounds, ...head } = plan;
  return { ...head, pages: bounds.map(([from, to]) => preparePage(k, head.encoding, from, to)) };
}

function* streamedPages(k: Chunk, encoding: Encoding, bounds: [number, number][]): Iterable<PreparedPage> {
  for (const [from, to] of bounds) yield preparePage(k, encoding, from, to, true);
}

/** Column buffer `c` as a chunk to write at once: its pages built one by one as they are compressed. */
function streamColumnChunk(c: ColumnBuffer, rows: number): PreparedChunk | StreamedChunk {
  const plan = planChunk(c, rows);
  if (plan.kind === 'values') return plan;
  const { k, bounds, ...head } = plan;
  return { ...head, pages: streamedPages(k, head.encoding, bounds), pageCount: bounds.length };
}

/** One prepared column chunk, as `writeColumn` writes it; returns it with its offset index (several pages only). */
function writeChunk(
  writer: ByteWriter,
  k: PagesChunk | StreamedChunk,
  element: SchemaElement,
  compress: Compress,
): { chunk: ColumnChunk; offsetIndex?: OffsetIndex } {
  const offsetStart = writer.offset;
  const encodings: Encoding[] = [];
  let uncompressed = 0;
  let dictionaryOffset: bigint | undefined;
  if (k.dictionary) {
    dictionaryOffset = BigInt(writer.offset);
    uncompressed += writeDictionaryPage(writer, k.dictionary, compress);
    encodings.push('PLAIN');
  }
  encodings.push(k.encoding);
  const pageCount = 'pageCount' in k ? k.pageCount : k.pages.length;
  const offsetIndex: OffsetIndex | undefined = pageCount > 1 ? { page_locations: [] } : undefined;
  const dataOffset = BigInt(writer.offset);
  for (const page of k.pages) {
    const at = writer.offset;
    uncompressed += writePage(writer, page, k.encoding, compress);
    offsetIndex?.page_locations.push({ offset: BigInt(at), compressed_page_size: writer.offset - at, first_row_index: BigInt(page.from) });
  }
  const stats = k.statistics !== undefined;
  const chunk: ColumnChunk = {
    meta_data: {
      type: element.type as NonNullable<SchemaElement['type']>,
      encodings,
      path_in_schema: [element.name],
      codec: 'SNAPPY',
      num_values: BigInt(k.rows),
      total_compressed_size: BigInt(writer.offset - offsetStart),
      total_uncompressed_size: BigInt(uncompressed),
      data_page_offset: dataOffset,
      dictionary_page_offset: dictionaryOffset,
      statistics: k.statistics,
      encoding_stats: stats
        ? [
            ...(k.dictionary ? [{ page_type: 'DICTIONARY_PAGE' as const, encoding: 'PLAIN' as const, count: 1 }] : []),
            { page_type: 'DATA_PAGE_V2' as const, encoding: k.encoding, count: pageCount },
          ]
        : undefined,
      geospatial_statistics: undefined,
    },
    file_offset: BigInt(offsetStart),
  };
  return { chunk, offsetIndex };
}

/** A DOUBLE column through hyparquet-writer's own `writeColumn` (floats are rare; their text is parsed anyway). */
function writeValuesChunk(pq: ParquetWriter, k: Extract<PreparedChunk, { kind: 'values' }>, element: SchemaElement, root: SchemaElement) {
  const values: (number | null)[] = new Array(k.rows);
  const definitionLevels: number[] = new Array(k.rows);
  for (let r = 0; r < k.rows; r++) {
    values[r] = k.defs[r] ? (k.nums[r] as number) : null;
    definitionLevels[r] = k.defs[r] as number;
  }
  return writeColumn({
    writer: pq.writer,
    column: {
      columnName: element.name,
      element,
      schemaPath: [root, element],
      codec: 'SNAPPY',
      compressors: pq.compressors,
      stats: true,
      pageSize: PAGE_SIZE,
      columnIndex: false,
      offsetIndex: true,
    },
    pageData: { values, definitionLevels, repetitionLevels: [], maxDefinitionLevel: 1 },
  });
}

/**
 * Writes prepared chunk `k` of column `i` of the schema as the next column chunk where `pq`'s writer
 * stands, compressed by the file's compressor; the chunk's offset index goes with the file's.
 */
export function writePreparedChunk(pq: ParquetWriter, i: number, k: PreparedChunk): ColumnChunk {
  return writeChunkAt(pq, i, k);
}

function writeChunkAt(pq: ParquetWriter, i: number, k: PreparedChunk | StreamedChunk): ColumnChunk {
  const element = pq.schema[i + 1] as SchemaElement;
  const result =
    k.kind === 'values'
      ? writeValuesChunk(pq, k, element, pq.schema[0] as SchemaElement)
      : writeChunk(pq.writer as ByteWriter, k, element, pq.compressors.SNAPPY as Compress);
  pq.pendingIndexes.push(result);
  return result.chunk;
}

/** Writes column `i` of the schema (`c`, `rows` values) as the next column chunk where `pq`'s writer stands, as `writeColumn` would. */
export function writeColumnBufferChunk(pq: ParquetWriter, i: number, c: ColumnBuffer, rows: number): ColumnChunk {
  return writeChunkAt(pq, i, streamColumnChunk(c, rows));
}

/**
 * Writes the rows held in `group` as the next row group of `pq` (whose schema is the root element
 * followed by one element per column) and hands the bytes to its writer's flush.
 */
export function writeCopyTextRowGroup(pq: ParquetWriter, group: Pick<CopyTextColumns, 'rows' | 'columns'>): Promise<void> | void {
  const writer = pq.writer as ByteWriter & { flush?: () => Promise<void> | void };
  const rows = group.rows;
  const groupStart = writer.offset;
  const columns = group.columns.map((c, i) => writeColumnBufferChunk(pq, i, c, rows));
  let total = 0n;
  for (const { meta_data } of columns) total += meta_data?.total_uncompressed_size ?? 0n;
  pq.num_rows += BigInt(rows);
  pq.row_groups.push({ columns, total_byte_size: total, num_rows: BigInt(rows), total_compressed_size: BigInt(writer.offset - groupStart) });
  return writer.flush?.();
}
