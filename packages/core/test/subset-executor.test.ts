/**
 * executeSubset on real databases: the shared sample databases on the real PostgreSQL (skipped when
 * absent), the project's edge-shapes fixture on PostgreSQL and PGlite, and the demo source (always).
 * Each subset is written to a local dataset store (Parquet), read back, loaded into a fresh copy of the source's schema
 * and judged by PostgreSQL itself: every FK holds (real NOT EXISTS queries, the logic of
 * shared/acceptance/fk-violations.sql), every row exists in the source, caps hold for every row not
 * needed by integrity, and the cut report says what the caps removed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog } from '../src/catalog/types.ts';
import { copyTextToBatches, formatCopyTextRow } from '../src/dataset/copy-text.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import type { TableInput, TextRow } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import type { StepEvent } from '../src/jobs/events.ts';
import { executeSubset, type SubsetResult } from '../src/subset/executor.ts';
import { type PlannedTable, planSubset, type SubsetOptions, type SubsetPlan } from '../src/subset/planner.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable, type TestDatabase } from './support/databases.ts';
import { type FixtureName, fixturesAvailable, loadFixture, loadSqlScript } from './support/load-sql.ts';

const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');
const pgUp = await pgAvailable();
const haveFixtures = fixturesAvailable();
if (!pgUp) console.warn('PostgreSQL is not reachable: subset executor tests on PostgreSQL are SKIPPED (edge-shapes and the demo source run on PGlite)');
else if (!haveFixtures) console.warn('shared sample databases not found: subset executor tests on them are SKIPPED');

// ---------------------------------------------------------------------------------------------
// The dataset store the subsets are written to (a local directory, Parquet files and a manifest)

interface Written {
  input: TableInput;
  rows: TextRow[];
}

const storeDir = await mkdtemp(join(tmpdir(), 'tdm-subset-'));
const store = new LocalDatasetStore(storeDir);

// ---------------------------------------------------------------------------------------------
// Source and target databases

type Engine = 'postgres' | 'pglite';

interface Env {
  source: SqlClient;
  target: SqlClient;
  catalog: Catalog;
}

const cleanups: (() => Promise<void>)[] = [() => rm(storeDir, { recursive: true, force: true })];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

async function createDb(engine: Engine, prefix: string): Promise<TestDatabase> {
  return engine === 'postgres' ? createTestDatabase(prefix) : createPgliteUrl();
}

/**
 * A source loaded with `load`, and a target with the same schema and no rows: the same load, then
 * every table truncated (works alike on PostgreSQL and PGlite, no pg_dump needed).
 */
async function openEnv(engine: Engine, prefix: string, load: (sql: SqlClient) => Promise<void>, schemas: string[]): Promise<Env> {
  const sourceDb = await createDb(engine, `${prefix}_src`);
  const targetDb = await createDb(engine, `${prefix}_dst`);
  const source = await openSqlClient(sourceDb.url);
  const target = await openSqlClient(targetDb.url);
  cleanups.push(async () => {
    await source.close();
    await target.close();
    await sourceDb.drop();
    await targetDb.drop();
  });
  await load(source);
  await load(target);
  const catalog = await readCatalog(source, schemas);
  return { source, target, catalog };
}

async function truncateAll(env: Env): Promise<void> {
  const names = env.catalog.tables.map((t) => quoteQualified(t.schema, t.name));
  if (names.length) await env.target.exec(`TRUNCATE ${names.join(', ')} CASCADE`);
}

const from = (t: PlannedTable) => `${t.only ? 'ONLY ' : ''}${quoteQualified(t.schema, t.name)}`;

/**
 * Loads the written rows into the target. In plan order with every FK enforced when the plan can be
 * loaded that way (cycle-broken FK columns go in as NULL and are set by UPDATE at the end), which
 * proves the load order; with FK triggers off when a cycle is not breakable (sakila's staff ↔ store).
 */
