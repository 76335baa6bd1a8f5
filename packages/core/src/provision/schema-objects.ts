/**
 * The schema objects a dataset brings beside its tables, chosen from the catalog by dependency
 * (pg_depend, recorded in `Catalog.dependencies`):
 * - a dataset holding every table of its catalog gets the whole schema, as `pg_dump --schema-only`
 *   of its schemas would recreate it: every type, routine, sequence, view, trigger, rule and policy;
 * - a dataset of some tables gets what those tables need (their types and the routines their
 *   defaults and checks call) and the views, triggers, rules and policies whose every table is
 *   provisioned.
 * Objects are named by their designation, as COMMENT ON writes it (`TABLE "public"."film"`), the
 * same text the catalog's dependencies use.
 */
import type {
  Catalog,
  CommentDef,
  CompositeTypeDef,
  DomainDef,
  EnumDef,
  PolicyDef,
  RangeTypeDef,
  RoutineDef,
  RuleDef,
  TableDef,
  TriggerDef,
  ViewDef,
} from '../catalog/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';

export interface SchemaExtras {
  /** The dataset holds every table of its catalog: the whole schema is recreated. */
  full: boolean;
  compositeTypes: CompositeTypeDef[];
  ranges: RangeTypeDef[];
  routines: RoutineDef[];
  /** Views and materialized views, in the catalog's order (creation order comes from the plan). */
  views: ViewDef[];
  triggers: TriggerDef[];
  rules: RuleDef[];
  policies: PolicyDef[];
  comments: CommentDef[];
  /** Designation → designations it needs, for ordering the objects created before the load. */
  dependsOn: Map<string, string[]>;
}

const q = (o: { schema: string; name: string }) => quoteQualified(o.schema, o.name);

export const designation = {
  table: (t: { schema: string; name: string }) => `TABLE ${q(t)}`,
  enum: (e: EnumDef) => `TYPE ${q(e)}`,
  domain: (d: DomainDef) => `DOMAIN ${q(d)}`,
  type: (t: { schema: string; name: string }) => `TYPE ${q(t)}`,
  sequence: (s: { schema: string; name: string }) => `SEQUENCE ${q(s)}`,
  routine: (r: RoutineDef) => `${r.kind} ${q(r)}(${r.identityArguments})`,
  view: (v: ViewDef) => `${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${q(v)}`,
  onTable: (kind: 'TRIGGER' | 'RULE' | 'POLICY', o: { schema: string; table: string; name: string }) =>
    `${kind} ${quoteIdent(o.name)} ON ${quoteQualified(o.schema, o.table)}`,
};

/**
 * Picks the extra objects for `tables` (the dataset's tables, already resolved) and widens
 * `included` — the designations of what the tables themselves need (tables, enums, domains) — with
 * everything chosen, so the caller can add the enums and domains it did not know about.
 */
export function selectExtras(catalog: Catalog, tables: TableDef[], included: Set<string>): SchemaExtras {
  const provisionable = catalog.tables.filter((t) => t.kind !== 'FOREIGN_TABLE');
  const tableKeys = new Set(tables.map(designation.table));
  const full = provisionable.every((t) => tableKeys.has(designation.table(t)));
  const dependsOn = new Map((catalog.dependencies ?? []).map((d) => [d.object, d.dependsOn]));
  const compositeTypes = catalog.compositeTypes ?? [];
  const ranges = catalog.ranges ?? [];
  const routines = catalog.routines ?? [];

  // What exists in the catalog and is not a table: needed ones are pulled in with their own needs.
  const standalone = new Set<string>([
    ...catalog.enums.map(designation.enum),
    ...catalog.domains.map(designation.domain),
    ...compositeTypes.map(designation.type),
    ...ranges.map(designation.type),
    ...routines.map(designation.routine),
  ]);
  const pull = (key: string, seen = new Set<string>()) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const dep of dependsOn.get(key) ?? []) {
      if (standalone.has(dep)) {
        included.add(dep);
        pull(dep, seen);
      }
    }
  };
  for (const t of tables) included.add(designation.table(t));
  if (full) for (const key of standalone) included.add(key);
  for (const key of [...included]) pull(key);

  // A view, trigger, rule or policy comes along when every table and view it reads is provisioned.
  const creatable = (key: string) => {
    const deps = dependsOn.get(key) ?? [];
    if (deps.some((d) => /^(TABLE|VIEW|MATERIALIZED VIEW) /.test(d) && !included.has(d))) return false;
    included.add(key);
    pull(key);
    return true;
  };
  // Views on views: repeat until nothing more can be added.
  const views: ViewDef[] = [];
  let pending = [...(catalog.views ?? [])];
  for (let added = true; added; ) {
    added = false;
    pending = pending.filter((v) => {
      if (!creatable(designation.view(v))) return true;
      views.push(v);
      added = true;
      return false;
    });
  }
  const onProvisioned = <T extends { schema: string; table: string; name: string }>(list: T[] | undefined, kind: 'TRIGGER' | 'RULE' | 'POLICY') =>
    (list ?? []).filter((o) => {
      const on = `${quoteQualified(o.schema, o.table)}`;
      const tableOrView = included.has(`TABLE ${on}`) || included.has(`VIEW ${on}`) || included.has(`MATERIALIZED VIEW ${on}`);
      return tableOrView && creatable(designation.onTable(kind, o));
    });
  const triggers = onProvisioned(catalog.triggers, 'TRIGGER');
  const rules = onProvisioned(catalog.rules, 'RULE');
  const policies = onProvisioned(catalog.policies, 'POLICY');

  return {
    full,
    compositeTypes: compositeTypes.filter((t) => included.has(designation.type(t))),
    ranges: ranges.filter((t) => included.has(designation.type(t))),
    routines: routines.filter((r) => included.has(designation.routine(r))),
    views: (catalog.views ?? []).filter((v) => views.includes(v)),
    triggers,
    rules,
    policies,
    comments: (catalog.comments ?? []).filter((c) => full || commentApplies(c.object, included, tables, views)),
    dependsOn,
  };
}

/** Whether a comment's object is created: the object itself, or the relation or domain it sits on. */
function commentApplies(object: string, included: Set<string>, tables: TableDef[], views: ViewDef[]): boolean {
  if (included.has(object)) return true;
  const on = / ON (DOMAIN )?("(?:[^"]|"")*"\."(?:[^"]|"")*")$/.exec(object);
  if (on) {
    const target = on[2] as string;
    return on[1] ? included.has(`DOMAIN ${target}`) : ['TABLE', 'VIEW', 'MATERIALIZED VIEW'].some((k) => included.has(`${k} ${target}`));
  }
  if (object.startsWith('COLUMN ')) return views.some((v) => object.startsWith(`COLUMN ${q(v)}.`));
  if (object.startsWith('INDEX ')) {
    const withIndexes = [...tables.map((t) => ({ schema: t.schema, indexes: t.indexes })), ...views];
    return withIndexes.some((r) => r.indexes.some((i) => object === `INDEX ${quoteQualified(r.schema, i.name)}`));
  }
  return false;
}
