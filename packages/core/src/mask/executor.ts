/**
 * The mask step's engine: reads a dataset version table by table and writes a new one with the rules'
 * transformers applied. Keys stay joinable: a rule on a column applies identically to every column
 * linked to it by foreign keys, and unique columns stay unique (a collision is remapped, the same way
 * in every linked column).
 */
import { createHash } from 'node:crypto';
import type { Catalog, TableDef } from '../catalog/types.ts';
import type { DatasetManifest, DatasetStore, DatasetTableManifest, DatasetWriter, TextRow } from '../dataset/types.ts';
import { InvalidInputError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { createTransform, getTransformer } from './registry.ts';
import './transformers/index.ts';
import type { ColumnTransform } from './types.ts';

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
  // Key groups share one value map so a remapped collision is the same in every linked column.
  const groupMaps = new Map<string, { forward: Map<string, string>; used: Set<string> }>();
  const groupOf = (k: ColKey) => {
    const r = rules.get(k);
    return r ? (r.propagatedFrom ?? k) : k;
  };
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
    const transforms: (null | { t: ColumnTransform; key: ColKey; mapped: boolean })[] = [];
    for (const c of table.columns) {
      const k = colKey(table.schema, table.name, c.name);
      const rule = rules.get(k);
      if (!rule) {
        transforms.push(null);
        continue;
      }
      const ctx = { salt: options.salt, column: { schema: table.schema, table: table.name, name: c.name, pgType: c.pgType }, piiType: options.piiTypes?.[k] };
      const tdef = getTransformer(rule.transformer);
      const values = tdef?.needsColumn ? columnValues(store, manifest.datasetVersionId, table, table.columns.indexOf(c)) : undefined;
      const t = await createTransform(rule.transformer, rule.params ?? {}, ctx, values);
      // Unique and key columns keep distinct values distinct: outputs go through a shared map.
      const mapped = uniqueCols.has(c.name) || fkCols.has(c.name) || rule.propagatedFrom !== null || [...rules.values()].some((r) => r.propagatedFrom === k);
      transforms.push({ t, key: k, mapped });
    }
    async function* masked(): AsyncIterable<TextRow[]> {
      for await (const batch of store.readTable(manifest.datasetVersionId, table)) {
        options.signal?.throwIfAborted();
        yield batch.map((row) =>
          row.map((v, i) => {
            const tr = transforms[i];
            if (!tr || v === null) return tr ? tr.t.apply(v) : v;
            if (!tr.mapped) return tr.t.apply(v);
            const group = groupOf(tr.key);
            let g = groupMaps.get(group);
            if (!g) {
              g = { forward: new Map(), used: new Set() };
              groupMaps.set(group, g);
            }
            const known = g.forward.get(v);
            if (known !== undefined) return known;
            let candidate = tr.t.apply(v) ?? v;
            for (let n = 1; g.used.has(candidate); n++) {
              // A collision between two different inputs: derive another output deterministically.
              candidate = tr.t.apply(`${v}\u0000${n}`) ?? `${candidate}${n}`;
              remapped.set(group, (remapped.get(group) ?? 0) + 1);
            }
            g.forward.set(v, candidate);
            g.used.add(candidate);
            return candidate;
          }),
        );
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