async function loadIntoTarget(env: Env, plan: SubsetPlan, written: Map<string, Written>): Promise<'ordered' | 'unchecked'> {
  await truncateAll(env);
  const ordered = plan.cycles.every((c) => c.breakable) && plan.tables.every((t) => t.cycleBreaks.length === 0 || t.key.kind === 'primaryKey');
  await env.target.transaction(async (tx) => {
    if (!ordered) await tx.query('SET LOCAL session_replication_role = replica');
    const updates: { table: PlannedTable; data: Written; breakCols: string[] }[] = [];
    for (const t of plan.tables) {
      const data = written.get(t.qualified);
      if (!data) continue;
      const names = data.input.columns.map((c) => c.name);
      const breakCols = ordered ? [...new Set(t.cycleBreaks.flatMap((b) => b.columns))] : [];
      const nulled = breakCols.map((c) => names.indexOf(c));
      if (breakCols.length) updates.push({ table: t, data, breakCols });
      const { stream, done } = await tx.copyIn(`COPY ${quoteQualified(t.schema, t.name)} (${names.map(quoteIdent).join(', ')}) FROM STDIN`);
      stream.end(data.rows.map((r) => formatCopyTextRow(nulled.length ? r.map((v, i) => (nulled.includes(i) ? null : v)) : r)).join(''));
      expect(await done).toBe(data.rows.length);
    }
    for (const { table, data, breakCols } of updates) {
      const names = data.input.columns.map((c) => c.name);
      for (const row of data.rows) {
        const values = breakCols.map((c) => row[names.indexOf(c)] ?? null);
        if (values.every((v) => v === null)) continue;
        const keys = table.key.columns.map((c) => row[names.indexOf(c)] ?? null);
        const set = breakCols.map((c, i) => `${quoteIdent(c)} = $${i + 1}`).join(', ');
        const where = table.key.columns.map((c, i) => `${quoteIdent(c)} = $${breakCols.length + i + 1}`).join(' AND ');
        const r = await tx.query(`UPDATE ${quoteQualified(table.schema, table.name)} SET ${set} WHERE ${where}`, [...values, ...keys]);
        expect(r.rowCount).toBe(1);
      }
    }
  });
  return ordered ? 'ordered' : 'unchecked';
}

/** Rows violating any FK of the target, by real NOT EXISTS queries (MATCH SIMPLE: rows with a NULL key part are skipped). */
async function fkViolations(target: SqlClient): Promise<{ fk: string; bad: number }[]> {
  const { rows } = await target.query<{
    fk: string;
    child: string;
    child_kind: string;
    parent: string;
    parent_kind: string;
    ccols: string[];
    pcols: string[];
  }>(`
    select k.conname as fk, k.conrelid::regclass::text as child, c.relkind::text as child_kind,
      k.confrelid::regclass::text as parent, p.relkind::text as parent_kind,
      array(select a.attname::text from unnest(k.conkey) with ordinality x(att, i) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.att order by x.i) as ccols,
      array(select a.attname::text from unnest(k.confkey) with ordinality x(att, i) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.att order by x.i) as pcols
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
    where k.contype = 'f' and k.conparentid = 0`);
  const out: { fk: string; bad: number }[] = [];
  for (const r of rows) {
    // An FK on a plain table checks that table's own rows against the parent's own rows (ONLY); a partitioned one covers its partitions.
    const child = `${r.child_kind === 'p' ? '' : 'ONLY '}${r.child}`;
    const parent = `${r.parent_kind === 'p' ? '' : 'ONLY '}${r.parent}`;
    const notNull = r.ccols.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
    const match = `(${r.pcols.map((c) => `p.${quoteIdent(c)}`).join(', ')}) = (${r.ccols.map((c) => `c.${quoteIdent(c)}`).join(', ')})`;
    const { rows: n } = await target.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${child} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE ${match})`,
    );
    out.push({ fk: `${r.child}.${r.fk}`, bad: Number(n[0]?.n) });
  }
  return out;
}

/** The rows of a source table as COPY text lines, counted. */
async function sourceLines(source: SqlClient, t: PlannedTable, columns: string[]): Promise<Map<string, number>> {
  const readable = await source.copyOut(`COPY (SELECT ${columns.map((c) => `t.${quoteIdent(c)}`).join(', ')} FROM ${from(t)} t) TO STDOUT`);
  const counts = new Map<string, number>();
  for await (const batch of copyTextToBatches(readable)) {
    for (const row of batch) {
      const line = formatCopyTextRow(row);
      counts.set(line, (counts.get(line) ?? 0) + 1);
    }
  }
  return counts;
}

async function count(sql: SqlClient, query: string): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${query}`);
  return Number(rows[0]?.n);
}

/** Rows of `t` in the target that no row of any table references (through the plan's FKs, self-references included). */
async function unreferenced(env: Env, plan: SubsetPlan, t: PlannedTable): Promise<number> {
  const incoming = plan.tables.flatMap((c) => c.foreignKeys.filter((fk) => fk.references === t.qualified).map((fk) => ({ child: c, fk })));
  const conditions = incoming.map(
    ({ child, fk }) =>
      `NOT EXISTS (SELECT 1 FROM ${from(child)} c WHERE ${fk.columns.map((col, i) => `c.${quoteIdent(col)} = p.${quoteIdent(fk.referencedColumns[i] as string)}`).join(' AND ')})`,
  );
  return count(env.target, `${from(t)} p${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`);
}

