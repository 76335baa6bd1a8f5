/**
 * Rewriting a dataset Parquet file column by column: the columns a step changes are decoded,
 * handed over as text a row group at a time and encoded again, and every other column chunk is
 * copied byte for byte (pages, dictionary page, statistics, encodings), with the source's row
 * groups unchanged. The mask step uses it so that a column it keeps costs a file copy rather than
 * a decode and an encode. The file is what `writeParquet` would write for the same rows in the
 * same row groups: the same pages, footer and page index (`mask-passthrough.test.ts` compares
 * the bytes), so it reads back alike through hyparquet rows and `readParquetCopyText`.
 */
import { type AsyncBuffer, type ColumnChunk, type FileMetaData, parquetMetadata, parquetRead, readOffsetIndex } from 'hyparquet';
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { encodeNestedValues } from 'hyparquet-writer/src/dremel.js';
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js';
import {
  type ByteSink,
  columnSource,
  createParquetWriter,
  DECODERS,
  encodeColumnText,
  type ParquetWriteOptions,
  type ParquetWriteResult,
  uncompressor,
} from './parquet.ts';
import { columnsOfMetadata } from './parquet-read.ts';
import type { DatasetColumn } from './types.ts';

/** One column's values as PostgreSQL text, NULL as null. */
export type TextColumn = (string | null)[];

/** What a rewrite changes: the columns it reads and those it writes anew (indexes in the table's column order). */
export interface ColumnRewrite {
  /** Columns whose text `rewrite` is given, in this order. */
  reads: number[];
  /** Columns written from what `rewrite` returns, in this order; every other column is copied as it is. */
  writes: number[];
  /** One row group: the text of `reads` → the new text of `writes` (each `rows` long). */
  rewrite(columns: TextColumn[], rows: number): TextColumn[] | Promise<TextColumn[]>;
}

/** A source file's footer, parsed, and the NaN counts of its statistics (which hyparquet's parsed footer leaves out). */
export interface RewriteSource {
  file: AsyncBuffer;
  metadata: FileMetaData;
  nanCounts: (bigint | undefined)[][];
}

/**
 * Opens `file` for a rewrite into `columns`, or null when its layout is not one the rewrite copies
 * (other columns, types or order than the table's, nested or external columns): the caller then
 * goes through rows.
 */
export async function openRewriteSource(file: AsyncBuffer, columns: DatasetColumn[]): Promise<RewriteSource | null> {
  if (file.byteLength < 12) return null;
  const tail = new DataView(await file.slice(file.byteLength - 8));
  const length = tail.getUint32(0, true);
  if (tail.getUint32(4, true) !== 0x31524150 || length + 12 > file.byteLength) return null;
  const footer = await file.slice(file.byteLength - 8 - length);
  const metadata = parquetMetadata(footer);
  let stored: DatasetColumn[];
  try {
    stored = columnsOfMetadata(metadata);
  } catch {
    return null;
  }
  const same = stored.length === columns.length && stored.every((c, i) => c.name === columns[i]?.name && c.parquetType === columns[i]?.parquetType);
  if (!same || metadata.schema.length !== columns.length + 1) return null;
  for (const group of metadata.row_groups) {
    if (group.columns.length !== columns.length) return null;
    if (group.columns.some((c) => c.file_path || !c.meta_data || c.meta_data.path_in_schema.length !== 1)) return null;
  }
  const raw = deserializeTCompactProtocol({ view: new DataView(footer), offset: 0 }) as RawFooter;
  const nanCounts = (raw.field_4 ?? []).map((g) => g.field_1.map((c) => c.field_3?.field_12?.field_9));
  return { file, metadata, nanCounts };
}

interface RawFooter {
  field_4?: { field_1: { field_3?: { field_12?: { field_9?: bigint } } }[] }[];
}

/**
 * Writes the rewrite of `source` into `sink`: per row group, the changed columns encoded from
 * `plan.rewrite`'s text, the others copied. Resolves like `writeParquet`.
 */
export async function rewriteParquet(
  source: RewriteSource,
  columns: DatasetColumn[],
  plan: ColumnRewrite,
  sink: ByteSink,
  options: ParquetWriteOptions = {},
): Promise<ParquetWriteResult> {
  const { pq, writer } = createParquetWriter(columns, sink, options);
  const resolvePath = schemaPathResolver(pq.schema);
  const written = new Map(plan.writes.map((index, k) => [index, k]));
  let rowCount = 0;
  for (const [g, group] of source.metadata.row_groups.entries()) {
    options.signal?.throwIfAborted();
    const rows = Number(group.num_rows);
    const read = await readGroupText(source, columns, plan.reads, rowCount, rows);
    const changed = await plan.rewrite(read, rows);
    const start = writer.offset;
    const chunks: ColumnChunk[] = [];
    for (const [i, column] of columns.entries()) {
      const k = written.get(i);
      if (k === undefined) {
        const chunk = group.columns[i] as ColumnChunk;
        chunks.push(await copyChunk(source, chunk, source.nanCounts[g]?.[i], writer, pq.pendingIndexes));
        continue;
      }
      const text = changed[k] as TextColumn;
      if (text.length !== rows) throw new Error(`rewrite of column ${column.name} gave ${text.length} values for ${rows} rows`);
      const { data, statistics } = columnSource(column, encodeColumnText(column, text));
      chunks.push(encodeChunk(pq, resolvePath, writer, column.name, data, statistics));
    }
    let totalBytes = 0n;
    for (const c of chunks) totalBytes += c.meta_data?.total_uncompressed_size ?? 0n;
    pq.row_groups.push({ columns: chunks, total_byte_size: totalBytes, num_rows: BigInt(rows), total_compressed_size: BigInt(writer.offset - start) });
    pq.num_rows += BigInt(rows);
    rowCount += rows;
    await writer.flush();
  }
  options.signal?.throwIfAborted();
  await pq.finish();
  return { rowCount, bytes: writer.bytes, checksum: writer.checksum() };
}

