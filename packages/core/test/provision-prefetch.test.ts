/**
 * The provision reads its tables' rows from the store while the server runs the DDL: by the time the
 * first COPY starts, the first tables (within the read-ahead bound) were read whole; past the bound a
 * table waits for its turn. Nothing stays open when the provision is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog } from '../src/catalog/types.ts';
import type { DatasetManifest, TextRow } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { provisionDataset } from '../src/provision/provision.ts';
import { MemoryStore } from './support/memory-dataset.ts';

const ROWS = 500;
const DDL = `create table public.parent (id int primary key, label text not null);
  create table public.child (id int primary key, parent_id int not null references public.parent (id), note text)`;

/** `sql` whose transactions hold every DDL script for `delayMs` and note, at each COPY, how many rows the store had produced. */
function slowDdl(sql: SqlClient, delayMs: number, producedAtCopy: number[], produced: () => number): SqlClient {
  const wrap = (tx: SqlClient): SqlClient =>
    new Proxy(tx, {
      get(target, prop) {
        if (prop === 'exec') {
          return async (script: string) => {
            if (/CREATE TABLE/.test(script)) await new Promise((r) => setTimeout(r, delayMs));
            return target.exec(script);
          };
        }
        if (prop === 'copyIn') {
          return (statement: string) => {
            producedAtCopy.push(produced());
            return target.copyIn(statement);
          };
        }
        if (prop === 'transaction') return <T>(fn: (t: SqlClient) => Promise<T>) => target.transaction((t) => fn(wrap(t)));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return wrap(sql);
}

describe('provision read-ahead during the DDL', () => {
  let catalog: Catalog;
  let source: SqlClient;

  beforeAll(async () => {
    source = await openSqlClient('pglite:memory');
    await source.exec(DDL);
    catalog = await readCatalog(source, ['public']);
  });
  afterAll(() => source?.close());

  interface Counter {
    produced: number;
    started: number;
    closed: number;
  }
  const counter = (): Counter => ({ produced: 0, started: 0, closed: 0 });

  /** Both tables in a memory store whose row generators count what they produced. */
  function dataset(seen: Counter): { store: MemoryStore; manifest: DatasetManifest } {
    const store = new MemoryStore(50);
    const generate = (row: (i: number) => TextRow) =>
      function* () {
        seen.started++;
        try {
          for (let i = 1; i <= ROWS; i++) {
            seen.produced++;
            yield row(i);
          }
        } finally {
          seen.closed++;
        }
      };
    const columns = (name: string) =>
      (catalog.tables.find((t) => t.name === name)?.columns ?? []).map((c) => ({
        name: c.name,
        pgType: c.dataType,
        nullable: c.nullable,
        parquetType: 'STRING' as const,
      }));
    const entry = (name: string) => ({ schema: 'public', name, file: '', rowCount: ROWS, bytes: 0, checksum: '', columns: columns(name) });
    const manifest = store.put(
      {
        formatVersion: 1,
        datasetVersionId: 'prefetch-v1',
        name: 'prefetch',
        kind: 'SUBSET',
        schemaVersionId: null,
        parentId: null,
        jobId: null,
        createdAt: new Date(0).toISOString(),
        tables: [entry('parent'), entry('child')],
        meta: {},
      },
      new Map([
        ['public.parent', { generate: generate((i) => [String(i), `p${i}`]) }],
        ['public.child', { generate: generate((i) => [String(i), String(((i - 1) % ROWS) + 1), i % 3 ? `n${i}` : null]) }],
      ]),
    );
    return { store, manifest };
  }

  it('has read every table whole before the first COPY when they fit the bound, and loads them', async () => {
    const target = await openSqlClient('pglite:memory');
    try {
      const rows = counter();
      const { store, manifest } = dataset(rows);
      const atCopy: number[] = [];
      const result = await provisionDataset(
        slowDdl(target, 100, atCopy, () => rows.produced),
        { store, manifest, catalog },
      );
      expect(result.tables.map((t) => t.rowCount)).toEqual([ROWS, ROWS]);
      expect(atCopy[0]).toBe(2 * ROWS);
      const { rows: loaded } = await target.query<{ n: string }>('select (select count(*) from public.child)::text as n');
      expect(loaded[0]?.n).toBe(String(ROWS));
    } finally {
      await target.close();
    }
  });

  it('stops reading ahead at the bound: a table past it is read in its turn', async () => {
    const target = await openSqlClient('pglite:memory');
    try {
      const rows = counter();
      const { store, manifest } = dataset(rows);
      const atCopy: number[] = [];
      // A bound smaller than the first table: part of it is read during the DDL, none of the second.
      await provisionDataset(
        slowDdl(target, 100, atCopy, () => rows.produced),
        { store, manifest, catalog, readAheadBytes: 1024 },
      );
      expect(atCopy[0]).toBeGreaterThan(0);
      expect(atCopy[0]).toBeLessThan(ROWS);
    } finally {
      await target.close();
    }
  });

  it('closes what it read ahead when the provision is refused', async () => {
    const target = await openSqlClient('pglite:memory');
    try {
      await target.exec('create table public.parent (x int)');
      const rows = counter();
      const { store, manifest } = dataset(rows);
      await expect(provisionDataset(target, { store, manifest, catalog })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(rows.started).toBeGreaterThan(0);
      expect(rows.closed).toBe(rows.started);
      const { rows: tables } = await target.query<{ n: string }>(`select count(*)::text as n from pg_tables where schemaname = 'public'`);
      expect(tables[0]?.n).toBe('1');
    } finally {
      await target.close();
    }
  });
});
