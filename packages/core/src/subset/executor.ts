/**
 * Carries out a `SubsetPlan` against the source database and streams the chosen rows into a dataset
 * writer. The selection is set-wise SQL inside the source, in one REPEATABLE READ transaction (one
 * snapshot for every table): a temporary key table per planned table (its key columns plus the
 * columns its foreign keys use), filled with the capped root, downward and unreached selections,
 * then closed upward to a fixpoint so every FK of every chosen row finds its parent. Each table's
 * rows are then read with one `COPY (SELECT … JOIN keys) TO STDOUT`. No row makes a round trip of
 * its own. A full copy (no key tables) reads its tables on several connections that import the
 * transaction's snapshot (parallel-read.ts): the same rows, sooner.
 *
 * The temporary tables need CREATE, so the transaction starts read-write, creates them (ON COMMIT
 * DROP) and then switches to READ ONLY: user `where` filters and everything after run in a
 * transaction that cannot change the source (inserts into temporary tables stay allowed).
 *
 * Generated columns are left out of the data: the target computes them again.
 * The writer's lifecycle (finish with the plan in its manifest, or abort) belongs to the caller.
 */
import type { Catalog, ColumnDef, TableDef } from '../catalog/types.ts';
import { copyTextToBatches } from '../dataset/copy-text.ts';
import type { DatasetWriter, TableInput, TextRow } from '../dataset/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { checkFilters } from './filter.ts';
import { readTables } from './parallel-read.ts';
import type { PlannedForeignKey, PlannedTable, SubsetPlan } from './planner.ts';
import { guardSourceRead, sourceStatementTimeoutMs } from './source-guard.ts';

/** Progress reporting, cancellation and batch size of one execution. */
export interface ExecuteSubsetOptions {
  emit?: EmitEvent;
  signal?: AbortSignal;
  /** Rows per batch handed to the writer. Default 10,000. */
  batchSize?: number;
}

/** What the caps removed from one table. */
export interface SubsetCut {
  /** Qualified table name. */
  table: string;
  /** Rows the selection matched before the cap. */
  wanted: number;
  /** Rows the cap kept (= the cap). */
  kept: number;
  reason: string;
  /** Rows written: `kept` plus the rows other tables' rows needed (never capped). */
  final: number;
}

/** Rows written per table, what the caps cut, and how long it took. */
export interface SubsetResult {
  tables: { schema: string; name: string; rowCount: number }[];
  cut: SubsetCut[];
  durationMs: number;
}

const DEFAULT_BATCH = 10_000;
/** At most one progress event per table per this many milliseconds while streaming. */
const PROGRESS_INTERVAL_MS = 2000;

interface Work {
  plan: PlannedTable;
  def: TableDef;
  /** Data columns: catalog order, generated ones left out. */
  columns: ColumnDef[];
  keyTable: string;
  /** Source column (or `ctid` / `tableoid`) → key table column. */
  keyColumns: Map<string, string>;
  rows: number;
}

const from = (w: Work) => `${w.plan.only ? 'ONLY ' : ''}${quoteQualified(w.def.schema, w.def.name)}`;

function isSystem(w: Work, column: string): boolean {
  return w.plan.key.kind === 'ctid' && (column === 'ctid' || column === 'tableoid');
}

function col(w: Work, alias: string, column: string): string {
  return isSystem(w, column) ? `${alias}.${column}` : `${alias}.${quoteIdent(column)}`;
}

function keyCol(w: Work, column: string): string {
  const k = w.keyColumns.get(column);
  if (!k) throw new Error(`internal: ${w.plan.qualified} has no key column for ${column}`);
  return k;
}

/** The key table's columns, in order, as expressions over the source table under `alias`. */
function keyExprs(w: Work, alias: string): string {
  return [...w.keyColumns.keys()].map((c) => col(w, alias, c)).join(', ');
}

const keyList = (w: Work) => [...w.keyColumns.values()].join(', ');

/** `q.k0 = p."id" AND …` over the row key. */
function sameKey(w: Work, keyAlias: string, sourceAlias: string): string {
  return w.plan.key.columns.map((c) => `${keyAlias}.${keyCol(w, c)} = ${col(w, sourceAlias, c)}`).join(' AND ');
}

