/**
 * Worker thread entry: encodes a table's row groups into its Parquet file for `encode-pool.ts`, one
 * table at a time. The feeding thread reads the COPY text and cuts it into column buffers
 * (`CopyTextColumns`); each full row group's buffers come here (shared memory), are encoded by
 * `writeCopyTextRowGroup` (pages, dictionaries, snappy, through one compressor per file, in file
 * order: the bytes of the in-thread writer) and go back to be filled again. The file's bytes go to
 * the feeding thread as they are flushed (in shared memory, as the row groups), and wait once
 * `OUT_LIMIT` bytes are not yet written there.
 */
import { parentPort } from 'node:worker_threads';
import { type FromWorker, reviveBuffers, serializeError, type ToWorker, transferList } from './encode-protocol.ts';
import { openParquetWriter } from './parquet.ts';
import { writeCopyTextRowGroup } from './parquet-encode.ts';

const OUT_LIMIT = 2 * 1024 * 1024;

if (!parentPort) throw new Error('encode-worker.ts runs as a worker thread');
const port = parentPort;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

/** Output bytes handed over and not yet written, and who waits for room. */
const out = { pending: 0, wake: null as (() => void) | null };

async function sink(chunk: Uint8Array): Promise<void> {
  out.pending += chunk.byteLength;
  // In shared memory: a transferred buffer would count as new external memory of the feeding thread
  // on arrival, and 30 MB of those per million rows set off its full collections.
  const bytes = new Uint8Array(new SharedArrayBuffer(chunk.byteLength));
  bytes.set(chunk);
  post({ type: 'out', bytes });
  while (out.pending > OUT_LIMIT)
    await new Promise<void>((resolve) => {
      out.wake = resolve;
    });
}

type Writer = ReturnType<typeof openParquetWriter>;
let current: Writer | null = null;
let rowCount = 0;
/** Messages are handled one after another: a row group is encoded before the next is looked at. */
let queue: Promise<void> = Promise.resolve();
let failed = false;

async function handle(message: Exclude<ToWorker, { type: 'written' }>): Promise<void> {
  if (message.type === 'start') {
    failed = false;
    rowCount = 0;
    out.pending = 0;
    current = openParquetWriter(message.columns, sink, { metadata: message.metadata });
    return;
  }
  if (failed || !current) return;
  if (message.type === 'group') {
    const columns = reviveBuffers(message.buffers);
    await writeCopyTextRowGroup(current.pq, { rows: message.rows, columns });
    rowCount += message.rows;
    post({ type: 'rows', rows: message.rows, buffers: columns }, transferList(columns));
    return;
  }
  await current.pq.finish();
  post({ type: 'done', rowCount, bytes: current.writer.bytes, checksum: current.writer.checksum() });
  current = null;
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'written') {
    out.pending -= message.bytes;
    const wake = out.wake;
    out.wake = null;
    wake?.();
    return;
  }
  queue = queue
    .then(() => handle(message))
    .catch((err: unknown) => {
      failed = true;
      current = null;
      post({ type: 'error', error: serializeError(err) });
    });
});
post({ type: 'ready' });