/** `(alias.a::text, …) IN (VALUES …)`: `columns` of the source rows equal to `valueColumns` of written `rows` (text forms). */
function inValues(alias: string, columns: string[], valueColumns: string[], rows: TextRow[], names: string[]): string {
  const values = rows
    .filter((r) => valueColumns.every((c) => r[names.indexOf(c)] !== null))
    .map((r) => `(${valueColumns.map((c) => quoteLiteral(r[names.indexOf(c)] as string)).join(', ')})`);
  if (values.length === 0) return 'false';
  return `(${columns.map((c) => `${alias}.${quoteIdent(c)}::text`).join(', ')}) IN (VALUES ${values.join(', ')})`;
}

interface Run {
  plan: SubsetPlan;
  result: SubsetResult;
  written: Map<string, Written>;
  events: StepEvent[];
}

/** Plans, executes into a new dataset version, finishes it, and reads every table back from the store. */
async function subset(env: Env, options: SubsetOptions): Promise<Run> {
  const plan = planSubset(env.catalog, options);
  const writer = store.createWriter(randomUUID());
  const events: StepEvent[] = [];
  const result = await executeSubset(env.source, env.catalog, plan, writer, { emit: (e) => events.push(e), batchSize: 100 });
  const manifest = await writer.finish({
    name: 'subset test',
    kind: 'SUBSET',
    schemaVersionId: null,
    parentId: null,
    jobId: null,
    meta: { plan, cut: result.cut },
  });
  // The plan is stored with the dataset it produced.
  expect((await store.readManifest(manifest.datasetVersionId)).meta.plan).toEqual(plan);
  const written = new Map<string, Written>();
  for (const t of manifest.tables) {
    const rows: TextRow[] = [];
    for await (const batch of store.readTable(manifest.datasetVersionId, t)) for (const row of batch) rows.push(row);
    expect(rows.length).toBe(t.rowCount);
    written.set(`${t.schema}.${t.name}`, {
      input: { schema: t.schema, name: t.name, columns: t.columns.map(({ name, pgType, nullable }) => ({ name, pgType, nullable })) },
      rows,
    });
  }
  return { plan, result, written, events };
}

const rowsOf = (run: Run, id: string): Written => {
  const w = run.written.get(id);
  if (!w) throw new Error(`${id} was not written`);
  return w;
};

