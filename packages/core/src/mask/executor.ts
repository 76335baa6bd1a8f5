/**
 * The mask step's engine: reads a dataset version table by table and writes a new one with the rules'
 * transformers applied. Keys stay joinable: a rule on a column applies identically to every column
 * linked to it by foreign keys, and unique columns stay unique (a collision is remapped, the same way
 * in every linked column; a key group whose transforms cannot collide, such as a 128-bit hash or
 * tokenize, is not tracked value by value).
 *
 * Work is done a batch at a time, column by column, and a column's repeated values reuse their
 * output (a bounded map that steps aside when values hardly repeat): the keyed hash behind most
 * transformers is the cost that matters, and real columns repeat a lot. Columns without a rule are
 * not decoded at all: their column chunks are copied into the new file (`write-table.ts`), and a big
 * table's row groups are masked on worker threads too (`mask-pool.ts`).
 */
import { createHash } from 'node:crypto';
import type { Catalog, TableDef } from '../catalog/types.ts';
import type { DatasetManifest, DatasetStore, DatasetTableManifest, DatasetWriter } from '../dataset/types.ts';
import { InvalidInputError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { MASK_WORKER_MIN_ROWS, maskWorkersEnabled, warmMaskWorkers } from './mask-pool.ts';
import { buildTransforms, type ColKey, colKey, type PlanContext, planTable, type ResolvedRule, rowKeyColumns } from './plans.ts';
import { getTransformer } from './registry.ts';
import './transformers/index.ts';
import { writeMaskedTable } from './write-table.ts';

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

/** Resolves rule keys to catalog columns and spreads every rule along foreign keys (both ways). */
export function resolveMaskRules(catalog: Catalog, rules: MaskRules): Map<ColKey, ResolvedRule> {
  const tables = catalog.tables;
  const resolved = new Map<ColKey, ResolvedRule>();
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
  // Workers for the big tables start now, while the transforms are built and the first table is opened.
  const big = manifest.tables.some((t) => t.rowCount >= MASK_WORKER_MIN_ROWS && t.columns.some((c) => rules.has(colKey(t.schema, t.name, c.name))));
  if (big && maskWorkersEnabled()) void warmMaskWorkers();
  const byKey = new Map(catalog.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const ctx: PlanContext = {
    store,
    datasetVersionId: manifest.datasetVersionId,
    rules,
    salt: options.salt,
    piiTypes: options.piiTypes,
    built: new Map(),
    indistinctGroups: new Set(),
    groupMaps: new Map(),
    remapped: new Map(),
  };
  await buildTransforms(ctx, manifest.tables);
  const out: MaskResult['tables'] = [];
  for (const table of orderParentsFirst(manifest.tables, byKey)) {
    options.signal?.throwIfAborted();
    const def = byKey.get(`${table.schema}.${table.name}`);
    const plans = await planTable(ctx, table, def);
    const written = await writeMaskedTable({
      store,
      datasetVersionId: manifest.datasetVersionId,
      writer,
      table,
      plans,
      keyColumns: rowKeyColumns(table, def),
      signal: options.signal,
    });
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
    remapped: [...ctx.remapped.entries()].map(([column, collisions]) => ({ column, collisions })),
    rulesHash,
    durationMs: Math.round(performance.now() - started),
  };
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
