/**
 * What a dataset version's manifest says about how it was made (`manifest.meta`): the subset plan and
 * its cuts, the mask's rules, the synthetic generator's seed and counts — typed, field by field.
 */
import type { DatasetColumn } from '@tdm/core/dataset/types';
import type { SubsetCut } from '@tdm/core/subset/executor';
import type { PlannedCycle, PlannedForeignKey, PlannedTable, SubsetPlan } from '@tdm/core/subset/planner';
import { builder } from '../builder.ts';
import { rowCountEntries, TableRowCountRef } from './row-count.ts';

export const DatasetColumnRef = builder.objectRef<DatasetColumn>('DatasetColumn').implement({
  description: 'A column of a dataset table as stored: its PostgreSQL type and the Parquet type that holds it losslessly',
  fields: (t) => ({
    name: t.exposeString('name'),
    pgType: t.exposeString('pgType', { description: 'format_type() in the source, e.g. "numeric(10,2)", "text[]"' }),
    nullable: t.exposeBoolean('nullable'),
    parquetType: t.exposeString('parquetType', { description: 'INT32, INT64, BOOLEAN, DOUBLE, STRING or BYTES' }),
  }),
});

/** Stored JSON → columns; an older row without a list answers none. */
export const datasetColumns = (v: unknown): DatasetColumn[] => (Array.isArray(v) ? (v as DatasetColumn[]) : []);

const CycleBreakRef = builder.objectRef<PlannedTable['cycleBreaks'][number]>('SubsetCycleBreak').implement({
  description: 'An FK loaded in two steps to get through a cycle: inserted as NULL, then set by UPDATE',
  fields: (t) => ({ fk: t.exposeString('fk'), columns: t.exposeStringList('columns'), references: t.exposeString('references') }),
});

const RowKeyRef = builder.objectRef<PlannedTable['key']>('SubsetRowKey').implement({
  description: 'How the executor identifies a row: its primary key (primaryKey), else the physical row id (ctid)',
  fields: (t) => ({ kind: t.exposeString('kind'), columns: t.exposeStringList('columns') }),
});

const PlannedForeignKeyRef = builder.objectRef<PlannedForeignKey>('SubsetForeignKey').implement({
  description: 'A foreign key as the plan follows it, between planned tables',
  fields: (t) => ({
    name: t.exposeString('name'),
    table: t.exposeString('table'),
    columns: t.exposeStringList('columns'),
    references: t.exposeString('references'),
    referencedColumns: t.exposeStringList('referencedColumns'),
    nullable: t.exposeBoolean('nullable'),
    deferrable: t.exposeBoolean('deferrable'),
    selfReference: t.exposeBoolean('selfReference'),
    declaredOn: t.exposeStringList('declaredOn'),
  }),
});

const PlannedTableRef = builder.objectRef<PlannedTable>('SubsetPlannedTable').implement({
  description: 'One table of a subset plan: how it is reached, capped, filtered, keyed and ordered for loading',
  fields: (t) => ({
    schema: t.exposeString('schema'),
    name: t.exposeString('name'),
    qualified: t.exposeString('qualified'),
    order: t.exposeInt('order'),
    reachedBy: t.exposeString('reachedBy', { description: 'root, down, up, unreached or full' }),
    via: t.exposeStringList('via'),
    cap: t.exposeFloat('cap', { nullable: true }),
    where: t.exposeString('where', { nullable: true }),
    included: t.exposeBoolean('included'),
    dependsOn: t.exposeStringList('dependsOn'),
    cycleBreaks: t.field({ type: [CycleBreakRef], resolve: (p) => p.cycleBreaks }),
    key: t.field({ type: RowKeyRef, resolve: (p) => p.key }),
    only: t.exposeBoolean('only'),
    inherits: t.exposeString('inherits', { nullable: true }),
    partitions: t.exposeStringList('partitions'),
    foreignKeys: t.field({ type: [PlannedForeignKeyRef], resolve: (p) => p.foreignKeys }),
    sourceRows: t.exposeFloat('sourceRows', { nullable: true }),
  }),
});

/** An FK of a cycle: every member of `foreignKeys`, `breaks` and `unresolved` has this shape or part of it. */
type CycleFk = { table: string; fk: string; references: string; columns?: string[]; nullable?: boolean; deferrable?: boolean };
const CycleFkRef = builder.objectRef<CycleFk>('SubsetCycleForeignKey').implement({
  description: 'A foreign key between members of a cycle',
  fields: (t) => ({
    table: t.exposeString('table'),
    fk: t.exposeString('fk'),
    columns: t.stringList({ resolve: (f) => f.columns ?? [] }),
    references: t.exposeString('references'),
    nullable: t.boolean({ nullable: true, resolve: (f) => f.nullable ?? null }),
    deferrable: t.boolean({ nullable: true, resolve: (f) => f.deferrable ?? null }),
  }),
});

const PlannedCycleRef = builder.objectRef<PlannedCycle>('SubsetCycle').implement({
  description: 'A strongly connected component of more than one table, and how its cycles are broken',
  fields: (t) => ({
    tables: t.exposeStringList('tables'),
    foreignKeys: t.field({ type: [CycleFkRef], resolve: (c) => c.foreignKeys }),
    breaks: t.field({ type: [CycleFkRef], description: 'Nullable FKs inserted as NULL and updated after the component is loaded', resolve: (c) => c.breaks }),
    breakable: t.exposeBoolean('breakable'),
    unresolved: t.field({
      type: [CycleFkRef],
      description: 'FKs the load order cannot satisfy (empty when breakable)',
      resolve: (c) => c.unresolved,
    }),
    note: t.exposeString('note'),
  }),
});

