/**
 * The messages between a masking worker (`mask-worker.ts`) and the thread writing the masked table
 * (`mask-pool.ts`): a table's portable plans and file layout once, then row groups' source chunks
 * in and their prepared columns out (both transferred, not copied).
 */
import type { FileMetaData } from 'hyparquet';
import type { SerializedError } from '../dataset/encode-protocol.ts';
import type { PreparedColumn } from '../dataset/parquet-rewrite-group.ts';
import type { DatasetColumn } from '../dataset/types.ts';
import type { PortableTransform } from './plans.ts';

/** A column's plan as data: its index in the table and its transform. */
export interface PortablePlan {
  index: number;
  transform: PortableTransform;
}

/** To the worker. */
export type ToMaskWorker =
  /** The table whose row groups come next: its columns, the source file's footer and length, the plans of the columns to mask. */
  | { type: 'table'; columns: DatasetColumn[]; metadata: FileMetaData; byteLength: number; plans: PortablePlan[]; keyColumns: number[] | undefined }
  /** Row group `g` (rows `[start, start + rows)`): the source chunks the plans read, at their offsets in the file. */
  | { type: 'group'; g: number; start: number; rows: number; chunks: { at: number; bytes: ArrayBuffer }[] }
  /** The table is done (or given up): its state goes. */
  | { type: 'end' };

/** From the worker. */
export type FromMaskWorker =
  | { type: 'ready' }
  /** Row group `g`'s masked columns, prepared up to their compression. */
  | { type: 'group'; g: number; columns: PreparedColumn[] }
  | { type: 'error'; error: SerializedError };
