/**
 * Full copies read on several connections sharing one exported snapshot (db/shared-snapshot.ts,
 * subset/parallel-read.ts), on the real PostgreSQL (skipped when absent) and on PGlite (one
 * connection): the same rows as a read on one connection; rows written to the source while the copy
 * runs — even before a helper connection has imported the snapshot — stay out, and every foreign key
 * of the dataset holds; a table failing in the middle of the copy leaves no dataset version behind
 * and no transaction open on the source. The catalog, read on several connections, is the one a
 * single transaction reads.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalogHash } from '../src/catalog/hash.ts';
import { readCatalog, readCatalogInTransaction } from '../src/catalog/read-catalog.ts';
import type { Catalog } from '../src/catalog/types.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import type { DatasetWriter, TextRow } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import { withSharedSnapshot } from '../src/db/shared-snapshot.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import { executeSubset } from '../src/subset/executor.ts';
import { planSubset } from '../src/subset/planner.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable, type TestDatabase } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn('PostgreSQL is not reachable: the concurrent-copy tests on PostgreSQL are SKIPPED (PGlite runs)');

const storeDir = await mkdtemp(join(tmpdir(), 'tdm-subset-parallel-'));
const store = new LocalDatasetStore(storeDir);
const cleanups: (() => Promise<unknown>)[] = [() => rm(storeDir, { recursive: true, force: true })];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});
const savedConnections = process.env.TDM_COPY_CONNECTIONS;
afterEach(() => {
  if (savedConnections === undefined) delete process.env.TDM_COPY_CONNECTIONS;
  else process.env.TDM_COPY_CONNECTIONS = savedConnections;
});

async function demoSource(db: TestDatabase): Promise<{ sql: SqlClient; catalog: Catalog; url: string }> {
  const sql = await openSqlClient(db.url);
  cleanups.push(async () => {
    await sql.close();
    await db.drop();
  });
  await seedDemoSource(sql);
  return { sql, catalog: await readCatalog(sql, ['public']), url: db.url };
}

/** `sql`, counting the transactions opened on it (the copy's own and its helpers'). */
function counting(sql: SqlClient): { client: SqlClient; transactions: () => number } {
  let n = 0;
  const client = {
    kind: sql.kind,
    redactedUrl: sql.redactedUrl,
    database: sql.database,
    query: (text: string, params?: unknown[]) => sql.query(text, params),
    exec: (text: string) => sql.exec(text),
    transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => {
      n++;
      return sql.transaction(fn);
    },
    cursor: (text: string, params?: unknown[]) => sql.cursor(text, params),
    copyOut: (text: string) => sql.copyOut(text),
    copyIn: (text: string) => sql.copyIn(text),
    listen: (channel: string, fn: (payload: string) => void) => sql.listen(channel, fn),
    notify: (channel: string, payload: string) => sql.notify(channel, payload),
    cancelRunning: async () => sql.cancelRunning?.(),
    close: () => sql.close(),
  } as SqlClient;
  return { client, transactions: () => n };
}

/** A writer passing everything to `w` but `writeTable`, which goes through `write`. */
function wrapWriter(w: DatasetWriter, write: DatasetWriter['writeTable']): DatasetWriter {
  return { datasetVersionId: w.datasetVersionId, writeTable: write, finish: (info) => w.finish(info), abort: () => w.abort() };
}

/** Every table of a finished dataset version, its rows sorted. */
async function readDataset(id: string): Promise<Map<string, TextRow[]>> {
  const manifest = await store.readManifest(id);
  const out = new Map<string, TextRow[]>();
  for (const t of manifest.tables) {
    const rows: TextRow[] = [];
    for await (const batch of store.readTable(id, t)) rows.push(...batch);
    out.set(
      `${t.schema}.${t.name}`,
      rows
        .map((r) => JSON.stringify(r))
        .sort()
        .map((r) => JSON.parse(r) as TextRow),
    );
  }
  return out;
}

