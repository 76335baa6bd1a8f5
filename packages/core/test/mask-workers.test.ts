/**
 * Masking row groups on worker threads (mask/mask-pool.ts): the masked file is the one the writing
 * thread alone writes, byte for byte, whatever mix of transformers (stateful ones stay on the writing
 * thread, in row order); a worker that dies or a write that is aborted fails the table with a typed
 * error and leaves no file behind.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../src/catalog/types.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import { datasetColumns, writeParquet } from '../src/dataset/parquet.ts';
import { openRewriteSource } from '../src/dataset/parquet-passthrough.ts';
import type { DatasetManifest, DatasetStore, DatasetTableManifest, DatasetWriter, TextRow } from '../src/dataset/types.ts';
import { InvalidInputError, TdmError } from '../src/errors.ts';
import { type MaskRules, maskTables } from '../src/mask/executor.ts';
import {
  MASK_WORKER_MIN_ROWS,
  MASK_WORKER_MIN_ROWS_STARTED,
  MaskWorkerError,
  maskWorkers,
  maskWorkersEnabled,
  terminateMaskWorkers,
  warmMaskWorkers,
} from '../src/mask/mask-pool.ts';
import { tableDef } from '../src/synthetic/catalog.ts';

// Test configuration: stands in for TDM_MASK_SALT.
const SALT = 'mask-workers-test-salt';
/** Rows of the table, in row groups of `GROUP_ROWS`: enough for the worker path, many groups. */
const ROWS = 60_000;
const GROUP_ROWS = 4_000;

const COLUMNS: [string, string][] = [
  ['id', 'bigint'],
  ['code', 'character varying(12)'],
  ['email', 'text'],
  ['name', 'text'],
  ['phone', 'text'],
  ['born', 'date'],
  ['amount', 'numeric(12,2)'],
  ['small', 'smallint'],
  ['score', 'double precision'],
  ['note', 'text'],
];
const catalog: Catalog = {
  database: 'test',
  serverVersion: '17',
  schemas: ['public'],
  enums: [],
  domains: [],
  sequences: [],
  tables: [tableDef({ name: 'person', columns: COLUMNS.map(([name, dataType]) => ({ name, dataType })), primaryKey: ['id'], uniques: [['code']] })],
};
const NAMES = ['Ada', 'Zoë', '東京', 'tab\there', 'back\\slash', 'Grace'];

function row(i: number): TextRow {
  const nul = (c: number) => (i + c) % 13 === 0;
  return [
    String(i + 1),
    `C${(i * 7919).toString(36)}`,
    nul(2) ? null : `user${i}@corp${i % 97}.example`,
    nul(3) ? null : (NAMES[i % NAMES.length] as string),
    nul(4) ? null : `+1 555 ${String(i).padStart(7, '0')}`,
    nul(5) ? null : `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 9}`,
    nul(6) ? null : `${i % 100_000}.${String(i % 100).padStart(2, '0')}`,
    nul(7) ? null : String((i % 600) - 300),
    nul(8) ? null : String(i / 8),
    `note ${i}`,
  ];
}

/** Every kind of plan: on the workers (hash, fake, partial, a per-row dateShift, generalize of text and of floats) and not (shuffle, a remapped unique code). */
const RULES: MaskRules = {
  'person.code': { transformer: 'hash', params: { length: 8 } },
  'person.email': { transformer: 'hash' },
  'person.name': { transformer: 'fake', params: { kind: 'firstName' } },
  'person.phone': { transformer: 'partial' },
  'person.born': { transformer: 'dateShift', params: { by: 'rowKey' } },
  'person.amount': { transformer: 'generalize', params: { kind: 'number', bucket: 100 } },
  'person.small': { transformer: 'shuffle' },
  'person.score': { transformer: 'generalize', params: { kind: 'number', bucket: 10 } },
};

let dir: string;
let store: LocalDatasetStore;
let source: DatasetManifest;
const setting = process.env.TDM_MASK_WORKERS;