type Pq = ReturnType<typeof createParquetWriter>['pq'];
type Writer = ReturnType<typeof createParquetWriter>['writer'];

/** Encodes one column of a row group where the writer stands, as `ParquetWriter.write` does for a flat column. */
function encodeChunk(pq: Pq, resolvePath: ReturnType<typeof schemaPathResolver>, writer: Writer, name: string, data: unknown[], stats: boolean): ColumnChunk {
  const path = resolvePath([name]);
  const schemaPath = path.map((node) => node.element);
  const column = {
    columnName: name,
    element: schemaPath[schemaPath.length - 1] as (typeof schemaPath)[number],
    schemaPath,
    codec: pq.codec,
    compressors: pq.compressors,
    stats,
    statisticsTruncateLength: pq.statisticsTruncateLength,
    pageSize: 1048576,
    columnIndex: false,
    offsetIndex: true,
  };
  // biome-ignore lint/suspicious/noExplicitAny: hyparquet's DecodedArray is a union of typed arrays and any[]
  const result = writeColumn({ writer, column, pageData: encodeNestedValues(path, data as any) });
  pq.pendingIndexes.push(result);
  return result.chunk as ColumnChunk;
}

/**
 * Appends a source column chunk's bytes where the writer stands and returns its footer entry with
 * the offsets moved; its page index (offset index) is re-emitted, moved alike, with the file's.
 */
async function copyChunk(
  source: RewriteSource,
  chunk: ColumnChunk,
  nanCount: bigint | undefined,
  writer: Writer,
  indexes: Pq['pendingIndexes'],
): Promise<ColumnChunk> {
  const meta = chunk.meta_data as NonNullable<ColumnChunk['meta_data']>;
  const from = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  const size = Number(meta.total_compressed_size);
  const bytes = new Uint8Array(await source.file.slice(from, from + size));
  const shift = BigInt(writer.offset - from);
  writer.appendBytes(bytes);
  const statistics = meta.statistics && { ...meta.statistics, ...(nanCount === undefined ? {} : { nan_count: nanCount }) };
  const moved: ColumnChunk = {
    file_offset: chunk.file_offset + shift,
    meta_data: {
      ...meta,
      data_page_offset: meta.data_page_offset + shift,
      dictionary_page_offset: meta.dictionary_page_offset === undefined ? undefined : meta.dictionary_page_offset + shift,
      statistics,
    },
  };
  let offsetIndex: ReturnType<typeof readOffsetIndex> | undefined;
  if (chunk.offset_index_offset !== undefined && chunk.offset_index_length) {
    const at = Number(chunk.offset_index_offset);
    const view = new DataView(await source.file.slice(at, at + chunk.offset_index_length));
    offsetIndex = readOffsetIndex({ view, offset: 0 });
    for (const page of offsetIndex.page_locations) page.offset += shift;
  }
  indexes.push({ chunk: moved as never, offsetIndex });
  return moved;
}

/** The text of columns `reads` for rows `[start, start + rows)` (one row group), decoded column by column. */
async function readGroupText(source: RewriteSource, columns: DatasetColumn[], reads: number[], start: number, rows: number): Promise<TextColumn[]> {
  if (!reads.length) return [];
  const names = reads.map((i) => (columns[i] as DatasetColumn).name);
  const out = reads.map(() => new Array<string | null>(rows).fill(null));
  // A column may be read twice (a masked primary key is also the row key): each slot gets its own array.
  const slots = new Map<string, number[]>();
  names.forEach((name, k) => {
    slots.set(name, [...(slots.get(name) ?? []), k]);
  });
  await parquetRead({
    file: source.file,
    metadata: source.metadata,
    rowStart: start,
    rowEnd: start + rows,
    columns: [...slots.keys()],
    compressors: { SNAPPY: uncompressor() },
    onChunk: ({ columnName, columnData, rowStart }) => {
      for (const k of slots.get(columnName) ?? []) {
        const decode = DECODERS[(columns[reads[k] as number] as DatasetColumn).parquetType];
        const target = out[k] as TextColumn;
        const at = rowStart - start;
        for (let r = 0; r < columnData.length; r++) {
          const value = columnData[r];
          target[at + r] = value === null || value === undefined ? null : decode(value);
        }
      }
    },
  });
  return out;
}
