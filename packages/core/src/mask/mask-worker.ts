/**
 * Worker thread entry: masks row groups of a table for `mask-pool.ts`, one table at a time. The
 * table's plans arrive as data (portable plans) and are built again here from the same rules,
 * salt and column context, so their outputs are the ones the writing thread's plans give; each
 * row group's source chunks arrive transferred, and its masked columns go back prepared up to
 * their compression (`prepareRowGroup`), which the writing thread does in file order.
 */
import type { FileMetaData } from 'hyparquet';
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../dataset/encode-protocol.ts';
import { chunksFile, preparedTransferList, prepareRowGroup, type RewriteSpec } from '../dataset/parquet-rewrite-group.ts';
import type { DatasetColumn } from '../dataset/types.ts';
import { maskSpec } from './mask-columns.ts';
import type { FromMaskWorker, ToMaskWorker } from './mask-protocol.ts';
import { portablePlan } from './plans.ts';

if (!parentPort) throw new Error('mask-worker.ts runs as a worker thread');
const port = parentPort;
const post = (message: FromMaskWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

interface Table {
  columns: DatasetColumn[];
  metadata: FileMetaData;
  byteLength: number;
  spec: RewriteSpec;
}

let table: Table | null = null;
/** Messages are handled one after another: a row group is masked before the next is looked at. */
let queue: Promise<void> = Promise.resolve();
/** The table failed here: its remaining row groups are dropped until the next table. */
let failed = false;

async function handle(message: ToMaskWorker): Promise<void> {
  if (message.type === 'table') {
    failed = false;
    const plans = await Promise.all(message.plans.map((p) => portablePlan(p.index, p.transform)));
    const { columns, metadata, byteLength } = message;
    table = { columns, metadata, byteLength, spec: maskSpec(plans, message.keyColumns) };
    return;
  }
  if (message.type === 'end') {
    table = null;
    failed = false;
    return;
  }
  if (failed || !table) return;
  const { g, start, rows, chunks } = message;
  const prepared = await prepareRowGroup(chunksFile(table.byteLength, chunks), table.metadata, table.columns, table.spec, g, start, rows);
  post({ type: 'group', g, columns: prepared }, preparedTransferList(prepared));
}

port.on('message', (message: ToMaskWorker) => {
  queue = queue
    .then(() => handle(message))
    .catch((err: unknown) => {
      failed = true;
      table = null;
      post({ type: 'error', error: serializeError(err) });
    });
});
post({ type: 'ready' });