/** Everything a user relies on in a subset. */
async function expectSound(env: Env, run: Run): Promise<void> {
  const { plan, result, written } = run;
  const included = plan.tables.filter((t) => t.included);

  // What was written is what the result reports, one entry per included table, and progress was told.
  expect(result.tables.map((t) => `${t.schema}.${t.name}`).sort()).toEqual(included.map((t) => t.qualified).sort());
  for (const t of result.tables) {
    expect(rowsOf(run, `${t.schema}.${t.name}`).rows.length, `${t.schema}.${t.name}`).toBe(t.rowCount);
    const last = run.events.filter((e) => e.level === 'progress' && e.data?.table === `${t.schema}.${t.name}`).at(-1);
    expect(last?.data).toMatchObject({ table: `${t.schema}.${t.name}`, rows: t.rowCount, rowsPerSec: expect.any(Number) });
    expect(last?.step).toBe('subset');
  }
  // Generated columns are not data.
  for (const t of included) {
    const def = env.catalog.tables.find((x) => x.schema === t.schema && x.name === t.name);
    const generated = def?.columns.filter((c) => c.generated !== null).map((c) => c.name) ?? [];
    expect(rowsOf(run, t.qualified).input.columns.map((c) => c.name)).toEqual(def?.columns.filter((c) => !generated.includes(c.name)).map((c) => c.name));
  }

  // Every row exists in the source (the whole row, as many times as written at most).
  for (const t of included) {
    const data = rowsOf(run, t.qualified);
    const lines = await sourceLines(
      env.source,
      t,
      data.input.columns.map((c) => c.name),
    );
    for (const row of data.rows) {
      const line = formatCopyTextRow(row);
      const left = lines.get(line) ?? 0;
      expect(left, `${t.qualified}: a written row is not in the source: ${line}`).toBeGreaterThan(0);
      lines.set(line, left - 1);
    }
  }

  // Every FK holds once the rows are loaded into a copy of the schema.
  const loaded = await loadIntoTarget(env, plan, written);
  if (plan.cycles.every((c) => c.breakable)) expect(loaded).toBe('ordered');
  const violations = await fkViolations(env.target);
  // (The check ran: one entry per FK of the target.)
  if (plan.tables.some((t) => t.foreignKeys.length > 0)) expect(violations.length).toBeGreaterThan(0);
  expect(violations.filter((v) => v.bad > 0)).toEqual([]);

  // Caps: only rows a capped selection chose can be unreferenced; rows of tables reached only upward are all needed.
  for (const t of included) {
    if (plan.mode === 'full') continue;
    const free = await unreferenced(env, plan, t);
    if (t.reachedBy === 'up') expect(free, `${t.qualified}: rows nobody needs`).toBe(0);
    else if (t.cap !== null) expect(free, `${t.qualified}: unreferenced rows above the cap`).toBeLessThanOrEqual(t.cap);
  }

  // The cut report: each entry is a capped table whose selection matched more rows than the cap.
  const written_ = new Map(result.tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount]));
  for (const c of result.cut) {
    const t = plan.tables.find((x) => x.qualified === c.table) as PlannedTable;
    expect(t.cap).not.toBeNull();
    expect(c.kept).toBe(t.cap);
    expect(c.wanted).toBeGreaterThan(c.kept);
    expect(c.final).toBe(written_.get(c.table));
    expect(c.final).toBeGreaterThanOrEqual(c.kept);
    expect(c.reason).toMatch(new RegExp(`^cap ${t.cap} on `));
  }
  expect(new Set(result.cut.map((c) => c.table)).size).toBe(result.cut.length);

  if (plan.mode !== 'subset' || !plan.root) return;
  const root = plan.tables.find((t) => t.qualified === plan.root) as PlannedTable;
  const rootWanted = await count(env.source, `${from(root)} ${quoteIdent(root.name)}${root.where ? ` WHERE ${root.where}` : ''}`);
  const rootCut = result.cut.find((c) => c.table === root.qualified);
  if (root.cap !== null && rootWanted > root.cap) expect(rootCut?.wanted).toBe(rootWanted);
  else expect(rootCut).toBeUndefined();
  // Root rows the selection chose (all of them, unless the closure added some) match the filter.
  const rootRows = rowsOf(run, root.qualified);
  const rootCols = rootRows.input.columns.map((c) => c.name);
  const closed = rootRows.rows.length !== (rootCut?.kept ?? rootRows.rows.length);
  if (root.where && !closed && rootRows.rows.length > 0) {
    const alias = quoteIdent(root.name);
    const keyed = inValues(alias, root.key.columns, root.key.columns, rootRows.rows, rootCols);
    expect(await count(env.source, `${from(root)} ${alias} WHERE ${keyed} AND (${root.where})`)).toBe(rootRows.rows.length);
  }

  // Tables selected downward from the root only: the cut report's `wanted` (or, uncut, the rows
  // written) is exactly the source rows referencing the written root rows.
  if (closed || rootRows.rows.length === 0) return;
  for (const t of included) {
    if (t.reachedBy !== 'down') continue;
    const fks = t.foreignKeys.filter((fk) => t.via.includes(fk.name));
    if (!fks.every((fk) => fk.references === root.qualified)) continue;
    const alias = quoteIdent(t.name);
    const matches = fks.map((fk) => inValues(alias, fk.columns, fk.referencedColumns, rootRows.rows, rootCols));
    const expected = await count(env.source, `${from(t)} ${alias} WHERE (${matches.join(' OR ')})${t.where ? ` AND (${t.where})` : ''}`);
    const cut = result.cut.find((c) => c.table === t.qualified);
    if (cut) expect(cut.wanted, `${t.qualified} wanted`).toBe(expected);
    else {
      expect(expected).toBeLessThanOrEqual(t.cap ?? Number.POSITIVE_INFINITY);
      expect(rowsOf(run, t.qualified).rows.length).toBeGreaterThanOrEqual(expected);
    }
  }
}

async function expectFullCopy(env: Env): Promise<Run> {
  const run = await subset(env, {});
  expect(run.plan.mode).toBe('full');
  expect(run.result.cut).toEqual([]);
  for (const t of run.plan.tables) {
    expect(run.result.tables.find((x) => `${x.schema}.${x.name}` === t.qualified)?.rowCount, t.qualified).toBe(await count(env.source, from(t)));
  }
  return run;
}

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

