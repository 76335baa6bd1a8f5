/**
 * Provisioning: a dataset version becomes tables in a target database. Everything happens in one
 * transaction (PostgreSQL and PGlite both run DDL transactionally): DDL planned from the catalog,
 * the rows streamed with COPY in foreign-key order, indexes and foreign keys (validated as they are
 * added), sequences moved past the loaded ids, smoke tests. Any failure — a conflicting object, a
 * row a CHECK refuses, a broken key, a failed smoke test, an abort — rolls back and leaves the
 * target exactly as it was.
 */
import type { Catalog, ExtensionDef, ForeignKeyDef, TableDef } from '../catalog/types.ts';
import type { DatasetManifest, DatasetStore, DatasetTableManifest } from '../dataset/types.ts';
import { quoteIdent } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError, TdmError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { planFor, planReset, provisionedForeignKeys } from './ddl.ts';
import { ExtensionUnavailableError, evolutionReport, SchemaConflictError } from './errors.ts';
import { fkLoadOrder } from './load-order.ts';
import { startLoads, type TableLoads } from './load-table.ts';
import { type MigratePlan, planMigrateLoad } from './migrate-load.ts';
import { evolutionIn } from './migration.ts';
import { type DatasetObjects, datasetObjects, tableKey } from './objects.ts';
import { syncSequences } from './sequences.ts';
import { runSmokeTests, type SmokeKnown, type SmokeReport } from './smoke.ts';

export type { SmokeReport };

export interface ProvisionInput {
  store: DatasetStore;
  manifest: DatasetManifest;
  /** The catalog of the dataset's schema version: what the tables look like. */
  catalog: Catalog;
  /** Drop what the dataset's objects would occupy (its tables CASCADE, its types and sequences) first. */
  resetEnv?: boolean;
  /**
   * When the target already holds the dataset's objects: bring its schema over to the dataset's
   * (the evolution's migration) and replace the rows of the dataset's tables, in one transaction.
   */
  migrate?: boolean;
  /** With `migrate`: apply destructive changes too (dropped tables or columns, narrowed types). */
  allowDestructive?: boolean;
  /** Default true. */
  runSmokeTests?: boolean;
  emit?: EmitEvent;
  signal?: AbortSignal;
  /** COPY text read from the store ahead of the load, held in memory (default 16 MiB). */
  readAheadBytes?: number;
}

export interface ProvisionResult {
  /** Rows loaded per table, in load order. */
  tables: { schema: string; name: string; rowCount: number }[];
  /** Null when smoke tests were turned off. */
  smoke: SmokeReport | null;
  /** With `migrate`, when the target's schema was migrated: how many changes, and whether any was destructive. */
  migration?: { changes: number; destructive: boolean } | null;
  durationMs: number;
}

const STEP = 'provision';

/**
 * Loads `input.manifest`'s dataset into `target`. When a table, sequence, type, routine or view the
 * dataset would create already exists: `resetEnv` drops and recreates them, `migrate` migrates the
 * target's schema and replaces the rows, and otherwise it refuses with SchemaConflictError (CONFLICT,
 * nothing changed) carrying the evolution report. Throws STEP_FAILED
 * with the smoke report in `details.smoke` when a smoke test fails; the load is then rolled back.
 */
export async function provisionDataset(target: SqlClient, input: ProvisionInput): Promise<ProvisionResult> {
  const started = Date.now();
  const { manifest, catalog, signal } = input;
  const emit = input.emit ?? (() => {});
  signal?.throwIfAborted();
  const objects = datasetObjects(catalog, manifest.tables);
  const byKey = new Map(objects.tables.map((t) => [tableKey(t), t]));
  for (const m of manifest.tables) checkColumns(byKey.get(tableKey(m)) as TableDef, m);
  const loadOrder = fkLoadOrder(manifest.tables.map((m) => byKey.get(tableKey(m)) as TableDef));
  const manifestOf = new Map(manifest.tables.map((m) => [tableKey(m), m]));
  const order = loadOrder.map((table) => ({ table, m: manifestOf.get(tableKey(table)) as DatasetTableManifest }));
  // The rows are read from the store from now on, while the server runs the DDL.
  const loads = startLoads(order, { store: input.store, datasetVersionId: manifest.datasetVersionId, emit, signal, readAheadBytes: input.readAheadBytes });
  try {
    return await target.transaction((tx) => provisionIn(tx, input, objects, loads, loadOrder, started, emit));
  } finally {
    await loads.cancel();
  }
}

