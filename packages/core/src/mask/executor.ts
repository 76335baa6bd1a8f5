/**
 * The mask step's engine: reads a dataset version table by table and writes a new one with the rules'
 * transformers applied. Keys stay joinable: a rule on a column applies identically to every column
 * linked to it by foreign keys, and unique columns stay unique (a collision is remapped, the same way
 * in every linked column; a key group whose transforms cannot collide, such as a 128-bit hash or
 * tokenize, is not tracked value by value).
 *
 * Work is done a batch at a time, column by column, and a column's repeated values reuse their
 * output (a bounded map that steps aside when values hardly repeat): the keyed hash behind most
 * transformers is the cost that matters, and real columns repeat a lot.
 */
import { createHash } from 'node:crypto';
import type { Catalog, TableDef } from '../catalog/types.ts';
import type { DatasetManifest, DatasetStore, DatasetTableManifest, DatasetWriter, TextRow } from '../dataset/types.ts';
import { InvalidInputError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { createTransform, getTransformer } from './registry.ts';
import './transformers/index.ts';
import type { ColumnTransform, RowContext } from './types.ts';

export interface MaskRule {
  transformer: string;
  params?: Record<string, unknown>;
}

/** Keys: "schema.table.column" or "table.column". */
export type MaskRules = Record<string, MaskRule>;

export interface MaskOptions {
  rules: MaskRules;
  salt: string;
  /** PII types by "schema.table.column" (lets `fake` pick a generator). */
  piiTypes?: Record<string, string>;
  emit?: EmitEvent;
  signal?: AbortSignal;
}

export interface MaskResult {
  tables: { schema: string; name: string; rowCount: number }[];
  /** The resolved rules per column, FK propagation included. */
  columns: { column: string; transformer: string; propagatedFrom: string | null }[];
  remapped: { column: string; collisions: number }[];
  rulesHash: string;
  durationMs: number;
}

type ColKey = string;
const colKey = (schema: string, table: string, column: string): ColKey => `${schema}.${table}.${column}`;

/** Resolves rule keys to catalog columns and spreads every rule along foreign keys (both ways). */
export function resolveMaskRules(catalog: Catalog, rules: MaskRules): Map<ColKey, MaskRule & { propagatedFrom: string | null }> {
  const tables = catalog.tables;
  const resolved = new Map<ColKey, MaskRule & { propagatedFrom: string | null }>();
  for (const [key, rule] of Object.entries(rules)) {
    if (!rule || typeof rule.transformer !== 'string') throw new InvalidInputError(`rule ${JSON.stringify(key)} needs a transformer`);
    if (!getTransformer(rule.transformer)) throw new InvalidInputError(`rule ${JSON.stringify(key)}: unknown transformer ${JSON.stringify(rule.transformer)}`);
    const parts = key.split('.');
    const column = parts.pop() as string;
    const tableName = parts.pop();
    const schema = parts.length ? parts.join('.') : null;
    const matches = tables.filter((t) => t.name === tableName && (schema === null || t.schema === schema) && t.columns.some((c) => c.name === column));
    if (matches.length !== 1) {
      throw new InvalidInputError(`rule ${JSON.stringify(key)} names ${matches.length ? 'more than one' : 'no'} column of the dataset's schema`, { rule: key });
    }
    const t = matches[0] as TableDef;
    resolved.set(colKey(t.schema, t.name, column), { ...rule, propagatedFrom: null });
  }
  // Union the columns that foreign keys tie together; a rule covers its whole group.
  const parent = new Map<ColKey, ColKey>();
  const find = (k: ColKey): ColKey => {
    let r = k;
    while (parent.get(r) && parent.get(r) !== r) r = parent.get(r) as ColKey;
    return r;
  };
  const union = (a: ColKey, b: ColKey) => {
    for (const k of [a, b]) if (!parent.has(k)) parent.set(k, k);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      fk.columns.forEach((c, i) => {
        union(colKey(t.schema, t.name, c), colKey(fk.referencedSchema, fk.referencedTable, fk.referencedColumns[i] as string));
      });
      // A partition's FK (pagila's payment_p2022_01) ties its parent's column too: the dataset holds the parent.
      if (t.partitionOf) for (const c of fk.columns) union(colKey(t.schema, t.name, c), `${t.partitionOf}.${c}`);
    }
  }
  const ruleOfGroup = new Map<ColKey, { rule: MaskRule; from: ColKey }>();
  for (const [k, rule] of resolved) {
    if (!parent.has(k)) continue;
    const root = find(k);
    const other = ruleOfGroup.get(root);
    if (other && (other.rule.transformer !== rule.transformer || JSON.stringify(other.rule.params ?? {}) !== JSON.stringify(rule.params ?? {}))) {
      throw new InvalidInputError(`rules on ${other.from} and ${k} differ, but a foreign key ties the two columns: give them the same rule`);
    }
    ruleOfGroup.set(root, { rule, from: k });
  }
  for (const k of parent.keys()) {
    const g = ruleOfGroup.get(find(k));
    if (g && !resolved.has(k)) resolved.set(k, { ...g.rule, propagatedFrom: g.from });
  }
  return resolved;
}

