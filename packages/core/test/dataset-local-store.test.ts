import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNamePart, tableFileName } from '../src/dataset/layout.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import { openDatasetStore } from '../src/dataset/open.ts';
import type { TableInput, TextRow } from '../src/dataset/types.ts';
import { InvalidInputError, NotFoundError } from '../src/errors.ts';
import { batchesOf, collect, FINISH, failure } from './support/dataset.ts';

// ── local store ──────────────────────────────────────────────────────────────────────────────────

describe('local dataset store', () => {
  let root: string;
  let store: LocalDatasetStore;
  const table: TableInput = {
    schema: 'public',
    name: 'items',
    columns: [
      { name: 'id', pgType: 'bigint', nullable: false },
      { name: 'label', pgType: 'text', nullable: true },
      { name: 'ok', pgType: 'boolean', nullable: true },
    ],
  };
  const rowsOf = (n: number, from = 0): TextRow[] =>
    Array.from({ length: n }, (_, i) => [String(from + i), i % 10 === 0 ? null : `label ${from + i}`, i % 3 ? 't' : 'f']);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tdm-dataset-local-'));
    store = new LocalDatasetStore(root);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('records rowCount, bytes and a sha256 that match the file on disk', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    const entry = await writer.writeTable(table, batchesOf(rowsOf(12_345)));
    const manifest = await writer.finish({ ...FINISH, meta: { seed: 42 } });
    const file = await readFile(join(root, id, entry.file));
    expect(entry).toMatchObject({ schema: 'public', name: 'items', file: 'public.items.parquet', rowCount: 12_345, bytes: file.length });
    expect(entry.checksum).toBe(createHash('sha256').update(file).digest('hex'));
    expect(await store.readManifest(id)).toEqual(manifest);
    expect(manifest).toMatchObject({ formatVersion: 1, datasetVersionId: id, kind: 'SUBSET', meta: { seed: 42 } });
    expect((await readdir(join(root, id))).sort()).toEqual(['manifest.json', 'public.items.parquet']);
  });

  it('pages through a table with offset and limit, across row groups', async () => {
    const id = randomUUID();
    const rows = rowsOf(150_000);
    const writer = store.createWriter(id);
    await writer.writeTable(table, batchesOf(rows, 7000));
    await writer.finish(FINISH);
    const ref = { schema: 'public', name: 'items' };
    const page = (offset: number, limit: number, batchSize?: number) => collect(store.readTable(id, ref, { offset, limit, batchSize }));
    expect(await page(0, 5)).toEqual(rows.slice(0, 5));
    expect(await page(65_530, 20)).toEqual(rows.slice(65_530, 65_550)); // spans the first row-group boundary
    expect(await page(149_990, 100)).toEqual(rows.slice(149_990));
    expect(await page(150_000, 10)).toEqual([]);
    expect(await page(10, 0)).toEqual([]);
    const batches: number[] = [];
    for await (const batch of store.readTable(id, ref, { offset: 100, limit: 2500, batchSize: 1000 })) batches.push(batch.length);
    expect(batches).toEqual([1000, 1000, 500]);
    expect(await collect(store.readTable(id, ref))).toEqual(rows);
  });

  it('gives odd identifiers safe, distinct file names', async () => {
    expect(encodeNamePart('Users')).toBe('%55sers');
    expect(tableFileName({ schema: 'a.b', name: 'c' })).not.toBe(tableFileName({ schema: 'a', name: 'b.c' }));
    const odd = [
      { schema: 'My Schema', name: 'a.b/c"d\\e' },
      { schema: 'public', name: 'Users' },
      { schema: 'public', name: 'users' },
      { schema: 'ünï', name: '東京 🙂'.repeat(8) },
      { schema: '..', name: '..' },
    ];
    const id = randomUUID();
    const writer = store.createWriter(id);
    for (const [i, ref] of odd.entries())
      await writer.writeTable({ ...ref, columns: [{ name: 'x', pgType: 'int4', nullable: true }] }, batchesOf([[String(i)]]));
    const manifest = await writer.finish(FINISH);
    const files = manifest.tables.map((t) => t.file);
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(odd.length);
    for (const f of files) expect(f).toMatch(/^[A-Za-z0-9_%.~-]+\.parquet$/);
    expect((await readdir(join(root, id))).length).toBe(odd.length + 1);
    for (const [i, ref] of odd.entries()) expect(await collect(store.readTable(id, ref))).toEqual([[String(i)]]);
  });

  it('is not readable before finish, and abort removes everything, also a table whose source has stalled', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    await writer.writeTable(table, batchesOf(rowsOf(100)));
    expect(await failure(store.readManifest(id))).toBeInstanceOf(NotFoundError);

    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* slow(): AsyncGenerator<TextRow[]> {
      yield rowsOf(70_000); // one full row group reaches the file
      await gate;
      yield rowsOf(10);
    }
    const inFlight = writer.writeTable({ ...table, name: 'slow' }, slow());
    inFlight.catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    await writer.abort(); // does not wait for the stalled source
    expect(await failure(inFlight)).toMatchObject({ code: 'CONFLICT' });
    release();
    await expect(stat(join(root, id))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await failure(store.readManifest(id))).toBeInstanceOf(NotFoundError);
    expect(await failure(writer.writeTable(table, batchesOf([])))).toBeInstanceOf(InvalidInputError);
  });

  it('answers a missing version or table with NotFoundError, and a bad id with InvalidInputError', async () => {
    const missing = await failure(store.readManifest('no-such-version'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('no-such-version');
    expect(await failure(collect(store.readTable('no-such-version', { schema: 'public', name: 'items' })))).toBeInstanceOf(NotFoundError);

    const id = randomUUID();
    const writer = store.createWriter(id);
    await writer.writeTable(table, batchesOf(rowsOf(3)));
    await writer.finish(FINISH);
    expect(await failure(collect(store.readTable(id, { schema: 'public', name: 'nope' })))).toBeInstanceOf(NotFoundError);

    for (const bad of ['../etc', 'a/b', '', '.hidden']) expect(await failure(store.readManifest(bad))).toBeInstanceOf(InvalidInputError);
  });

  it('refuses to overwrite a finished version, to write a table twice, or to finish mid-write', async () => {
    const id = randomUUID();
    const first = store.createWriter(id);
    await first.writeTable(table, batchesOf(rowsOf(3)));
    await expect(first.writeTable(table, batchesOf(rowsOf(3)))).rejects.toThrow(/already written/);
    await first.finish(FINISH);
    await expect(first.finish(FINISH)).rejects.toThrow(/finished/);
    expect(await failure(store.createWriter(id).writeTable(table, batchesOf(rowsOf(1))))).toMatchObject({ code: 'CONFLICT' });
    expect((await store.readManifest(id)).tables[0]?.rowCount).toBe(3);

    const other = store.createWriter(randomUUID());
    const pending = other.writeTable(table, batchesOf(rowsOf(50_000)));
    await expect(other.finish(FINISH)).rejects.toThrow(/still being written/);
    await pending;
    expect((await other.finish(FINISH)).tables).toHaveLength(1);
  });

  it('deletes a version: the manifest first, then the files', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    await writer.writeTable(table, batchesOf(rowsOf(3)));
    await writer.finish(FINISH);
    await store.delete(id);
    await expect(stat(join(root, id))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await failure(store.readManifest(id))).toBeInstanceOf(NotFoundError);
    await store.delete(id); // a second delete is not an error
  });
});

describe('openDatasetStore', () => {
  it('opens file:// URIs and plain paths as local stores, the default under TDM_DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tdm-dataset-open-'));
    try {
      const byUrl = openDatasetStore(pathToFileURL(join(dir, 'a')).href);
      const byPath = openDatasetStore(join(dir, 'a'));
      expect(byUrl).toBeInstanceOf(LocalDatasetStore);
      expect(byUrl.uri).toBe(byPath.uri);
      const byDefault = openDatasetStore(undefined, { TDM_DATA_DIR: dir }) as LocalDatasetStore;
      expect(byDefault.root).toBe(join(dir, 'datasets'));
      const id = randomUUID();
      const writer = byUrl.createWriter(id);
      await writer.writeTable({ schema: 's', name: 't', columns: [{ name: 'x', pgType: 'text', nullable: true }] }, batchesOf([['v']]));
      await writer.finish(FINISH);
      expect(await collect(byPath.readTable(id, { schema: 's', name: 't' }))).toEqual([['v']]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects other schemes', () => {
    for (const uri of ['http://example.com/x', 'gs://bucket/x', '', 's3://']) expect(() => openDatasetStore(uri, {})).toThrow(InvalidInputError);
  });
});
