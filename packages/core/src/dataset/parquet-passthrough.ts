/**
 * Rewriting a dataset Parquet file column by column: the columns a step changes are decoded,
 * handed over as text a row group at a time and encoded again, and every other column chunk is
 * copied byte for byte (pages, dictionary page, statistics, encodings), with the source's row
 * groups unchanged. The mask step uses it so that a column it keeps costs a file copy rather than
 * a decode and an encode. The file is what `writeParquet` would write for the same rows in the
 * same row groups: the same pages, footer and page index (`mask-passthrough.test.ts` compares
 * the bytes), so it reads back alike through hyparquet rows and `readParquetCopyText`.
 *
 * A row group is prepared (`parquet-rewrite-group.ts`: decoded, rewritten, encoded up to the
 * compression), then written here in file order (compression, copies, footer entries). Columns
 * whose rewrite does not depend on row order can be prepared on other threads, several row groups
 * ahead, while this thread prepares the others and writes: the bytes are the same either way.
 */
import { type AsyncBuffer, type ColumnChunk, type FileMetaData, parquetMetadata, readOffsetIndex } from 'hyparquet';
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js';
import { writeDictionaryPage } from 'hyparquet-writer/src/dictionary.js';
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js';
import { type ByteSink, openParquetWriter, type ParquetWriteOptions, type ParquetWriteResult } from './parquet.ts';
import { writePreparedChunk } from './parquet-encode.ts';
import { chunkBytes, chunkRange, type PreparedColumn, prepareRowGroup, type RewriteSpec, specColumns } from './parquet-rewrite-group.ts';
import { columnsOfMetadata } from './parquet-read.ts';
import type { DatasetColumn } from './types.ts';

export type { TextColumn } from './parquet-rewrite-group.ts';

/**
 * What a rewrite changes (every other column is copied as it is). `reads`, `writes`, `rewrite` and
 * `values` are prepared here, row group after row group in file order (a stateful rewrite sees the
 * rows in order); `anyOrder` holds columns whose rewrite does not depend on that order, prepared by
 * its helper (worker threads) or here, several row groups ahead.
 */
export interface ColumnRewrite extends RewriteSpec {
  anyOrder?: { spec: RewriteSpec; helper: GroupHelper };
}

/** Prepares the any-order columns of row groups elsewhere (`prepareRowGroup` on other threads). */
export interface GroupHelper {
  /** Whether a row group handed over now starts at once; also true once the helper failed (`prepare` then says why). */
  hasRoom(): boolean;
  /** Row group `g` (rows `[start, start + rows)`) from its chunks' bytes (`at`: offset in the file), which the helper takes over. */
  prepare(g: number, start: number, rows: number, chunks: { at: number; bytes: ArrayBuffer }[]): Promise<PreparedColumn[]>;
}

/** Row groups prepared ahead of the one being written, at most (bounds memory). */
const GROUPS_AHEAD = 6;

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
 * Writes the rewrite of `source` into `sink`: per row group, the changed columns prepared (here, or
 * by `plan.anyOrder`'s helper) and written, the others copied. Resolves like `writeParquet`.
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
  const groups = source.metadata.row_groups;
  const starts: number[] = [];
  let rowCount = 0;
  for (const group of groups) {
    starts.push(rowCount);
    rowCount += Number(group.num_rows);
  }
  const ahead = plan.anyOrder && new GroupsAhead(source, columns, plan.anyOrder, starts);
  for (const [g, group] of groups.entries()) {
    options.signal?.throwIfAborted();
    const rows = Number(group.num_rows);
    const prepared = await prepareRowGroup(source.file, source.metadata, columns, plan, g, starts[g] as number, rows);
    if (ahead) prepared.push(...(await ahead.take(g)));
    const start = writer.offset;
    const chunks = await writeGroup(source, columns, prepared, out, g);
    let totalBytes = 0n;
    for (const c of chunks) totalBytes += c.meta_data?.total_uncompressed_size ?? 0n;
    pq.row_groups.push({ columns: chunks, total_byte_size: totalBytes, num_rows: BigInt(rows), total_compressed_size: BigInt(writer.offset - start) });
    pq.num_rows += BigInt(rows);
    await writer.flush();
  }
  options.signal?.throwIfAborted();
  await pq.finish();
  return { rowCount, bytes: writer.bytes, checksum: writer.checksum() };
}