/** The provisioning transaction's work: schema, load, what follows the load, smoke tests. */
async function provisionIn(
  tx: SqlClient,
  input: ProvisionInput,
  objects: DatasetObjects,
  loads: TableLoads,
  loadOrder: TableDef[],
  started: number,
  emit: EmitEvent,
): Promise<ProvisionResult> {
  const { manifest, signal } = input;
  // The catalog's expressions were printed for this search_path: replay them under the same one. As
  // pg_dump's scripts do, check_function_bodies off: a routine's body may name tables created after it.
  await tx.query(`select set_config('search_path', 'pg_catalog', true), set_config('check_function_bodies', 'false', true)`);
  const { post, migrated, validated } = await prepareSchema(tx, input, objects, emit);

  const counts = await loads.load(tx);
  const tables: ProvisionResult['tables'] = loadOrder.map((t, i) => ({ schema: t.schema, name: t.name, rowCount: counts[i] as number }));

  await run(tx, post, signal);
  const extremes = await syncSequences(tx, objects.sequences);
  emit({
    step: STEP,
    level: 'info',
    message: `ran ${post.length} statements after the load (indexes, foreign keys, triggers, views …); sequences moved past the loaded ids`,
  });
  const smoke = input.runSmokeTests === false ? null : await smokeTest(tx, objects, manifest, { validated, extremes }, emit, signal);
  signal?.throwIfAborted();
  return { tables, smoke, migration: migrated, durationMs: Date.now() - started };
}

/**
 * Makes room for the dataset's objects and creates them (all but what follows the load): resets the
 * target, migrates it when asked, or refuses with SchemaConflictError when it already holds them.
 * Returns the statements to run after the load, what a migration changed, and the foreign keys those
 * statements add validated (PostgreSQL checks every loaded row as it adds them; none on a migration,
 * whose keys may stay in place through the load).
 */
async function prepareSchema(
  tx: SqlClient,
  input: ProvisionInput,
  objects: DatasetObjects,
  emit: EmitEvent,
): Promise<{ post: string[]; migrated: ProvisionResult['migration']; validated: Set<ForeignKeyDef> }> {
  const { catalog, signal } = input;
  const conflicts = await findConflicts(tx, objects);
  if (!conflicts.length || input.resetEnv) {
    const plan = planFor(objects);
    if (input.resetEnv) await run(tx, planReset(objects), signal);
    await createExtensions(tx, catalog.extensions ?? [], emit);
    await run(tx, await withoutExistingSchemas(tx, objects.schemas, plan.pre), signal);
    emit({
      step: STEP,
      level: 'info',
      message: `created ${objects.tables.length} tables (${plan.pre.length} statements)`,
      data: { statements: plan.pre.length },
    });
    const validated = new Set(provisionedForeignKeys(objects).flatMap(({ fk }) => (fk.notValid ? [] : [fk])));
    return { post: plan.post, migrated: null, validated };
  }
  // A target already holding the dataset's objects is migrated when asked, else refused with what differs.
  const evolution = await evolutionIn(tx, objects, catalog);
  const collisions = { tables: conflicts.filter((c) => objects.tables.some((t) => tableKey(t) === c)), objects: conflicts };
  if (!input.migrate) throw new SchemaConflictError('EXISTS', evolutionReport(evolution), collisions);
  if (evolution.destructive && !input.allowDestructive) throw new SchemaConflictError('DESTRUCTIVE', evolutionReport(evolution), collisions);
  await tx.query(`select set_config('search_path', 'pg_catalog', true)`);
  const migration: MigratePlan = planMigrateLoad(objects, evolution);
  await createExtensions(tx, catalog.extensions ?? [], emit);
  await run(tx, migration.before, signal);
  emit({
    step: STEP,
    level: 'info',
    message: `migrated the target's schema (${evolution.changes.length} changes) and emptied ${objects.tables.length} tables`,
    data: { changes: evolution.changes.length },
  });
  return { post: migration.after, migrated: { changes: evolution.changes.length, destructive: evolution.destructive }, validated: new Set() };
}

