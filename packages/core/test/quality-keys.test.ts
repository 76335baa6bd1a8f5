/**
 * Key checks past the memory budget: duplicate keys and FK orphans are counted exactly whether the
 * keys stay in memory or spill to hash-partitioned files (forced here with a budget of a few KiB and
 * few partitions, so partitions are split again), first on key bags directly — hot keys, multi-byte
 * and very long keys, NULL-free composite texts — then on a real dataset stored as Parquet files and
 * scored like any other.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextRow } from '../src/dataset/types.ts';
import type { StepEvent } from '../src/jobs/events.ts';
import { computeQualityReport, qualityDepsOf } from '../src/graphs/quality/graph.ts';
import { KeySpace } from '../src/quality/keys.ts';
import type { QualityReportData } from '../src/quality/types.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tdm-quality-keys-test-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Exact answers computed the obvious way. */
function expected(parent: string[], child: string[]): { duplicates: number; missing: number } {
  const keys = new Set(parent);
  return { duplicates: parent.length - keys.size, missing: child.filter((k) => !keys.has(k)).length };
}

/** A deterministic pseudo-random stream (xorshift32). */
function randoms(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function keySets(): { parent: string[]; child: string[] } {
  const r = randoms(7);
  const parent: string[] = [];
  for (let i = 0; i < 6000; i++) parent.push(`k${i}`);
  for (let i = 0; i < 150; i++) parent.push(`k${Math.floor(r() * 6000)}`); // repeats, some of them repeated again
  parent.push('Zürich—東京', 'Zürich—東京', 'x'.repeat(40_000), 'x'.repeat(40_000), 'y'.repeat(1_300_000));
  const child: string[] = [];
  for (let i = 0; i < 9000; i++) child.push(r() < 0.3 ? 'k1' : `k${Math.floor(r() * 6100)}`); // a hot key; ~100 of 6100 have no parent
  child.push('Zürich—東京', 'Zurich', 'x'.repeat(40_000), 'x'.repeat(39_999), 'y'.repeat(1_300_000));
  return { parent, child };
}

describe('key bags past the budget', () => {
  const { parent, child } = keySets();
  const want = expected(parent, child);

  it.each([
    { budget: 1 << 30, partitions: 64, spills: false },
    { budget: 4096, partitions: 64, spills: true },
    { budget: 2048, partitions: 2, spills: true }, // partitions over the budget are split again
    { budget: 64 * 1024, partitions: 16, spills: true },
  ])(
    'budget $budget B, $partitions partitions: exact counts (spilled: $spills)',
    async ({ budget, partitions, spills }) => {
      const space = new KeySpace({ memoryBytes: budget, dir: scratch, partitions });
      try {
        const p = space.bag();
        const c = space.bag();
        // Fed in batches, as a table scan does, with a settle between them.
        for (let i = 0; i < Math.max(parent.length, child.length); i += 1000) {
          for (const k of parent.slice(i, i + 1000)) p.add(k);
          for (const k of child.slice(i, i + 1000)) c.add(k);
          await space.settle();
        }
        await p.flush(true);
        await c.flush(true);
        expect(space.spilled).toBe(spills);
        expect(p.size).toBe(parent.length);
        expect(await p.duplicates()).toBe(want.duplicates);
        expect(await p.missingFrom(c)).toBe(want.missing);
        expect(await c.duplicates()).toBe(expected(child, []).duplicates);
      } finally {
        await space.close();
      }
      expect((await readdir(scratch)).filter((f) => f.startsWith('tdm-quality-keys-'))).toEqual([]);
    },
    60_000,
  );

  it('a parent kept in memory is matched against a spilled child, and the reverse', async () => {
    const space = new KeySpace({ memoryBytes: 300_000, dir: scratch, partitions: 8 });
    try {
      const small = space.bag();
      const large = space.bag();
      for (const k of ['k1', 'k2', 'k3']) small.add(k);
      for (let i = 0; i < 20_000; i++) large.add(`k${i % 9000}`);
      await space.settle();
      expect(large.spilled).toBe(true);
      expect(small.spilled).toBe(false);
      expect(await small.missingFrom(large)).toBe(20_000 - 3 * 3); // k1..k3 appear 3 times each (i < 20000)
      expect(await large.missingFrom(small)).toBe(0);
      expect(await large.duplicates()).toBe(11_000);
    } finally {
      await space.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A dataset stored as Parquet, scored with the default budget and with a tiny one

const DDL = `
  CREATE TABLE public.account (id bigint PRIMARY KEY, code text UNIQUE NOT NULL);
  CREATE TABLE public.transfer (
    id bigint PRIMARY KEY,
    account_id bigint REFERENCES public.account (id),
    amount numeric(9,2)
  );`;
const ACCOUNTS = 40_000;
const TRANSFERS = 150_000;

/** Accounts with 23 repeated ids and 11 repeated codes; transfers with a hot account, NULLs and 41 orphan values. */
function accountRows(): TextRow[] {
  const rows: TextRow[] = [];
  for (let i = 1; i <= ACCOUNTS; i++) rows.push([String(i), `ACC-${i}-ß`]);
  for (let i = 0; i < 23; i++) rows.push([String(1 + ((i * 37) % 17)), `EXTRA-${i}`]); // ids 1..17 again, some of them twice
  for (let i = 0; i < 11; i++) rows.push([String(ACCOUNTS + 1 + i), `ACC-${i + 1}-ß`]);
  return rows;
}

function transferRows(): TextRow[] {
  const r = randoms(11);
  const rows: TextRow[] = [];
  for (let i = 1; i <= TRANSFERS; i++) {
    const roll = r();
    const account = roll < 0.25 ? '1' : roll < 0.3 ? null : String(1 + Math.floor(r() * ACCOUNTS));
    rows.push([String(i), account, (r() * 1000).toFixed(2)]);
  }
  for (let i = 0; i < 41; i++) (rows[1000 + i * 3000] as TextRow)[1] = String(ACCOUNTS + 100 + (i % 7)); // no such account
  return rows;
}

function truth(accounts: TextRow[], transfers: TextRow[]) {
  const ids = new Set(accounts.map((a) => a[0] as string));
  const codes = new Set(accounts.map((a) => a[1] as string));
  // Accounts ACCOUNTS+1.. exist as ids (with repeated codes), so they are parents too.
  return {
    accountDuplicates: accounts.length - ids.size + (accounts.length - codes.size),
    orphans: transfers.filter((t) => t[1] !== null && !ids.has(t[1] as string)).length,
  };
}

describe('a dataset on Parquet past the key budget', () => {
  let engine: TestEngine;
  let datasetVersionId: string;
  const accounts = accountRows();
  const transfers = transferRows();
  const want = truth(accounts, transfers);

  beforeAll(async () => {
    engine = await createTestEngine('quality-keys');
    const { tdm } = engine;
    const src = await engine.database('pglite', 'keys_src');
    const sql = await engine.client(src.url);
    await sql.exec(DDL);
    await sql.close();
    const sv = await tdm.discoverSchema({ connectionString: src.url });
    datasetVersionId = randomUUID();
    const writer = tdm.datasets.createWriter(datasetVersionId);
    const batches = async function* (rows: TextRow[]) {
      for (let i = 0; i < rows.length; i += 10_000) yield rows.slice(i, i + 10_000);
    };
    await writer.writeTable(
      {
        schema: 'public',
        name: 'account',
        columns: [
          { name: 'id', pgType: 'bigint', nullable: false },
          { name: 'code', pgType: 'text', nullable: false },
        ],
      },
      batches(accounts),
    );
    await writer.writeTable(
      {
        schema: 'public',
        name: 'transfer',
        columns: [
          { name: 'id', pgType: 'bigint', nullable: false },
          { name: 'account_id', pgType: 'bigint', nullable: true },
          { name: 'amount', pgType: 'numeric(9,2)', nullable: true },
        ],
      },
      batches(transfers),
    );
    await writer.finish({ name: 'keys', kind: 'IMPORTED', schemaVersionId: sv.schemaVersionId, parentId: null, jobId: null, meta: {} });
  }, 120_000);
  afterAll(() => engine?.close());

  const keyFacts = (r: QualityReportData) => ({
    account: r.tables.find((t) => t.table === 'public.account'),
    transfer: r.tables.find((t) => t.table === 'public.transfer'),
    uniqueness: r.metrics.find((m) => m.name === 'uniqueness')?.score,
    integrity: r.metrics.find((m) => m.name === 'referentialIntegrity')?.score,
  });

  it('counts the same exact duplicates and orphans in memory and spilled to partitions', async () => {
    expect(want.accountDuplicates).toBeGreaterThan(20);
    expect(want.orphans).toBe(41);
    const base = qualityDepsOf(engine.tdm);
    const inMemory = await computeQualityReport(base, datasetVersionId);
    const events: StepEvent[] = [];
    const spillDir = join(scratch, 'spill');
    const spilled = await computeQualityReport({ ...base, keys: { memoryBytes: 8 * 1024, partitions: 4, dir: spillDir } }, datasetVersionId, {
      emit: (e) => events.push(e),
    });
    expect(keyFacts(inMemory).account).toMatchObject({ rowCount: accounts.length, duplicateKeys: want.accountDuplicates, fkOrphans: 0 });
    expect(keyFacts(inMemory).transfer).toMatchObject({ rowCount: TRANSFERS, duplicateKeys: 0, fkOrphans: 41 });
    expect(keyFacts(spilled)).toEqual(keyFacts(inMemory));
    expect(spilled.score).toBe(inMemory.score);
    expect(events.map((e) => e.message)).toContainEqual(expect.stringMatching(/spilled to disk/));
    expect(events.filter((e) => /spilled/.test(e.message))).toHaveLength(1);
    // Nothing left behind.
    expect(await readdir(spillDir)).toEqual([]);
  }, 180_000);
});
