/**
 * Drift of a domain-mode synthetic dataset against what its pack declares: each generator kind's
 * declaration (table-driven), the one-sample KS statistic on discrete values, then a generated
 * ecommerce dataset scored against its pack — declared columns close to their declaration, columns
 * the pack does not declare without drift, a declared null rate compared — and a copy with one
 * column's values changed drifting where the change is.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextRow } from '../src/dataset/types.ts';
import { scoreDataset } from '../src/graphs/quality/graph.ts';
import { runSynthetic } from '../src/graphs/synthetic/graph.ts';
import { declaredDrift, ksAgainst } from '../src/quality/drift.ts';
import { ColumnProfile } from '../src/quality/profile.ts';
import type { QualityReportData } from '../src/quality/types.ts';
import { saveDatasetVersion } from '../src/store/datasets.ts';
import { columnType } from '../src/synthetic/domain/columns.ts';
import { continuousCdf, type DeclaredDistribution, declaredDistribution } from '../src/synthetic/domain/declared.ts';
import type { FieldSpec } from '../src/synthetic/domain/packs.ts';
import { SYNTHETIC_EPOCH } from '../src/synthetic/semantic.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

const DAY = 86_400_000;
const field = (type: string, generator: unknown, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type, generator, ...extra }) as FieldSpec;
const declare = (f: FieldSpec, rows = 100) => declaredDistribution(f, columnType(f.type, { order_status: ['paid', 'shipped'] }), rows);

describe('what a generator declares', () => {
  it.each([
    {
      name: 'enum of numbers in a numeric(14,2) column, as stored',
      f: field('numeric(14,2)', { enum: { '10000': 3, '25000': 1 } }),
      want: {
        kind: 'categorical',
        weights: new Map([
          ['10000.00', 3],
          ['25000.00', 1],
        ]),
      },
    },
    {
      name: 'enum list of labels',
      f: field('order_status', { enum: ['paid', 'shipped'] }),
      want: {
        kind: 'categorical',
        weights: new Map([
          ['paid', 1],
          ['shipped', 1],
        ]),
      },
    },
    {
      name: 'cycle',
      f: field('integer', { cycle: [1, 2, 2] }),
      want: {
        kind: 'categorical',
        weights: new Map([
          ['1', 1],
          ['2', 2],
        ]),
      },
    },
    { name: 'const', f: field('boolean', { const: true }), want: { kind: 'categorical', weights: new Map([['t', 1]]) } },
    {
      name: 'bool',
      f: field('boolean', { bool: 0.25 }),
      want: {
        kind: 'categorical',
        weights: new Map([
          ['t', 0.25],
          ['f', 0.75],
        ]),
      },
    },
    {
      name: 'int (floored on [min, max + 1])',
      f: field('integer', { int: { min: 1, max: 6, dist: 'low' } }),
      want: { kind: 'numeric', shape: 'low', min: 1, max: 7, grid: { below: 0, above: 1 } },
    },
    {
      name: 'decimal rounded to cents',
      f: field('numeric(10,2)', { decimal: { min: 2.5, max: 1800, dist: 'logUniform' } }),
      want: { kind: 'numeric', shape: 'logUniform', min: 2.5, max: 1800, grid: { below: 0.005, above: 0.005 } },
    },
    {
      name: 'sequence over the rows',
      f: field('bigint', { sequence: { start: 10, step: 5 } }),
      want: { kind: 'numeric', shape: 'uniform', min: 10, max: 510, grid: { below: 0, above: 5 } },
    },
    {
      name: 'date between fixed bounds',
      f: field('date', { date: { from: '2024-01-01', to: '2024-01-31' } }),
      want: { kind: 'numeric', shape: 'uniform', min: Date.UTC(2024, 0, 1), max: Date.UTC(2024, 1, 1), grid: { below: 0, above: DAY } },
    },
    {
      name: 'timestamp relative to the epoch',
      f: field('timestamp', { date: { from: '-10d', to: 'now' } }),
      want: { kind: 'numeric', shape: 'uniform', min: SYNTHETIC_EPOCH - 10 * DAY, max: SYNTHETIC_EPOCH + 1000, grid: { below: 0, above: 1000 } },
    },
    { name: 'pattern', f: field('varchar(16)', { pattern: 'PO-@@-######' }), want: { kind: 'pattern', template: 'PO-AA-000000' } },
    { name: 'date after another field', f: field('date', { date: { after: 'created_at' } }), want: null },
    { name: 'birth date at another field', f: field('date', { birthDate: { at: 'created_at', minAgeYears: 18, maxAgeYears: 80 } }), want: null },
    { name: 'pattern looked up', f: field('varchar(32)', { pattern: { lookup: { table: 'countries', key: 'country_code', column: 'phone' } } }), want: null },
    { name: 'semantic', f: field('varchar(80)', { semantic: 'email' }), want: null },
    { name: 'reference', f: field('bigint', { ref: 'customer' }), want: null },
    { name: 'expression', f: field('numeric(10,2)', { expr: 'quantity * 2' }), want: null },
  ])('$name', ({ f, want }) => {
    expect(declare(f)).toEqual(want);
  });

  it('a birth date at the epoch is a range of whole days', () => {
    const d = declare(field('date', { birthDate: { minAgeYears: 18, maxAgeYears: 80 } })) as Extract<DeclaredDistribution, { kind: 'numeric' }>;
    expect(d).toMatchObject({ kind: 'numeric', shape: 'uniform', grid: { below: 0, above: DAY } });
    expect((d.max - d.min) / DAY / 365.25).toBeCloseTo(62, 0);
  });
});

describe('KS against a declaration', () => {
  const die = Array.from({ length: 600 }, (_, i) => 1 + (i % 6));
  const uniform = continuousCdf({ kind: 'numeric', shape: 'uniform', min: 1, max: 7, grid: null });

  it('a perfect die is at 0 once ties are taken together, and far from it when they are not', () => {
    expect(ksAgainst(die, (x) => uniform(x + 1), uniform)).toBeCloseTo(0, 9);
    expect(ksAgainst(die, (x) => (x - 1) / 5)).toBeGreaterThan(0.15);
  });

  it.each([
    { name: 'a fair die', values: die.map(String), d: 0 },
    { name: 'a die that never shows 6', values: die.map((v) => String(v === 6 ? 5 : v)), d: 1 / 6 },
    { name: 'a die that shows only 1', values: die.map(() => '1'), d: 5 / 6 },
  ])('$name: KS $d', ({ values, d }) => {
    const p = new ColumnProfile();
    for (const v of values) p.add(v);
    expect(declaredDrift(p, declare(field('integer', { int: { min: 1, max: 6 } })) as DeclaredDistribution, Number)).toBeCloseTo(d, 6);
  });

  it('patterns compare lengths and shapes', () => {
    const p = new ColumnProfile();
    for (let i = 0; i < 100; i++) p.add(i < 50 ? `PO-XY-${String(100000 + i)}` : `po-${i}`);
    expect(declaredDrift(p, { kind: 'pattern', template: 'PO-AA-000000' }, null)).toBeCloseTo(0.5, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// A generated dataset against its pack

const col = (r: QualityReportData, t: string, c: string) => r.columns.find((x) => x.table === `public.${t}` && x.column === c);

describe('an ecommerce dataset against its pack', () => {
  let engine: TestEngine;
  let datasetVersionId: string;
  let report: QualityReportData;

  beforeAll(async () => {
    engine = await createTestEngine('quality-domain');
    const out = await runSynthetic(engine.tdm, { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2b', rowCounts: { '*': 1500 }, seed: 3 });
    datasetVersionId = out.datasetVersionId;
    report = (await scoreDataset(engine.tdm, datasetVersionId)).report;
  }, 240_000);
  afterAll(() => engine?.close());

  it('measures every declared column against its declaration, and no other', () => {
    expect(report.referenceKind).toBe('DOMAIN_PACK');
    expect(report.reference).toMatch(/ecommerce@.*\(b2b\)/);
    const declaredColumns: [string, string][] = [
      ['customer', 'id'], // sequence
      ['customer', 'credit_limit'], // enum in a numeric(14,2) column
      ['customer', 'created_at'], // date between fixed bounds
      ['customer', 'vat_number'], // pattern
      ['product', 'list_price'], // decimal, logUniform
      ['product', 'stock'], // int, low
      ['product', 'active'], // bool
      ['order', 'purchase_order_ref'], // pattern with a null rate
      ['order_item', 'quantity'], // int, low (the scenario's override)
    ];
    for (const [t, c] of declaredColumns) {
      const drift = col(report, t, c)?.drift;
      expect(drift, `${t}.${c}`).not.toBeNull();
      expect(drift as number, `${t}.${c}`).toBeLessThan(0.08);
    }
    for (const [t, c] of [
      ['customer', 'email'],
      ['order', 'ordered_at'],
      ['order', 'customer_id'],
    ] as const)
      expect(col(report, t, c)?.drift, `${t}.${c}`).toBeNull();
    const drift = report.metrics.find((m) => m.name === 'drift');
    expect(drift?.weight).toBeGreaterThan(0);
    expect(drift?.score).toBeGreaterThan(0.95);
    // purchase_order_ref declares 15 % NULLs: its null ratio is compared with that.
    expect(col(report, 'order', 'purchase_order_ref')?.nullRatio).toBeGreaterThan(0.1);
    expect(report.metrics.find((m) => m.name === 'nullRatio')?.detail).toMatch(/difference to the reference [0-9.]+ % over \d+ column/);
  });

  it('a copy with changed values drifts where they changed', async () => {
    const { tdm } = engine;
    const manifest = await tdm.datasets.readManifest(datasetVersionId);
    const id = randomUUID();
    const writer = tdm.datasets.createWriter(id);
    for (const t of manifest.tables) {
      const rows: TextRow[] = [];
      for await (const b of tdm.datasets.readTable(datasetVersionId, t)) rows.push(...b);
      const stock = t.columns.findIndex((c) => c.name === 'stock');
      const limit = t.columns.findIndex((c) => c.name === 'credit_limit');
      if (t.name === 'product') for (const r of rows) r[stock] = String(2400 + (Number(r[0]) % 100)); // all stocks near the top
      if (t.name === 'customer') for (const r of rows) r[limit] = '10000.00';
      await writer.writeTable(
        { schema: t.schema, name: t.name, columns: t.columns },
        (async function* () {
          yield rows;
        })(),
      );
    }
    const finished = await writer.finish({
      name: 'changed',
      kind: manifest.kind,
      schemaVersionId: manifest.schemaVersionId,
      parentId: null,
      jobId: null,
      meta: manifest.meta,
    });
    await saveDatasetVersion(tdm.store.prisma, finished, tdm.datasets.uri);
    const changed = (await scoreDataset(tdm, id)).report;
    expect(changed.referenceKind).toBe('DOMAIN_PACK');
    expect(col(changed, 'product', 'stock')?.drift).toBeGreaterThan(0.9);
    expect(col(changed, 'customer', 'credit_limit')?.drift).toBeCloseTo(0.6, 1);
    expect(col(changed, 'product', 'list_price')?.drift).toBe(col(report, 'product', 'list_price')?.drift);
    expect(changed.score).toBeLessThan(report.score);
  }, 240_000);
});
