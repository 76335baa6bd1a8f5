/**
 * Writes a row group held in `CopyTextColumns` buffers through a hyparquet-writer `ParquetWriter`,
 * page by page, without a JavaScript value per field: the pages, page headers, dictionary decisions,
 * statistics and column chunk metadata are the ones `writeColumn` produces for the same values, so
 * the file is byte for byte the one `writeParquet` writes for the same rows (checked in
 * `parquet-encode.test.ts`). DOUBLE columns go through `writeColumn` itself.
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
import { type ColumnDictionary, numberDictionary, textDictionary } from './parquet-dictionary.ts';

/** hyparquet-writer's default page size (`ParquetWriter.write`). */
const PAGE_SIZE = 1048576;

type Compress = (bytes: Uint8Array) => Uint8Array;

interface Chunk {
  c: ColumnBuffer;
  rows: number;
  dictionary: ColumnDictionary | null;
  compress: Compress;
}

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
function pageValues(k: Chunk, encoding: Encoding, from: number, to: number): Uint8Array {
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
    const out = scratch(length + 4 * n);
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
  const out = scratch(width * n);
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
 * Memory for one uncompressed page body, reused page after page: a page is compressed (copied into
 * the compressor's memory) before the next one is built, and not allocating ≈ 60 MB of pages per
 * million rows spares the collector the work their external memory would cause.
 */
let pageMemory = new Uint8Array(1 << 16);

function scratch(size: number): Uint8Array {
  if (pageMemory.length < size) pageMemory = new Uint8Array(Math.max(size, 2 * pageMemory.length));
  return pageMemory.subarray(0, size);
}

/** One DATA_PAGE_V2 of rows `[from, to)`; returns its uncompressed size with the header, as `writeDataPageV2`. */
function writePage(writer: ByteWriter, k: Chunk, encoding: Encoding, from: number, to: number): number {
  const levels = new ByteWriter();
  const defs = k.c.defs.subarray(from, to);
  const defLength = writeRleBitPackedHybrid(levels, defs, 1);
  let nulls = 0;
  for (let r = 0; r < defs.length; r++) nulls += 1 - (defs[r] as number);
  const page = pageValues(k, encoding, from, to);
  const compressed = k.compress(page);
  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: levels.offset + page.length,
    compressed_page_size: levels.offset + compressed.length,
    data_page_header_v2: {
      num_values: to - from,
      num_nulls: nulls,
      num_rows: to - from,
      encoding,
      definition_levels_byte_length: defLength,
      repetition_levels_byte_length: 0,
      is_compressed: true,
    },
  });
  const headerSize = writer.offset - headerStart;
  writer.appendBytes(levels.getBytes());
  writer.appendBytes(compressed);
  return headerSize + levels.offset + page.length;
}

function writeDictionaryPage(writer: ByteWriter, dictionary: ColumnDictionary, compress: Compress): number {
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

/** Min, max and NULL count of an INT32, INT64 or BOOLEAN column, as `getStatistics` computes them. */
function statistics(c: ColumnBuffer, rows: number): { min_value: unknown; max_value: unknown; null_count: bigint } {
  let nulls = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const type = c.column.parquetType;
  const numbers = type === 'INT64' ? c.nums : c.ints;
  for (let r = 0; r < rows; r++) {
    if (!c.defs[r]) {
      nulls++;
      continue;
    }
    if (c.big.size && c.big.has(r)) continue;
    const v = numbers[r] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const null_count = BigInt(nulls);
  if (nulls === rows) return { min_value: undefined, max_value: undefined, null_count };
  if (type === 'BOOLEAN') return { min_value: min === 1, max_value: max === 1, null_count };
  if (type === 'INT32') return { min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max, null_count };
  let lo = min === Number.POSITIVE_INFINITY ? undefined : BigInt(min);
  let hi = max === Number.NEGATIVE_INFINITY ? undefined : BigInt(max);
  for (const v of c.big.values()) {
    if (lo === undefined || v < lo) lo = v;
    if (hi === undefined || v > hi) hi = v;
  }
  return { min_value: lo, max_value: hi, null_count };
}

/** One column chunk, as `writeColumn` writes it; returns it with its offset index (several pages only). */
function writeChunk(writer: ByteWriter, k: Chunk, element: SchemaElement): { chunk: ColumnChunk; offsetIndex?: OffsetIndex } {
  const type = k.c.column.parquetType;
  const offsetStart = writer.offset;
  const encodings: Encoding[] = [];
  let uncompressed = 0;
  let dictionaryOffset: bigint | undefined;
  let encoding: Encoding = type === 'BOOLEAN' && k.rows > 16 ? 'RLE' : 'PLAIN';
  if (k.dictionary) {
    dictionaryOffset = BigInt(writer.offset);
    uncompressed += writeDictionaryPage(writer, k.dictionary, k.compress);
    encodings.push('PLAIN');
    encoding = 'RLE_DICTIONARY';
  }
  encodings.push(encoding);
  const pages = pageBoundaries(k);
  const offsetIndex: OffsetIndex | undefined = pages.length > 1 ? { page_locations: [] } : undefined;
  const dataOffset = BigInt(writer.offset);
  for (const [from, to] of pages) {
    const at = writer.offset;
    uncompressed += writePage(writer, k, encoding, from, to);
    offsetIndex?.page_locations.push({ offset: BigInt(at), compressed_page_size: writer.offset - at, first_row_index: BigInt(from) });
  }
  const stats = type !== 'STRING';
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
      statistics: stats ? (statistics(k.c, k.rows) as NonNullable<ColumnChunk['meta_data']>['statistics']) : undefined,
      encoding_stats: stats
        ? [
            ...(k.dictionary ? [{ page_type: 'DICTIONARY_PAGE' as const, encoding: 'PLAIN' as const, count: 1 }] : []),
            { page_type: 'DATA_PAGE_V2' as const, encoding, count: pages.length },
          ]
        : undefined,
      geospatial_statistics: undefined,
    },
    file_offset: BigInt(offsetStart),
  };
  return { chunk, offsetIndex };
}

/** A DOUBLE column through hyparquet-writer's own `writeColumn` (floats are rare; their text is parsed anyway). */
function writeValuesChunk(pq: ParquetWriter, c: ColumnBuffer, rows: number, element: SchemaElement, root: SchemaElement) {
  const values: (number | null)[] = new Array(rows);
  const definitionLevels: number[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    values[r] = c.defs[r] ? (c.nums[r] as number) : null;
    definitionLevels[r] = c.defs[r] as number;
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
 * Writes column `i` of the schema (`c`, `rows` values) as the next column chunk where `pq`'s writer
 * stands, as `writeColumn` would; the chunk's offset index goes with the file's.
 */
export function writeColumnBufferChunk(pq: ParquetWriter, i: number, c: ColumnBuffer, rows: number): ColumnChunk {
  const element = pq.schema[i + 1] as SchemaElement;
  const type = c.column.parquetType;
  const result =
    type === 'DOUBLE'
      ? writeValuesChunk(pq, c, rows, element, pq.schema[0] as SchemaElement)
      : writeChunk(
          pq.writer as ByteWriter,
          {
            c,
            rows,
            compress: pq.compressors.SNAPPY as Compress,
            dictionary: type === 'STRING' ? textDictionary(c, rows) : type === 'BOOLEAN' ? null : numberDictionary(c, rows),
          },
          element,
        );
  pq.pendingIndexes.push(result);
  return result.chunk;
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