/** Masks every table of `manifest` into `writer` (the caller finishes or aborts the writer). */
export async function maskTables(
  store: DatasetStore,
  manifest: DatasetManifest,
  catalog: Catalog,
  writer: DatasetWriter,
  options: MaskOptions,
): Promise<MaskResult> {
  const started = performance.now();
  if (!options.salt) throw new InvalidInputError('masking needs a salt from configuration (TDM_MASK_SALT or config.mask.salt)');
  const rules = resolveMaskRules(catalog, options.rules);
  const byKey = new Map(catalog.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const groupOf = (k: ColKey) => {
    const r = rules.get(k);
    return r ? (r.propagatedFrom ?? k) : k;
  };
  const contextOf = (table: DatasetTableManifest, column: DatasetTableManifest['columns'][number]) => {
    const k = colKey(table.schema, table.name, column.name);
    return {
      salt: options.salt,
      column: { schema: table.schema, table: table.name, name: column.name, pgType: column.pgType },
      piiType: options.piiTypes?.[k],
    };
  };

  // Transforms are built before any row is read: bad params fail before a file is written, and a
  // key group knows whether every member keeps distinct values distinct by itself.
  const built = new Map<ColKey, ColumnTransform>();
  const indistinctGroups = new Set<string>();
  for (const table of manifest.tables) {
    for (const c of table.columns) {
      const k = colKey(table.schema, table.name, c.name);
      const rule = rules.get(k);
      if (!rule) continue;
      if (getTransformer(rule.transformer)?.needsColumn) {
        indistinctGroups.add(groupOf(k));
        continue;
      }
      const t = await createTransform(rule.transformer, rule.params ?? {}, contextOf(table, c));
      built.set(k, t);
      if (!t.distinct) indistinctGroups.add(groupOf(k));
    }
  }
  // Key groups share one value map so a remapped collision is the same in every linked column.
  const groupMaps = new Map<string, GroupMap>();
  const remapped = new Map<string, number>();
  const out: MaskResult['tables'] = [];

  for (const table of orderParentsFirst(manifest.tables, byKey)) {
    options.signal?.throwIfAborted();
    const def = byKey.get(`${table.schema}.${table.name}`);
    const uniqueCols = new Set<string>([
      ...(def?.primaryKey?.columns.length === 1 ? def.primaryKey.columns : []),
      ...(def?.uniques.filter((u) => u.columns.length === 1).flatMap((u) => u.columns) ?? []),
    ]);
    const fkCols = new Set<string>(def?.foreignKeys.flatMap((f) => f.columns) ?? []);
    const plans: ColumnPlan[] = [];
    for (const [index, c] of table.columns.entries()) {
      const k = colKey(table.schema, table.name, c.name);
      const rule = rules.get(k);
      if (!rule) continue;
      const tdef = getTransformer(rule.transformer);
      const t =
        built.get(k) ??
        (await createTransform(rule.transformer, rule.params ?? {}, contextOf(table, c), columnValues(store, manifest.datasetVersionId, table, index)));
      // Unique and key columns keep distinct values distinct: outputs go through a shared map,
      // unless every transform of the key group keeps them distinct by itself.
      const group = groupOf(k);
      const keyed = uniqueCols.has(c.name) || fkCols.has(c.name) || rule.propagatedFrom !== null || [...rules.values()].some((r) => r.propagatedFrom === k);
      let apply: (value: string, row?: RowContext) => string | null;
      if (keyed && indistinctGroups.has(group)) {
        let g = groupMaps.get(group);
        if (!g) {
          g = { forward: new Map(), used: new Set() };
          groupMaps.set(group, g);
        }
        apply = remapping(t, g, (n) => remapped.set(group, (remapped.get(group) ?? 0) + n));
      } else if (t.usesRow || !tdef?.deterministic || tdef.needsColumn || uniqueCols.has(c.name)) {
        // Row-dependent, stateful (shuffle hands a value's outputs out in turn) or all values distinct: nothing to reuse.
        apply = (v, row) => t.apply(v, row);
      } else {
        apply = memoized((v) => t.apply(v));
      }
      plans.push({ index, t, apply, usesRow: t.usesRow === true });
    }
    const rowKey = rowKeyOf(table, def);
    const needsRowKey = plans.some((p) => p.usesRow);

    async function* masked(): AsyncIterable<TextRow[]> {
      for await (const batch of store.readTable(manifest.datasetVersionId, table)) {
        options.signal?.throwIfAborted();
        // A batch at a time, column by column: each loop runs one transform over many values.
        const rows = batch.map((row) => row.slice());
        const keys = needsRowKey ? batch.map((row) => ({ key: rowKey?.(row) })) : undefined;
        for (const { index, t, apply } of plans) {
          for (let r = 0; r < rows.length; r++) {
            const row = rows[r] as TextRow;
            const v = row[index] ?? null;
            row[index] = v === null ? t.apply(null, keys?.[r]) : apply(v, keys?.[r]);
          }
        }
        yield rows;
      }
    }
    const written = await writer.writeTable(
      { schema: table.schema, name: table.name, columns: table.columns.map((c) => ({ name: c.name, pgType: c.pgType, nullable: c.nullable })) },
      masked(),
    );
    out.push({ schema: table.schema, name: table.name, rowCount: written.rowCount });
    options.emit?.({
      step: 'mask',
      level: 'progress',
      message: `${table.schema}.${table.name}: ${written.rowCount} rows`,
      data: { table: `${table.schema}.${table.name}`, rows: written.rowCount },
    });
  }
  const columns = [...rules.entries()].map(([column, r]) => ({ column, transformer: r.transformer, propagatedFrom: r.propagatedFrom }));
  const rulesHash = createHash('sha256')
    .update(JSON.stringify(columns.map((c) => [c.column, c.transformer, rules.get(c.column)?.params ?? {}]).sort()))
    .digest('hex');
  return {
    tables: out,
    columns,
    remapped: [...remapped.entries()].map(([column, collisions]) => ({ column, collisions })),
    rulesHash,
    durationMs: Math.round(performance.now() - started),
  };
}

interface ColumnPlan {
  index: number;
  t: ColumnTransform;
  /** The masked value of a non-null value. */
  apply: (value: string, row?: RowContext) => string | null;
  usesRow: boolean;
}

interface GroupMap {
  forward: Map<string, string>;
  used: Set<string>;
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

/** The row's primary key as text (composite keys joined), for transforms that work per row; undefined without a key. */
function rowKeyOf(table: DatasetTableManifest, def: TableDef | undefined): ((row: TextRow) => string | undefined) | undefined {
  const indexes = (def?.primaryKey?.columns ?? []).map((k) => table.columns.findIndex((c) => c.name === k));
  if (!indexes.length || indexes.some((i) => i < 0)) return undefined;
  if (indexes.length === 1) {
    const i = indexes[0] as number;
    return (row) => row[i] ?? undefined;
  }
  return (row) => JSON.stringify(indexes.map((i) => row[i] ?? null));
}

async function* columnValues(store: DatasetStore, id: string, table: DatasetTableManifest, index: number): AsyncIterable<string | null> {
  for await (const batch of store.readTable(id, table)) for (const row of batch) yield row[index] ?? null;
}

/** Referenced tables before referencing ones, so a key's mapping exists before its references need it. */
function orderParentsFirst(tables: DatasetTableManifest[], byKey: Map<string, TableDef>): DatasetTableManifest[] {
  const names = new Set(tables.map((t) => `${t.schema}.${t.name}`));
  const done = new Set<string>();
  const order: DatasetTableManifest[] = [];
  const visit = (t: DatasetTableManifest, path: Set<string>) => {
    const k = `${t.schema}.${t.name}`;
    if (done.has(k) || path.has(k)) return;
    path.add(k);
    for (const fk of byKey.get(k)?.foreignKeys ?? []) {
      const pk = `${fk.referencedSchema}.${fk.referencedTable}`;
      const p = tables.find((x) => `${x.schema}.${x.name}` === pk);
      if (p && names.has(pk)) visit(p, path);
    }
    done.add(k);
    order.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return order;
}
