/**
 * The first half of rewriting one row group of a dataset Parquet file (`parquet-passthrough.ts`):
 * the changed columns' chunks are decoded, handed over as text, and the new text encoded up to its
 * compression (`prepareColumnChunk`); a column rewritten value by value whose chunk is
 * dictionary-encoded gets only its dictionary entries mapped. What comes out is plain data (typed
 * arrays and strings), so a row group can be prepared on another thread from its chunks' bytes
 * alone (`chunksFile`) and written in file order where the file is.
 */
import { type AsyncBuffer, type ColumnChunk, type FileMetaData, parquetRead } from 'hyparquet';
import { columnBufferOfText } from './copy-text-columns.ts';
import { DECODERS, uncompressor } from './parquet.ts';
import { readDictionaryChunk } from './parquet-dictionary-chunk.ts';
import { type PreparedChunk, prepareColumnChunk } from './parquet-encode.ts';
import { columnTextStrings, rowGroupText } from './parquet-pages.ts';
import type { DatasetColumn } from './types.ts';

/** One column's values as PostgreSQL text, NULL as null. */
export type TextColumn = (string | null)[];

/** What a rewrite changes: the columns it reads and those it writes anew (indexes in the table's column order). */
export interface RewriteSpec {
  /** Columns whose text `rewrite` is given, in this order. */
  reads: number[];
  /** Columns written from what `rewrite` returns, in this order. */
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

/** A column of a row group ready to be written: a new chunk's pages, or a dictionary chunk's new entries. */
export type PreparedColumn =
  | { index: number; kind: 'chunk'; chunk: PreparedChunk }
  | {
      index: number;
      kind: 'dictionary';
      /** The source chunk's bytes; its data pages (from `pagesAt`) are kept as they are. */
      bytes: Uint8Array;
      pagesAt: number;
      /** The source dictionary page's header and uncompressed body size. */
      dictionarySize: number;
      entries: string[];
    };

/** The columns `spec` reads from a row group's chunks: its reads and its value-by-value columns. */
export function specColumns(spec: RewriteSpec): number[] {
  return [...new Set([...spec.reads, ...(spec.values ?? []).map((v) => v.index)])];
}

/**
 * Prepares the columns `spec` changes in row group `g` (rows `[start, start + rows)`) of the file
 * `metadata` describes, in the order of `writes` then `values`.
 */
export async function prepareRowGroup(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: DatasetColumn[],
  spec: RewriteSpec,
  g: number,
  start: number,
  rows: number,
): Promise<PreparedColumn[]> {
  const group = metadata.row_groups[g] as FileMetaData['row_groups'][number];
  const out: PreparedColumn[] = [];
  if (spec.writes.length) {
    const changed = await spec.rewrite(await readGroupText(file, metadata, columns, spec.reads, g, start, rows), rows);
    for (const [k, index] of spec.writes.entries()) {
      const column = columns[index] as DatasetColumn;
      const text = changed[k] as TextColumn;
      if (text.length !== rows) throw new Error(`rewrite of column ${column.name} gave ${text.length} values for ${rows} rows`);
      out.push({ index, kind: 'chunk', chunk: prepareColumnChunk(columnBufferOfText(column, text), rows) });
    }
  }
  for (const { index, map } of spec.values ?? []) {
    const column = columns[index] as DatasetColumn;
    const chunk = group.columns[index] as ColumnChunk;
    const bytes = await chunkBytes(file, chunk);
    const dictionary = column.parquetType === 'STRING' && !chunk.meta_data?.statistics ? readDictionaryChunk(bytes, chunk.meta_data?.codec ?? '') : null;
    const entries = dictionary?.values.map(map);
    if (dictionary && entries?.every((e) => e !== null)) {
      out.push({ index, kind: 'dictionary', bytes, pagesAt: dictionary.pagesAt, dictionarySize: dictionary.dictionarySize, entries: entries as string[] });
      continue;
    }
    const [text] = await readGroupText(file, metadata, columns, [index], g, start, rows);
    const mapped = (text as TextColumn).map((v) => (v === null ? null : map(v)));
    out.push({ index, kind: 'chunk', chunk: prepareColumnChunk(columnBufferOfText(column, mapped), rows) });
  }
  return out;
}

/** The byte range of a column chunk in its file. */
export function chunkRange(chunk: ColumnChunk): { from: number; to: number } {
  const meta = chunk.meta_data as NonNullable<ColumnChunk['meta_data']>;
  const from = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  return { from, to: from + Number(meta.total_compressed_size) };
}

/** A column chunk's bytes in the file. */
export async function chunkBytes(file: AsyncBuffer, chunk: ColumnChunk): Promise<Uint8Array> {
  const { from, to } = chunkRange(chunk);
  return new Uint8Array(await file.slice(from, to));
}

/**
 * A file of `byteLength` bytes of which only `chunks` (each at its offset) are known: what a row
 * group's preparation reads, on a thread that has those chunks and not the file. A range across
 * several chunks (hyparquet joins neighbouring ranges) gets zeros between them, in bytes no chunk
 * it decodes lies in.
 */
export function chunksFile(byteLength: number, chunks: { at: number; bytes: ArrayBuffer }[]): AsyncBuffer {
  return {
    byteLength,
    slice(from: number, to = byteLength): ArrayBuffer {
      const whole = chunks.find((c) => c.at <= from && to <= c.at + c.bytes.byteLength);
      // The readers only read what they are given: a whole chunk is handed out as it is.
      if (whole && from === whole.at && to - from === whole.bytes.byteLength) return whole.bytes;
      if (whole) return whole.bytes.slice(from - whole.at, to - whole.at);
      const out = new Uint8Array(to - from);
      for (const c of chunks) {
        const a = Math.max(from, c.at);
        const b = Math.min(to, c.at + c.bytes.byteLength);
        if (a < b) out.set(new Uint8Array(c.bytes, a - c.at, b - a), a - from);
      }
      return out.buffer;
    },
  };
}

/** The memory of prepared columns, to transfer rather than copy (each buffer once). */
export function preparedTransferList(columns: PreparedColumn[]): ArrayBuffer[] {
  const list = new Set<ArrayBuffer>();
  const add = (a: Uint8Array | Float64Array) => {
    if (a.buffer.byteLength) list.add(a.buffer as ArrayBuffer);
  };
  for (const c of columns) {
    if (c.kind === 'dictionary') add(c.bytes);
    else if (c.chunk.kind === 'values') {
      add(c.chunk.defs);
      add(c.chunk.nums);
    } else {
      if (c.chunk.dictionary) add(c.chunk.dictionary.plain);
      for (const page of c.chunk.pages) {
        add(page.levels);
        add(page.body);
      }
    }
  }
  return [...list];
}

/** The text of columns `reads` of row group `g` (rows `[start, start + rows)`), decoded column by column. */
async function readGroupText(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: DatasetColumn[],
  reads: number[],
  g: number,
  start: number,
  rows: number,
): Promise<TextColumn[]> {
  if (!reads.length) return [];
  const names = reads.map((i) => (columns[i] as DatasetColumn).name);
  // The page decoder of the provision path where it reads the chunks (no value object per row), else hyparquet.
  const fields = await rowGroupText(file, metadata, g, names);
  if (fields) return fields.map((f, k) => columnTextStrings(f, rows, (columns[reads[k] as number] as DatasetColumn).parquetType === 'STRING'));
  const out = reads.map(() => new Array<string | null>(rows).fill(null));
  // A column may be read twice (a masked primary key is also the row key): each slot gets its own array.
  const slots = new Map<string, number[]>();
  names.forEach((name, k) => {
    slots.set(name, [...(slots.get(name) ?? []), k]);
  });
  await parquetRead({
    file,
    metadata,
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