function fkMatch(
  child: Work,
  childAlias: string,
  childIsKeyTable: boolean,
  parent: Work,
  parentAlias: string,
  parentIsKeyTable: boolean,
  fk: PlannedForeignKey,
): string {
  return fk.columns
    .map((c, i) => {
      const pc = fk.referencedColumns[i] as string;
      const left = childIsKeyTable ? `${childAlias}.${keyCol(child, c)}` : col(child, childAlias, c);
      const right = parentIsKeyTable ? `${parentAlias}.${keyCol(parent, pc)}` : col(parent, parentAlias, pc);
      return `${left} = ${right}`;
    })
    .join(' AND ');
}

function checkAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

function prepare(catalog: Catalog, plan: SubsetPlan): Work[] {
  const defs = new Map(catalog.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const work: Work[] = [];
  for (const [i, t] of plan.tables.entries()) {
    if (!t.included) continue;
    const def = defs.get(t.qualified);
    if (!def || def.schema !== t.schema || def.name !== t.name) {
      throw new InvalidInputError(`the subset plan names ${t.qualified}, which is not in the catalog: plan again from this catalog`, { table: t.qualified });
    }
    work.push({
      plan: t,
      def,
      columns: def.columns.filter((c) => c.generated === null),
      keyTable: `pg_temp.tdm_subset_k${i + 1}`,
      keyColumns: new Map(),
      rows: 0,
    });
  }
  const byId = new Map(work.map((w) => [w.plan.qualified, w]));
  const need = (w: Work, column: string) => {
    if (!w.keyColumns.has(column)) w.keyColumns.set(column, `k${w.keyColumns.size}`);
  };
  for (const w of work) for (const c of w.plan.key.columns) need(w, c);
  for (const w of work) {
    for (const fk of w.plan.foreignKeys) {
      const parent = byId.get(fk.references);
      if (!parent) continue;
      for (const c of fk.columns) need(w, c);
      for (const c of fk.referencedColumns) need(parent, c);
    }
  }
  return work;
}

/**
 * Selects the plan's rows in `source` and writes them table by table through `writer`. Returns the
 * row count per table and what the caps cut. Every row written exists in the source, and every FK
 * between written tables is satisfied (caps give way to integrity).
 */
export async function executeSubset(
  source: SqlClient,
  catalog: Catalog,
  plan: SubsetPlan,
  writer: DatasetWriter,
  options: ExecuteSubsetOptions = {},
): Promise<SubsetResult> {
  const started = Date.now();
  const { emit, signal } = options;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  const work = prepare(catalog, plan);
  const byId = new Map(work.map((w) => [w.plan.qualified, w]));
  checkAborted(signal);

  const filters = plan.tables.filter((t) => t.where !== null).map((t) => ({ table: t.qualified, where: t.where as string }));
  await checkFilters(source, catalog, filters);
  // A cancelled job cancels the statement running on the source; the transaction then rolls back.
  return guardSourceRead(source, signal, () =>
    source.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      if (source.kind === 'postgres') await tx.query(`SET LOCAL statement_timeout = ${sourceStatementTimeoutMs()}`);
      const cut: SubsetCut[] = [];
      if (plan.mode === 'subset') {
        for (const w of work) {
          // Named k0, k1 …: a source column may be called anything, and ctid cannot be a user column's name.
          const columns = [...w.keyColumns.entries()].map(([c, k]) => `${col(w, 't', c)} AS ${k}`).join(', ');
          await tx.query(`CREATE TEMP TABLE ${w.keyTable} ON COMMIT DROP AS SELECT ${columns} FROM ${from(w)} t WITH NO DATA`);
          await tx.query(`CREATE UNIQUE INDEX ON ${w.keyTable} (${w.plan.key.columns.map((c) => keyCol(w, c)).join(', ')})`);
        }
        await tx.query('SET TRANSACTION READ ONLY');
        await select(tx, plan, work, byId, cut, signal, emit);
      } else {
        await tx.query('SET TRANSACTION READ ONLY');
      }

      // A full copy reads on several connections sharing this snapshot; a subset needs its key tables, which only tx sees.
      const setup = async (scope: SqlClient) => {
        await scope.query(`SET LOCAL statement_timeout = ${sourceStatementTimeoutMs()}`);
      };
      const counts = await readTables(source, tx, work, { concurrent: plan.mode === 'full', setup, signal }, (scope, w, stop) =>
        stream(scope, plan, w, writer, batchSize, stop, emit),
      );
      const tables: SubsetResult['tables'] = work.map((w, i) => ({ schema: w.def.schema, name: w.def.name, rowCount: counts[i] as number }));
      const written = new Map(tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount]));
      for (const c of cut) c.final = written.get(c.table) ?? c.final;
      return { tables, cut, durationMs: Date.now() - started };
    }),
  );
}

