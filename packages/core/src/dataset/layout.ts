/**
 * How a dataset version is laid out, whatever holds it: `<datasetVersionId>/manifest.json` plus one
 * `<schema>.<table>.parquet` per table. Shared by the local and the S3 store so both name files and
 * read manifests the same way.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError, NotFoundError, TdmError } from '../errors.ts';
import { datasetColumns, writeParquet } from './parquet.ts';
import { encodeWorkersEnabled, WORKER_MIN_ROWS, warmEncodeWorker, writeParquetFromCopyTextInWorker } from './encode-pool.ts';
import { writeParquetFromCopyText } from './parquet-from-copy-text.ts';
import type { CopyTextInput, DatasetManifest, DatasetTableManifest, DatasetWriter, ParquetProducer, TableInput, TableRef, TextRow } from './types.ts';

export const MANIFEST_FILE = 'manifest.json';

/** Longest file name we produce (file systems allow 255 bytes; leave room for temporary suffixes). */
const MAX_FILE_NAME = 200;
const SAFE_BYTE = /^[a-z0-9_-]$/;

/**
 * An identifier as a file-name part: lower-case ASCII letters, digits, `_` and `-` stay, every
 * other UTF-8 byte becomes `%XX`. Upper case is encoded too, so `Users` and `users` stay two files on
 * case-insensitive file systems, and `.` is encoded so `a.b`.`c` and `a`.`b.c` never meet.
 */
