/**
 * `openDatasetStore(uri)`: the one way to get a `DatasetStore`. `s3://bucket/prefix` opens an
 * S3-compatible bucket (endpoint, region and credentials from the environment, see
 * `s3ConfigFromUri`); `file:///abs/dir` or a plain path opens a local directory; no URI means the
 * default `<TDM_DATA_DIR>/datasets`.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.ts';
import { InvalidInputError } from '../errors.ts';
import { LocalDatasetStore } from './local-store.ts';
import { S3DatasetStore, s3ConfigFromUri } from './s3-store.ts';
import type { DatasetStore } from './types.ts';

/** `<TDM_DATA_DIR>/datasets` (`.tdm/datasets` without configuration). */
export function defaultDatasetStoreUri(env: NodeJS.ProcessEnv = process.env): string {
  return join(loadConfig(env).dataDir, 'datasets');
}

/**
 * Opens the dataset store at `uri`. Throws `InvalidInputError` for a scheme other than `s3:` and
 * `file:` (a Windows drive letter counts as a plain path).
 */
export function openDatasetStore(uri?: string, env: NodeJS.ProcessEnv = process.env): DatasetStore {
  const trimmed = (uri ?? defaultDatasetStoreUri(env)).trim();
  if (!trimmed) throw new InvalidInputError('a dataset store URI cannot be empty');
  if (/^s3:/i.test(trimmed)) return new S3DatasetStore(s3ConfigFromUri(trimmed, env));
  if (/^file:/i.test(trimmed)) {
    try {
      return new LocalDatasetStore(fileURLToPath(trimmed));
    } catch (cause) {
      throw new InvalidInputError(`dataset store URI ${JSON.stringify(uri)} is not a valid file URL (use file:///absolute/path)`, { cause: String(cause) });
    }
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(trimmed))
    throw new InvalidInputError(`dataset store URI ${JSON.stringify(uri)}: only s3:// and file:// (or a plain path) are supported`);
  return new LocalDatasetStore(resolve(trimmed));
}