/** Fills the key tables: capped selections in plan order, then the upward closure to a fixpoint. */
async function select(
  tx: SqlClient,
  plan: SubsetPlan,
  work: Work[],
  byId: Map<string, Work>,
  cut: SubsetCut[],
  signal: AbortSignal | undefined,
  emit: EmitEvent | undefined,
): Promise<void> {
  for (const id of plan.selection) {
    checkAborted(signal);
    const w = byId.get(id);
    if (!w) continue;
    const t = w.plan;
    // The source table keeps its own name (no alias) so a user's filter may qualify columns with it.
    const self = quoteQualified(t.schema, t.name);
    const conditions: string[] = [];
    let reason: string;
    if (t.reachedBy === 'down') {
      const parents: string[] = [];
      const exists = t.foreignKeys
        .filter((fk) => t.via.includes(fk.name) && !fk.selfReference && byId.has(fk.references))
        .map((fk) => {
          const parent = byId.get(fk.references) as Work;
          if (!parents.includes(fk.references)) parents.push(fk.references);
          return `EXISTS (SELECT 1 FROM ${parent.keyTable} p WHERE ${fkMatch(w, self, false, parent, 'p', true, fk)})`;
        });
      if (exists.length === 0) continue;
      conditions.push(exists.length === 1 ? (exists[0] as string) : `(${exists.join(' OR ')})`);
      reason = `rows referencing the selected rows of ${parents.join(', ')}`;
    } else if (t.reachedBy === 'root') {
      reason = 'root rows';
    } else {
      reason = 'rows of a table not reachable from the root';
    }
    if (t.where) {
      conditions.push(`(${t.where})`);
      reason += ` matching ${t.where}`;
    }
    const whereSql = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
    const order = t.key.columns.map((c) => (isSystem(w, c) ? `${self}.${c}` : `${self}.${quoteIdent(c)}`)).join(', ');
    const limit = t.cap === null ? '' : ` ORDER BY ${order} LIMIT ${t.cap}`;
    const inserted = await tx.query(`INSERT INTO ${w.keyTable} (${keyList(w)}) SELECT ${keyExprs(w, self)} FROM ${from(w)}${whereSql}${limit}`);
    w.rows = inserted.rowCount;
    if (t.cap !== null && inserted.rowCount >= t.cap) {
      const counted = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${from(w)}${whereSql}`);
      const wanted = Number(counted.rows[0]?.n ?? 0);
      if (wanted > inserted.rowCount) cut.push({ table: id, wanted, kept: inserted.rowCount, reason: `cap ${t.cap} on ${reason}`, final: inserted.rowCount });
    }
  }
  for (const w of work) await tx.query(`ANALYZE ${w.keyTable}`);

  // Upward closure: children before parents (reverse load order), so an acyclic schema settles in one pass.
  const reverse = [...work].sort((a, b) => b.plan.order - a.plan.order);
  const pending = new Set(work.filter((w) => w.rows > 0));
  let passes = 0;
  let added = 0;
  while (pending.size > 0) {
    passes++;
    for (const child of reverse) {
      if (!pending.has(child)) continue;
      pending.delete(child);
      const fks = [...child.plan.foreignKeys].sort((a, b) => Number(b.selfReference) - Number(a.selfReference));
      for (const fk of fks) {
        checkAborted(signal);
        const parent = byId.get(fk.references);
        if (!parent) continue;
        const notNull = fk.columns.map((c) => `c.${keyCol(child, c)} IS NOT NULL`).join(' AND ');
        let sql: string;
        if (fk.selfReference) {
          // The whole chain (managers of managers …) in one statement; UNION stops at rows seen before, so cyclic data ends too.
          sql = `WITH RECURSIVE chain (${keyList(parent)}) AS (
  SELECT ${keyExprs(parent, 'p')} FROM ${from(parent)} p WHERE EXISTS (SELECT 1 FROM ${child.keyTable} c WHERE ${notNull} AND ${fkMatch(child, 'c', true, parent, 'p', false, fk)})
  UNION
  SELECT ${keyExprs(parent, 'p')} FROM ${from(parent)} p JOIN chain c ON ${fkMatch(child, 'c', true, parent, 'p', false, fk)}
)
INSERT INTO ${parent.keyTable} (${keyList(parent)})
SELECT ${keyList(parent)} FROM chain c WHERE NOT EXISTS (SELECT 1 FROM ${parent.keyTable} q WHERE ${parent.plan.key.columns.map((k) => `q.${keyCol(parent, k)} = c.${keyCol(parent, k)}`).join(' AND ')})`;
        } else {
          sql = `INSERT INTO ${parent.keyTable} (${keyList(parent)})
SELECT ${keyExprs(parent, 'p')} FROM ${from(parent)} p
WHERE EXISTS (SELECT 1 FROM ${child.keyTable} c WHERE ${notNull} AND ${fkMatch(child, 'c', true, parent, 'p', false, fk)})
  AND NOT EXISTS (SELECT 1 FROM ${parent.keyTable} q WHERE ${sameKey(parent, 'q', 'p')})`;
        }
        const result = await tx.query(sql);
        if (result.rowCount > 0) {
          parent.rows += result.rowCount;
          added += result.rowCount;
          // A parent later in this pass is visited in it; one visited already waits for the next pass.
          // A self-reference's chain is complete already, and its other FKs run right after, in this loop.
          if (parent !== child) pending.add(parent);
        }
      }
    }
  }
  emit?.({
    step: 'subset',
    level: 'info',
    message: `selected ${work.reduce((n, w) => n + w.rows, 0)} rows in ${work.length} tables (${added} added for integrity in ${passes} pass${passes === 1 ? '' : 'es'})`,
    data: { tables: work.length, rows: work.reduce((n, w) => n + w.rows, 0), addedForIntegrity: added, passes },
  });
}

/** One table's chosen rows through COPY into the writer; returns the row count. */
async function stream(
  tx: SqlClient,
  plan: SubsetPlan,
  w: Work,
  writer: DatasetWriter,
  batchSize: number,
  signal: AbortSignal | undefined,
  emit: EmitEvent | undefined,
): Promise<number> {
  const table = w.plan.qualified;
  const list = w.columns.map((c) => `t.${quoteIdent(c.name)}`).join(', ');
  const query =
    plan.mode === 'subset'
      ? `SELECT ${list} FROM ${from(w)} t JOIN ${w.keyTable} k ON ${w.plan.key.columns.map((c) => `k.${keyCol(w, c)} = ${col(w, 't', c)}`).join(' AND ')}`
      : `SELECT ${list} FROM ${from(w)} t`;
  const input: TableInput = {
    schema: w.def.schema,
    name: w.def.name,
    columns: w.columns.map((c) => ({ name: c.name, pgType: c.dataType, nullable: c.nullable })),
  };
  const started = Date.now();
  let rows = 0;
  let lastEvent = started;
  const progress = () => {
    const seconds = (Date.now() - started) / 1000;
    emit?.({
      step: 'subset',
      level: 'progress',
      message: `${table}: ${rows} rows`,
      data: { table, rows, rowsPerSec: seconds > 0 ? Math.round(rows / seconds) : rows },
    });
  };
  const readable = await tx.copyOut(`COPY (${query}) TO STDOUT`);
  async function* counted(): AsyncGenerator<TextRow[]> {
    for await (const batch of copyTextToBatches(readable, batchSize)) {
      checkAborted(signal);
      rows += batch.length;
      if (Date.now() - lastEvent >= PROGRESS_INTERVAL_MS) {
        lastEvent = Date.now();
        progress();
      }
      yield batch;
    }
  }
  try {
    await writer.writeTable(input, counted());
  } catch (err) {
    readable.destroy();
    throw err;
  }
  progress();
  return rows;
}
