/**
 * Worker thread entry: encodes tables' COPY text into Parquet (`writeParquetFromCopyText`) one table
 * at a time, for `encode-pool.ts`. The feeding thread only moves bytes: the COPY text comes in as
 * transferred chunks, the file's bytes go back the same way, and the checksum is taken here.
 * Output waits once `OUT_LIMIT` bytes are not yet acknowledged as written, so a slow sink holds
 * the encoder (and the COPY stream behind it) instead of filling memory.
 */
import { parentPort } from 'node:worker_threads';
import { type FromWorker, serializeError, type ToWorker } from './encode-protocol.ts';
import { writeParquetFromCopyText } from './parquet-from-copy-text.ts';

const OUT_LIMIT = 2 * 1024 * 1024;

if (!parentPort) throw new Error('encode-worker.ts runs as a worker thread');
const port = parentPort;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

/** The COPY text of the current table, as the feeding thread sends it. */
class Inbox {
  readonly #chunks: Uint8Array[] = [];
  #ended = false;
  #wake: (() => void) | null = null;

  push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /**
   * The chunks in order. The encoder copies what it keeps of a chunk before it asks for the next one,
   * so a chunk's buffer goes back to the feeding thread then, to carry more COPY text.
   */
  async *chunks(): AsyncGenerator<Uint8Array> {
    let previous: Uint8Array | null = null;
    try {
      for (;;) {
        const next = this.#chunks.shift();
        if (next) {
          if (previous) giveBack(previous);
          previous = next;
          yield next;
          continue;
        }
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      if (previous) giveBack(previous);
    }
  }
}

function giveBack(chunk: Uint8Array): void {
  post({ type: 'consumed', bytes: chunk }, [chunk.buffer as ArrayBuffer]);
}

/** Output bytes handed over and not yet written, and who waits for room. */
const out = { pending: 0, wake: null as (() => void) | null };

let inbox: Inbox | null = null;

async function encode(start: Extract<ToWorker, { type: 'start' }>, input: Inbox): Promise<void> {
  try {
    const result = await writeParquetFromCopyText(
      start.columns,
      input.chunks(),
      async (chunk) => {
        out.pending += chunk.byteLength;
        const bytes = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
        post({ type: 'out', bytes }, [bytes.buffer as ArrayBuffer]);
        while (out.pending > OUT_LIMIT)
          await new Promise<void>((resolve) => {
            out.wake = resolve;
          });
      },
      {
        rowGroupRows: start.rowGroupRows,
        rowGroupChars: start.rowGroupChars,
        metadata: start.metadata,
        onRows: (rows) => post({ type: 'rows', rows }),
      },
    );
    post({ type: 'done', ...result });
  } catch (err) {
    post({ type: 'error', error: serializeError(err) });
  } finally {
    if (inbox === input) inbox = null;
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      inbox = new Inbox();
      out.pending = 0;
      void encode(message, inbox);
      break;
    case 'chunk':
      inbox?.push(message.bytes);
      break;
    case 'end':
      inbox?.end();
      break;
    case 'written': {
      out.pending -= message.bytes;
      const wake = out.wake;
      out.wake = null;
      wake?.();
      break;
    }
  }
});
post({ type: 'ready' });
