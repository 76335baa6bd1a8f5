/**
 * The pure measures behind a quality report, table-driven: distances, formats and constraints,
 * CHECK constraints, sketches and scoring. Reports over real datasets: quality.test.ts.
 */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { TextRow } from '../src/dataset/types.ts';
import { columnDrift, ksStatistic, shapeOf, totalVariation } from '../src/quality/drift.ts';
import { TableCheckRunner } from '../src/quality/checks.ts';
import { createPgliteCheckEvaluator } from '../src/synthetic/schema/evaluate.ts';
import { consistencyCheck, typeConstraintCheck } from '../src/quality/formats.ts';
import { scoreFacts } from '../src/quality/metrics.ts';
import { ColumnProfile } from '../src/quality/profile.ts';
import { KeySpace } from '../src/quality/keys.ts';
import { HyperLogLog } from '../src/quality/sketch.ts';
import { resolveType } from '../src/synthetic/schema/column-type.ts';

const EMPTY = { database: '', serverVersion: '', schemas: [], enums: [], domains: [], sequences: [], tables: [] };
const type = (t: string) => resolveType(EMPTY, t);

describe('distances', () => {
  it.each([
    { a: [1, 2, 3, 4], b: [1, 2, 3, 4], d: 0 },
    { a: [1, 2, 3], b: [10, 11, 12], d: 1 },
    { a: [1, 2, 3, 4], b: [3, 4, 5, 6], d: 0.5 },
  ])('KS of $a vs $b is $d', ({ a, b, d }) => expect(ksStatistic(a, b)).toBeCloseTo(d, 6));

  it.each([
    { p: { a: 1, b: 1 }, q: { a: 5, b: 5 }, d: 0 },
    { p: { a: 1 }, q: { b: 1 }, d: 1 },
    { p: { a: 3, b: 1 }, q: { a: 1, b: 1 }, d: 0.25 },
  ])('total variation $p vs $q is $d', ({ p, q, d }) => expect(totalVariation(new Map(Object.entries(p)), new Map(Object.entries(q)))).toBeCloseTo(d, 6));

  it('text shapes collapse character runs', () => {
    expect(shapeOf('Ann-Marie 42')).toBe('Aa-Aa 9');
    expect(shapeOf('jo.doe@mail.com')).toBe('a.a@a.a');
  });

  it('a column drifts from a reference with other values and not from one with the same', () => {
    const a = new ColumnProfile();
    const same = new ColumnProfile();
    const other = new ColumnProfile();
    for (let i = 0; i < 500; i++) {
      a.add(String(i));
      same.add(String(i));
      other.add(String(i + 400));
    }
    expect(columnDrift(a, same, Number)).toBe(0);
    expect(columnDrift(a, other, Number)).toBeCloseTo(0.8, 2);
  });
});

describe('formats and constraints', () => {
  it.each([
    { column: 'email', pg: 'text', ok: ['a@b.io'], bad: ['not-an-email', 'a@b'] },
    { column: 'n', pg: 'integer', ok: ['-12', '2147483647'], bad: ['2147483648', '1.5', 'x'] },
    { column: 'd', pg: 'date', ok: ['2024-02-29'], bad: ['2023-02-29', '2024-13-01'] },
    { column: 'ts', pg: 'timestamp with time zone', ok: ['2024-01-02 03:04:05+00'], bad: ['yesterday'] },
    { column: 'doc', pg: 'jsonb', ok: ['{"a":1}'], bad: ['{a:1}'] },
    { column: 'id', pg: 'uuid', ok: ['0e9c7d4e-2b1a-4c1e-9a55-0c5a8b7f2d11'], bad: ['0e9c'] },
  ])('$column $pg', ({ column, pg, ok, bad }) => {
    const { check } = consistencyCheck(column, type(pg));
    for (const v of ok) expect(check?.(v), v).toBe(true);
    for (const v of bad) expect(check?.(v), v).toBe(false);
  });

  it.each([
    { pg: 'character varying(3)', ok: ['abc', 'äöü'], bad: ['abcd'] },
    { pg: 'numeric(5,2)', ok: ['123.45', '-0.5', '100.10'], bad: ['1234.5', '1.234'] },
    { pg: 'character(2)', ok: ['ab', 'a '], bad: ['abc'] },
  ])('constraints of $pg', ({ pg, ok, bad }) => {
    const check = typeConstraintCheck(type(pg));
    for (const v of ok) expect(check?.(v), v).toBe(true);
    for (const v of bad) expect(check?.(v), v).toBe(false);
  });
});