/** The smoke tests inside the load's transaction; a failure throws STEP_FAILED (so the load rolls back). */
async function smokeTest(
  tx: SqlClient,
  objects: DatasetObjects,
  manifest: DatasetManifest,
  known: SmokeKnown,
  emit: EmitEvent,
  signal: AbortSignal | undefined,
): Promise<SmokeReport> {
  signal?.throwIfAborted();
  const smoke = await runSmokeTests(tx, objects, manifest, known);
  if (!smoke.passed) {
    throw new TdmError('STEP_FAILED', `smoke tests failed: ${describeFailures(smoke)}; nothing was provisioned`, { details: { step: STEP, smoke } });
  }
  emit({
    step: STEP,
    level: 'info',
    message: `smoke tests passed (${smoke.rowCounts.length} tables, ${smoke.fkViolations.length} foreign keys, ${smoke.sequences.length} sequences)`,
  });
  return smoke;
}

function checkColumns(table: TableDef, m: DatasetTableManifest): void {
  const known = new Set(table.columns.map((c) => c.name));
  const unknown = m.columns.filter((c) => !known.has(c.name)).map((c) => c.name);
  if (unknown.length) {
    throw new InvalidInputError(`dataset table ${tableKey(m)} has columns the catalog does not describe: ${unknown.join(', ')}`, {
      table: tableKey(m),
      columns: unknown,
    });
  }
}

/** Relations (tables, sequences, views …), types and routines in the target that the dataset's objects would collide with. */
async function findConflicts(tx: SqlClient, objects: DatasetObjects): Promise<string[]> {
  const { extras } = objects;
  const relations = [...objects.tables, ...objects.sequences.map((s) => s.def), ...extras.views];
  const types = [...objects.enums, ...objects.domains, ...extras.compositeTypes, ...extras.ranges];
  const routines = extras.routines;
  const { rows } = await tx.query<{ name: string }>(
    `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       join unnest($1::text[], $2::text[]) as w(s, r) on w.s = n.nspname and w.r = c.relname
     union
     select n.nspname || '.' || t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
       join unnest($3::text[], $4::text[]) as w(s, r) on w.s = n.nspname and w.r = t.typname
     union
     select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
       join unnest($5::text[], $6::text[], $7::text[]) as w(s, r, a) on w.s = n.nspname and w.r = p.proname and w.a = pg_get_function_identity_arguments(p.oid)
     order by 1`,
    [
      relations.map((r) => r.schema),
      relations.map((r) => r.name),
      types.map((t) => t.schema),
      types.map((t) => t.name),
      routines.map((r) => r.schema),
      routines.map((r) => r.name),
      routines.map((r) => r.identityArguments),
    ],
  );
  return rows.map((r) => r.name);
}

/**
 * The source's extensions (defaults such as uuid_generate_v4() need them), CREATE EXTENSION IF NOT
 * EXISTS each; one the target cannot install stops provisioning with ExtensionUnavailableError.
 */
async function createExtensions(tx: SqlClient, extensions: ExtensionDef[], _emit: EmitEvent): Promise<void> {
  for (const e of extensions) {
    const { rows } = await tx.query('select 1 from pg_extension where extname = $1', [e.name]);
    if (rows.length) continue;
    try {
      await tx.transaction(async (sp) => {
        await sp.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(e.schema)}`);
        await sp.exec(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}`);
      });
    } catch (err) {
      throw new ExtensionUnavailableError(e.name, err);
    }
  }
}

