/**
 * Schema evolution: what differs between a target's live schema and the schema a dataset version
 * was taken from, as a list of changes a person can read (`kind`, where, `detail`, `destructive`)
 * and each with the statements that bring the target over (the migration script orders them by
 * `phase`). Both sides are catalogs read by `readCatalog`, so definitions compare as PostgreSQL
 * prints them. A dataset holding every table of its catalog owns its schemas: objects only the
 * target has are dropped. A dataset of some tables leaves the target's other objects alone.
 */
import type { Catalog, ColumnDef, TableDef } from '../catalog/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import { columnSql, comments, createTable, foreignKeySql, indexSql, keyConstraintDefs } from './ddl.ts';
import { diffObjects } from './evolution-objects.ts';
import { change, Phase, type PlannedChange, type SchemaEvolution } from './evolution-types.ts';
import { type DatasetObjects, depthOf, type NeededSequence, tableKey } from './objects.ts';

const q = (o: { schema: string; name: string }) => quoteQualified(o.schema, o.name);

/**
 * Compares `live` (the target, read with readCatalog over the dataset's schemas that exist there)
 * with `wanted` (the dataset's objects, from its catalog). Deterministic: same inputs, same list.
 */
export function diffSchemas(live: Catalog, wanted: DatasetObjects, wantedCatalog: Catalog): SchemaEvolution {
  const out: PlannedChange[] = [];
  out.push(...diffTables(live, wanted));
  out.push(...diffObjects(live, wanted, wantedCatalog, out));
  out.sort((a, b) => a.phase - b.phase || a.order - b.order);
  return { changes: out, compatible: !out.some((c) => c.blocksLoad), destructive: out.some((c) => c.destructive) };
}

function identitySequencesOf(wanted: DatasetObjects): Map<string, NeededSequence> {
  return new Map(wanted.sequences.filter((s) => s.identity).map((s) => [tableKey(s.def), s]));
}

function diffTables(live: Catalog, wanted: DatasetObjects): PlannedChange[] {
  const out: PlannedChange[] = [];
  const liveTables = new Map(live.tables.map((t) => [tableKey(t), t]));
  const wantedKeys = new Set(wanted.tables.map(tableKey));
  const identity = identitySequencesOf(wanted);
  wanted.tables.forEach((t, order) => {
    const before = liveTables.get(tableKey(t));
    if (!before) {
      out.push(...addedTable(t, order, wanted, identity, wantedKeys));
      return;
    }
    out.push(...diffColumns(before, t, identity, order));
    out.push(...diffConstraints(before, t, depthOf(wanted, t), wantedKeys));
    const security = rowSecurityChange(before, t);
    if (security) out.push(security);
    const comment = commentChange(before, t);
    if (comment) out.push(comment);
  });
  if (wanted.extras.full) out.push(...droppedTables(live, wanted, liveTables, wantedKeys));
  return out;
}

/** A table the target lacks: created with its comments, keys, indexes and the foreign keys to other dataset tables. */
function addedTable(t: TableDef, order: number, wanted: DatasetObjects, identity: Map<string, NeededSequence>, wantedKeys: Set<string>): PlannedChange[] {
  const depth = depthOf(wanted, t);
  const out = [
    change({
      kind: 'ADD_TABLE',
      phase: Phase.Tables,
      order,
      schema: t.schema,
      table: t.name,
      name: t.name,
      detail: `table ${q(t)} (${t.columns.length} columns)`,
      sql: [
        ...createTable(t, wanted.parentOf.get(t), identity).map((x, i) => (i === 0 ? x.replace(/^CREATE TABLE /, 'CREATE TABLE IF NOT EXISTS ') : x)),
        ...comments(t),
      ],
      blocksLoad: true,
    }),
  ];
  // Children's keys and indexes first: a parent's then attach them (see planDdl).
  for (const k of keyConstraintDefs(t, wanted.parentOf.has(t))) out.push(addConstraint(t, k, 1000 - depth));
  for (const i of t.indexes) if (i.constraint === null) out.push(addIndex(t, i.name, indexSql(t, i), 1000 - depth, true));
  for (const fk of t.foreignKeys) if (wantedKeys.has(`${fk.referencedSchema}.${fk.referencedTable}`)) out.push(addForeignKey(t, fk.name, foreignKeySql(t, fk)));
  return out;
}

