/**
 * A dataset Parquet file written straight from COPY text bytes (what `COPY … TO STDOUT` sends): the
 * subset's path, with no row array and no string per value. The file is the one `writeParquet` writes
 * for the same rows, byte for byte (same row groups, pages, dictionaries, statistics, metadata).
 */
import { CopyTextColumns } from './copy-text-columns.ts';
import { abortable, type ByteSink, groupBounds, openParquetWriter, type ParquetWriteOptions, type ParquetWriteResult } from './parquet.ts';
import { writeCopyTextRowGroup } from './parquet-encode.ts';
import { TdmError } from '../errors.ts';
import type { DatasetColumn } from './types.ts';

const NEWLINE = 10;

export interface ParquetFromCopyTextOptions extends ParquetWriteOptions {
  /** Told the number of rows of each row group once it is written. */
  onRows?: (rows: number) => void;
  /** More rows than this (counted when the text has ended) reject with `RowLimitError`. */
  maxRows?: number;
}

/** A table had more rows than the `maxRows` it was written with. */
export class RowLimitError extends TdmError {
  constructor(maxRows: number) {
    super('INVALID_INPUT', `the table has more than ${maxRows} rows`, { details: { maxRows } });
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Writes COPY text (default text format: tab-separated, `\N` for NULL, backslash escapes, `\n` or
 * `\r\n` line ends, an optional `\.` end marker) as one Parquet file into `sink`, a row group at a
 * time: memory holds one row group's column buffers and the line being read. Rejects with
 * `InvalidInputError` for a row of the wrong width or a value that is not valid text for its column,
 * as `writeParquet` does.
 */
export async function writeParquetFromCopyText(
  columns: DatasetColumn[],
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  sink: ByteSink,
  options: ParquetFromCopyTextOptions = {},
): Promise<ParquetWriteResult> {
  const { pq, writer } = openParquetWriter(columns, sink, options);
  let rowCount = 0;
  await readCopyTextGroups(columns, chunks, options, async (group) => {
    await writeCopyTextRowGroup(pq, group);
    rowCount += group.rows;
    options.onRows?.(group.rows);
  });
  options.signal?.throwIfAborted();
  await pq.finish();
  return { rowCount, bytes: writer.bytes, checksum: writer.checksum() };
}

/**
 * Cuts COPY text into row groups (bounded by `options` as `writeParquet` bounds them) and hands each
 * to `onGroup` once it is full, and the last one; the group's buffers are reused for the next one
 * after `onGroup` resolves (unless it swapped them). Rejects as `writeParquetFromCopyText` does.
 * `shared`: the group's first buffers in shared memory (`newColumnBuffers`).
 */
export async function readCopyTextGroups(
  columns: DatasetColumn[],
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ParquetFromCopyTextOptions,
  onGroup: (group: CopyTextColumns) => Promise<void>,
  shared = false,
): Promise<void> {
  const { groupRows, groupChars, valueOverhead } = groupBounds(options);
  const group = new CopyTextColumns(columns, groupRows, groupChars, valueOverhead, shared);
  const flush = async () => {
    if (!group.rows) return;
    options.signal?.throwIfAborted();
    await onGroup(group);
    group.reset();
  };
  // Complete lines of buf[from, end): parsed in place, a row group flushed whenever it fills.
  const take = async (buf: Uint8Array, from: number, end: number) => {
    let p = from;
    while (p < end && !group.ended) {
      p = group.parse(buf, p, end);
      if (group.full) await flush();
    }
  };
  // The unfinished last line, as the chunks that hold it (copied: the producer may reuse its memory).
  let pending: Buffer[] = [];
  for await (const chunk of abortable(chunks, options.signal)) {
    if (group.ended || !chunk.length) continue; // drained after `\.` so the producer finishes cleanly
    const bytes = asBuffer(chunk);
    const last = bytes.lastIndexOf(NEWLINE);
    if (last === -1) {
      pending.push(Buffer.from(bytes));
      continue;
    }
    let start = 0;
    if (pending.length) {
      const first = bytes.indexOf(NEWLINE);
      const line = Buffer.concat([...pending, bytes.subarray(0, first + 1)]);
      pending = [];
      await take(line, 0, line.length);
      start = first + 1;
    }
    await take(bytes, start, last + 1);
    if (last + 1 < bytes.length) pending.push(Buffer.from(bytes.subarray(last + 1)));
  }
  if (pending.length && !group.ended) {
    // The last line without a trailing newline.
    const line = Buffer.concat([...pending, Buffer.from([NEWLINE])]);
    await take(line, 0, line.length);
  }
  // Checked once the text has ended: the source is read to its end and its connection left clean.
  if (options.maxRows !== undefined && group.rowsBefore + group.rows > options.maxRows) throw new RowLimitError(options.maxRows);
  await flush();
}
