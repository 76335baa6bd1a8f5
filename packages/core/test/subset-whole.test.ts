/**
 * A subset whose selection of a table is every row (no filter, a cap at or above its row count) reads
 * that table without filling its key table: the rows written, what reaches it from other tables and
 * what it pulls in must be those of any other selection. On PGlite always, on PostgreSQL when up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import type { TextRow } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import type { StepEvent } from '../src/jobs/events.ts';
import { executeSubset } from '../src/subset/executor.ts';
import { planSubset, type SubsetOptions } from '../src/subset/planner.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable, type TestDatabase } from './support/databases.ts';

const SCHEMA = `
CREATE TABLE region (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE person (id int PRIMARY KEY, region_id int REFERENCES region(id), manager_id int REFERENCES person(id), name text);
CREATE TABLE note (id int PRIMARY KEY, person_id int NOT NULL REFERENCES person(id), body text);
CREATE TABLE lonely (id int PRIMARY KEY, v text);
INSERT INTO region SELECT g, 'r' || g FROM generate_series(1, 8) g;
INSERT INTO person SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + g % 6 END, CASE WHEN g > 1 THEN g / 2 END, 'p' || g FROM generate_series(1, 40) g;
INSERT INTO note SELECT g, 1 + g % 40, E'n\\t' || g FROM generate_series(1, 100) g;
INSERT INTO lonely SELECT g, NULL FROM generate_series(1, 3) g;
`;

const storeDir = await mkdtemp(join(tmpdir(), 'tdm-subset-whole-'));
const store = new LocalDatasetStore(storeDir);
const cleanups: (() => Promise<void>)[] = [() => rm(storeDir, { recursive: true, force: true })];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

const engines: ('pglite' | 'postgres')[] = (await pgAvailable()) ? ['pglite', 'postgres'] : ['pglite'];

async function subset(source: SqlClient, options: SubsetOptions, change?: () => Promise<void>) {
  const catalog = await readCatalog(source, ['public']);
  // Rows changed after the catalog was read: its counts are out of date.
  await change?.();
  const plan = planSubset(catalog, options);
  const writer = store.createWriter(`w${Math.random().toString(36).slice(2)}`);
  const events: StepEvent[] = [];
  const result = await executeSubset(source, catalog, plan, writer, { emit: (e) => events.push(e) });
  const manifest = await writer.finish({ name: 't', kind: 'SUBSET', schemaVersionId: null, parentId: null, jobId: null, meta: {} });
  const rows = new Map<string, TextRow[]>();
  for (const t of manifest.tables) {
    const all: TextRow[] = [];
    for await (const batch of store.readTable(manifest.datasetVersionId, t)) all.push(...batch);
    rows.set(
      t.name,
      all.sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  }
  return { result, rows, events };
}

const ids = (rows: TextRow[] | undefined) => (rows ?? []).map((r) => Number(r[0]));

describe.each(engines)('executeSubset, tables taken whole (%s)', (engine) => {
  let db: TestDatabase;
  let source: SqlClient;

  it('loads the fixture', async () => {
    db = engine === 'postgres' ? await createTestDatabase('tdm_subset_whole') : await createPgliteUrl();
    source = await openSqlClient(db.url);
    cleanups.push(async () => {
      await source.close();
      await db.drop();
    });
    await source.exec(SCHEMA);
  });

  it('a cap at or above the row count takes every row, what references them and what they reference', async () => {
    const { result, rows, events } = await subset(source, { rootTable: 'note', maxRowsPerTable: { '*': 100 } });
    expect(result.cut).toEqual([]);
    expect(ids(rows.get('note'))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // every person a note names, and the manager chain of each, and their regions
    const persons = ids(rows.get('person'));
    const expected = await source.query<{ id: number }>(
      `WITH RECURSIVE c AS (SELECT DISTINCT person_id AS id FROM note UNION SELECT p.manager_id FROM person p JOIN c ON p.id = c.id WHERE p.manager_id IS NOT NULL) SELECT id FROM c ORDER BY id`,
    );
    expect(persons).toEqual(expected.rows.map((r) => Number(r.id)));
    const regions = new Set((rows.get('person') ?? []).map((r) => r[1]).filter((v) => v !== null));
    expect(ids(rows.get('region'))).toEqual([...regions].map(Number).sort((a, b) => a - b));
    expect(rows.get('note')?.[0]).toEqual(['1', '2', 'n\t1']);
    expect(ids(rows.get('lonely'))).toEqual([1, 2, 3]);
    expect(events.find((e) => e.level === 'info')?.message).toMatch(/^selected \d+ rows/);
  });

  it('rows reached down from a whole parent are those that reference it', async () => {
    const { rows, result } = await subset(source, { rootTable: 'person', maxRowsPerTable: { '*': 1000 } });
    expect(result.cut).toEqual([]);
    expect(ids(rows.get('person'))).toHaveLength(40);
    expect(ids(rows.get('note'))).toHaveLength(100);
    expect(ids(rows.get('region'))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a cap below the row count still cuts, and the cut is reported', async () => {
    const { rows, result } = await subset(source, { rootTable: 'person', maxRowsPerTable: { '*': 10 } });
    const persons = new Set(ids(rows.get('person')));
    for (const p of rows.get('person') ?? []) if (p[2] !== null) expect(persons.has(Number(p[2]))).toBe(true);
    for (const n of rows.get('note') ?? []) expect(persons.has(Number(n[1]))).toBe(true);
    expect(result.cut.map((c) => c.table)).toContain('public.person');
  });

  it('a table no foreign key ties to others is taken whole on the catalog’s count, and cut when the count is out of date', async () => {
    const whole = await subset(source, { rootTable: 'note', maxRowsPerTable: { '*': 3 } });
    expect(ids(whole.rows.get('lonely'))).toEqual([1, 2, 3]);
    expect(whole.result.cut.map((c) => c.table)).not.toContain('public.lonely');
    expect(whole.result.tables.find((t) => t.name === 'lonely')?.rowCount).toBe(3);

    // Two rows more since the catalog was read: the cap of 3 keeps the first three by key, as for any capped table.
    const grown = await subset(source, { rootTable: 'note', maxRowsPerTable: { '*': 3 } }, () =>
      source.exec(`INSERT INTO lonely VALUES (0, 'new'), (9, 'new')`),
    );
    try {
      expect(ids(grown.rows.get('lonely'))).toEqual([0, 1, 2]);
      expect(grown.result.tables.find((t) => t.name === 'lonely')?.rowCount).toBe(3);
      expect(grown.result.cut.find((c) => c.table === 'public.lonely')).toMatchObject({ wanted: 5, kept: 3, final: 3 });
      // No cap: every row, whatever the catalog said.
      const uncapped = await subset(source, { rootTable: 'note', maxRowsPerTable: { note: 3 } }, () => source.exec(`INSERT INTO lonely VALUES (10, NULL)`));
      expect(ids(uncapped.rows.get('lonely'))).toEqual([0, 1, 2, 3, 9, 10]);
    } finally {
      await source.exec('DELETE FROM lonely WHERE id NOT IN (1, 2, 3)');
    }
  });
});
