/**
 * The harness of the executeSubset tests: source and target databases (PostgreSQL or PGlite), a
 * subset run into a local dataset store (Parquet files and a manifest) read back table by table,
 * and `expectSound`, which loads the rows into a copy of the source's schema and lets PostgreSQL
 * judge them: every FK holds (real NOT EXISTS queries, the logic of
 * shared/acceptance/fk-violations.sql), every row exists in the source, caps hold for every row not
 * needed by integrity, and the cut report says what the caps removed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readCatalog } from '../../src/catalog/read-catalog.ts';
import type { Catalog } from '../../src/catalog/types.ts';
import { copyTextToBatches, formatCopyTextRow } from '../../src/dataset/copy-text.ts';
import { LocalDatasetStore } from '../../src/dataset/local-store.ts';
import type { TableInput, TextRow } from '../../src/dataset/types.ts';
import { openSqlClient } from '../../src/db/open.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../../src/db/quote.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import type { StepEvent } from '../../src/jobs/events.ts';
import { executeSubset, type SubsetResult } from '../../src/subset/executor.ts';
import { type PlannedTable, planSubset, type SubsetOptions, type SubsetPlan } from '../../src/subset/planner.ts';
import { createPgliteUrl, createTestDatabase, type TestDatabase } from './databases.ts';

// ---------------------------------------------------------------------------------------------
// The dataset store the subsets are written to (a local directory, Parquet files and a manifest)

export interface Written {
  input: TableInput;
  rows: TextRow[];
}

const storeDir = await mkdtemp(join(tmpdir(), 'tdm-subset-'));
export const store = new LocalDatasetStore(storeDir);

// ---------------------------------------------------------------------------------------------
// Source and target databases

export type Engine = 'postgres' | 'pglite';

export interface Env {
  source: SqlClient;
  target: SqlClient;
  catalog: Catalog;
}

const cleanups: (() => Promise<void>)[] = [() => rm(storeDir, { recursive: true, force: true })];

/** Closes and drops every database `openEnv` made, and removes the store; call it in `afterAll`. */
export async function closeSubsetEnvs(): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}

async function createDb(engine: Engine, prefix: string): Promise<TestDatabase> {
  return engine === 'postgres' ? createTestDatabase(prefix) : createPgliteUrl();
}

/**
 * A source loaded with `load`, and a target with the same schema and no rows: the same load, then
 * every table truncated (works alike on PostgreSQL and PGlite, no pg_dump needed).
 */
export async function openEnv(engine: Engine, prefix: string, load: (sql: SqlClient) => Promise<void>, schemas: string[]): Promise<Env> {
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
export async function loadIntoTarget(env: Env, plan: SubsetPlan, written: Map<string, Written>): Promise<'ordered' | 'unchecked'> {
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
export async function fkViolations(target: SqlClient): Promise<{ fk: string; bad: number }[]> {
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

export async function count(sql: SqlClient, query: string): Promise<number> {
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

export interface Run {
  plan: SubsetPlan;
  result: SubsetResult;
  written: Map<string, Written>;
  events: StepEvent[];
}

/** Plans, executes into a new dataset version, finishes it, and reads every table back from the store. */
export async function subset(env: Env, options: SubsetOptions): Promise<Run> {
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

export const rowsOf = (run: Run, id: string): Written => {
  const w = run.written.get(id);
  if (!w) throw new Error(`${id} was not written`);
  return w;
};

/** Everything a user relies on in a subset. */
export async function expectSound(env: Env, run: Run): Promise<void> {
  const included = run.plan.tables.filter((t) => t.included);
  expectWrittenAsReported(env, run, included);
  await expectRowsFromSource(env, run, included);
  await expectFksHold(env, run);
  await expectCapsHold(env, run.plan, included);
  expectCutReport(run.plan, run.result);
  await expectRootSelection(env, run, included);
}

/** What was written is what the result reports, one entry per included table, and progress was told; generated columns are not data. */
function expectWrittenAsReported(env: Env, run: Run, included: PlannedTable[]): void {
  const { result } = run;
  expect(result.tables.map((t) => `${t.schema}.${t.name}`).sort()).toEqual(included.map((t) => t.qualified).sort());
  for (const t of result.tables) {
    expect(rowsOf(run, `${t.schema}.${t.name}`).rows.length, `${t.schema}.${t.name}`).toBe(t.rowCount);
    const last = run.events.filter((e) => e.level === 'progress' && e.data?.table === `${t.schema}.${t.name}`).at(-1);
    expect(last?.data).toMatchObject({ table: `${t.schema}.${t.name}`, rows: t.rowCount, rowsPerSec: expect.any(Number) });
    expect(last?.step).toBe('subset');
  }
  for (const t of included) {
    const def = env.catalog.tables.find((x) => x.schema === t.schema && x.name === t.name);
    const generated = def?.columns.filter((c) => c.generated !== null).map((c) => c.name) ?? [];
    expect(rowsOf(run, t.qualified).input.columns.map((c) => c.name)).toEqual(def?.columns.filter((c) => !generated.includes(c.name)).map((c) => c.name));
  }
}

/** Every row exists in the source (the whole row, as many times as written at most). */
async function expectRowsFromSource(env: Env, run: Run, included: PlannedTable[]): Promise<void> {
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
}

/** Every FK holds once the rows are loaded into a copy of the schema. */
async function expectFksHold(env: Env, run: Run): Promise<void> {
  const { plan, written } = run;
  const loaded = await loadIntoTarget(env, plan, written);
  if (plan.cycles.every((c) => c.breakable)) expect(loaded).toBe('ordered');
  const violations = await fkViolations(env.target);
  // (The check ran: one entry per FK of the target.)
  if (plan.tables.some((t) => t.foreignKeys.length > 0)) expect(violations.length).toBeGreaterThan(0);
  expect(violations.filter((v) => v.bad > 0)).toEqual([]);
}

/** Caps: only rows a capped selection chose can be unreferenced; rows of tables reached only upward are all needed. */
async function expectCapsHold(env: Env, plan: SubsetPlan, included: PlannedTable[]): Promise<void> {
  for (const t of included) {
    if (plan.mode === 'full') continue;
    const free = await unreferenced(env, plan, t);
    if (t.reachedBy === 'up') expect(free, `${t.qualified}: rows nobody needs`).toBe(0);
    else if (t.cap !== null) expect(free, `${t.qualified}: unreferenced rows above the cap`).toBeLessThanOrEqual(t.cap);
  }
}

/** The cut report: each entry is a capped table whose selection matched more rows than the cap. */
function expectCutReport(plan: SubsetPlan, result: SubsetResult): void {
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
}

/**
 * A subset from a root: the cut report's count of the root's rows, the written root rows match the
 * filter, and tables selected downward from the root only hold the source rows referencing them.
 */
async function expectRootSelection(env: Env, run: Run, included: PlannedTable[]): Promise<void> {
  const { plan, result } = run;
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

export async function expectFullCopy(env: Env): Promise<Run> {
  const run = await subset(env, {});
  expect(run.plan.mode).toBe('full');
  expect(run.result.cut).toEqual([]);
  for (const t of run.plan.tables) {
    expect(run.result.tables.find((x) => `${x.schema}.${x.name}` === t.qualified)?.rowCount, t.qualified).toBe(await count(env.source, from(t)));
  }
  return run;
}