export const SubsetPlanRef = builder.objectRef<SubsetPlan>('SubsetPlan').implement({
  description: 'What a subset reads and in which order: per table how it is reached from the root, its cap, its dependencies and cycle breaks',
  fields: (t) => ({
    mode: t.exposeString('mode', { description: 'full (no caps: every row) or subset' }),
    root: t.exposeString('root', { nullable: true }),
    rootReason: t.exposeString('rootReason'),
    includeUnreached: t.exposeBoolean('includeUnreached'),
    tables: t.field({ type: [PlannedTableRef], description: 'Tables in load order', resolve: (p) => p.tables }),
    selection: t.exposeStringList('selection'),
    cycles: t.field({ type: [PlannedCycleRef], resolve: (p) => p.cycles }),
    notes: t.exposeStringList('notes'),
  }),
});

const SubsetCutRef = builder.objectRef<SubsetCut>('SubsetCut').implement({
  description: 'What a cap cut from one table',
  fields: (t) => ({
    table: t.exposeString('table'),
    wanted: t.exposeFloat('wanted', { description: 'Rows the selection matched before the cap' }),
    kept: t.exposeFloat('kept', { description: 'Rows the cap kept' }),
    reason: t.exposeString('reason'),
    final: t.exposeFloat('final', { description: 'Rows written: kept plus the rows other tables needed' }),
  }),
});

const MaskedColumnRef = builder.objectRef<{ column: string; transformer: string }>('MaskedColumn').implement({
  fields: (t) => ({ column: t.exposeString('column', { description: '"schema.table.column"' }), transformer: t.exposeString('transformer') }),
});
const RemappedColumnRef = builder.objectRef<{ column: string; collisions: number }>('RemappedColumn').implement({
  description: 'A unique column whose masked values collided and were remapped to stay unique',
  fields: (t) => ({ column: t.exposeString('column'), collisions: t.exposeInt('collisions') }),
});

/** `manifest.meta` as stored: keys written by the subset, mask and synthetic steps. */
export type DatasetMeta = {
  plan?: SubsetPlan;
  cut?: SubsetCut[];
  rootTable?: string | null;
  maxRowsPerTable?: Record<string, number> | null;
  sourceIdentity?: string | null;
  rulesHash?: string;
  maskedColumns?: { column: string; transformer: string }[];
  remapped?: { column: string; collisions: number }[];
  mode?: string;
  generator?: string;
  seed?: number;
  pack?: string;
  version?: string;
  scenario?: string;
  rowCounts?: Record<string, number>;
  notes?: string[];
} & Record<string, unknown>;

const TYPED_META_KEYS = new Set([
  'plan',
  'cut',
  'rootTable',
  'maxRowsPerTable',
  'rulesHash',
  'maskedColumns',
  'remapped',
  'mode',
  'seed',
  'pack',
  'version',
  'scenario',
  'rowCounts',
  'notes',
]);

const list = <T>(v: T[] | undefined | null): T[] => (Array.isArray(v) ? v : []);

export const DatasetFactsRef = builder.objectRef<DatasetMeta>('DatasetFacts').implement({
  description: 'How a dataset version was made, as its manifest records it; fields of other steps are null or empty',
  fields: (t) => ({
    plan: t.field({ type: SubsetPlanRef, nullable: true, description: 'SUBSET: the plan it was cut by', resolve: (m) => m.plan ?? null }),
    cut: t.field({ type: [SubsetCutRef], description: 'SUBSET: what the caps cut', resolve: (m) => list(m.cut) }),
    rootTable: t.string({ nullable: true, resolve: (m) => m.rootTable ?? null }),
    maxRowsPerTable: t.field({
      type: [TableRowCountRef],
      nullable: true,
      description: 'SUBSET: the caps asked for ("*" for every other table); null for a full copy',
      resolve: (m) => (m.maxRowsPerTable ? rowCountEntries(m.maxRowsPerTable) : null),
    }),
    rulesHash: t.string({ nullable: true, description: 'MASKED: sha256 of the rules it was masked with', resolve: (m) => m.rulesHash ?? null }),
    maskedColumns: t.field({
      type: [MaskedColumnRef],
      description: 'MASKED: each transformed column and its transformer',
      resolve: (m) => list(m.maskedColumns),
    }),
    remapped: t.field({ type: [RemappedColumnRef], resolve: (m) => list(m.remapped) }),
    mode: t.string({ nullable: true, description: 'SYNTHETIC: URL, TEST_CASE, DOMAIN or SCHEMA', resolve: (m) => m.mode ?? null }),
    seed: t.int({ nullable: true, description: 'SYNTHETIC: same seed, same rows', resolve: (m) => (typeof m.seed === 'number' ? m.seed : null) }),
    pack: t.string({ nullable: true, description: 'DOMAIN mode: the domain pack', resolve: (m) => m.pack ?? null }),
    packVersion: t.string({ nullable: true, resolve: (m) => (m.pack ? (m.version ?? null) : null) }),
    scenario: t.string({ nullable: true, resolve: (m) => m.scenario ?? null }),
    rowCounts: t.field({ type: [TableRowCountRef], description: 'SYNTHETIC: rows generated per table', resolve: (m) => rowCountEntries(m.rowCounts) }),
    notes: t.stringList({ resolve: (m) => list(m.notes) }),
    details: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Generator-specific facts without a field above (the forms, entities or relationships a synthetic mode used)',
      resolve: (m) => {
        const rest = Object.fromEntries(Object.entries(m).filter(([k]) => !TYPED_META_KEYS.has(k) && k !== 'sourceIdentity'));
        return Object.keys(rest).length ? rest : null;
      },
    }),
  }),
});