/**
 * PostgreSQL checks the right to create schemas before it looks whether the schema exists, so
 * `CREATE SCHEMA IF NOT EXISTS public` fails for a role that may fill `public` but not create
 * schemas: the statements for schemas already there are left out.
 */
async function withoutExistingSchemas(tx: SqlClient, schemas: string[], statements: string[]): Promise<string[]> {
  const { rows } = await tx.query<{ name: string }>('select nspname as name from pg_namespace where nspname = any($1::text[])', [schemas]);
  const skip = new Set(rows.map((r) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(r.name)}`));
  return statements.filter((s) => !skip.has(s));
}

/** Statements sent in one round trip by `run` (a script of DDL, each one still parsed and run in order by the server). */
const STATEMENTS_PER_BATCH = 200;

/**
 * Runs `statements` in order. They travel in batches, one round trip each, under a savepoint: when a
 * batch fails it is rolled back and replayed one statement at a time, so the error still names the
 * statement that failed.
 */
async function run(tx: SqlClient, statements: string[], signal: AbortSignal | undefined): Promise<void> {
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    const batch = statements.slice(i, i + STATEMENTS_PER_BATCH);
    signal?.throwIfAborted();
    if (batch.length > 1) {
      try {
        // A newline before each `;`: a statement ending in a `--` comment must not swallow it.
        await tx.transaction((sp) => sp.exec(batch.join('\n;\n')));
        continue;
      } catch (err) {
        if (signal?.aborted) throw err;
      }
    }
    await runEach(tx, batch, signal);
  }
}

async function runEach(tx: SqlClient, statements: string[], signal: AbortSignal | undefined): Promise<void> {
  for (const statement of statements) {
    signal?.throwIfAborted();
    try {
      await tx.exec(statement);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const details = err instanceof TdmError ? err.details : {};
      throw new TdmError(err instanceof TdmError ? err.code : 'QUERY_FAILED', `${reason} — while running: ${statement}`, {
        cause: err,
        details: { ...details, statement },
      });
    }
  }
}

function describeFailures(smoke: SmokeReport): string {
  const parts = [
    ...smoke.rowCounts.filter((c) => c.expected !== c.actual).map((c) => `${c.table} has ${c.actual} rows, expected ${c.expected}`),
    ...smoke.fkViolations.filter((f) => !f.notValid && f.violations > 0).map((f) => `${f.fk}: ${f.violations} violating rows`),
    ...smoke.sequences.filter((s) => !s.ok).map((s) => `sequence ${s.sequence} (last ${s.lastValue ?? 'unused'}) is not past ${s.maxValue}`),
  ];
  return parts.slice(0, 5).join('; ') + (parts.length > 5 ? `; and ${parts.length - 5} more` : '');
}

/**
 * A stable identity of the database behind `sql`: the cluster's system identifier (fixed at initdb,
 * unique per PostgreSQL cluster and per PGlite data directory) and the database name. Callers compare
 * it with the identity recorded for a dataset's source to refuse provisioning into that source.
 * Where pg_control_system() is not allowed, the server address, port and database oid stand in.
 */
export async function databaseIdentity(sql: SqlClient): Promise<string> {
  try {
    const { rows } = await sql.query<{ id: string; db: string }>(`select system_identifier::text as id, current_database() as db from pg_control_system()`);
    const row = rows[0];
    if (row?.id) return `pg:${row.id}/${row.db}`;
  } catch {
    // Fall through: a role without the right to read the control file.
  }
  const { rows } = await sql.query<{ addr: string | null; port: number | null; oid: string; db: string }>(
    `select host(inet_server_addr()) as addr, inet_server_port() as port, d.oid::int8::text as oid, d.datname as db
     from pg_database d where d.datname = current_database()`,
  );
  const row = rows[0];
  return `pg:${row?.addr ?? 'local'}:${row?.port ?? ''}/${row?.oid ?? ''}/${row?.db ?? sql.database}`;
}
