/**
 * Schema mode's plan: which tables are generated (declarative partitions through their parent,
 * with the FKs declared only on partitions counted as the parent's), in FK load order, how many rows
 * each gets (caps where a key space is smaller than the request), and per column its role: a key
 * built unique, a foreign key, a plain value, or a value derived from another column by a CHECK.
 */
import type { Catalog, ColumnDef, ForeignKeyDef, TableDef } from '../../catalog/types.ts';
import { fkLoadOrder } from '../../provision/load-order.ts';
import { createValueGenerator, semanticKindFor } from '../semantic.ts';
import { type RowCounts, rowCountFor } from '../types.ts';
import { type CheckConstraint, parseCheck } from './checks.ts';
import { type ColumnConstraints, constraintsFor } from './column-constraints.ts';
import { columnType, type ResolvedType } from './column-type.ts';
import { castTypeFor, type CheckToEvaluate } from './evaluate.ts';
import { type KeyGenerator, keyGenerator, seedHashOf } from './keys.ts';
import { regexGenerator } from './regex.ts';

export interface PlannedColumn {
  def: ColumnDef;
  index: number;
  type: ResolvedType;
  constraints: ColumnConstraints;
  piiType: string | null;
  /** Unique by construction (identity/serial, single-column key). */
  key: KeyGenerator | null;
  /** Never NULL: NOT NULL, a key or unique member, a CHECK's IS NOT NULL, a NOT NULL domain. */
  required: boolean;
}

export interface PlannedForeignKey {
  def: ForeignKeyDef;
  columns: number[];
  parent: TablePlan | null;
  self: boolean;
  nullable: boolean;
  /** The FK's columns are unique on their own here: each parent row is used at most once. */
  injective: boolean;
}

export interface TablePlan {
  def: TableDef;
  qualified: string;
  columns: PlannedColumn[];
  requested: number;
  count: number;
  capReason: string | null;
  fks: PlannedForeignKey[];
  /** FKs whose columns together form a UNIQUE/PK: rows enumerate distinct parent tuples. */
  junction: PlannedForeignKey[] | null;
  /** Unique column sets not guaranteed by construction (a set of seen tuples guards them). */
  guardedUniques: { name: string; columns: number[]; nullsNotDistinct: boolean }[];
  /** OR constraints (and partition bounds): one branch chosen per row. */
  ors: { columns: number[]; branches: CheckConstraint[][] }[];
  /** `left op right` between two plain columns: left derived from right. */
  derived: { left: number; right: number; op: '<' | '<=' | '>' | '>=' | '=' }[];
  /** Checks PostgreSQL must confirm (not understood, or not honoured by construction). */
  evaluate: CheckToEvaluate[];
  castTypes: { name: string; castType: string }[];
}

const DEFAULT_ROWS = 100;
const INTEGER = new Set(['int2', 'int4', 'int8']);

export interface PlanOptions {
  seed: string | number;
  rowCounts?: RowCounts;
  piiTypes?: Record<string, string>;
  tables?: string[];
}

