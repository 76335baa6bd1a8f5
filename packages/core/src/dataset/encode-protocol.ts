/**
 * The messages between a table's Parquet encoding worker (`encode-worker.ts`) and the thread that
 * feeds it (`encode-pool.ts`): COPY text goes in, Parquet bytes come out, each side acknowledging
 * what it took so neither queue grows past a bound.
 */
import { InvalidInputError, TDM_ERROR_CODES, TdmError, type TdmErrorCode } from '../errors.ts';
import type { DatasetColumn } from './types.ts';

/** To the worker. */
export type ToWorker =
  | { type: 'start'; columns: DatasetColumn[]; rowGroupRows?: number; rowGroupChars?: number; metadata?: Record<string, string> }
  /** COPY text bytes (transferred). */
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  /** Parquet bytes of `bytes` length were written by the sink. */
  | { type: 'written'; bytes: number };

/** From the worker. */
export type FromWorker =
  | { type: 'ready' }
  /** COPY text bytes the encoder is done with: their buffer comes back (transferred) to be filled again. */
  | { type: 'consumed'; bytes: Uint8Array }
  /** The next Parquet bytes of the file (transferred). */
  | { type: 'out'; bytes: Uint8Array }
  | { type: 'rows'; rows: number }
  | { type: 'done'; rowCount: number; bytes: number; checksum: string }
  | { type: 'error'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

/** An error as it crosses the thread boundary (structured clone drops a class and its fields). */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof TdmError) return { name: err.name, message: err.message, code: err.code, details: err.details, stack: err.stack };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** The error the worker threw, as the same class when it is one of the engine's. */
export function deserializeError(e: SerializedError): Error {
  let err: Error;
  if (e.name === 'InvalidInputError') err = new InvalidInputError(e.message, e.details);
  else if (e.code && (TDM_ERROR_CODES as readonly string[]).includes(e.code)) err = new TdmError(e.code as TdmErrorCode, e.message, { details: e.details });
  else {
    err = new Error(e.message);
    err.name = e.name;
  }
  if (e.stack) err.stack = e.stack;
  return err;
}