function rowSecurityChange(before: TableDef, t: TableDef): PlannedChange | null {
  if (Boolean(before.rowSecurity) === Boolean(t.rowSecurity) && Boolean(before.forceRowSecurity) === Boolean(t.forceRowSecurity)) return null;
  return change({
    kind: 'ALTER_ROW_SECURITY',
    phase: Phase.AfterViews,
    schema: t.schema,
    table: t.name,
    name: t.name,
    detail: `row level security ${t.rowSecurity ? 'on' : 'off'}${t.forceRowSecurity ? ' (forced)' : ''}`,
    sql: [
      `ALTER TABLE ${q(t)} ${t.rowSecurity ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`,
      `ALTER TABLE ${q(t)} ${t.forceRowSecurity ? '' : 'NO '}FORCE ROW LEVEL SECURITY`,
    ],
  });
}

/** Table and column comments set again when any differs; comments only the target has are cleared. */
function commentChange(before: TableDef, t: TableDef): PlannedChange | null {
  const liveComments = new Set(comments(before));
  const wantedComments = comments(t);
  if (!wantedComments.some((c) => !liveComments.has(c)) && liveComments.size === wantedComments.length) return null;
  const cleared = [...(before.comment !== null && t.comment === null ? [`COMMENT ON TABLE ${q(t)} IS NULL`] : [])];
  for (const c of before.columns) {
    const w = t.columns.find((x) => x.name === c.name);
    if (w && c.comment !== null && w.comment === null) cleared.push(`COMMENT ON COLUMN ${q(t)}.${quoteIdent(c.name)} IS NULL`);
  }
  return change({
    kind: 'ALTER_COMMENT',
    phase: Phase.Comments,
    schema: t.schema,
    table: t.name,
    name: t.name,
    detail: 'table or column comments',
    sql: [...cleared, ...wantedComments],
  });
}

/** Tables of the dataset's schemas that only the target has (a dataset of the whole schema owns it). */
function droppedTables(live: Catalog, wanted: DatasetObjects, liveTables: Map<string, TableDef>, wantedKeys: Set<string>): PlannedChange[] {
  const out: PlannedChange[] = [];
  const wantedSchemas = new Set(wanted.schemas);
  for (const t of live.tables) {
    if (wantedKeys.has(tableKey(t)) || !wantedSchemas.has(t.schema)) continue;
    // A partition goes with its parent.
    if (t.partitionKind === 'DECLARATIVE' && t.partitionOf && liveTables.has(t.partitionOf) && !wantedKeys.has(t.partitionOf)) continue;
    out.push(
      change({
        kind: 'DROP_TABLE',
        phase: Phase.DropTables,
        schema: t.schema,
        table: t.name,
        name: t.name,
        detail: `table ${q(t)} is not in the dataset's schema${t.rowCount ? ` (${t.rowCount} rows lost)` : ''}`,
        destructive: true,
        sql: [`DROP TABLE IF EXISTS ${q(t)} CASCADE`],
      }),
    );
  }
  return out;
}

const sameColumnShape = (a: ColumnDef, b: ColumnDef) => a.identity === b.identity && a.generated === b.generated;

/** Where a column change of one table is listed: its table, and the table's place in creation order. */
interface ColumnSite {
  schema: string;
  table: string;
  order: number;
}

function diffColumns(before: TableDef, t: TableDef, identity: Map<string, NeededSequence>, order: number): PlannedChange[] {
  const out: PlannedChange[] = [];
  const alter = `ALTER TABLE ${q(t)}`;
  const at: ColumnSite = { schema: t.schema, table: t.name, order };
  for (const c of t.columns) {
    const was = before.columns.find((x) => x.name === c.name);
    if (!was || !sameColumnShape(was, c)) out.push(addedOrReplacedColumn(was, c, identity, alter, at));
    else out.push(...alteredColumn(was, c, alter, at));
  }
  for (const was of before.columns) if (!t.columns.some((c) => c.name === was.name)) out.push(droppedColumn(was, alter, at));
  return out;
}

