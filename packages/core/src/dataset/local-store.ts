/**
 * Dataset versions in a local directory: `<root>/<datasetVersionId>/<schema>.<table>.parquet` and
 * `manifest.json`, written last through a temporary file and a rename, so a version is either
 * complete or not readable at all. The default root is `<TDM_DATA_DIR>/datasets`.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotFoundError, TdmError } from '../errors.ts';
import { BaseDatasetWriter, checkDatasetVersionId, findTable, MANIFEST_FILE, parseManifest } from './layout.ts';
import { datasetColumns } from './parquet.ts';
import { openParquetFile, readParquet } from './parquet-read.ts';
import { readParquetCopyText } from './parquet-copy-text.ts';
import type {
  CopyTextReadOptions,
  DatasetManifest,
  DatasetStore,
  DatasetTableManifest,
  DatasetWriter,
  ParquetProducer,
  RandomAccessFile,
  TableInput,
  TableRef,
  TextRow,
} from './types.ts';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

class LocalDatasetWriter extends BaseDatasetWriter {
  readonly #dir: string;
  /**
   * Each table file's fsync and close, started once its last byte is written and awaited before the
   * manifest is published: the next table is read while the disk catches up, and a published
   * version still only names files that are on disk.
   */
  readonly #syncs: Promise<void>[] = [];

  constructor(dir: string, datasetVersionId: string) {
    super(datasetVersionId);
    this.#dir = dir;
  }

  protected async assertNew(): Promise<void> {
    const exists = await access(join(this.#dir, MANIFEST_FILE)).then(
      () => true,
      () => false,
    );
    if (exists)
      throw new TdmError('CONFLICT', `dataset version ${this.datasetVersionId} exists already`, { details: { datasetVersionId: this.datasetVersionId } });
    await mkdir(this.#dir, { recursive: true });
  }

  protected async writeFile(file: string, table: TableInput, produce: ParquetProducer): Promise<DatasetTableManifest> {
    const path = join(this.#dir, file);
    const columns = datasetColumns(table.columns);
    const handle = await open(path, 'w');
    try {
      const result = await produce(
        async (chunk) => {
          await handle.write(chunk);
        },
        { signal: this.controller.signal, metadata: { 'tdm.table': JSON.stringify({ schema: table.schema, name: table.name }) } },
      );
      const synced = handle.sync().finally(() => handle.close());
      // Observed here so a failure waits for finish() (which rethrows it) without an unhandled rejection.
      synced.catch(() => {});
      this.#syncs.push(synced);
      return { schema: table.schema, name: table.name, file, rowCount: result.rowCount, bytes: result.bytes, checksum: result.checksum, columns };
    } catch (err) {
      await handle.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw err;
    }
  }

  protected async publishManifest(manifest: DatasetManifest): Promise<void> {
    await Promise.all(this.#syncs);
    const target = join(this.#dir, MANIFEST_FILE);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }

  protected async removeAll(): Promise<void> {
    await Promise.allSettled(this.#syncs);
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** A `DatasetStore` on a local directory (created on first write). */
export class LocalDatasetStore implements DatasetStore {
  readonly root: string;
  readonly uri: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  #dir(datasetVersionId: string): string {
    return join(this.root, checkDatasetVersionId(datasetVersionId));
  }

  createWriter(datasetVersionId: string): DatasetWriter {
    return new LocalDatasetWriter(this.#dir(datasetVersionId), datasetVersionId);
  }

  /** The version's manifest; `NotFoundError` while it is missing (never written, being written, aborted or deleted). */
  async readManifest(datasetVersionId: string): Promise<DatasetManifest> {
    const path = join(this.#dir(datasetVersionId), MANIFEST_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (isMissing(err)) throw new NotFoundError('dataset version', datasetVersionId);
      throw err;
    }
    return parseManifest(text, datasetVersionId);
  }

  async *readTable(
    datasetVersionId: string,
    table: TableRef,
    options: { batchSize?: number; offset?: number; limit?: number } = {},
  ): AsyncGenerator<TextRow[]> {
    const file = await this.#open(datasetVersionId, table);
    try {
      yield* readParquet(file, options);
    } finally {
      await file.close();
    }
  }

  async *readTableCopyText(datasetVersionId: string, table: TableRef, options: CopyTextReadOptions): AsyncGenerator<Uint8Array> {
    const file = await this.#open(datasetVersionId, table);
    try {
      yield* readParquetCopyText(file, options);
    } finally {
      await file.close();
    }
  }

  openTableFile(datasetVersionId: string, table: TableRef): Promise<RandomAccessFile> {
    return this.#open(datasetVersionId, table);
  }

  async #open(datasetVersionId: string, table: TableRef): Promise<Awaited<ReturnType<typeof openParquetFile>>> {
    const entry = findTable(await this.readManifest(datasetVersionId), table);
    try {
      return await openParquetFile(join(this.#dir(datasetVersionId), entry.file));
    } catch (err) {
      if (isMissing(err)) throw new NotFoundError('dataset file', `${datasetVersionId}/${entry.file}`);
      throw err;
    }
  }

  /** Removes a version (the manifest first, so it stops being readable at once); a missing version is not an error. */
  async delete(datasetVersionId: string): Promise<void> {
    const dir = this.#dir(datasetVersionId);
    await rm(join(dir, MANIFEST_FILE), { force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