/**
 * The any-order columns of the row groups ahead of the one being written: handed to the helper while
 * it has room, and prepared here while the group to write next is still with the helper (this
 * thread works rather than waits), at most `GROUPS_AHEAD` groups ahead.
 */
class GroupsAhead {
  readonly #pending = new Map<number, Promise<PreparedColumn[]>>();
  readonly #done = new Set<number>();
  #next = 0;

  constructor(
    readonly source: RewriteSource,
    readonly columns: DatasetColumn[],
    readonly anyOrder: NonNullable<ColumnRewrite['anyOrder']>,
    readonly starts: number[],
  ) {}

  /** Row group `g`'s any-order columns, prepared. */
  async take(g: number): Promise<PreparedColumn[]> {
    await this.#handOut(g);
    while (!this.#done.has(g) && this.#next < this.starts.length && this.#next - g < GROUPS_AHEAD) {
      const h = this.#next++;
      const { file, metadata } = this.source;
      const here = prepareRowGroup(file, metadata, this.columns, this.anyOrder.spec, h, this.starts[h] as number, this.#rows(h));
      this.#track(h, here);
      await here;
      await this.#handOut(g);
    }
    const prepared = this.#pending.get(g) as Promise<PreparedColumn[]>;
    this.#pending.delete(g);
    return prepared;
  }

  /** Hands the helper the next row groups while it has room. */
  async #handOut(g: number): Promise<void> {
    const indexes = specColumns(this.anyOrder.spec);
    while (this.#next < this.starts.length && this.#next - g < GROUPS_AHEAD && this.anyOrder.helper.hasRoom()) {
      const h = this.#next++;
      const group = this.source.metadata.row_groups[h] as FileMetaData['row_groups'][number];
      const chunks = await Promise.all(
        indexes.map(async (i) => {
          const { from, to } = chunkRange(group.columns[i] as ColumnChunk);
          return { at: from, bytes: await this.source.file.slice(from, to) };
        }),
      );
      this.#track(h, this.anyOrder.helper.prepare(h, this.starts[h] as number, this.#rows(h), chunks));
    }
  }

  /** Keeps `prepared` for its turn; a failure surfaces when it is taken (or earlier, from this thread's own work). */
  #track(h: number, prepared: Promise<PreparedColumn[]>): void {
    prepared.then(
      () => this.#done.add(h),
      () => this.#done.add(h),
    );
    this.#pending.set(h, prepared);
  }

  #rows(h: number): number {
    return Number(this.source.metadata.row_groups[h]?.num_rows);
  }
}

interface Output {
  pq: Pq;
  writer: Writer;
  resolvePath: ReturnType<typeof schemaPathResolver>;
}

/** Writes row group `g` column after column, `prepared` columns from their preparation, the others copied; returns its footer entries. */
async function writeGroup(source: RewriteSource, columns: DatasetColumn[], prepared: PreparedColumn[], out: Output, g: number): Promise<ColumnChunk[]> {
  const group = source.metadata.row_groups[g] as FileMetaData['row_groups'][number];
  const byIndex = new Map(prepared.map((p) => [p.index, p]));
  const chunks: ColumnChunk[] = [];
  for (const [i, column] of columns.entries()) {
    const chunk = group.columns[i] as ColumnChunk;
    const p = byIndex.get(i);
    if (p?.kind === 'chunk') chunks.push(writePreparedChunk(out.pq, i, p.chunk));
    else if (p?.kind === 'dictionary') chunks.push(await mapDictionary(source, chunk, p, out, column.name));
    else chunks.push(await copyChunk(source, chunk, source.nanCounts[g]?.[i], out.writer, out.pq.pendingIndexes));
  }
  return chunks;
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

/** Writes a dictionary page of the new entries where the writer stands, then the chunk's data pages as they are. */
function mapDictionary(
  source: RewriteSource,
  chunk: ColumnChunk,
  { bytes, pagesAt, dictionarySize: sourceSize, entries }: Extract<PreparedColumn, { kind: 'dictionary' }>,
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
  out.writer.appendBytes(bytes.subarray(pagesAt));
  const shift = BigInt(pagesStart) - (meta.data_page_offset as bigint);
  const moved: ColumnChunk = {
    file_offset: BigInt(start),
    meta_data: {
      ...meta,
      total_compressed_size: BigInt(out.writer.offset - start),
      total_uncompressed_size: meta.total_uncompressed_size - BigInt(sourceSize) + BigInt(dictionarySize),
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
  const bytes = await chunkBytes(source.file, chunk);
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