export async function planSchema(catalog: Catalog, options: PlanOptions): Promise<TablePlan[]> {
  const byKey = new Map(catalog.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const isPartition = (t: TableDef) => t.partitionKind === 'DECLARATIVE' && t.partitionOf !== null && byKey.has(t.partitionOf);
  const wanted = options.tables?.length ? new Set(options.tables) : null;
  const selected = catalog.tables.filter(
    (t) => t.kind !== 'FOREIGN_TABLE' && !isPartition(t) && (!wanted || wanted.has(`${t.schema}.${t.name}`) || wanted.has(t.name)),
  );
  // A partitioned table carries the FKs its partitions declare (pagila's payment partitions).
  const defs = selected.map((t) => {
    if (t.kind !== 'PARTITIONED_TABLE') return t;
    const fks = [...t.foreignKeys];
    const seen = new Set(fks.map((f) => fkSignature(f)));
    for (const p of leafPartitions(catalog, t)) {
      for (const f of p.foreignKeys) {
        if (seen.has(fkSignature(f))) continue;
        seen.add(fkSignature(f));
        fks.push(f);
      }
    }
    return { ...t, foreignKeys: fks };
  });
  const ordered = fkLoadOrder(defs);
  const plans = new Map<string, TablePlan>();
  for (const def of ordered) plans.set(`${def.schema}.${def.name}`, await planTable(catalog, def, options));
  for (const plan of plans.values()) {
    for (const fk of plan.fks) {
      const parent = plans.get(`${fk.def.referencedSchema}.${fk.def.referencedTable}`) ?? null;
      fk.parent = parent;
      fk.self = parent === plan;
    }
    const uniqueSets = uniqueColumnSets(plan.def).map((u) => new Set(u.columns));
    for (const fk of plan.fks) fk.injective = uniqueSets.some((u) => u.size === fk.def.columns.length && fk.def.columns.every((c) => u.has(c)));
    // Distinct parents give distinct tuples: no set needed for a UNIQUE an injective FK covers.
    const injective = plan.fks.filter((fk) => fk.injective && fk.parent && !fk.self);
    plan.guardedUniques = plan.guardedUniques.filter((u) => !injective.some((fk) => fk.columns.every((c) => u.columns.includes(c))));
    planJunction(plan);
  }
  // Caps through parents: in load order, so parents are final first (a cycle uses the parent's own cap).
  for (const plan of plans.values()) {
    const cap = (n: number, reason: string) => {
      if (n < plan.count) {
        plan.count = Math.max(0, n);
        plan.capReason = reason;
      }
    };
    for (const fk of plan.fks) {
      if (!fk.parent) continue;
      if (fk.injective && !fk.self) cap(fk.parent.count, `${fk.def.name}: each ${fk.parent.qualified} row can be referenced once`);
      if (!fk.nullable && fk.parent.count === 0 && !fk.self) cap(0, `${fk.def.name}: ${fk.parent.qualified} has no rows`);
    }
    if (plan.junction) {
      const product = plan.junction.reduce((n, fk) => n * (fk.parent?.count ?? 0), 1);
      cap(product, `only ${product} distinct (${plan.junction.map((f) => f.def.columns.join(', ')).join(' × ')}) combinations exist`);
    }
  }
  return [...plans.values()];
}

function fkSignature(f: ForeignKeyDef): string {
  return `${f.columns.join(',')}>${f.referencedSchema}.${f.referencedTable}(${f.referencedColumns.join(',')})`;
}

function leafPartitions(catalog: Catalog, t: TableDef): TableDef[] {
  const key = `${t.schema}.${t.name}`;
  const children = catalog.tables.filter((c) => c.partitionKind === 'DECLARATIVE' && c.partitionOf === key);
  return children.flatMap((c) => (c.kind === 'PARTITIONED_TABLE' ? leafPartitions(catalog, c) : [c]));
}

/** PK, UNIQUE constraints and plain-column unique indexes. */
export function uniqueColumnSets(t: TableDef): { name: string; columns: string[]; nullsNotDistinct: boolean }[] {
  const names = new Set(t.columns.map((c) => c.name));
  const out: { name: string; columns: string[]; nullsNotDistinct: boolean }[] = [];
  if (t.primaryKey) out.push({ name: t.primaryKey.name, columns: t.primaryKey.columns, nullsNotDistinct: false });
  for (const u of t.uniques) out.push({ name: u.name, columns: u.columns, nullsNotDistinct: u.nullsNotDistinct });
  for (const ix of t.indexes) {
    if (!ix.unique || ix.primary || ix.constraint || !ix.columns.every((c) => names.has(c))) continue;
    out.push({ name: ix.name, columns: ix.columns, nullsNotDistinct: /NULLS NOT DISTINCT/i.test(ix.definition) });
  }
  return out;
}

/** The bounds of a declaratively partitioned table's partitions, as one OR over its key column. */
function partitionBranches(catalog: Catalog, t: TableDef): { column: string; branches: CheckConstraint[][] } | null {
  const m = /^(RANGE|LIST)\s*\(\s*"?([^",()\s]+)"?\s*\)$/i.exec(t.partitionKey ?? '');
  if (!m) return null;
  const column = m[2] as string;
  const branches: CheckConstraint[][] = [];
  const literals = (s: string) =>
    [...s.matchAll(/'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)/g)].map((x) => (x[1] !== undefined ? x[1].replace(/''/g, "'") : (x[2] as string)));
  for (const p of leafPartitions(catalog, t)) {
    const bound = p.partitionBound ?? '';
    const range = /FROM\s*\((.*?)\)\s*TO\s*\((.*?)\)/i.exec(bound);
    if (range) {
      const [lo] = literals(range[1] as string);
      const [hi] = literals(range[2] as string);
      if (lo === undefined || hi === undefined) continue;
      branches.push([{ kind: 'range', column, min: { value: lo, inclusive: true }, max: { value: hi, inclusive: false } }]);
      continue;
    }
    const list = /IN\s*\((.*)\)/i.exec(bound);
    if (list) branches.push([{ kind: 'in', column, values: literals(list[1] as string) }]);
  }
  return branches.length ? { column, branches } : null;
}

const SEMANTIC_UNIQUE = new Set(['email', 'username']);

/** What planning a table's columns and CHECKs reads. */
interface TableScope {
  catalog: Catalog;
  def: TableDef;
  options: PlanOptions;
  qualified: string;
  /** The columns rows carry values for (generated columns are computed by PostgreSQL). */
  live: ColumnDef[];
  indexOf: Map<string, number>;
  types: ResolvedType[];
  fkColumns: Set<string>;
}

/** A CHECK as parsed: its constraints, whether they say all of it, and the CHECK to evaluate otherwise. */
interface ParsedCheck {
  constraints: CheckConstraint[];
  exact: boolean;
  source: CheckToEvaluate;
}

/** A table's plan: its columns and their roles, FKs, row count (and cap), guarded uniques and the CHECKs left to PostgreSQL. */
async function planTable(catalog: Catalog, def: TableDef, options: PlanOptions): Promise<TablePlan> {
  const qualified = `${def.schema}.${def.name}`;
  const live = def.columns.filter((c) => c.generated === null);
  const indexOf = new Map(live.map((c, i) => [c.name, i]));
  const types = live.map((c) => columnType(catalog, c));
  const fkColumns = new Set(def.foreignKeys.flatMap((f) => f.columns));
  const scope: TableScope = { catalog, def, options, qualified, live, indexOf, types, fkColumns };
  const parsed = await parseChecks(scope);
  const uniques = uniqueColumnSets(def);
  const columns = planColumns(
    scope,
    parsed.flatMap((p) => p.constraints),
    uniques,
  );
  const { ors, derived, evaluate } = honouredChecks(scope, columns, parsed);

  const fks: PlannedForeignKey[] = def.foreignKeys
    .filter((f) => f.columns.every((c) => indexOf.has(c)))
    .map((f) => ({
      def: f,
      columns: f.columns.map((c) => indexOf.get(c) as number),
      parent: null,
      self: false,
      nullable: f.columns.some((c) => !(columns[indexOf.get(c) as number] as PlannedColumn).required),
      injective: false,
    }));

  const requested = Math.max(0, Math.floor(rowCountFor(options.rowCounts, def.schema, def.name, DEFAULT_ROWS)));
  let count = def.kind === 'PARTITIONED_TABLE' && !ors.length && !leafPartitions(catalog, def).length ? 0 : requested;
  let capReason: string | null = null;
  for (const c of columns) {
    if (c.key && c.key.capacity < count) {
      count = c.key.capacity;
      capReason = `${c.def.name}: only ${c.key.capacity} distinct values fit its type and CHECKs`;
    }
  }
  const guardedUniques = uniques
    .map((u) => ({ name: u.name, columns: u.columns.map((c) => indexOf.get(c) ?? -1), nullsNotDistinct: u.nullsNotDistinct }))
    .filter((u) => u.columns.every((i) => i >= 0) && !u.columns.some((i) => columns[i]?.key));
  return {
    def,
    qualified,
    columns,
    requested,
    count,
    capReason,
    fks,
    junction: null,
    guardedUniques,
    ors,
    derived,
    evaluate,
    castTypes: live.map((c) => ({ name: c.name, castType: castTypeFor(catalog, c) })),
  };
}

/** Table CHECKs, then each column's domain CHECKs (VALUE read as the column). */
async function parseChecks({ def, live, types }: TableScope): Promise<ParsedCheck[]> {
  const parsed: ParsedCheck[] = [];
  for (const ch of def.checks) {
    const p = await parseCheck(ch.expression);
    parsed.push({ ...p, source: { name: ch.name, expression: ch.expression } });
  }
  for (const [i, c] of live.entries()) {
    for (const dc of (types[i] as ResolvedType).domainChecks) {
      const p = await parseCheck(dc.expression, { valueColumn: c.name });
      parsed.push({ ...p, source: { name: dc.name, expression: dc.expression, valueColumn: c.name } });
    }
  }
  return parsed;
}

/**
 * Each column's type, constraints (from `all` the parsed constraints) and PII type, its key generator
 * (identity or serial, or a single-column unique that no FK fills) and whether it is ever NULL.
 */
function planColumns(
  { catalog, def, options, qualified, live, types, fkColumns }: TableScope,
  all: CheckConstraint[],
  uniques: ReturnType<typeof uniqueColumnSets>,
): PlannedColumn[] {
  const uniqueMembers = new Set(uniques.flatMap((u) => u.columns));
  const referenced = new Set(
    catalog.tables.flatMap((t) =>
      t.foreignKeys.filter((f) => f.referencedSchema === def.schema && f.referencedTable === def.name).flatMap((f) => f.referencedColumns),
    ),
  );
  const piiOf = (c: ColumnDef) => options.piiTypes?.[`${qualified}.${c.name}`] ?? null;

  return live.map((c, i) => {
    const type = types[i] as ResolvedType;
    const constraints = constraintsFor(c.name, all);
    const singleUnique = uniques.some((u) => u.columns.length === 1 && u.columns[0] === c.name);
    const serial = (c.identity !== null || c.sequence !== null) && INTEGER.has(type.base);
    let key: KeyGenerator | null = null;
    if ((serial || singleUnique) && !fkColumns.has(c.name)) {
      const kind = semanticKindFor({ name: c.name, table: def.name, pgType: type.pgType, piiType: piiOf(c) });
      if (!serial && kind && SEMANTIC_UNIQUE.has(kind) && !referenced.has(c.name) && (type.maxLength ?? 64) >= 24 && !constraints.regex) {
        const gen = createValueGenerator(kind, { seed: options.seed, path: [qualified, c.name], unique: true, maxLength: type.maxLength });
        key = { capacity: Number.MAX_SAFE_INTEGER, value: (row) => gen.next(row), pure: false };
      } else {
        const k = keyGenerator(type, constraints, seedHashOf(options.seed, qualified, c.name));
        key = k ? { ...k, pure: true } : null;
      }
    }
    const required = !c.nullable || uniqueMembers.has(c.name) || constraints.notNull === true || type.domainNotNull || key !== null;
    return { def: c, index: i, type, constraints, piiType: piiOf(c), key, required };
  });
}

/**
 * Which parsed constraints the generator honours by construction: ORs of CHECKs and a partitioned
 * table's partition bounds become `ors`, comparisons of two columns `derived`; the CHECKs it cannot
 * honour are left to PostgreSQL (`evaluate`).
 */
function honouredChecks(
  { catalog, def, live, indexOf, fkColumns }: TableScope,
  columns: PlannedColumn[],
  parsed: ParsedCheck[],
): Pick<TablePlan, 'ors' | 'derived' | 'evaluate'> {
  const evaluate: CheckToEvaluate[] = [];
  const ors: TablePlan['ors'] = [];
  const derived: TablePlan['derived'] = [];
  const special = (i: number) => columns[i]?.key !== null || fkColumns.has(live[i]?.name ?? '');
  const orOwned = new Set<number>();
  const derivedOwned = new Set<number>();
  const honoured = (c: CheckConstraint): boolean => {
    if (c.kind === 'or') {
      const cols = [...new Set(c.branches.flat().flatMap((b) => (b.kind === 'compare' || b.kind === 'or' ? [-1] : [indexOf.get(b.column) ?? -1])))];
      if (cols.some((i) => i < 0 || special(i) || orOwned.has(i) || derivedOwned.has(i))) return false;
      for (const i of cols) orOwned.add(i);
      ors.push({ columns: cols, branches: c.branches });
      return true;
    }
    if (c.kind === 'compare') {
      const l = indexOf.get(c.left);
      const r = indexOf.get(c.right);
      if (l === undefined || r === undefined || c.op === '<>' || special(l) || special(r) || derivedOwned.has(l) || orOwned.has(l)) return false;
      const lc = columns[l] as PlannedColumn;
      const rc = columns[r] as PlannedColumn;
      if (lc.type.base !== rc.type.base || lc.constraints.min || lc.constraints.max || lc.constraints.values) return false;
      if (!['date', 'timestamp', 'timestamptz', 'int2', 'int4', 'int8', 'numeric', 'float', 'money'].includes(lc.type.base)) return false;
      derivedOwned.add(l);
      derived.push({ left: l, right: r, op: c.op });
      return true;
    }
    const i = indexOf.get(c.column);
    if (i === undefined) return false;
    const col = columns[i] as PlannedColumn;
    if (c.kind === 'notNull') return true;
    if (c.kind === 'isNull') return false;
    if (fkColumns.has(col.def.name)) return false;
    if (col.key) return c.kind === 'range' || c.kind === 'length';
    if (c.kind === 'regex') return col.constraints.values !== undefined || regexOk(c.pattern, c.caseInsensitive);
    return true;
  };
  for (const p of parsed) {
    let ok = p.exact;
    for (const c of p.constraints) ok = honoured(c) && ok;
    if (!ok) evaluate.push(p.source);
  }
  if (def.kind === 'PARTITIONED_TABLE') {
    const part = partitionBranches(catalog, def);
    const i = part ? indexOf.get(part.column) : undefined;
    if (part && i !== undefined && !orOwned.has(i) && !special(i)) {
      orOwned.add(i);
      ors.push({ columns: [i], branches: part.branches });
    }
  }
  return { ors, derived, evaluate };
}

const regexOk = (pattern: string, ci: boolean) => regexGenerator(pattern, ci) !== null;

/** A UNIQUE made only of FK columns becomes a junction: rows enumerate distinct parent tuples. */
function planJunction(plan: TablePlan): void {
  for (const u of plan.guardedUniques) {
    const cover = plan.fks.filter((fk) => fk.columns.every((c) => u.columns.includes(c)) && fk.parent && !fk.self);
    const covered = new Set(cover.flatMap((fk) => fk.columns));
    if (cover.length < 2 || covered.size !== u.columns.length) continue;
    plan.junction = cover;
    plan.guardedUniques = plan.guardedUniques.filter((g) => g !== u && !g.columns.every((c) => covered.has(c)));
    return;
  }
}
