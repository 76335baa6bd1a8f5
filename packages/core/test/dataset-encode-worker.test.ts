/**
 * Tables encoded on worker threads (dataset/encode-pool.ts): the same file as the in-thread encoder,
 * the same typed errors, nothing left behind when a worker dies or the write is aborted.
 */
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCopyTextRow } from '../src/dataset/copy-text.ts';
import { CopyTextColumns, newColumnBuffers } from '../src/dataset/copy-text-columns.ts';
import {
  EncodeWorkerError,
  encodeWorkers,
  encodeWorkersEnabled,
  terminateEncodeWorkers,
  writeParquetFromCopyTextInWorker,
} from '../src/dataset/encode-pool.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import { datasetColumns } from '../src/dataset/parquet.ts';
import { writeParquetFromCopyText } from '../src/dataset/parquet-from-copy-text.ts';
import type { TableInput, TextRow } from '../src/dataset/types.ts';
import { InvalidInputError, TdmError } from '../src/errors.ts';

const TABLE: TableInput = {
  schema: 'public',
  name: 'people',
  columns: [
    { name: 'id', pgType: 'bigint', nullable: false },
    { name: 'n', pgType: 'integer', nullable: true },
    { name: 'flag', pgType: 'boolean', nullable: true },
    { name: 'x', pgType: 'double precision', nullable: true },
    { name: 'email', pgType: 'text', nullable: true },
    { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
    { name: 'note', pgType: 'text', nullable: true },
  ],
};

function row(i: number): TextRow {
  return [
    String(i % 997 === 0 ? 2n ** 60n + BigInt(i) : i), // beyond 2^53 now and then
    i % 7 ? String((i * 31) % 100_000) : null,
    i % 5 ? (i % 2 ? 't' : 'f') : null,
    i % 11 ? String(i / 8) : null,
    i % 50 ? `user${i}.${(i * 2654435761) % 1000}@corp${i % 97}.example` : null,
    `${(i % 100_000) / 100}`,
    i % 3 ? (['tab\there', 'ünïcödé ✓ 😀', 'back\\slash', 'line\nbreak', ''][i % 5] as string) : null,
  ];
}

function copyText(rows: TextRow[], chunkSize: number): Buffer[] {
  const text = Buffer.from(rows.map(formatCopyTextRow).join(''), 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(text.subarray(i, i + chunkSize));
  return out;
}

async function collect(write: (sink: (chunk: Uint8Array) => Promise<void>) => Promise<{ rowCount: number; checksum: string; bytes: number }>) {
  const parts: Uint8Array[] = [];
  const result = await write(async (chunk) => {
    parts.push(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  });
  return { result, bytes: Buffer.concat(parts) };
}

/** COPY text that waits `gate` before its second half (so a test can act while the worker holds the table). */
async function* gated(chunks: Buffer[], gate: Promise<void>): AsyncGenerator<Buffer> {
  const half = chunks.length >> 1;
  for (const [i, chunk] of chunks.entries()) {
    if (i === half) await gate;
    yield chunk;
  }
}

/** Until the table being written has its worker (the writer checks its directory first). */
async function workerStarted(): Promise<void> {
  for (let i = 0; i < 500 && !encodeWorkers().length; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('Parquet encoding on worker threads', () => {
  let dir: string;
  const setting = process.env.TDM_ENCODE_WORKERS;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tdm-encode-worker-'));
    // On whatever the cores: the dataset writers go through the workers here.
    process.env.TDM_ENCODE_WORKERS = '1';
  });
  afterAll(async () => {
    if (setting === undefined) delete process.env.TDM_ENCODE_WORKERS;
    else process.env.TDM_ENCODE_WORKERS = setting;
    await terminateEncodeWorkers();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the bytes of the in-thread encoder, whatever the chunking, and reports rows per row group', async () => {
    const columns = datasetColumns(TABLE.columns);
    const rows = Array.from({ length: 50_000 }, (_, i) => row(i + 1));
    const inThread = await collect((sink) => writeParquetFromCopyText(columns, copyText(rows, 65_536), sink, { metadata: { k: 'v' } }));
    for (const size of [1, 4093, 1 << 20]) {
      const counts: number[] = [];
      const chunks = size === 1 ? copyText(rows.slice(0, 300), 1) : copyText(rows, size);
      const expected = size === 1 ? await collect((sink) => writeParquetFromCopyText(columns, chunks, sink, { metadata: { k: 'v' } })) : inThread;
      const inWorker = await collect((sink) =>
        writeParquetFromCopyTextInWorker(columns, chunks, sink, { metadata: { k: 'v' }, onRows: (n) => counts.push(n) }),
      );
      expect(inWorker.result).toEqual(expected.result);
      expect(inWorker.bytes.equals(expected.bytes)).toBe(true);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(size === 1 ? 300 : rows.length);
    }
  });

  it('fills row groups in shared memory, growing a text arena there, to the bytes of the in-thread encoder under a slow sink', async () => {
    const columns = datasetColumns(TABLE.columns);
    const buffers = newColumnBuffers(columns, 4, true);
    for (const c of buffers) for (const a of [c.defs, c.bytes, c.offsets, c.ints, c.nums]) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    const group = new CopyTextColumns(columns, 4, 1 << 30, 16, true);
    const long = row(1).map((v, i) => (i === 6 ? 'x'.repeat(10_000) : v));
    group.parse(Buffer.from(formatCopyTextRow(long)), 0, Buffer.byteLength(formatCopyTextRow(long)));
    const note = group.columns[6];
    expect(note?.bytes.length).toBeGreaterThanOrEqual(10_000);
    expect(note?.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);

    // Long values now and then (arenas grow mid-table) and a sink slower than the encoder.
    const rows = Array.from({ length: 30_000 }, (_, i) => (i % 4000 === 7 ? long : row(i)));
    const expected = await collect((sink) => writeParquetFromCopyText(columns, copyText(rows, 65_536), sink));
    const parts: Uint8Array[] = [];
    const result = await writeParquetFromCopyTextInWorker(columns, copyText(rows, 65_536), async (chunk) => {
      parts.push(Uint8Array.from(chunk));
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(result).toEqual(expected.result);
    expect(Buffer.concat(parts).equals(expected.bytes)).toBe(true);
  });

  it('starts a worker ahead of a table expected to be big, which that table then takes', async () => {
    const store = new LocalDatasetStore(dir);
    await terminateEncodeWorkers();
    const writer = store.createWriter('warmed');
    writer.expectCopyText?.(2000);
    expect(encodeWorkers()).toEqual([]);
    writer.expectCopyText?.(1e6);
    writer.expectCopyText?.(undefined);
    const warm = encodeWorkers();
    expect(warm.length).toBe(1);
    const rows = Array.from({ length: 3000 }, (_, i) => row(i));
    await writer.writeTableCopyText?.(TABLE, { copyText: gated(copyText(rows, 4096), Promise.resolve()), expectedRows: 1e6 });
    expect(encodeWorkers()).toEqual(warm);
    await writer.abort();
  });

  it('runs tables side by side on several workers and reuses idle ones', async () => {
    const columns = datasetColumns(TABLE.columns);
    const tables = [3000, 20_000, 7000].map((n, t) => Array.from({ length: n }, (_, i) => row(i + t * 100_000)));
    const expected = await Promise.all(tables.map((rows) => collect((sink) => writeParquetFromCopyText(columns, copyText(rows, 8192), sink))));
    const actual = await Promise.all(tables.map((rows) => collect((sink) => writeParquetFromCopyTextInWorker(columns, copyText(rows, 8192), sink))));
    for (const [i, a] of actual.entries()) expect(a.bytes.equals((expected[i] as typeof a).bytes)).toBe(true);
    // The next table takes an idle worker when it starts (no idle timer can run in between): no new one.
    const idle = new Set(encodeWorkers());
    expect(idle.size).toBeGreaterThanOrEqual(1);
    const next = collect((sink) => writeParquetFromCopyTextInWorker(columns, copyText(tables[0] as TextRow[], 8192), sink));
    expect(encodeWorkers().every((w) => idle.has(w))).toBe(true);
    await next;
  });

  it('rejects bad text with the in-thread encoder’s typed error, and the worker stays usable', async () => {
    const columns = datasetColumns([{ name: 'n', pgType: 'integer', nullable: true }]);
    const text = '1\n2\nnot a number\n';
    const expected = await writeParquetFromCopyText(columns, [Buffer.from(text)], () => {}).catch((err: unknown) => err);
    const actual = await writeParquetFromCopyTextInWorker(columns, [Buffer.from(text)], () => {}).catch((err: unknown) => err);
    expect(expected).toBeInstanceOf(InvalidInputError);
    expect(actual).toBeInstanceOf(InvalidInputError);
    expect((actual as InvalidInputError).message).toBe((expected as InvalidInputError).message);
    expect((actual as InvalidInputError).details).toEqual((expected as InvalidInputError).details);
    const ok = await writeParquetFromCopyTextInWorker(columns, [Buffer.from('1\n2\n')], () => {});
    expect(ok.rowCount).toBe(2);
  });

  it('is on by default from three cores, and TDM_ENCODE_WORKERS decides when set', () => {
    process.env.TDM_ENCODE_WORKERS = '0';
    expect(encodeWorkersEnabled()).toBe(false);
    delete process.env.TDM_ENCODE_WORKERS;
    expect(encodeWorkersEnabled()).toBe(availableParallelism() >= 3);
    process.env.TDM_ENCODE_WORKERS = '1';
    expect(encodeWorkersEnabled()).toBe(true);
  });

  it('a table expected to be small is encoded in the calling thread, to the same file', async () => {
    const store = new LocalDatasetStore(dir);
    const rows = Array.from({ length: 2000 }, (_, i) => row(i));
    await terminateEncodeWorkers();
    const small = await store
      .createWriter('small')
      .writeTableCopyText?.(TABLE, { copyText: gated(copyText(rows, 4096), Promise.resolve()), expectedRows: 2000 });
    expect(encodeWorkers()).toEqual([]);
    const big = await store.createWriter('big').writeTableCopyText?.(TABLE, { copyText: gated(copyText(rows, 4096), Promise.resolve()), expectedRows: 1e6 });
    expect(encodeWorkers().length).toBe(1);
    expect(big).toEqual(small);
  });

  it('a worker that dies mid-table fails the table with a typed error and leaves no file', async () => {
    const store = new LocalDatasetStore(dir);
    const writer = store.createWriter('crashed');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const rows = Array.from({ length: 40_000 }, (_, i) => row(i));
    await terminateEncodeWorkers(); // none left idle by an earlier test: the one started next is the table's
    const writing = writer.writeTableCopyText?.(TABLE, { copyText: gated(copyText(rows, 16_384), gate) }).catch((err: unknown) => err);
    await workerStarted();
    await terminateEncodeWorkers();
    open();
    const err = await writing;
    expect(err).toBeInstanceOf(EncodeWorkerError);
    expect((err as TdmError).code).toBe('STEP_FAILED');
    await expect(readdir(join(dir, 'crashed'))).resolves.toEqual([]);
    await writer.abort();
    await expect(access(join(dir, 'crashed'))).rejects.toThrow();
  });

  it('aborting a write terminates its worker and removes what was written', async () => {
    const store = new LocalDatasetStore(dir);
    const writer = store.createWriter('aborted');
    const gate = new Promise<void>(() => {});
    const rows = Array.from({ length: 40_000 }, (_, i) => row(i));
    await terminateEncodeWorkers();
    const writing = writer.writeTableCopyText?.(TABLE, { copyText: gated(copyText(rows, 16_384), gate) }).catch((err: unknown) => err);
    await workerStarted();
    const [worker] = encodeWorkers();
    expect(worker).toBeDefined();
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    await writer.abort();
    expect(await writing).toBeInstanceOf(TdmError);
    await exited;
    expect(encodeWorkers()).not.toContain(worker);
    await expect(access(join(dir, 'aborted'))).rejects.toThrow();
  });
});
