/**
 * DDL for the schema objects beside the tables: types, routines and views before the load (in
 * dependency order, see `orderByDependencies`), and after it — like pg_dump, so loading neither
 * fires a trigger nor is filtered by a policy — materialized views refreshed and indexed, triggers
 * with their enabled state, rules, row-level security, policies and comments.
 */
import type { CompositeTypeDef, DomainDef, EnumDef, PolicyDef, RangeTypeDef, SequenceDef, TableDef, TriggerDef, ViewDef } from '../catalog/types.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/quote.ts';
import type { DatasetObjects } from './objects.ts';
import { designation } from './schema-objects.ts';

const q = (o: { schema: string; name: string }) => quoteQualified(o.schema, o.name);

export const createEnum = (e: EnumDef) => `CREATE TYPE ${q(e)} AS ENUM (${e.labels.map(quoteLiteral).join(', ')})`;

export function createDomain(d: DomainDef): string {
  const parts = [`CREATE DOMAIN ${q(d)} AS ${d.baseType}`];
  if (d.default !== null) parts.push(`DEFAULT ${d.default}`);
  if (!d.nullable) parts.push('NOT NULL');
  for (const c of d.checks) parts.push(`CONSTRAINT ${quoteIdent(c.name)} CHECK (${c.expression})`);
  return parts.join(' ');
}

export const createComposite = (t: CompositeTypeDef) => `CREATE TYPE ${q(t)} AS (${t.attributes.map((a) => `${quoteIdent(a.name)} ${a.dataType}`).join(', ')})`;

export function createRange(r: RangeTypeDef): string {
  const options = [`SUBTYPE = ${r.subtype}`];
  if (r.subtypeOpclass) options.push(`SUBTYPE_OPCLASS = ${r.subtypeOpclass}`);
  if (r.collation) options.push(`COLLATION = ${r.collation}`);
  if (r.canonical) options.push(`CANONICAL = ${r.canonical}`);
  if (r.subtypeDiff) options.push(`SUBTYPE_DIFF = ${r.subtypeDiff}`);
  if (r.multirangeName) options.push(`MULTIRANGE_TYPE_NAME = ${r.multirangeName}`);
  return `CREATE TYPE ${q(r)} AS RANGE (${options.join(', ')})`;
}

export function createView(v: ViewDef): string {
  const options = v.options.length ? ` WITH (${v.options.join(', ')})` : '';
  // A materialized view is filled after the load (REFRESH), once its tables hold their rows.
  return v.materialized ? `CREATE MATERIALIZED VIEW ${q(v)}${options} AS ${v.query} WITH NO DATA` : `CREATE VIEW ${q(v)}${options} AS ${v.query}`;
}

export function sequenceOptions(s: SequenceDef, withType: boolean): string {
  return [
    withType ? `AS ${s.dataType}` : null,
    `INCREMENT BY ${s.increment}`,
    `MINVALUE ${s.min}`,
    `MAXVALUE ${s.max}`,
    `START WITH ${s.start}`,
    s.cycle ? 'CYCLE' : 'NO CYCLE',
  ]
    .filter((x) => x !== null)
    .join(' ');
}

export function triggerSql(t: TriggerDef): string[] {
  const on = quoteQualified(t.schema, t.table);
  const state = { O: null, D: 'DISABLE TRIGGER', R: 'ENABLE REPLICA TRIGGER', A: 'ENABLE ALWAYS TRIGGER' }[t.enabled];
  return [t.definition, ...(state ? [`ALTER TABLE ${on} ${state} ${quoteIdent(t.name)}`] : [])];
}

export function policySql(p: PolicyDef): string {
  const roles = p.roles.map((r) => (r === 'PUBLIC' ? 'PUBLIC' : quoteIdent(r))).join(', ') || 'PUBLIC';
  return [
    `CREATE POLICY ${quoteIdent(p.name)} ON ${quoteQualified(p.schema, p.table)} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${p.command} TO ${roles}`,
    p.using !== null ? ` USING (${p.using})` : '',
    p.withCheck !== null ? ` WITH CHECK (${p.withCheck})` : '',
  ].join('');
}