/** A new column, or one that changes between plain, identity and generated and so is replaced. */
function addedOrReplacedColumn(was: ColumnDef | undefined, c: ColumnDef, identity: Map<string, NeededSequence>, alter: string, at: ColumnSite): PlannedChange {
  const col = quoteIdent(c.name);
  const sql = [...(was ? [`${alter} DROP COLUMN IF EXISTS ${col}`] : []), `${alter} ADD COLUMN IF NOT EXISTS ${columnSql(c, identity)}`];
  return change({
    ...at,
    kind: was ? 'ALTER_DEFAULT' : 'ADD_COLUMN',
    phase: Phase.Columns,
    name: c.name,
    detail: was
      ? `${c.name} becomes ${c.generated ? 'generated' : c.identity ? 'an identity column' : 'a plain column'} (its values are recomputed)`
      : `${c.name} ${c.dataType}${c.nullable ? '' : ' not null'}`,
    destructive: Boolean(was),
    blocksLoad: true,
    sql,
  });
}

/** Type, nullability and default changes of a column present on both sides with the same shape. */
function alteredColumn(was: ColumnDef, c: ColumnDef, alter: string, at: ColumnSite): PlannedChange[] {
  const out: PlannedChange[] = [];
  const col = quoteIdent(c.name);
  if (was.dataType !== c.dataType) {
    out.push(
      change({
        ...at,
        kind: 'ALTER_COLUMN_TYPE',
        phase: Phase.Columns,
        name: c.name,
        detail: `${was.dataType} → ${c.dataType}`,
        destructive: true,
        blocksLoad: true,
        sql: [`${alter} ALTER COLUMN ${col} TYPE ${c.dataType} USING ${col}::${c.dataType}`],
      }),
    );
  }
  if (was.nullable !== c.nullable) {
    out.push(
      change({
        ...at,
        kind: 'ALTER_NULLABLE',
        phase: Phase.Columns,
        name: c.name,
        detail: c.nullable ? 'drop NOT NULL' : 'set NOT NULL',
        // The target refusing NULLs the dataset may hold blocks the load.
        blocksLoad: c.nullable,
        sql: [`${alter} ALTER COLUMN ${col} ${c.nullable ? 'DROP' : 'SET'} NOT NULL`],
      }),
    );
  }
  if (c.identity === null && c.generated === null && was.default !== c.default) {
    out.push(
      change({
        ...at,
        kind: 'ALTER_DEFAULT',
        phase: Phase.Columns,
        name: c.name,
        detail: `default ${was.default ?? 'none'} → ${c.default ?? 'none'}`,
        sql: [`${alter} ALTER COLUMN ${col} ${c.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${c.default}`}`],
      }),
    );
  }
  return out;
}

function droppedColumn(was: ColumnDef, alter: string, at: ColumnSite): PlannedChange {
  return change({
    ...at,
    kind: 'DROP_COLUMN',
    phase: Phase.Columns,
    name: was.name,
    detail: `${was.name} ${was.dataType} is not in the dataset's schema (its values are lost)`,
    destructive: true,
    // COPY leaves it out: it blocks only when it must be filled and nothing fills it.
    blocksLoad: !was.nullable && was.default === null && was.identity === null && was.generated === null,
    sql: [`${alter} DROP COLUMN IF EXISTS ${quoteIdent(was.name)}`],
  });
}

function addConstraint(t: TableDef, k: { name: string; sql: string }, order: number, detail = 'constraint'): PlannedChange {
  return change({
    kind: 'ADD_CONSTRAINT',
    phase: Phase.Keys,
    order,
    schema: t.schema,
    table: t.name,
    name: k.name,
    detail: `${detail}: ${k.sql.slice(k.sql.indexOf(' ADD CONSTRAINT ') + 16)}`,
    // Dropped first (when present) so the script can be run twice.
    sql: [`ALTER TABLE ${q(t)} DROP CONSTRAINT IF EXISTS ${quoteIdent(k.name)}`, k.sql],
  });
}

function addForeignKey(t: TableDef, name: string, sql: string): PlannedChange {
  return { ...addConstraint(t, { name, sql }, 0, 'foreign key'), phase: Phase.ForeignKeys };
}

function addIndex(t: TableDef, name: string, definition: string, order: number, fresh = false): PlannedChange {
  const idempotent = definition.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS ');
  return change({
    kind: 'ADD_INDEX',
    phase: Phase.Indexes,
    order,
    schema: t.schema,
    table: t.name,
    name,
    detail: fresh ? `index of the new table: ${definition}` : definition,
    sql: [idempotent],
  });
}

function diffConstraints(before: TableDef, t: TableDef, depth: number, wantedKeys: Set<string>): PlannedChange[] {
  const out: PlannedChange[] = [];
  const at = { schema: t.schema, table: t.name };
  const liveKeys = new Map(keyConstraintDefs(before, true).map((k) => [k.name, k.sql.replace(q(before), q(t))]));
  const wantedDefs = keyConstraintDefs(t, true);
  for (const k of wantedDefs) {
    const was = liveKeys.get(k.name);
    if (was === k.sql) continue;
    if (was !== undefined) out.push(dropConstraint(t, k.name, 'changed', Phase.DropKeys));
    out.push(addConstraint(t, k, 1000 - depth));
  }
  for (const name of liveKeys.keys())
    if (!wantedDefs.some((k) => k.name === name)) out.push(dropConstraint(t, name, 'not in the dataset’s schema', Phase.DropKeys, true));

  const liveFks = new Map(before.foreignKeys.map((fk) => [fk.name, foreignKeySql(t, fk)]));
  for (const fk of t.foreignKeys) {
    if (!wantedKeys.has(`${fk.referencedSchema}.${fk.referencedTable}`)) continue;
    const sql = foreignKeySql(t, fk);
    const was = liveFks.get(fk.name);
    if (was === sql) continue;
    if (was !== undefined) out.push({ ...dropConstraint(t, fk.name, 'changed', Phase.DropKeys), order: -1 });
    out.push(addForeignKey(t, fk.name, sql));
  }
  // Foreign keys go before the keys they may reference.
  for (const name of liveFks.keys()) {
    if (!t.foreignKeys.some((fk) => fk.name === name)) out.push({ ...dropConstraint(t, name, 'not in the dataset’s schema', Phase.DropKeys, true), order: -1 });
  }

  const liveIdx = new Map(before.indexes.filter((i) => i.constraint === null).map((i) => [i.name, indexSql(t, i)]));
  for (const i of t.indexes) {
    if (i.constraint !== null) continue;
    const sql = indexSql(t, i);
    const was = liveIdx.get(i.name);
    if (was === sql) continue;
    if (was !== undefined) out.push(dropIndex(t, i.name, 'changed'));
    out.push(addIndex(t, i.name, sql, 1000 - depth));
  }
  for (const name of liveIdx.keys())
    if (!t.indexes.some((i) => i.name === name && i.constraint === null)) out.push(dropIndex(t, name, 'not in the dataset’s schema'));
  return out.map((c) => ({ ...c, ...at }));
}

function dropConstraint(t: TableDef, name: string, why: string, phase: Phase, blocksLoad = false): PlannedChange {
  return change({
    kind: 'DROP_CONSTRAINT',
    phase,
    schema: t.schema,
    table: t.name,
    name,
    detail: `constraint ${name} ${why}`,
    // A rule the dataset does not have may refuse its rows.
    blocksLoad,
    sql: [`ALTER TABLE ${q(t)} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}`],
  });
}

function dropIndex(t: TableDef, name: string, why: string): PlannedChange {
  return change({
    kind: 'DROP_INDEX',
    phase: Phase.DropKeys,
    schema: t.schema,
    table: t.name,
    name,
    detail: `index ${name} ${why}`,
    sql: [`DROP INDEX IF EXISTS ${quoteQualified(t.schema, name)}`],
  });
}
