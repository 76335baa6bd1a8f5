/**
 * Dataset versions in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2…):
 * `<prefix><datasetVersionId>/<schema>.<table>.parquet` and `manifest.json`. Parquet files stream up
 * as multipart uploads (memory: a few parts), the manifest is one PUT written last — S3 makes an
 * object visible whole — so a version is readable only once complete. Reads fetch byte ranges: the
 * footer, then one row group at a time, so a paged preview does not download the file.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createRequire } from 'node:module';
import type { ListObjectsV2CommandOutput, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { InvalidInputError, NotFoundError, TdmError } from '../errors.ts';
import { BaseDatasetWriter, checkDatasetVersionId, findTable, MANIFEST_FILE, parseManifest } from './layout.ts';
import { type AsyncBuffer, datasetColumns } from './parquet.ts';
import { readParquet } from './parquet-read.ts';
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

type S3Sdk = typeof import('@aws-sdk/client-s3') & Pick<typeof import('@aws-sdk/lib-storage'), 'Upload'>;
let sdkModule: S3Sdk | null = null;
/**
 * The AWS SDK, loaded with the first S3 store (≈ 20 MB of modules): most installations keep datasets
 * on local disk and never need it. Synchronous (`require`), so opening a store stays synchronous.
 */
function sdk(): S3Sdk {
  if (!sdkModule) {
    const require = createRequire(import.meta.url);
    sdkModule = { ...(require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3')), Upload: require('@aws-sdk/lib-storage').Upload };
  }
  return sdkModule;
}

export interface S3DatasetStoreConfig {
  bucket: string;
  /** Key prefix, e.g. `tdm/datasets/` (a trailing `/` is added when missing; empty for the bucket root). */
  prefix?: string;
  /** Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:9000`; AWS when absent. */
  endpoint?: string;
  region?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO and most self-hosted servers). */
  forcePathStyle?: boolean;
  /** Static credentials; without them the AWS SDK's default chain applies (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Multipart part size in bytes (S3 minimum 5 MiB; default 8 MiB). */
  partSize?: number;
  /** A ready client (tests, custom middleware); the other connection settings are then ignored. */
  client?: S3Client;
}

const MiB = 1024 * 1024;

/**
 * Store configuration from an `s3://bucket/prefix` URI and the environment: `TDM_S3_ENDPOINT`,
 * `AWS_REGION` (or `AWS_DEFAULT_REGION`, default `us-east-1`), `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, and `TDM_S3_FORCE_PATH_STYLE` (`true`/`false`;
 * default true when a custom endpoint is set, as self-hosted servers expect).
 */
export function s3ConfigFromUri(uri: string, env: NodeJS.ProcessEnv = process.env): S3DatasetStoreConfig {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidInputError(`dataset store URI ${JSON.stringify(uri)} is not a valid URL`);
  }
  if (url.protocol !== 's3:' || !url.hostname) throw new InvalidInputError(`dataset store URI ${JSON.stringify(uri)} must look like s3://bucket/prefix`);
  const endpoint = env.TDM_S3_ENDPOINT || undefined;
  const pathStyle = env.TDM_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname.replace(/^\/+/, '')),
    endpoint,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    forcePathStyle: pathStyle ? pathStyle === 'true' || pathStyle === '1' : endpoint !== undefined,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined,
  };
}

function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '');
  return trimmed && !trimmed.endsWith('/') ? `${trimmed}/` : trimmed;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