export function rowSecuritySql(t: TableDef): string[] {
  const out: string[] = [];
  if (t.rowSecurity) out.push(`ALTER TABLE ${q(t)} ENABLE ROW LEVEL SECURITY`);
  if (t.forceRowSecurity) out.push(`ALTER TABLE ${q(t)} FORCE ROW LEVEL SECURITY`);
  return out;
}

/** One object created before the load: its designation and the statements that create it. */
export interface PreNode {
  key: string;
  statements: string[];
  /** What dropping it takes (resetEnv); null for tables, which are dropped together with CASCADE. */
  drop: string | null;
}

/**
 * Orders `nodes` so every object comes after what it needs (`dependsOn`, from pg_depend); objects
 * with no order between them keep the given order. A cycle (possible only through routine bodies,
 * which PostgreSQL does not check at creation here) is broken where it is met.
 */
export function orderByDependencies(nodes: PreNode[], dependsOn: Map<string, string[]>): PreNode[] {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const out: PreNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: PreNode) => {
    if (state.has(n.key)) return;
    state.set(n.key, 'visiting');
    for (const dep of dependsOn.get(n.key) ?? []) {
      const d = byKey.get(dep);
      if (d) visit(d);
    }
    state.set(n.key, 'done');
    out.push(n);
  };
  for (const n of nodes) visit(n);
  return out;
}

/** The statements after the load and the foreign keys: materialized views, triggers, rules, RLS, policies, comments. */
export function afterLoad(objects: DatasetObjects, viewOrder: ViewDef[]): string[] {
  const { extras } = objects;
  const out: string[] = [];
  for (const v of viewOrder) {
    if (!v.materialized) continue;
    if (v.populated) out.push(`REFRESH MATERIALIZED VIEW ${q(v)}`);
    out.push(...v.indexes.map((i) => i.definition));
  }
  for (const t of extras.triggers) out.push(...triggerSql(t));
  for (const r of extras.rules) out.push(r.definition);
  for (const t of objects.tables) out.push(...rowSecuritySql(t));
  for (const p of extras.policies) out.push(policySql(p));
  for (const c of extras.comments) out.push(`COMMENT ON ${c.object} IS ${quoteLiteral(c.text)}`);
  return out;
}

/** Nodes for the types, routines and views of the dataset (tables and sequences are added by the plan). */
export function extraNodes(objects: DatasetObjects): { types: PreNode[]; routines: PreNode[]; views: PreNode[] } {
  const { extras } = objects;
  return {
    types: [
      ...objects.enums.map((e) => ({ key: designation.enum(e), statements: [createEnum(e)], drop: `DROP TYPE IF EXISTS ${q(e)}` })),
      ...extras.ranges.map((r) => ({ key: designation.type(r), statements: [createRange(r)], drop: `DROP TYPE IF EXISTS ${q(r)}` })),
      ...objects.domains.map((d) => ({ key: designation.domain(d), statements: [createDomain(d)], drop: `DROP DOMAIN IF EXISTS ${q(d)}` })),
      ...extras.compositeTypes.map((t) => ({ key: designation.type(t), statements: [createComposite(t)], drop: `DROP TYPE IF EXISTS ${q(t)}` })),
    ],
    routines: extras.routines.map((r) => ({
      key: designation.routine(r),
      statements: [r.definition],
      drop: `DROP ${r.kind} IF EXISTS ${q(r)}(${r.identityArguments})`,
    })),
    views: extras.views.map((v) => ({
      key: designation.view(v),
      statements: [createView(v)],
      drop: `DROP ${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} IF EXISTS ${q(v)} CASCADE`,
    })),
  };
}
