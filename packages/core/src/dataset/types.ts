/**
 * The dataset store's vocabulary. A dataset version is immutable: one Parquet file per table plus a
 * manifest. Rows travel between steps as arrays of PostgreSQL text values (what COPY's text format
 * carries, `null` for NULL) in the table's column order: every type round-trips exactly because the
 * database itself produces and parses the text.
 */
export type TextRow = (string | null)[];

export interface DatasetColumn {
  name: string;
  /** format_type() of the column in the source, e.g. "numeric(10,2)", "public.mpaa_rating", "text[]". */
  pgType: string;
  nullable: boolean;
  /** Physical Parquet representation chosen for it (lossless for the type). */
  parquetType: 'INT32' | 'INT64' | 'BOOLEAN' | 'DOUBLE' | 'STRING' | 'BYTES';
}

export interface TableRef {
  schema: string;
  name: string;
}

export interface DatasetTableManifest extends TableRef {
  /** Path of the Parquet file relative to the dataset version's root. */
  file: string;
  rowCount: number;
  bytes: number;
  /** sha256 of the Parquet file. */
  checksum: string;
  columns: DatasetColumn[];
}

export type DatasetKind = 'SUBSET' | 'MASKED' | 'SYNTHETIC' | 'IMPORTED';

export interface DatasetManifest {
  formatVersion: 1;
  datasetVersionId: string;
  name: string;
  kind: DatasetKind;
  schemaVersionId: string | null;
  parentId: string | null;
  jobId: string | null;
  createdAt: string;
  tables: DatasetTableManifest[];
  /** Step-specific facts (the subset plan, mask rule hash, generator seed…). */
  meta: Record<string, unknown>;
}

export interface TableInput extends TableRef {
  columns: { name: string; pgType: string; nullable: boolean }[];
}

/** COPY text bytes of a table's rows (what `COPY … TO STDOUT` sends), in the table input's column order. */
export interface CopyTextInput {
  copyText: AsyncIterable<Uint8Array>;
  /** Told the number of rows of each row group once it is written. */
  onRows?: (rows: number) => void;
  /**
   * Rows expected (the catalog's count or estimate), when known: a table this small is encoded in
   * the calling thread, where starting an encoding worker would cost more than it saves.
   */
  expectedRows?: number;
  /**
   * At most this many rows are expected: more (counted once the text has ended) fail the table with
   * `RowLimitError` and leave nothing of it, so the caller can select and write it again.
   */
  maxRows?: number;
}

/**
 * Writes a table's Parquet file into `sink` (each chunk is the sink's to keep; a returned promise is
 * backpressure) with the write options the store gives (its abort signal, the table's metadata).
 */
export type ParquetProducer = (
  sink: (chunk: Uint8Array) => Promise<void> | void,
  options: { signal?: AbortSignal; metadata?: Record<string, string> },
) => Promise<{ rowCount: number; bytes: number; checksum: string }>;

export interface DatasetWriter {
  readonly datasetVersionId: string;
  /** Streams one table's rows (in batches) into its Parquet file. */
  writeTable(table: TableInput, batches: AsyncIterable<TextRow[]>): Promise<DatasetTableManifest>;
  /**
   * Streams one table's rows as COPY text into its Parquet file (the same file `writeTable` writes
   * for the same rows), without a row array or string per value. Optional: callers fall back to
   * `writeTable` and `copyTextToBatches`.
   */
  writeTableCopyText?(table: TableInput, input: CopyTextInput): Promise<DatasetTableManifest>;
  /**
   * A hint ahead of `writeTableCopyText`: a table of about `expectedRows` rows (undefined: unknown)
   * will come as COPY text once its rows are selected. The writer may start meanwhile what that
   * table needs (an encoding worker). Optional.
   */
  expectCopyText?(expectedRows: number | undefined): void;
  /**
   * Writes one table's Parquet file from `produce` instead of rows (e.g. a rewrite of another
   * version's file that copies the column chunks it keeps). Optional: callers fall back to `writeTable`.
   */
  writeTableParquet?(table: TableInput, produce: ParquetProducer): Promise<DatasetTableManifest>;
  /** Writes the manifest; the version becomes readable. */
  finish(info: Omit<DatasetManifest, 'formatVersion' | 'datasetVersionId' | 'createdAt' | 'tables'>): Promise<DatasetManifest>;
  /** Removes everything written so far. */
  abort(): Promise<void>;
}

/**
 * Where dataset versions live: a local directory (`.tdm/datasets`) or an S3-compatible bucket,
 * behind the same interface.
 */
export interface CopyTextReadOptions {
  /** Column names, in the order of the COPY's column list. */
  columns: string[];
  /** Told the number of rows written out so far, a row group at a time. */
  onRows?: (rows: number) => void;
  signal?: AbortSignal;
}

/** Random-access bytes of a stored file (hyparquet's AsyncBuffer) that must be closed after use. */
export interface RandomAccessFile {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
  close(): Promise<void>;
}

export interface DatasetStore {
  readonly uri: string;
  createWriter(datasetVersionId: string): DatasetWriter;
  readManifest(datasetVersionId: string): Promise<DatasetManifest>;
  /** Streams a table's rows in batches (bounded memory: one row group at a time). */
  readTable(datasetVersionId: string, table: TableRef, options?: { batchSize?: number; offset?: number; limit?: number }): AsyncIterable<TextRow[]>;
  /**
   * Streams a table's rows as PostgreSQL COPY text (the bytes `COPY … FROM STDIN` reads), only the
   * named columns, in that order: what provisioning sends, without a row array per row. Optional:
   * callers fall back to `readTable` and `batchesToCopyText`.
   */
  readTableCopyText?(datasetVersionId: string, table: TableRef, options: CopyTextReadOptions): AsyncIterable<Uint8Array>;
  /**
   * A table's Parquet file as random-access bytes (`byteLength`, `slice`), for a rewrite that copies
   * column chunks from it; `close()` releases it. Optional: callers fall back to `readTable`.
   */
  openTableFile?(datasetVersionId: string, table: TableRef): Promise<RandomAccessFile>;
  delete(datasetVersionId: string): Promise<void>;
  /** Releases connections (the S3 client's sockets); the local store has nothing to release. */
  close?(): void | Promise<void>;
}
