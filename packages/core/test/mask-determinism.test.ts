/**
 * Masking the same dataset twice with the same salt gives byte-identical Parquet files: the
 * manifest checksums of every table match, not only the rows. A checksum is what a user compares
 * to tell whether two masked versions differ, and what caches and content-addressed copies key on.
 * The cause once was the Parquet writer's snappy instance, shared by the process, whose output
 * depended on what it had compressed before: checked directly, and through masking on the demo
 * source in the real PostgreSQL (subset, PII classification, mask, another mask in between).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetColumns, writeParquet } from '../src/dataset/parquet.ts';
import { openSqlClient } from '../src/db/open.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { runMask } from '../src/graphs/mask/graph.ts';
import { classifyPii } from '../src/graphs/pii/graph.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import type { Tdm } from '../src/runtime.ts';
import { loadManifest } from '../src/store/datasets.ts';
import { pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

const pgUp = await pgAvailable();

let engine: TestEngine;
let tdm: Tdm;

beforeAll(async () => {
  if (!pgUp) return;
  engine = await createTestEngine('mask-determinism');
  tdm = engine.tdm;
});

afterAll(() => engine?.close());

async function checksums(datasetVersionId: string): Promise<Record<string, string>> {
  const manifest = await loadManifest(tdm.store.prisma, datasetVersionId);
  return Object.fromEntries((manifest?.tables ?? []).map((t) => [`${t.schema}.${t.name}`, t.checksum]));
}

describe('Parquet bytes', () => {
  const columns = datasetColumns([
    { name: 'id', pgType: 'integer', nullable: false },
    { name: 'note', pgType: 'text', nullable: true },
  ]);
  // Repetitive text that is not dictionary-encoded: its pages are where snappy finds matches.
  const rows = (seed: number, n: number) => Array.from({ length: n }, (_, i) => [String(i), `row ${i} v${(i * seed) % 50}-${i % 7}`]);
  const checksum = async (batch: string[][]) => (await writeParquet(columns, [batch], () => {})).checksum;

  it('the same rows give the same file, whatever the process wrote before', async () => {
    const differing: number[] = [];
    for (let k = 0; k < 20; k++) {
      const table = rows(3 + k, 2000 + 300 * k);
      const first = await checksum(table);
      await checksum(rows(5 + k, 20_000 + 1000 * k));
      if ((await checksum(table)) !== first) differing.push(k);
    }
    expect(differing, 'tables whose second write differs').toEqual([]);
  });
});

describe.skipIf(!pgUp)('masking the demo source twice', () => {
  it('writes byte-identical Parquet files (equal manifest checksums for every table)', async () => {
    const db = await engine.database('postgres', 'src');
    const sql = await openSqlClient(db.url, { poolSize: 1 });
    try {
      await seedDemoSource(sql, { customers: 120, products: 30, orders: 300 });
    } finally {
      await sql.close();
    }
    const subset = await runSubset(tdm, { connectionString: db.url, schemas: ['public'], maxRowsPerTable: { '*': 200 } });
    await classifyPii(tdm, { schemaVersionId: subset.schemaVersionId });

    const first = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: 'determinism-salt' });
    // Other work in between, as in a real process: another mask writes other files.
    const other = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: 'another-salt' });
    const second = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: 'determinism-salt' });
    expect(second.datasetVersionId).not.toBe(first.datasetVersionId);
    expect(first.columns.length, 'masked columns').toBeGreaterThan(0);
    const a = await checksums(first.datasetVersionId);
    const b = await checksums(second.datasetVersionId);
    expect(Object.keys(a).length).toBeGreaterThan(1);
    expect(b).toEqual(a);

    // The checksums say something: another salt changes the files of the masked tables.
    expect((await checksums(other.datasetVersionId))['public.customer']).not.toBe(a['public.customer']);
  }, 120_000);
});