// ---------------------------------------------------------------------------------------------
// What particular fixtures must show

describe.skipIf(!pgUp || !haveFixtures)('executeSubset: shapes of the sample databases', () => {
  let chinook: Env;
  let pagila: Env;
  beforeAll(async () => {
    [chinook, pagila] = await Promise.all([
      openEnv('postgres', 'subset_chinook_chain', (sql) => loadFixture(sql, 'chinook'), ['public']),
      openEnv('postgres', 'subset_pagila_shape', (sql) => loadFixture(sql, 'pagila'), ['public']),
    ]);
  });

  /** employee_id → reports_to of the written employees. */
  const managers = (run: Run) => {
    const e = rowsOf(run, 'public.employee');
    const names = e.input.columns.map((c) => c.name);
    return new Map(e.rows.map((r) => [r[names.indexOf('employee_id')] as string, r[names.indexOf('reports_to')] ?? null]));
  };

  it.each([
    ['from customer (support reps pulled up)', { maxRowsPerTable: { '*': 50 } }],
    [
      'from the most junior employees (cap 1)',
      {
        rootTable: 'employee',
        maxRowsPerTable: { '*': 1 },
        where: { employee: 'employee_id NOT IN (SELECT reports_to FROM employee WHERE reports_to IS NOT NULL)' },
      },
    ],
  ] as [string, SubsetOptions][])('chinook %s: every manager up the reports_to chain of every employee is present', async (_why, options) => {
    const run = await subset(chinook, options);
    const chain = managers(run);
    let longest = 0;
    for (const start of chain.keys()) {
      let length = 0;
      let at: string | null = start;
      while (at !== null) {
        expect(chain.has(at), `manager ${at} of the chain from employee ${start}`).toBe(true);
        at = chain.get(at) ?? null;
        length++;
        expect(length).toBeLessThan(100);
      }
      longest = Math.max(longest, length);
    }
    // The chain really was followed: at least an employee, their manager and the general manager.
    expect(longest).toBeGreaterThanOrEqual(3);
    expect([...chain.values()].filter((m) => m === null)).toHaveLength(1);
  });

  it('pagila: payments come through the partitioned parent, each once, and every payment FK holds', async () => {
    const run = await subset(pagila, { maxRowsPerTable: { '*': 50, payment: 500 } });
    const payment = rowsOf(run, 'public.payment');
    const names = payment.input.columns.map((c) => c.name);
    const ids = payment.rows.map((r) => `${r[names.indexOf('payment_id')]}|${r[names.indexOf('payment_date')]}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(500);
    // They span several partitions.
    const months = new Set(payment.rows.map((r) => (r[names.indexOf('payment_date')] as string).slice(0, 7)));
    expect(months.size).toBeGreaterThan(1);
    await expectSound(pagila, run);
  });
});

describe('executeSubset: edge cases on PGlite', () => {
  let env: Env;
  beforeAll(async () => {
    env = await openEnv('pglite', 'subset_edge_more', (sql) => loadSqlScript(sql, EDGE_SHAPES), ['public', 'Other Schema']);
  });

  it('follows a ticket up to its employee, the whole manager chain and their countries; keeps hostile identifiers', async () => {
    const run = await subset(env, {
      rootTable: 'Other Schema.ticket',
      maxRowsPerTable: { '*': 1 },
      where: { '"Other Schema"."ticket"': 'ticket.employee_id = 3' },
    });
    const column = (id: string, name: string) => {
      const w = rowsOf(run, id);
      const i = w.input.columns.findIndex((c) => c.name === name);
      return w.rows.map((r) => r[i]).sort();
    };
    expect(column('Other Schema.ticket', 'title')).toEqual(['Write tests']);
    expect(column('public.employee', 'id')).toEqual(['1', '2', '3']);
    expect(column('public.country', 'iso_code')).toEqual(['FR', 'PT']);
    // Unreached tables are sampled, hostile names and all.
    expect(rowsOf(run, 'public.Bad Name 123!@#').rows).toHaveLength(1);
    expect(rowsOf(run, 'public.MixedCase').input.columns.map((c) => c.name)).toEqual(['Id', 'select', 'badRef']);
    await expectSound(env, run);
  });

  it('reads an INHERITS parent FROM ONLY and its child apart; a table without a primary key by ctid', async () => {
    const run = await subset(env, { maxRowsPerTable: { '*': 10 } });
    expect(
      rowsOf(run, 'public.event_log')
        .rows.map((r) => r[0])
        .sort(),
    ).toEqual(['1', '2']);
    expect(rowsOf(run, 'public.event_log_archive').rows.map((r) => r[0])).toEqual(['100']);
    expect(rowsOf(run, 'public.audit_note').rows).toHaveLength(4);
    // The generated column is left to the target.
    expect(rowsOf(run, 'public.order_line').input.columns.map((c) => c.name)).toEqual(['line_no', 'order_no', 'quantity', 'unit_price']);
    // A text value with tab, newline and backslash escapes arrives intact.
    expect(rowsOf(run, 'public.audit_note').rows.map((r) => r[2])).toContain('a tab\there; a newline\nthere');
  });

  it('a cap of 0 on the root selects nothing from it, and the cut says so', async () => {
    const run = await subset(env, { rootTable: 'public.employee', maxRowsPerTable: { '*': 5, employee: 0 }, includeUnreached: false });
    expect(run.result.cut).toContainEqual(expect.objectContaining({ table: 'public.employee', wanted: 3, kept: 0, final: 0 }));
    expect(rowsOf(run, 'Other Schema.ticket').rows).toEqual([]);
    expect(run.written.has('public.gadget')).toBe(false);
    await expectSound(env, run);
  });

  it('keys a partitioned table without primary key by (tableoid, ctid): rows at the same ctid in two partitions both arrive', async () => {
    const own = await openEnv(
      'pglite',
      'subset_nopk_parts',
      (sql) =>
        sql.exec(`
          CREATE TABLE public.measure (sensor int NOT NULL, reading text) PARTITION BY LIST (sensor);
          CREATE TABLE public.measure_1 PARTITION OF public.measure FOR VALUES IN (1);
          CREATE TABLE public.measure_2 PARTITION OF public.measure FOR VALUES IN (2);
          INSERT INTO public.measure VALUES (1, 'a'), (1, 'b'), (2, 'c'), (2, 'd');`),
      ['public'],
    );
    expect(planSubset(own.catalog, {}).tables.map((t) => t.qualified)).toEqual(['public.measure']);
    const run = await subset(own, { rootTable: 'measure', maxRowsPerTable: { '*': 3 } });
    expect(rowsOf(run, 'public.measure').rows).toHaveLength(3);
    expect(run.result.cut).toEqual([expect.objectContaining({ table: 'public.measure', wanted: 4, kept: 3, final: 3 })]);
    const all = await subset(own, { rootTable: 'measure', maxRowsPerTable: { '*': 10 } });
    expect(
      rowsOf(all, 'public.measure')
        .rows.map((r) => r.join(':'))
        .sort(),
    ).toEqual(['1:a', '1:b', '2:c', '2:d']);
    await expectSound(own, all);
  });

  it('stops when the signal is aborted, before writing anything', async () => {
    const plan = planSubset(env.catalog, { maxRowsPerTable: { '*': 1 } });
    const writer = store.createWriter(randomUUID());
    await expect(executeSubset(env.source, env.catalog, plan, writer, { signal: AbortSignal.abort(new Error('stop here')) })).rejects.toThrow('stop here');
    const manifest = await writer.finish({ name: 'aborted', kind: 'SUBSET', schemaVersionId: null, parentId: null, jobId: null, meta: {} });
    expect(manifest.tables).toEqual([]);
    // The source is still usable afterwards (the transaction was rolled back).
    expect(await count(env.source, 'public.employee')).toBe(3);
  });

  it('a where filter that fails names the problem and leaves nothing behind', async () => {
    const plan = planSubset(env.catalog, { rootTable: 'public.employee', maxRowsPerTable: { '*': 1 }, where: { employee: 'no_such_column = 1' } });
    await expect(executeSubset(env.source, env.catalog, plan, store.createWriter(randomUUID()))).rejects.toThrow(/no_such_column/);
    await expect(env.source.query('SELECT 1 FROM pg_temp.tdm_subset_k1')).rejects.toThrow();
  });

  it('a where filter cannot change the source: a volatile function is refused before anything runs', async () => {
    const plan = planSubset(env.catalog, {
      rootTable: 'public.employee',
      maxRowsPerTable: { '*': 1 },
      where: { employee: "nextval('public.invoice_no_seq') > 0" },
    });
    await expect(executeSubset(env.source, env.catalog, plan, store.createWriter(randomUUID()))).rejects.toThrow(/nextval\(\) is not allowed/);
  });
});
