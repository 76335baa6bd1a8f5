/**
 * What the mask step does to each column of a table: the column's transform and how its outputs
 * are produced — through a key group's shared map (unique and key columns whose transforms can
 * collide), value by value (row-dependent or stateful transforms, all-distinct columns), or with
 * a bounded reuse of repeated values. Built once per table, before any row is read.
 */
import type { TableDef } from '../catalog/types.ts';
import type { DatasetStore, DatasetTableManifest } from '../dataset/types.ts';
import { createTransform, getTransformer } from './registry.ts';
import { builtinTransformers } from './transformers/index.ts';
import type { ColumnTransform, RowContext, TransformContext } from './types.ts';

export type ColKey = string;
export const colKey = (schema: string, table: string, column: string): ColKey => `${schema}.${table}.${column}`;

/** A resolved rule: the user's, or one spread to this column along a foreign key. */
export interface ResolvedRule {
  transformer: string;
  params?: Record<string, unknown>;
  propagatedFrom: string | null;
}

export interface ColumnPlan {
  /** The column's index in the table. */
  index: number;
  t: ColumnTransform;
  /** The masked value of a non-null value. */
  apply: (value: string, row?: RowContext) => string | null;
  usesRow: boolean;
  /** The output depends on the value alone (no row, no state, no key map): values may be masked in any order, each once. */
  byValue: boolean;
  /**
   * How another thread builds the same transform (`portablePlan`): set when the output is a function of
   * the value and the row key alone (no state, no key map) through a built-in transformer, so row
   * groups may be masked in any order and anywhere.
   */
  portable?: PortableTransform;
}

/** A column's transform as data: what `portablePlan` rebuilds it from. */
export interface PortableTransform {
  transformer: string;
  params: Record<string, unknown>;
  context: TransformContext;
  /** Outputs of repeated values reused (`memoized`). */
  memo: boolean;
}

/** State shared by every table of one mask run. */
export interface PlanContext {
  store: DatasetStore;
  datasetVersionId: string;
  rules: Map<ColKey, ResolvedRule>;
  salt: string;
  piiTypes?: Record<string, string>;
  /** Transforms built up front (all but the ones that need the column's values first). */
  built: Map<ColKey, ColumnTransform>;
  /** Key groups with a member whose transform can map distinct values to one. */
  indistinctGroups: Set<string>;
  /** Key groups share one value map so a remapped collision is the same in every linked column. */
  groupMaps: Map<string, GroupMap>;
  /** Collisions remapped, per key group. */
  remapped: Map<string, number>;
}

export interface GroupMap {
  forward: Map<string, string>;
  used: Set<string>;
}

type Column = DatasetTableManifest['columns'][number];

const groupOf = (ctx: PlanContext, k: ColKey) => {
  const r = ctx.rules.get(k);
  return r ? (r.propagatedFrom ?? k) : k;
};

const transformContext = (ctx: PlanContext, table: DatasetTableManifest, column: Column) => ({
  salt: ctx.salt,
  column: { schema: table.schema, table: table.name, name: column.name, pgType: column.pgType },
  piiType: ctx.piiTypes?.[colKey(table.schema, table.name, column.name)],
});

/**
 * Builds every transform that needs no values first: bad params fail before a file is written, and
 * a key group learns whether every member keeps distinct values distinct by itself.
 */
export async function buildTransforms(ctx: PlanContext, tables: DatasetTableManifest[]): Promise<void> {
  for (const table of tables) {
    for (const c of table.columns) {
      const k = colKey(table.schema, table.name, c.name);
      const rule = ctx.rules.get(k);
      if (!rule) continue;
      if (getTransformer(rule.transformer)?.needsColumn) {
        ctx.indistinctGroups.add(groupOf(ctx, k));
        continue;
      }
      const t = await createTransform(rule.transformer, rule.params ?? {}, transformContext(ctx, table, c));
      ctx.built.set(k, t);
      if (!t.distinct) ctx.indistinctGroups.add(groupOf(ctx, k));
    }
  }
}

