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
import type { Catalog } from '../catalog/types.ts';
import { RowLimitError } from '../dataset/parquet-from-copy-text.ts';
import type { DatasetWriter } from '../dataset/types.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { checkFilters } from './filter.ts';
import { col, from, keyCol, type Work } from './key-sql.ts';
import type { SubsetPlan } from './planner.ts';
import { readTables } from './parallel-read.ts';
import { select, selectCapped } from './select.ts';
import { guardSourceRead, sourceStatementTimeoutMs } from './source-guard.ts';
import { expectedRows, stream } from './stream.ts';

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
      whole: false,
      verifyCap: null,
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
  signal?.throwIfAborted();
  // What the writer needs for the tables (an encoding worker) starts while their rows are selected.
  if (writer.writeTableCopyText) for (const w of work) writer.expectCopyText?.(expectedRows(w));

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
      const read = (scope: SqlClient, w: Work, stop: AbortSignal | undefined) => stream(scope, plan, w, writer, batchSize, stop, emit);
      const counts = await readTables(source, tx, work, { concurrent: plan.mode === 'full', setup, signal }, async (scope, w, stop) => {
        try {
          return await read(scope, w, stop);
        } catch (err) {
          // A table taken whole on the catalog's count turned out to have more rows than its cap.
          if (!(err instanceof RowLimitError) || w.verifyCap === null) throw err;
          await selectCapped(tx, w, byId, cut);
          return read(scope, w, stop);
        }
      });
      const tables: SubsetResult['tables'] = work.map((w, i) => ({ schema: w.def.schema, name: w.def.name, rowCount: counts[i] as number }));
      const written = new Map(tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount]));
      for (const c of cut) c.final = written.get(c.table) ?? c.final;
      return { tables, cut, durationMs: Date.now() - started };
    }),
  );
}
