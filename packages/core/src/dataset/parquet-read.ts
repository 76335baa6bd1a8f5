/**
 * Reading a dataset Parquet file back: its footer and stored columns, its rows as PostgreSQL text in
 * batches (one row group's worth at a time), and a local file as hyparquet's random-access buffer.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { InvalidInputError } from '../errors.ts';
import { COLUMNS_METADATA_KEY, DECODERS, type Decode, uncompressor } from './parquet.ts';
import type { DatasetColumn, TextRow } from './types.ts';

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

/**
 * Files up to this size are read whole when opened, with one read: a dataset's small tables are then
 * served from memory instead of one file read per footer and column chunk.
 */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;

/** Reads `length` bytes at `position` into `target` (short only at the end of the file). */
async function readAt(handle: FileHandle, target: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** A local file as hyparquet's random-access buffer; `close()` releases the file handle. */
export async function openParquetFile(path: string): Promise<AsyncBuffer & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  let size: number;
  let whole: Uint8Array | null = null;
  try {
    size = (await handle.stat()).size;
    if (size <= WHOLE_FILE_BYTES) {
      whole = new Uint8Array(size);
      whole = whole.subarray(0, await readAt(handle, whole, 0));
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  if (whole) await handle.close();
  const bytes = whole;
  return {
    byteLength: size,
    async slice(startByte: number, endByte?: number): Promise<ArrayBuffer> {
      const stop = Math.min(endByte ?? size, size);
      const length = Math.max(0, stop - startByte);
      if (bytes) return bytes.slice(startByte, startByte + length).buffer;
      const buffer = new ArrayBuffer(length);
      await readAt(handle, new Uint8Array(buffer), startByte);
      return buffer;
    },
    close: async () => {
      if (!bytes) await handle.close();
    },
  };
}
