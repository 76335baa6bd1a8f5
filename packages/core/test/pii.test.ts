/**
 * PII classification scored against hand labels: the demo source always, the sample databases
 * (bench/pii-labels) when the shared fixtures and PostgreSQL are there.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { classifyCatalog } from '../src/pii/classify.ts';
import { combineEvaluations, type Evaluation, evaluate, type LabelFile } from '../src/pii/evaluate.ts';
import type { PiiClassificationResult, PiiType } from '../src/pii/types.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable, type TestDatabase } from './support/databases.ts';
import { type FixtureName, fixturesAvailable, loadFixture } from './support/load-sql.ts';
import { NOW } from './support/pii-samples.ts';

// ---------------------------------------------------------------------------------------------
// Precision / recall on the real sample databases (and the demo source, which always runs).

interface Expected {
  schema: string;
  table: string;
  column: string;
  piiType: PiiType;
}
function expectedFor(file: string): Expected[] {
  const doc = JSON.parse(readFileSync(new URL(`./fixtures/expected-pii/${file}.json`, import.meta.url), 'utf8')) as Expected[] | { columns: Expected[] };
  return Array.isArray(doc) ? doc : doc.columns;
}

function score(results: PiiClassificationResult[], expected: Expected[]) {
  const key = (r: { schema: string; table: string; column: string }) => `${r.schema}.${r.table}.${r.column}`;
  const flagged = new Map(results.filter((r) => r.piiType !== 'NONE').map((r) => [key(r), r]));
  const wanted = new Map(expected.map((e) => [key(e), e]));
  const tp = [...flagged.keys()].filter((k) => wanted.has(k));
  const sameType = tp.filter((k) => flagged.get(k)?.piiType === wanted.get(k)?.piiType);
  return {
    precision: flagged.size === 0 ? 1 : tp.length / flagged.size,
    recall: wanted.size === 0 ? 1 : tp.length / wanted.size,
    typeAgreement: tp.length === 0 ? 1 : sameType.length / tp.length,
    falsePositives: [...flagged.keys()].filter((k) => !wanted.has(k)),
    missed: [...wanted.keys()].filter((k) => !flagged.has(k)),
    typeMismatches: tp.filter((k) => !sameType.includes(k)).map((k) => `${k}: ${flagged.get(k)?.piiType} ≠ ${wanted.get(k)?.piiType}`),
  };
}

const report: string[] = [];
function record(name: string, s: ReturnType<typeof score>) {
  const f = (x: number) => x.toFixed(3);
  report.push(`${name.padEnd(18)} precision ${f(s.precision)}  recall ${f(s.recall)}  type agreement ${f(s.typeAgreement)}`);
  console.log(`[pii] ${name}: precision ${f(s.precision)} recall ${f(s.recall)} type agreement ${f(s.typeAgreement)}`, {
    falsePositives: s.falsePositives,
    missed: s.missed,
    typeMismatches: s.typeMismatches,
  });
}
afterAll(() => {
  if (report.length) console.log(`[pii] precision/recall per fixture\n${report.join('\n')}`);
});

async function classifyFresh(open: () => Promise<TestDatabase>, fill: (sql: SqlClient) => Promise<void>) {
  const db = await open();
  const sql = await openSqlClient(db.url);
  try {
    await fill(sql);
    const catalog = await readCatalog(sql, ['public']);
    const results = await classifyCatalog(sql, catalog, { now: NOW });
    return results;
  } finally {
    await sql.close();
    await db.drop();
  }
}

const pg = await pgAvailable();

describe('demo source (always runs)', () => {
  it('classifies with precision and recall ≥ 0.9, values never in results', async () => {
    let sampled: string[] = [];
    const results = await classifyFresh(
      () => (pg ? createTestDatabase('pii_demo') : createPgliteUrl({ memory: true })),
      async (sql) => {
        await seedDemoSource(sql, { customers: 60, products: 20, orders: 100 });
        sampled = (await sql.query<{ v: string }>('select email::text as v from customer union all select phone from customer')).rows.map((r) => r.v);
      },
    );
    const s = score(results, expectedFor('demo'));
    record('demo', s);
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    const text = JSON.stringify(results);
    expect(sampled.length).toBeGreaterThan(0);
    for (const v of sampled) expect(text).not.toContain(v);
    // Every column gets a result, in catalog order.
    expect(results.find((r) => r.table === 'payment' && r.column === 'card_last4')?.piiType).toBe('NONE');
  });

  it('applies overrides and can omit NONE columns', async () => {
    const results = await classifyFresh(
      () => (pg ? createTestDatabase('pii_demo_o') : createPgliteUrl({ memory: true })),
      async (sql) => {
        await seedDemoSource(sql, { customers: 80, products: 5, orders: 10 });
        const catalog = await readCatalog(sql, ['public']);
        const only = await classifyCatalog(sql, catalog, {
          now: NOW,
          includeNone: false,
          overrides: [
            { table: 'employee', column: 'hired_on', piiType: 'DATE_OF_BIRTH', technique: 'dateShift' },
            { schema: 'public', table: 'customer', column: 'phone', piiType: 'NONE' },
          ],
        });
        expect(only.every((r) => r.piiType !== 'NONE')).toBe(true);
        const hired = only.find((r) => r.column === 'hired_on');
        expect([hired?.piiType, hired?.source, hired?.confidence]).toEqual(['DATE_OF_BIRTH', 'OVERRIDE', 1]);
        expect(only.some((r) => r.table === 'customer' && r.column === 'phone')).toBe(false);
        // Tables above 20 × sampleSize rows are read through TABLESAMPLE … REPEATABLE: same answer, same run after run.
        const small = await classifyCatalog(sql, catalog, { now: NOW, sampleSize: 3, includeNone: false });
        expect(small.find((r) => r.table === 'customer' && r.column === 'email')?.evidence.some((e) => e.detector === 'value-rules')).toBe(true);
        expect(await classifyCatalog(sql, catalog, { now: NOW, sampleSize: 3, includeNone: false })).toEqual(small);
      },
    );
    expect(results.length).toBeGreaterThan(0);
  });
});

const FIXTURES: [string, FixtureName][] = [
  ['pagila', 'pagila'],
  ['chinook', 'chinook'],
  ['world', 'world'],
  ['sakila-jooq', 'sakila'],
  ['neosync-edgecases', 'edgecases'],
];
const haveFixtures = fixturesAvailable();
if (!haveFixtures || !pg)
  console.warn(`[pii] skipping fixture precision/recall: ${!haveFixtures ? 'sample databases not found' : 'PostgreSQL at 127.0.0.1:5432 not reachable'}`);

const labelsFor = (name: string): LabelFile =>
  JSON.parse(readFileSync(new URL(`../../../bench/pii-labels/${name}.json`, import.meta.url), 'utf8')) as LabelFile;

describe.skipIf(!haveFixtures || !pg)('precision/recall on the sample databases (hand labels in bench/pii-labels)', () => {
  const evaluations: Evaluation[] = [];
  it.each(FIXTURES)('%s: every column labelled, no false positive', async (name, fixture) => {
    const results = await classifyFresh(
      () => createTestDatabase(`pii_${fixture}`),
      (sql) => loadFixture(sql, fixture),
    );
    const e = evaluate(results, labelsFor(name).columns);
    evaluations.push(e);
    report.push(`${name.padEnd(18)} precision ${e.overall.precision.toFixed(3)}  recall ${e.overall.recall.toFixed(3)}`);
    console.log(`[pii] ${name}`, e.errors);
    expect(e.unlabelled).toEqual([]);
    expect(e.overall.precision).toBeGreaterThanOrEqual(0.95);
  });

  it('overall: precision ≥ 0.95 and recall ≥ 0.9, per category too', () => {
    expect(evaluations).toHaveLength(FIXTURES.length);
    const all = combineEvaluations(evaluations);
    expect(all.overall.precision).toBeGreaterThanOrEqual(0.95);
    expect(all.overall.recall).toBeGreaterThanOrEqual(0.9);
    for (const [category, s] of Object.entries(all.byCategory)) {
      expect([category, s.precision >= 0.95, s.recall >= 0.9]).toEqual([category, true, true]);
    }
  });
});