/** The plans of a table's masked columns, in column order. */
export async function planTable(ctx: PlanContext, table: DatasetTableManifest, def: TableDef | undefined): Promise<ColumnPlan[]> {
  const uniqueCols = new Set<string>([
    ...(def?.primaryKey?.columns.length === 1 ? def.primaryKey.columns : []),
    ...(def?.uniques.filter((u) => u.columns.length === 1).flatMap((u) => u.columns) ?? []),
  ]);
  const fkCols = new Set<string>(def?.foreignKeys.flatMap((f) => f.columns) ?? []);
  const plans: ColumnPlan[] = [];
  for (const [index, c] of table.columns.entries()) {
    const k = colKey(table.schema, table.name, c.name);
    const rule = ctx.rules.get(k);
    if (!rule) continue;
    const tdef = getTransformer(rule.transformer);
    const context = transformContext(ctx, table, c);
    const t = ctx.built.get(k) ?? (await createTransform(rule.transformer, rule.params ?? {}, context, columnValues(ctx, table, index)));
    // Unique and key columns keep distinct values distinct: outputs go through a shared map,
    // unless every transform of the key group keeps them distinct by itself.
    const group = groupOf(ctx, k);
    const keyed = uniqueCols.has(c.name) || fkCols.has(c.name) || rule.propagatedFrom !== null || [...ctx.rules.values()].some((r) => r.propagatedFrom === k);
    // A built-in transformer of the value (and row) alone can be rebuilt elsewhere from its rule.
    const pure = tdef !== undefined && builtinTransformers.includes(tdef) && tdef.deterministic && !tdef.needsColumn;
    const portable = (memo: boolean) => (pure ? { transformer: rule.transformer, params: rule.params ?? {}, context, memo } : undefined);
    if (keyed && ctx.indistinctGroups.has(group)) {
      const apply = remapping(t, groupMap(ctx, group), (n) => ctx.remapped.set(group, (ctx.remapped.get(group) ?? 0) + n));
      plans.push({ index, t, apply, usesRow: t.usesRow === true, byValue: false });
    } else if (t.usesRow || !tdef?.deterministic || tdef.needsColumn || uniqueCols.has(c.name)) {
      // Row-dependent, stateful (shuffle hands a value's outputs out in turn) or all values distinct: nothing to reuse.
      plans.push({ index, t, apply: (v, row) => t.apply(v, row), usesRow: t.usesRow === true, byValue: false, portable: portable(false) });
    } else {
      const apply = memoized((v) => t.apply(v));
      plans.push({ index, t, apply, usesRow: false, byValue: t.apply(null) === null, portable: portable(true) });
    }
  }
  return plans;
}

function groupMap(ctx: PlanContext, group: string): GroupMap {
  let g = ctx.groupMaps.get(group);
  if (!g) {
    g = { forward: new Map(), used: new Set() };
    ctx.groupMaps.set(group, g);
  }
  return g;
}

/** Outputs through a key group's map: the same input gets the same output, a clash gets another, derived deterministically. */
function remapping(t: ColumnTransform, g: GroupMap, countCollisions: (n: number) => void): (value: string, row?: RowContext) => string {
  return (v, row) => {
    const known = g.forward.get(v);
    if (known !== undefined) return known;
    let candidate = t.apply(v, row) ?? v;
    let n = 1;
    for (; g.used.has(candidate); n++) {
      // A collision between two different inputs: derive another output deterministically.
      candidate = t.apply(`${v}\u0000${n}`, row) ?? `${candidate}${n}`;
    }
    if (n > 1) countCollisions(n - 1);
    g.forward.set(v, candidate);
    g.used.add(candidate);
    return candidate;
  };
}

/** Reuse window: outputs kept for this many distinct values at most. */
const MEMO_SIZE = 1 << 16;
/** Lookups between two checks of the hit rate. */
const MEMO_WINDOW = 4096;

/**
 * Reuses the output of a value seen recently: real columns repeat (names, cities, foreign keys),
 * and a keyed hash per repeat is the bulk of the work. A column whose values hardly repeat (under
 * one hit in eight) stops paying for the lookups for a while, then tries again.
 */
function memoized(apply: (value: string) => string | null): (value: string) => string | null {
  let cache = new Map<string, string | null>();
  let lookups = 0;
  let hits = 0;
  let bypass = 0;
  return (v) => {
    if (bypass > 0) {
      bypass--;
      return apply(v);
    }
    let out = cache.get(v);
    if (out !== undefined) hits++;
    else {
      out = apply(v);
      if (cache.size >= MEMO_SIZE) cache = new Map();
      cache.set(v, out);
    }
    if (++lookups === MEMO_WINDOW) {
      if (hits * 8 < lookups) {
        bypass = MEMO_WINDOW * 16;
        cache = new Map();
      }
      lookups = 0;
      hits = 0;
    }
    return out;
  };
}

/** Rebuilds the plan of column `index` from its portable transform: the same outputs as the plan it came from. */
export async function portablePlan(index: number, p: PortableTransform): Promise<ColumnPlan> {
  const t = await createTransform(p.transformer, p.params, p.context);
  const usesRow = t.usesRow === true;
  if (!p.memo) return { index, t, apply: (v, row) => t.apply(v, row), usesRow, byValue: false, portable: p };
  return { index, t, apply: memoized((v) => t.apply(v)), usesRow, byValue: t.apply(null) === null, portable: p };
}

/**
 * The indexes of the row key's columns (the primary key), for transforms that work per row;
 * undefined without a key.
 */
export function rowKeyColumns(table: DatasetTableManifest, def: TableDef | undefined): number[] | undefined {
  const indexes = (def?.primaryKey?.columns ?? []).map((k) => table.columns.findIndex((c) => c.name === k));
  return !indexes.length || indexes.some((i) => i < 0) ? undefined : indexes;
}

/** The row key as text from its columns' values (composite keys joined). */
export function rowKey(values: (string | null)[]): string | undefined {
  return values.length === 1 ? (values[0] ?? undefined) : JSON.stringify(values);
}

async function* columnValues(ctx: PlanContext, table: DatasetTableManifest, index: number): AsyncIterable<string | null> {
  for await (const batch of ctx.store.readTable(ctx.datasetVersionId, table)) for (const row of batch) yield row[index] ?? null;
}