/** A full copy of `source` into a new dataset version; `writer` may wrap the store's writer. */
async function fullCopy(source: SqlClient, catalog: Catalog, wrap: (w: DatasetWriter) => DatasetWriter = (w) => w) {
  const id = randomUUID();
  const writer = wrap(store.createWriter(id));
  try {
    const result = await executeSubset(source, catalog, planSubset(catalog, {}), writer);
    await writer.finish({ name: 'parallel', kind: 'SUBSET', schemaVersionId: null, parentId: null, jobId: null, meta: {} });
    return { id, result };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

const column = (rows: TextRow[] | undefined, i: number) => new Set((rows ?? []).map((r) => r[i]));

describe.skipIf(!pgUp)('a full copy on PostgreSQL, several connections on one snapshot', () => {
  let source: SqlClient;
  let catalog: Catalog;
  let url: string;
  beforeAll(async () => {
    ({ sql: source, catalog, url } = await demoSource(await createTestDatabase('par_src')));
  }, 120_000);

  it('reads the same rows on three connections as on one, and does use three', async () => {
    process.env.TDM_COPY_CONNECTIONS = '1';
    const one = counting(source);
    const sequential = await fullCopy(one.client, catalog);
    process.env.TDM_COPY_CONNECTIONS = '3';
    const three = counting(source);
    const concurrent = await fullCopy(three.client, catalog);
    expect(one.transactions()).toBe(1);
    expect(three.transactions()).toBe(3);
    expect(concurrent.result.tables).toEqual(sequential.result.tables);
    const a = await readDataset(sequential.id);
    const b = await readDataset(concurrent.id);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [table, rows] of a) expect(b.get(table), table).toEqual(rows);
    expect(a.get('public.order_item')?.length).toBeGreaterThan(100);
  }, 120_000);

  it('leaves out what is written to the source during the copy; every foreign key of the dataset holds', async () => {
    process.env.TDM_COPY_CONNECTIONS = '3';
    const before = await readDataset((await fullCopy(source, catalog)).id);
    const writer = await openSqlClient(url);
    cleanups.push(() => writer.close());
    let wrote = false;
    // The first table the copy starts writes to the source and commits before its rows are read, while
    // the helper connections may still be importing the snapshot.
    const { id } = await fullCopy(source, catalog, (w) =>
      wrapWriter(w, async (table, batches) => {
        if (!wrote) {
          wrote = true;
          await writer.exec(`insert into customer (first_name, last_name, email, created_at) values ('Late', 'Comer', 'late@example.com', now());
            insert into "order" (customer_id, ordered_at) select max(customer_id), now() from customer;
            insert into order_item (order_id, line_no, product_id, quantity, unit_price) select max(order_id), 1, 1, 1, 1 from "order";
            delete from order_item where order_id = (select min(order_id) from order_item);
            update product set name = 'renamed during the copy'`);
        }
        return w.writeTable(table, batches);
      }),
    );
    expect(wrote).toBe(true);
    const after = await readDataset(id);
    for (const [table, rows] of before) expect(after.get(table), table).toEqual(rows);
    // Foreign keys between the dataset's tables: order → customer, order_item → order and product.
    const names = (t: string) =>
      catalog.tables
        .find((x) => x.name === t)
        ?.columns.filter((c) => c.generated === null)
        .map((c) => c.name) ?? [];
    const at = (t: string, c: string) => names(t).indexOf(c);
    const customers = column(after.get('public.customer'), at('customer', 'customer_id'));
    const orders = column(after.get('public.order'), at('order', 'order_id'));
    const products = column(after.get('public.product'), at('product', 'product_id'));
    for (const o of after.get('public.order') ?? []) expect(customers.has(o[at('order', 'customer_id')] ?? null)).toBe(true);
    for (const i of after.get('public.order_item') ?? []) {
      expect(orders.has(i[at('order_item', 'order_id')] ?? null)).toBe(true);
      expect(products.has(i[at('order_item', 'product_id')] ?? null)).toBe(true);
    }
    const live = await source.query<{ n: string }>(`select count(*)::text as n from customer where email = 'late@example.com'`);
    expect(live.rows[0]?.n).toBe('1');
  }, 120_000);

  it('helpers see the exported snapshot, not what was committed after it', async () => {
    const other = await openSqlClient(url);
    cleanups.push(() => other.close());
    const counts = await source.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const first = await tx.query<{ n: string }>('select count(*)::text as n from employee');
      await other.exec(`insert into employee (first_name, last_name, email, hired_on) values ('Late', 'Hire', 'hire-${randomUUID()}@example.com', now())`);
      return withSharedSnapshot(source, tx, { connections: 3 }, async (scopes) => {
        const seen = await Promise.all(
          [1, 2, 3, 4, 5, 6].map(() =>
            scopes.run(async (scope) => {
              const { rows } = await scope.query<{ n: string; pid: number }>('select count(*)::text as n, pg_backend_pid() as pid from employee');
              await new Promise((r) => setTimeout(r, 20));
              return rows[0];
            }),
          ),
        );
        return { first: first.rows[0]?.n, seen, size: scopes.size };
      });
    });
    expect(counts.size).toBe(3);
    expect(new Set(counts.seen.map((s) => s?.n))).toEqual(new Set([counts.first]));
    expect(new Set(counts.seen.map((s) => s?.pid)).size).toBeGreaterThan(1);
  }, 60_000);

  it('reads the catalog on several connections exactly as one transaction reads it', async () => {
    const parallel = await readCatalog(source, ['public']);
    const single = await source.transaction(async (tx) => {
      await tx.query(`select set_config('search_path', 'pg_catalog', true)`);
      return readCatalogInTransaction(tx, ['public']);
    });
    expect(catalogHash(parallel)).toBe(catalogHash(single));
    expect(parallel.tables.find((t) => t.name === 'order_item')?.rowCount).toBeGreaterThan(100);
  }, 60_000);
});

