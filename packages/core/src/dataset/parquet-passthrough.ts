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
import { writeDictionaryPage } from 'hyparquet-writer/src/dictionary.js';
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js';
import { type ByteSink, openParquetWriter, DECODERS, type ParquetWriteOptions, type ParquetWriteResult, uncompressor } from './parquet.ts';
import { columnBufferOfText } from './copy-text-columns.ts';
import { type DictionaryChunk, readDictionaryChunk } from './parquet-dictionary-chunk.ts';
import { writeColumnBufferChunk } from './parquet-encode.ts';
import { columnTextStrings, rowGroupText } from './parquet-pages.ts';
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
  /**
   * Columns (not in `writes`) rewritten value by value: `map` gives a value's new text whatever row it
   * is in, and NULL stays NULL. A dictionary-encoded STRING chunk of one gets only its dictionary
   * rewritten (its pages are copied); other chunks are decoded, mapped and encoded.
   */
  values?: { index: number; map: (text: string) => string | null }[];
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
  const { pq, writer } = openParquetWriter(columns, sink, options);
  const out: Output = { pq, writer, resolvePath: schemaPathResolver(pq.schema) };
  let rowCount = 0;
  for (const [g, group] of source.metadata.row_groups.entries()) {
    options.signal?.throwIfAborted();
    const rows = Number(group.num_rows);
    const start = writer.offset;
    const chunks = await rewriteGroup(source, columns, plan, out, g, rowCount, rows);
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

interface Output {
  pq: Pq;
  writer: Writer;
  resolvePath: ReturnType<typeof schemaPathResolver>;
}

/** Writes row group `g` (rows `[start, start + rows)`) column after column; returns its footer entries. */
async function rewriteGroup(
  source: RewriteSource,
  columns: DatasetColumn[],
  plan: ColumnRewrite,
  out: Output,
  g: number,
  start: number,
  rows: number,
): Promise<ColumnChunk[]> {
  const group = source.metadata.row_groups[g] as (typeof source.metadata.row_groups)[number];
  const written = new Map(plan.writes.map((index, k) => [index, k]));
  const mapped = new Map((plan.values ?? []).map((v) => [v.index, v.map]));
  const read = await readGroupText(source, columns, plan.reads, g, start, rows);
  const changed = await plan.rewrite(read, rows);
  const chunks: ColumnChunk[] = [];
  for (const [i, column] of columns.entries()) {
    const chunk = group.columns[i] as ColumnChunk;
    const k = written.get(i);
    const map = mapped.get(i);
    if (k !== undefined) {
      const text = changed[k] as TextColumn;
      if (text.length !== rows) throw new Error(`rewrite of column ${column.name} gave ${text.length} values for ${rows} rows`);
      chunks.push(encodeText(out, i, column, text));
    } else if (map) {
      const bytes = await chunkBytes(source, chunk);
      const dictionary = column.parquetType === 'STRING' && !chunk.meta_data?.statistics ? readDictionaryChunk(bytes, chunk.meta_data?.codec ?? '') : null;
      const entries = dictionary?.values.map(map);
      if (dictionary && entries?.every((e) => e !== null))
        chunks.push(await mapDictionary(source, chunk, bytes, dictionary, entries as string[], out, column.name));
      else {
        const [text] = await readGroupText(source, columns, [i], g, start, rows);
        chunks.push(
          encodeText(
            out,
            i,
            column,
            (text as TextColumn).map((v) => (v === null ? null : map(v))),
          ),
        );
      }
    } else {
      chunks.push(await copyChunk(source, chunk, source.nanCounts[g]?.[i], out.writer, out.pq.pendingIndexes));
    }
  }
  return chunks;
}

/** Column `i`'s new text encoded where the writer stands, by the page encoder of the dataset writes. */
function encodeText(out: Output, i: number, column: DatasetColumn, text: TextColumn): ColumnChunk {
  return writeColumnBufferChunk(out.pq, i, columnBufferOfText(column, text), text.length);
}

/** A column chunk's bytes in the source file. */
async function chunkBytes(source: RewriteSource, chunk: ColumnChunk): Promise<Uint8Array> {
  const meta = chunk.meta_data as NonNullable<ColumnChunk['meta_data']>;
  const from = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  return new Uint8Array(await source.file.slice(from, from + Number(meta.total_compressed_size)));
}

/** The source offset index of `chunk` with every page moved by `shift` bytes; undefined without one. */
async function movedOffsetIndex(source: RewriteSource, chunk: ColumnChunk, shift: bigint): Promise<ReturnType<typeof readOffsetIndex> | undefined> {
  if (chunk.offset_index_offset === undefined || !chunk.offset_index_length) return undefined;
  const at = Number(chunk.offset_index_offset);
  const view = new DataView(await source.file.slice(at, at + chunk.offset_index_length));
  const index = readOffsetIndex({ view, offset: 0 });
  for (const page of index.page_locations) page.offset += shift;
  return index;
}

/** Writes a dictionary page of `entries` where the writer stands, then the chunk's data pages as they are. */
function mapDictionary(
  source: RewriteSource,
  chunk: ColumnChunk,
  bytes: Uint8Array,
  dictionary: DictionaryChunk,
  entries: string[],
  out: Output,
  name: string,
): Promise<ColumnChunk> {
  const meta = chunk.meta_data as NonNullable<ColumnChunk['meta_data']>;
  const start = out.writer.offset;
  const dictionarySize = writeDictionaryPage(
    out.writer,
    encoderOf(out.pq, out.resolvePath, name, false),
    entries.map((e) => Buffer.from(e, 'utf8')),
  );
  const pagesStart = out.writer.offset;
  out.writer.appendBytes(bytes.subarray(dictionary.pagesAt));
  const shift = BigInt(pagesStart) - (meta.data_page_offset as bigint);
  const moved: ColumnChunk = {
    file_offset: BigInt(start),
    meta_data: {
      ...meta,
      total_compressed_size: BigInt(out.writer.offset - start),
      total_uncompressed_size: meta.total_uncompressed_size - BigInt(dictionary.dictionarySize) + BigInt(dictionarySize),
      dictionary_page_offset: BigInt(start),
      data_page_offset: BigInt(pagesStart),
    },
  };
  return movedOffsetIndex(source, chunk, shift).then((offsetIndex) => {
    out.pq.pendingIndexes.push({ chunk: moved as never, offsetIndex });
    return moved;
  });
}

type Pq = ReturnType<typeof openParquetWriter>['pq'];
type Writer = ReturnType<typeof openParquetWriter>['writer'];

/** The column encoder `ParquetWriter.write` makes for a flat column with its defaults. */
function encoderOf(pq: Pq, resolvePath: ReturnType<typeof schemaPathResolver>, name: string, stats: boolean) {
  const schemaPath = resolvePath([name]).map((node) => node.element);
  return {
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
  const bytes = await chunkBytes(source, chunk);
  const shift = BigInt(writer.offset - Number(meta.dictionary_page_offset ?? meta.data_page_offset));
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
  const offsetIndex = await movedOffsetIndex(source, chunk, shift);
  indexes.push({ chunk: moved as never, offsetIndex });
  return moved;
}

/** The text of columns `reads` of row group `g` (rows `[start, start + rows)`), decoded column by column. */
async function readGroupText(source: RewriteSource, columns: DatasetColumn[], reads: number[], g: number, start: number, rows: number): Promise<TextColumn[]> {
  if (!reads.length) return [];
  const names = reads.map((i) => (columns[i] as DatasetColumn).name);
  // The page decoder of the provision path where it reads the chunks (no value object per row), else hyparquet.
  const fields = await rowGroupText(source.file, source.metadata, g, names);
  if (fields) return fields.map((f, k) => columnTextStrings(f, rows, (columns[reads[k] as number] as DatasetColumn).parquetType === 'STRING'));
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
