/**
 * The messages between a table's Parquet encoding worker (`encode-worker.ts`) and the thread that
 * feeds it (`encode-pool.ts`): row groups' column buffers go in and come back, Parquet bytes come
 * out, each side acknowledging what it took so neither queue grows past a bound.
 */
import { InvalidInputError, TDM_ERROR_CODES, TdmError, type TdmErrorCode } from '../errors.ts';
import type { ColumnBuffer } from './copy-text-columns.ts';
import type { DatasetColumn } from './types.ts';

/** To the worker. */
export type ToWorker =
  | { type: 'start'; columns: DatasetColumn[]; metadata?: Record<string, string> }
  /** A full row group's column buffers (shared memory; any other memory transferred). */
  | { type: 'group'; rows: number; buffers: ColumnBuffer[] }
  | { type: 'end' }
  /** Parquet bytes of `bytes` length were written by the sink. */
  | { type: 'written'; bytes: number };

/** From the worker. */
export type FromWorker =
  | { type: 'ready' }
  /** The next Parquet bytes of the file (in shared memory). */
  | { type: 'out'; bytes: Uint8Array }
  /** A row group of `rows` rows is written; its buffers come back (as they came) to be filled again. */
  | { type: 'rows'; rows: number; buffers: ColumnBuffer[] }
  | { type: 'done'; rowCount: number; bytes: number; checksum: string }
  | { type: 'error'; error: SerializedError };

/** Column buffers as structured clone gives them back (a Buffer arrives as a plain Uint8Array). */
export function reviveBuffers(buffers: ColumnBuffer[]): ColumnBuffer[] {
  return buffers.map((c) => ({ ...c, bytes: Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength) }));
}

/** The memory of column buffers to transfer rather than copy (each buffer once; shared memory is shared, not transferred). */
export function transferList(buffers: ColumnBuffer[]): ArrayBuffer[] {
  const list = new Set<ArrayBuffer>();
  for (const c of buffers)
    for (const array of [c.defs, c.bytes, c.offsets, c.ints, c.nums])
      if (array.buffer.byteLength && !(array.buffer instanceof SharedArrayBuffer)) list.add(array.buffer);
  return [...list];
}

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