export function encodeNamePart(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE_BYTE.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `<schema>.<table>.parquet`, percent-encoded; very long names are cut and suffixed with a hash. */
export function tableFileName(table: TableRef): string {
  const base = `${encodeNamePart(table.schema)}.${encodeNamePart(table.name)}`;
  if (base.length + '.parquet'.length <= MAX_FILE_NAME) return `${base}.parquet`;
  const hash = createHash('sha256').update(`${table.schema}\0${table.name}`).digest('hex').slice(0, 16);
  return `${base.slice(0, MAX_FILE_NAME - 26).replace(/%[0-9A-F]?$/, '')}~${hash}.parquet`;
}

const VERSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Rejects ids that are not a single safe path segment (`..`, `a/b`, empty…). */
export function checkDatasetVersionId(id: string): string {
  if (typeof id !== 'string' || !VERSION_ID.test(id)) {
    throw new InvalidInputError(`dataset version id ${JSON.stringify(id)} must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return id;
}

export function checkTableInput(table: TableInput): void {
  if (!table.schema || !table.name) throw new InvalidInputError('a dataset table needs a schema and a name', { table });
  if (!table.columns.length) throw new InvalidInputError(`table ${table.schema}.${table.name} has no columns`);
  const names = new Set<string>();
  for (const column of table.columns) {
    if (!column.name) throw new InvalidInputError(`table ${table.schema}.${table.name} has a column without a name`);
    if (names.has(column.name)) throw new InvalidInputError(`table ${table.schema}.${table.name} has column ${JSON.stringify(column.name)} twice`);
    names.add(column.name);
  }
}

/** Parses and checks a stored manifest. */
export function parseManifest(text: string, datasetVersionId: string): DatasetManifest {
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(text) as DatasetManifest;
  } catch (cause) {
    throw new TdmError('INVALID_INPUT', `the manifest of dataset version ${JSON.stringify(datasetVersionId)} is not valid JSON`, { cause });
  }
  if (manifest?.formatVersion !== 1 || !Array.isArray(manifest.tables)) {
    throw new InvalidInputError(`the manifest of dataset version ${JSON.stringify(datasetVersionId)} has an unknown format`, {
      formatVersion: manifest?.formatVersion,
    });
  }
  return manifest;
}

export function findTable(manifest: DatasetManifest, table: TableRef): DatasetTableManifest {
  const entry = manifest.tables.find((t) => t.schema === table.schema && t.name === table.name);
  if (!entry) throw new NotFoundError('dataset table', `${manifest.datasetVersionId}/${table.schema}.${table.name}`);
  return entry;
}

/** Whether a table of `expectedRows` rows (undefined: unknown) is encoded on a worker thread. */
function encodesInWorker(expectedRows: number | undefined): boolean {
  return encodeWorkersEnabled() && (expectedRows === undefined || expectedRows >= WORKER_MIN_ROWS);
}

export type FinishInfo = Parameters<DatasetWriter['finish']>[0];

/**
 * The bookkeeping every writer shares: one file per table, table order as written, no finish while a
 * table is still being written, nothing after finish or abort, and an abort signal for the writes in
 * flight. The stores supply the storage operations.
 */
export abstract class BaseDatasetWriter implements DatasetWriter {
  readonly datasetVersionId: string;
  protected readonly controller = new AbortController();
  readonly #tables: (DatasetTableManifest | null)[] = [];
  readonly #files = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #state: 'open' | 'finishing' | 'finished' | 'aborted' = 'open';
  #checkedNew: Promise<void> | undefined;

  constructor(datasetVersionId: string) {
    this.datasetVersionId = checkDatasetVersionId(datasetVersionId);
  }

  /** Streams one table into `file` from `produce`; returns the table's entry. Must remove what it wrote when it fails. */
  protected abstract writeFile(file: string, table: TableInput, produce: ParquetProducer): Promise<DatasetTableManifest>;
  /** Fails when a readable version with this id exists already. */
  protected abstract assertNew(): Promise<void>;
  /** Stores the manifest so that it appears at once (rename, single PUT). */
  protected abstract publishManifest(manifest: DatasetManifest): Promise<void>;
  /** Removes every file of the version. */
  protected abstract removeAll(): Promise<void>;

  writeTable(table: TableInput, batches: AsyncIterable<TextRow[]>): Promise<DatasetTableManifest> {
    const columns = datasetColumns(table.columns);
    return this.writeTableParquet(table, (sink, options) => writeParquet(columns, batches, sink, options));
  }

  expectCopyText(expectedRows: number | undefined): void {
    if (encodesInWorker(expectedRows)) warmEncodeWorker();
  }

  writeTableCopyText(table: TableInput, input: CopyTextInput): Promise<DatasetTableManifest> {
    const columns = datasetColumns(table.columns);
    const write = encodesInWorker(input.expectedRows) ? writeParquetFromCopyTextInWorker : writeParquetFromCopyText;
    return this.writeTableParquet(table, (sink, options) => write(columns, input.copyText, sink, { ...options, onRows: input.onRows, maxRows: input.maxRows }));
  }

  async writeTableParquet(table: TableInput, produce: ParquetProducer): Promise<DatasetTableManifest> {
    this.#assertOpen();
    checkTableInput(table);
    const file = tableFileName(table);
    if (this.#files.has(file))
      throw new InvalidInputError(`table ${table.schema}.${table.name} was already written to dataset version ${this.datasetVersionId}`);
    this.#files.add(file);
    const slot = this.#tables.push(null) - 1;
    const work = (async () => {
      await this.#checkNew();
      return this.writeFile(file, table, produce);
    })();
    this.#inFlight.add(work);
    try {
      const entry = await work;
      this.#tables[slot] = entry;
      return entry;
    } catch (err) {
      this.#files.delete(file);
      throw this.controller.signal.aborted && !(err instanceof TdmError)
        ? new TdmError('CONFLICT', `dataset version ${this.datasetVersionId} was aborted while ${table.schema}.${table.name} was being written`, { cause: err })
        : err;
    } finally {
      this.#inFlight.delete(work);
    }
  }

  async finish(info: FinishInfo): Promise<DatasetManifest> {
    this.#assertOpen();
    if (this.#inFlight.size)
      throw new InvalidInputError(`dataset version ${this.datasetVersionId}: finish() called while ${this.#inFlight.size} table(s) are still being written`);
    this.#state = 'finishing';
    try {
      await this.#checkNew();
      const manifest: DatasetManifest = {
        formatVersion: 1,
        datasetVersionId: this.datasetVersionId,
        name: info.name,
        kind: info.kind,
        schemaVersionId: info.schemaVersionId,
        parentId: info.parentId,
        jobId: info.jobId,
        createdAt: new Date().toISOString(),
        tables: this.#tables.filter((t): t is DatasetTableManifest => t !== null),
        meta: info.meta,
      };
      await this.publishManifest(manifest);
      this.#state = 'finished';
      return manifest;
    } catch (err) {
      this.#state = 'open';
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.#state === 'finished') throw new InvalidInputError(`dataset version ${this.datasetVersionId} is finished; delete it from the store instead`);
    if (this.#state === 'aborted') return;
    this.#state = 'aborted';
    this.controller.abort(new TdmError('CONFLICT', `dataset version ${this.datasetVersionId} was aborted`));
    await Promise.allSettled([...this.#inFlight]);
    await this.removeAll();
  }

  /** Checks once per writer that the version does not exist yet. */
  #checkNew(): Promise<void> {
    this.#checkedNew ??= this.assertNew();
    return this.#checkedNew;
  }

  #assertOpen(): void {
    if (this.#state !== 'open') throw new InvalidInputError(`dataset version ${this.datasetVersionId} is ${this.#state}: no more changes`);
  }
}