describe('CHECK constraints', () => {
  it('are evaluated in JavaScript when parsed completely, by PostgreSQL otherwise, NULL passing', async () => {
    const table = {
      schema: 'public',
      name: 't',
      columns: [],
      checks: [
        { name: 'qty_range', expression: 'CHECK (((qty >= 0) AND (qty <= 10)))', columns: ['qty'], inherited: false, noInherit: false },
        { name: 'code_lower', expression: "CHECK ((lower(code) <> 'xx'::text))", columns: ['code'], inherited: false, noInherit: false },
      ],
    } as never;
    const columns = [
      { name: 'qty', pgType: 'integer', nullable: true, parquetType: 'INT32' as const },
      { name: 'code', pgType: 'text', nullable: true, parquetType: 'STRING' as const },
    ];
    let started = 0;
    const runner = await TableCheckRunner.create(
      () => {
        started++;
        return createPgliteCheckEvaluator(EMPTY);
      },
      EMPTY,
      table,
      columns,
    );
    for (const row of [
      ['5', 'ab'],
      ['11', 'XX'],
      [null, null],
      ['-1', 'xx'],
    ] as TextRow[])
      await runner.add(row);
    await runner.flush();
    expect(started).toBe(1);
    expect(Object.fromEntries(runner.violations)).toEqual({ qty_range: 2, code_lower: 2 });
    expect(runner.evaluations).toBe(8);
  }, 60_000);
});

describe('sketches', () => {
  it('counts duplicate keys and keys missing from a parent set', async () => {
    const space = new KeySpace({ memoryBytes: 1 << 20, dir: tmpdir() });
    const parent = space.bag();
    const child = space.bag();
    for (let i = 0; i < 1000; i++) parent.add(String(i));
    parent.add('7');
    for (const k of ['1', '2', '2', '5000', 'x']) child.add(k);
    await space.settle();
    expect(space.spilled).toBe(false);
    expect(await parent.duplicates()).toBe(1);
    expect(await parent.missingFrom(child)).toBe(2);
    await space.close();
  });

  it('samples long values by their start and length: bounded, and still compared by length and shape', () => {
    const doc = (i: number, fill: string) => `{"doc":${i}}${fill.repeat(5000)}`;
    const a = new ColumnProfile();
    const b = new ColumnProfile();
    const short = new ColumnProfile();
    for (let i = 0; i < 3000; i++) {
      a.add(doc(i, 'x'));
      b.add(doc(i, 'y'));
      short.add('short');
    }
    expect(a.sample.items.reduce((n, v) => n + v.length, 0)).toBeLessThan(2000 * 80);
    expect(a.categories).toBeNull();
    expect(columnDrift(a, b, null)).toBe(0);
    expect(columnDrift(a, short, null)).toBe(1);
  });

  it('estimates distinct values within a few percent', () => {
    const h = new HyperLogLog();
    for (let i = 0; i < 100_000; i++) h.add(`v${i % 40_000}`);
    expect(Math.abs(h.count() - 40_000) / 40_000).toBeLessThan(0.03);
  });
});

describe('scoring', () => {
  const column = {
    table: 'public.t',
    column: 'c',
    nullRatio: 0,
    distinctRatio: 1,
    typeConsistency: 1,
    drift: null,
    constraintViolations: 0,
    rows: 100,
    values: 100,
    nulls: 0,
    notNull: true,
    referenceNullRatio: null,
    inconsistent: 0,
    constrainedValues: 0,
    typeViolations: 0,
  };
  const base = {
    columns: [column],
    tables: [{ table: 'public.t', rowCount: 100, fkOrphans: 0, duplicateKeys: 0 }],
    keyRows: 100,
    fkRows: 0,
    checkEvaluations: 0,
    checkViolations: 0,
    skippedChecks: [],
    referenceLabel: null,
    leaks: null,
  };
  it('a clean dataset scores 100, and every metric is listed', () => {
    const { score, metrics } = scoreFacts(base);
    expect(score).toBe(100);
    expect(metrics.map((m) => m.name)).toEqual([
      'nullRatio',
      'typeConsistency',
      'uniqueness',
      'referentialIntegrity',
      'constraintValidity',
      'drift',
      'piiLeakage',
    ]);
    expect(metrics.find((m) => m.name === 'drift')?.weight).toBe(0);
  });
  it('duplicates, bad values and leaks lower the score', () => {
    const bad = scoreFacts({
      ...base,
      columns: [{ ...column, inconsistent: 20, typeConsistency: 0.8 }],
      tables: [{ ...base.tables[0], duplicateKeys: 10 } as never],
      leaks: { compared: 100, equal: 50, columns: 1 },
    });
    expect(bad.score).toBeLessThan(80);
    expect(bad.metrics.find((m) => m.name === 'uniqueness')?.score).toBeCloseTo(0.9, 6);
    expect(bad.metrics.find((m) => m.name === 'piiLeakage')).toMatchObject({ score: 0.5, weight: 2 });
  });
});