describe.skipIf(!pgUp)('a full copy that fails half-way', () => {
  let engine: TestEngine;
  let source: TestDatabase;
  beforeAll(async () => {
    engine = await createTestEngine('subset-parallel');
    cleanups.push(() => engine.close());
    source = await engine.database('postgres', 'par_fail');
    const sql = await engine.client(source.url);
    await seedDemoSource(sql);
  }, 120_000);

  it('leaves no dataset version, no file and no open transaction on the source', async () => {
    process.env.TDM_COPY_CONNECTIONS = '3';
    const { tdm } = engine;
    const datasets = tdm.datasets as { createWriter: (id: string) => DatasetWriter };
    const create = datasets.createWriter.bind(datasets);
    let started = 0;
    datasets.createWriter = (id) => {
      const w = create(id);
      return wrapWriter(w, async (table, batches) => {
        // The third table fails at its first batch, while the other connections are reading theirs.
        if (++started !== 3) return w.writeTable(table, batches);
        for await (const _ of batches) break;
        throw new Error(`disk full while writing ${table.name}`);
      });
    };
    try {
      await expect(runSubset(tdm, { connectionString: source.url, schemas: ['public'] })).rejects.toThrow(/disk full/);
    } finally {
      datasets.createWriter = create;
    }
    expect(await tdm.store.prisma.datasetVersion.count()).toBe(0);
    const root = (tdm.datasets as unknown as { root?: string }).root;
    if (root) expect(await readdir(root).catch(() => [])).toEqual([]);
    const admin = await engine.client(source.url);
    const open = await admin.query<{ n: string }>(
      `select count(*)::text as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state like 'idle in transaction%'`,
    );
    expect(open.rows[0]?.n).toBe('0');
  }, 120_000);
});

describe('a full copy on PGlite: one connection', () => {
  it('reads every table in one transaction, the helpers left out', async () => {
    process.env.TDM_COPY_CONNECTIONS = '3';
    const { sql, catalog } = await demoSource(await createPgliteUrl());
    const one = counting(sql);
    const { id, result } = await fullCopy(one.client, catalog);
    expect(one.transactions()).toBe(1);
    const rows = await readDataset(id);
    for (const t of result.tables) expect(rows.get(`${t.schema}.${t.name}`)?.length).toBe(t.rowCount);
    const size = await sql.transaction((tx) => withSharedSnapshot(sql, tx, { connections: 3 }, async (scopes) => scopes.size));
    expect(size).toBe(1);
  }, 120_000);
});