function s3Error(err: unknown, action: string): TdmError {
  if (err instanceof TdmError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TdmError('QUERY_FAILED', `S3 ${action} failed: ${message}`, { cause: err });
}

class S3DatasetWriter extends BaseDatasetWriter {
  readonly #store: S3DatasetStore;

  constructor(store: S3DatasetStore, datasetVersionId: string) {
    super(datasetVersionId);
    this.#store = store;
  }

  protected async assertNew(): Promise<void> {
    try {
      await this.#store.client.send(new (sdk().HeadObjectCommand)({ Bucket: this.#store.bucket, Key: this.#store.key(this.datasetVersionId, MANIFEST_FILE) }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw s3Error(err, 'HEAD manifest');
    }
    throw new TdmError('CONFLICT', `dataset version ${this.datasetVersionId} exists already`, { details: { datasetVersionId: this.datasetVersionId } });
  }

  protected async writeFile(file: string, table: TableInput, produce: ParquetProducer): Promise<DatasetTableManifest> {
    const columns = datasetColumns(table.columns);
    const body = new PassThrough({ highWaterMark: 4 * MiB });
    const upload = new (sdk().Upload)({
      client: this.#store.client,
      params: { Bucket: this.#store.bucket, Key: this.#store.key(this.datasetVersionId, file), Body: body, ContentType: 'application/vnd.apache.parquet' },
      partSize: this.#store.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    let uploadError: TdmError | undefined;
    const uploaded = upload.done().catch((err: unknown) => {
      uploadError = s3Error(err, `upload of ${file}`);
      // A write waiting for 'drain' must not hang when the upload dies: fail the body, which fails the wait.
      body.destroy(uploadError);
      throw uploadError;
    });
    uploaded.catch(() => {}); // awaited below; meanwhile a failure must not count as unhandled
    body.on('error', () => {}); // reported through `uploaded` or the 'drain' wait
    try {
      const result = await produce(
        async (chunk) => {
          if (body.destroyed) throw uploadError ?? new TdmError('QUERY_FAILED', `upload of ${file} stopped`);
          if (!body.write(chunk)) await once(body, 'drain', { signal: this.controller.signal });
        },
        { signal: this.controller.signal, metadata: { 'tdm.table': JSON.stringify({ schema: table.schema, name: table.name }) } },
      );
      body.end();
      await uploaded;
      return { schema: table.schema, name: table.name, file, rowCount: result.rowCount, bytes: result.bytes, checksum: result.checksum, columns };
    } catch (err) {
      // A body that fails (rather than `upload.abort()`, whose promise settles before the multipart
      // upload is aborted) makes the upload abort its parts before `uploaded` settles.
      body.destroy(err instanceof Error ? err : new Error(String(err)));
      await uploaded.catch(() => {});
      await this.#store.deleteKey(this.#store.key(this.datasetVersionId, file)).catch(() => {});
      throw err;
    }
  }

  protected async publishManifest(manifest: DatasetManifest): Promise<void> {
    try {
      await this.#store.client.send(
        new (sdk().PutObjectCommand)({
          Bucket: this.#store.bucket,
          Key: this.#store.key(this.datasetVersionId, MANIFEST_FILE),
          Body: `${JSON.stringify(manifest, null, 2)}\n`,
          ContentType: 'application/json',
        }),
      );
    } catch (err) {
      throw s3Error(err, 'PUT manifest');
    }
  }

  protected async removeAll(): Promise<void> {
    await this.#store.deleteVersionObjects(this.datasetVersionId);
  }
}

/** A `DatasetStore` on an S3-compatible bucket. */
export class S3DatasetStore implements DatasetStore {
  readonly uri: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  readonly partSize: number;

  constructor(config: S3DatasetStoreConfig) {
    if (!config.bucket) throw new InvalidInputError('an S3 dataset store needs a bucket');
    this.bucket = config.bucket;
    this.prefix = normalisePrefix(config.prefix);
    this.uri = `s3://${this.bucket}/${this.prefix}`.replace(/\/$/, '');
    this.partSize = Math.max(5 * MiB, config.partSize ?? 8 * MiB);
    const clientConfig: S3ClientConfig = {
      region: config.region ?? 'us-east-1',
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle ?? false,
      credentials: config.credentials,
      // S3-compatible servers often reject the SDK's newer default of trailing checksums on every request.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    this.client = config.client ?? new (sdk().S3Client)(clientConfig);
  }

  /** Object key of a file of a version. */
  key(datasetVersionId: string, file: string): string {
    return `${this.prefix}${checkDatasetVersionId(datasetVersionId)}/${file}`;
  }

  createWriter(datasetVersionId: string): DatasetWriter {
    return new S3DatasetWriter(this, datasetVersionId);
  }

  async readManifest(datasetVersionId: string): Promise<DatasetManifest> {
    let text: string;
    try {
      const response = await this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.key(datasetVersionId, MANIFEST_FILE) }));
      text = (await response.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError('dataset version', datasetVersionId);
      throw s3Error(err, 'GET manifest');
    }
    return parseManifest(text, datasetVersionId);
  }

  async *readTable(
    datasetVersionId: string,
    table: TableRef,
    options: { batchSize?: number; offset?: number; limit?: number } = {},
  ): AsyncGenerator<TextRow[]> {
    const entry = findTable(await this.readManifest(datasetVersionId), table);
    yield* readParquet(this.#rangeReader(this.key(datasetVersionId, entry.file), entry.bytes), options);
  }

  async *readTableCopyText(datasetVersionId: string, table: TableRef, options: CopyTextReadOptions): AsyncGenerator<Uint8Array> {
    const entry = findTable(await this.readManifest(datasetVersionId), table);
    yield* readParquetCopyText(this.#rangeReader(this.key(datasetVersionId, entry.file), entry.bytes), options);
  }

  async openTableFile(datasetVersionId: string, table: TableRef): Promise<RandomAccessFile> {
    const entry = findTable(await this.readManifest(datasetVersionId), table);
    return { ...this.#rangeReader(this.key(datasetVersionId, entry.file), entry.bytes), close: async () => {} };
  }

  /** The object as hyparquet's random-access buffer: each slice is one ranged GET. */
  #rangeReader(key: string, byteLength: number): AsyncBuffer {
    return {
      byteLength,
      slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
        const stop = Math.min(end ?? byteLength, byteLength);
        if (stop <= start) return new ArrayBuffer(0);
        try {
          const response = await this.client.send(new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${stop - 1}` }));
          const bytes = await response.Body?.transformToByteArray();
          if (!bytes || bytes.length !== stop - start)
            throw new TdmError('QUERY_FAILED', `S3 returned ${bytes?.length ?? 0} bytes for range ${start}-${stop - 1} of ${key}`);
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        } catch (err) {
          if (isNotFound(err)) throw new NotFoundError('dataset file', key);
          throw s3Error(err, `GET ${key}`);
        }
      },
    };
  }

  /** Removes a version (the manifest first, so it stops being readable at once); a missing version is not an error. */
  async delete(datasetVersionId: string): Promise<void> {
    await this.deleteKey(this.key(datasetVersionId, MANIFEST_FILE));
    await this.deleteVersionObjects(datasetVersionId);
  }

  /** @internal */
  async deleteKey(key: string): Promise<void> {
    try {
      await this.client.send(new (sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw s3Error(err, `DELETE ${key}`);
    }
  }

  /** @internal Deletes every object under the version's prefix, one DELETE each (no batch API needed from the server). */
  async deleteVersionObjects(datasetVersionId: string): Promise<void> {
    const prefix = `${this.prefix}${checkDatasetVersionId(datasetVersionId)}/`;
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(new (sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        throw s3Error(err, `LIST ${prefix}`);
      }
      const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => !!k);
      for (let i = 0; i < keys.length; i += 8) await Promise.all(keys.slice(i, i + 8).map((k) => this.deleteKey(k)));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }
}
