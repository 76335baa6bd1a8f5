/**
 * executeSubset on real databases: the shared sample databases on the real PostgreSQL (skipped when
 * absent), the project's edge-shapes fixture on PostgreSQL and PGlite, and the demo source (always).
 * Each subset is written to a local dataset store (Parquet), read back, loaded into a fresh copy of the source's schema
 * and judged by PostgreSQL itself: every FK holds (real NOT EXISTS queries, the logic of
 * shared/acceptance/fk-violations.sql), every row exists in the source, caps hold for every row not
 * needed by integrity, and the cut report says what the caps removed (support/subset-run.ts).
 * Shapes particular sample databases must show: subset-executor-samples.test.ts; edge cases on
 * PGlite: subset-executor-edges.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../src/db/sql-client.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import type { SubsetOptions } from '../src/subset/planner.ts';
import { pgAvailable } from './support/databases.ts';
import { type FixtureName, fixturesAvailable, loadFixture, loadSqlScript } from './support/load-sql.ts';
import {
  closeSubsetEnvs,
  type Engine,
  type Env,
  expectFullCopy,
  expectSound,
  fkViolations,
  loadIntoTarget,
  openEnv,
  rowsOf,
  subset,
} from './support/subset-run.ts';

const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');
const pgUp = await pgAvailable();
const haveFixtures = fixturesAvailable();
if (!pgUp) console.warn('PostgreSQL is not reachable: subset executor tests on PostgreSQL are SKIPPED (edge-shapes and the demo source run on PGlite)');
else if (!haveFixtures) console.warn('shared sample databases not found: subset executor tests on them are SKIPPED');
afterAll(closeSubsetEnvs);

// ---------------------------------------------------------------------------------------------
// The cases

interface Case {
  name: string;
  engine: Engine;
  skip: boolean;
  schemas: string[];
  load: (sql: SqlClient) => Promise<void>;
  caps: Record<string, number>;
  inferredRoot: string;
  explicit: SubsetOptions;
}

const shared = (fixture: FixtureName, inferredRoot: string, explicit: SubsetOptions): Case => ({
  name: fixture,
  engine: 'postgres',
  skip: !pgUp || !haveFixtures,
  schemas: ['public'],
  load: (sql) => loadFixture(sql, fixture),
  caps: { '*': 50 },
  inferredRoot,
  explicit: { maxRowsPerTable: { '*': 50 }, ...explicit },
});

const edgeShapes = (engine: Engine): Case => ({
  name: `edge-shapes on ${engine}`,
  engine,
  skip: engine === 'postgres' && !pgUp,
  schemas: ['public', 'Other Schema'],
  load: (sql) => loadSqlScript(sql, EDGE_SHAPES),
  caps: { '*': 1 },
  inferredRoot: 'public.employee',
  explicit: { rootTable: '"Other Schema".ticket', maxRowsPerTable: { '*': 1 }, where: { 'Other Schema.ticket': 'employee_id = 3' } },
});

const demoEngine: Engine = pgUp ? 'postgres' : 'pglite';
const cases: Case[] = [
  shared('pagila', 'public.customer', { rootTable: 'film' }),
  shared('chinook', 'public.customer', { rootTable: 'employee', maxRowsPerTable: { '*': 50, employee: 2 } }),
  shared('sakila', 'public.customer', { rootTable: 'public.store' }),
  shared('world', 'public.country', { rootTable: 'city', where: { city: "city.countrycode IN ('PRT', 'FRA', 'ESP')" } }),
  shared('edgecases', 'public.customers', { rootTable: 'company', maxRowsPerTable: { '*': 2 } }),
  edgeShapes('postgres'),
  edgeShapes('pglite'),
  {
    name: `demo source on ${demoEngine}`,
    engine: demoEngine,
    skip: false,
    schemas: ['public'],
    load: (sql) => seedDemoSource(sql, { customers: 120, products: 40, orders: 300 }),
    caps: { '*': 50 },
    inferredRoot: 'public.customer',
    explicit: { rootTable: 'customer', maxRowsPerTable: { '*': 30, order_item: 1000 }, where: { customer: "customer.email LIKE '%a%'" } },
  },
];

describe.each(cases)('executeSubset: $name', (c) => {
  let env: Env;
  beforeAll(async () => {
    if (!c.skip) env = await openEnv(c.engine, `subset_${c.name.replace(/\W+/g, '_')}`, c.load, c.schemas);
  });

  it.skipIf(c.skip)(`caps ${JSON.stringify(c.caps)} from the inferred root (${c.inferredRoot}): FKs hold, rows come from the source, caps hold`, async () => {
    const run = await subset(env, { maxRowsPerTable: c.caps });
    expect(run.plan.root).toBe(c.inferredRoot);
    await expectSound(env, run);
    const root = rowsOf(run, c.inferredRoot).rows.length;
    expect(root).toBeGreaterThan(0);
    expect(root).toBeLessThanOrEqual(c.caps['*'] as number);
  });

  it.skipIf(c.skip)(`an explicit root: ${JSON.stringify(c.explicit)}`, async () => {
    const run = await subset(env, c.explicit);
    expect(run.plan.rootReason).toMatch(/given as rootTable/);
    await expectSound(env, run);
  });

  it.skipIf(c.skip)('a full copy (no caps) has the row counts of the source, FKs holding', async () => {
    const run = await expectFullCopy(env);
    await loadIntoTarget(env, run.plan, run.written);
    expect((await fkViolations(env.target)).filter((v) => v.bad > 0)).toEqual([]);
  });
});