async function* batches(rows: TextRow[]): AsyncIterable<TextRow[]> {
  for (let i = 0; i < rows.length; i += 10_000) yield rows.slice(i, i + 10_000);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tdm-mask-workers-'));
  store = new LocalDatasetStore(dir);
  const writer = store.createWriter(randomUUID());
  const columns = COLUMNS.map(([name, pgType]) => ({ name, pgType, nullable: true }));
  const rows = Array.from({ length: ROWS }, (_, i) => row(i));
  await writer.writeTableParquet?.({ schema: 'public', name: 'person', columns }, (sink, options) =>
    writeParquet(datasetColumns(columns), batches(rows), sink, { ...options, rowGroupRows: GROUP_ROWS }),
  );
  source = await writer.finish({ name: 'people', kind: 'SYNTHETIC', schemaVersionId: null, parentId: null, jobId: null, meta: {} });
}, 120_000);

afterAll(async () => {
  if (setting === undefined) delete process.env.TDM_MASK_WORKERS;
  else process.env.TDM_MASK_WORKERS = setting;
  await terminateMaskWorkers();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Masks `source` through `from` into a new version of the store; the workers on or off. */
async function mask(workers: boolean, rules: MaskRules = RULES, from: DatasetStore = store, writer?: DatasetWriter): Promise<DatasetManifest> {
  process.env.TDM_MASK_WORKERS = workers ? '1' : '0';
  const w = writer ?? store.createWriter(randomUUID());
  await maskTables(from, source, catalog, w, { rules, salt: SALT });
  return w.finish({ name: 'masked', kind: 'MASKED', schemaVersionId: null, parentId: source.datasetVersionId, jobId: null, meta: {} });
}

async function fileOf(manifest: DatasetManifest): Promise<Buffer> {
  return readFile(join(dir, manifest.datasetVersionId, (manifest.tables[0] as DatasetTableManifest).file));
}

async function rowsOf(manifest: DatasetManifest): Promise<TextRow[]> {
  const rows: TextRow[] = [];
  for await (const batch of store.readTable(manifest.datasetVersionId, manifest.tables[0] as DatasetTableManifest)) rows.push(...batch);
  return rows;
}

/** Row groups the masking workers send back from now on. */
function countGroups(): { workers: Worker[]; count: () => number } {
  let n = 0;
  const workers = maskWorkers();
  for (const w of workers) w.on('message', (m: { type: string }) => (m.type === 'group' ? n++ : undefined));
  return { workers, count: () => n };
}

/** The source store, whose reads of row group data from `gate.at` on wait for `gate.open` (a test acts while a table is being masked). */
function gatedStore(gate: { at: number; end: number; open: Promise<void> }): DatasetStore {
  return {
    uri: store.uri,
    createWriter: (id) => store.createWriter(id),
    readManifest: (id) => store.readManifest(id),
    readTable: (id, table, options) => store.readTable(id, table, options),
    delete: (id) => store.delete(id),
    openTableFile: async (id, table) => {
      const file = await store.openTableFile(id, table);
      return {
        byteLength: file.byteLength,
        slice: async (start, end) => {
          if (start >= gate.at && start < gate.end) await gate.open;
          return file.slice(start, end);
        },
        close: () => file.close(),
      };
    },
  };
}

/** Reads of the source's row groups from the fourth on (the workers are handed the first three before) wait for the gate. */
async function gateFromFourthGroup(): Promise<{ gate: { at: number; end: number; open: Promise<void> }; open: () => void }> {
  const table = source.tables[0] as DatasetTableManifest;
  const file = await store.openTableFile(source.datasetVersionId, table);
  try {
    const groups = (await openRewriteSource(file, datasetColumns(table.columns)))?.metadata.row_groups ?? [];
    const start = (c: (typeof groups)[number]['columns'][number]) => Number(c.meta_data?.dictionary_page_offset ?? c.meta_data?.data_page_offset);
    const at = start(groups[3]?.columns[0] as (typeof groups)[number]['columns'][number]);
    const end = Math.max(...groups.flatMap((g) => g.columns.map((c) => start(c) + Number(c.meta_data?.total_compressed_size))));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    return { gate: { at, end, open: gate }, open };
  } finally {
    await file.close();
  }
}

async function firstGroupBack(workers: Worker[]): Promise<void> {
  await new Promise<void>((resolve) => {
    for (const w of workers) w.on('message', (m: { type: string }) => (m.type === 'group' ? resolve() : undefined));
  });
}

describe('masking on worker threads', () => {
  it('writes the bytes and rows of the writing thread alone, for every kind of transformer', async () => {
    const alone = await mask(false);
    await warmMaskWorkers(1);
    const groups = countGroups();
    const withWorkers = await mask(true);
    expect(groups.count()).toBeGreaterThan(0);
    expect(source.tables[0]?.rowCount).toBeGreaterThanOrEqual(MASK_WORKER_MIN_ROWS_STARTED);
    expect(withWorkers.tables[0]?.checksum).toBe(alone.tables[0]?.checksum);
    expect((await fileOf(withWorkers)).equals(await fileOf(alone))).toBe(true);
    const rows = await rowsOf(withWorkers);
    expect(rows).toEqual(await rowsOf(alone));
    expect(rows.some((r, i) => r[2] !== row(i)[2])).toBe(true);
    expect(rows.map((r) => r[9])).toEqual(Array.from({ length: ROWS }, (_, i) => row(i)[9]));
  }, 240_000);

  it('fails a transform that cannot be written with the error of the writing thread', async () => {
    // Hex text cannot go into a smallint column.
    const rules: MaskRules = { 'person.small': { transformer: 'hash', params: { format: 'hex' } } };
    const alone = await mask(false, rules).catch((err: unknown) => err);
    await warmMaskWorkers(1);
    const withWorkers = await mask(true, rules).catch((err: unknown) => err);
    expect(alone).toBeInstanceOf(InvalidInputError);
    expect(withWorkers).toBeInstanceOf(InvalidInputError);
    expect((withWorkers as Error).message).toBe((alone as Error).message);
  }, 120_000);

  it('a worker that dies mid-table fails the table with a typed error and leaves no file', async () => {
    await terminateMaskWorkers();
    await warmMaskWorkers(1);
    const { gate, open } = await gateFromFourthGroup();
    const workers = maskWorkers();
    const back = firstGroupBack(workers);
    const id = randomUUID();
    const writer = store.createWriter(id);
    const masking = mask(true, { 'person.email': { transformer: 'hash' } }, gatedStore(gate), writer).catch((err: unknown) => err);
    await back;
    await terminateMaskWorkers();
    open();
    const err = await masking;
    expect(err).toBeInstanceOf(MaskWorkerError);
    expect((err as TdmError).code).toBe('STEP_FAILED');
    await expect(readdir(join(dir, id))).resolves.toEqual([]);
    await writer.abort();
    await expect(access(join(dir, id))).rejects.toThrow();
  }, 120_000);

  it('aborting the write terminates the workers and removes what was written', async () => {
    await terminateMaskWorkers();
    await warmMaskWorkers(1);
    const { gate, open } = await gateFromFourthGroup();
    const [worker] = maskWorkers();
    expect(worker).toBeDefined();
    const back = firstGroupBack([worker as Worker]);
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    const id = randomUUID();
    const writer = store.createWriter(id);
    const masking = mask(true, { 'person.email': { transformer: 'hash' } }, gatedStore(gate), writer).catch((err: unknown) => err);
    await back;
    const aborting = writer.abort();
    open();
    await aborting;
    expect(await masking).toBeInstanceOf(TdmError);
    await exited;
    expect(maskWorkers()).not.toContain(worker);
    await expect(access(join(dir, id))).rejects.toThrow();
  }, 120_000);

  it('is on by default from two cores, TDM_MASK_WORKERS decides when set, and a table starts workers from MASK_WORKER_MIN_ROWS rows', async () => {
    process.env.TDM_MASK_WORKERS = '0';
    expect(maskWorkersEnabled()).toBe(false);
    delete process.env.TDM_MASK_WORKERS;
    expect(maskWorkersEnabled()).toBe(availableParallelism() >= 2);
    process.env.TDM_MASK_WORKERS = '1';
    expect(maskWorkersEnabled()).toBe(true);
    // The manifest's row count is what decides (the file is the same 60,000 rows).
    const counted = (rowCount: number): DatasetManifest => ({ ...source, tables: [{ ...(source.tables[0] as DatasetTableManifest), rowCount }] });
    const rules: MaskRules = { 'person.email': { transformer: 'hash' } };
    for (const [rowCount, started] of [
      [MASK_WORKER_MIN_ROWS - 1, false],
      [MASK_WORKER_MIN_ROWS, true],
    ] as const) {
      await terminateMaskWorkers();
      const writer = store.createWriter(randomUUID());
      await maskTables(store, counted(rowCount), catalog, writer, { rules, salt: SALT });
      await writer.abort();
      expect(maskWorkers().length > 0).toBe(started);
    }
  }, 120_000);
});
