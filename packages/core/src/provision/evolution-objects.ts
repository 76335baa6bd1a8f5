/**
 * Schema evolution of everything beside the tables: schemas, extensions, types, sequences,
 * routines, views (recreated when anything they read changes: a view holds no data), triggers,
 * rules, policies and comments. See evolution.ts for the model.
 */
import type { Catalog, DomainDef, EnumDef, ViewDef } from '../catalog/types.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/quote.ts';
import {
  createComposite,
  createDomain,
  createEnum,
  createRange,
  createView,
  orderByDependencies,
  policySql,
  sequenceOptions,
  triggerSql,
} from './ddl-objects.ts';
import { change, Phase, type PlannedChange } from './evolution-types.ts';
import { type DatasetObjects, tableKey } from './objects.ts';
import { designation } from './schema-objects.ts';

const q = (o: { schema: string; name: string }) => quoteQualified(o.schema, o.name);

interface Scope {
  live: Catalog;
  wanted: DatasetObjects;
  /** Live objects only the target has are dropped (the dataset owns its schemas). */
  full: boolean;
  wantedTables: Set<string>;
}

export function diffObjects(live: Catalog, wanted: DatasetObjects, wantedCatalog: Catalog, tableChanges: PlannedChange[]): PlannedChange[] {
  const scope: Scope = { live, wanted, full: wanted.extras.full, wantedTables: new Set(wanted.tables.map(tableKey)) };
  const out: PlannedChange[] = [];
  const liveSchemas = new Set(live.schemas);
  for (const s of wanted.schemas) {
    if (liveSchemas.has(s)) continue;
    out.push(
      change({
        kind: 'ADD_SCHEMA',
        phase: Phase.Prepare,
        schema: s,
        table: null,
        name: s,
        detail: `schema ${s}`,
        blocksLoad: true,
        sql: [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`],
      }),
    );
  }
  const liveExtensions = new Set((live.extensions ?? []).map((e) => e.name));
  for (const e of wantedCatalog.extensions ?? []) {
    if (liveExtensions.has(e.name)) continue;
    out.push(
      change({
        kind: 'ADD_EXTENSION',
        phase: Phase.Prepare,
        order: 1,
        schema: e.schema,
        table: null,
        name: e.name,
        detail: `extension ${e.name} ${e.version}`,
        blocksLoad: true,
        sql: [
          `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(e.schema)}`,
          `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}`,
        ],
      }),
    );
  }
  const types = diffTypes(scope);
  out.push(...types.changes, ...diffSequences(scope));
  const routines = diffRoutines(scope);
  out.push(...routines.changes);
  // What views read that changes: tables whose columns change, routines and types replaced.
  const touched = new Set<string>([...routines.touched, ...types.touched]);
  for (const c of tableChanges) if (c.phase === Phase.Columns && c.table) touched.add(designation.table({ schema: c.schema, name: c.table }));
  const views = diffViews(scope, touched);
  out.push(...views.changes, ...diffOnTables(scope, views.recreated), ...diffComments(scope, views.recreated));
  return out;
}

function typeStatements(catalog: { enums: EnumDef[]; domains: DomainDef[]; compositeTypes?: Catalog['compositeTypes']; ranges?: Catalog['ranges'] }) {
  const m = new Map<string, { sql: string; what: string; schema: string; name: string }>();
  for (const e of catalog.enums) m.set(designation.enum(e), { sql: createEnum(e), what: 'enum', schema: e.schema, name: e.name });
  for (const d of catalog.domains) m.set(designation.domain(d), { sql: createDomain(d), what: 'domain', schema: d.schema, name: d.name });
  for (const c of catalog.compositeTypes ?? []) m.set(designation.type(c), { sql: createComposite(c), what: 'composite type', schema: c.schema, name: c.name });
  for (const r of catalog.ranges ?? []) m.set(designation.type(r), { sql: createRange(r), what: 'range type', schema: r.schema, name: r.name });
  return m;
}

/** Labels of `wanted` that `live` lacks, each with the label it follows, when live's labels keep their order. */
function addedLabels(live: EnumDef, wanted: EnumDef): { label: string; after: string | null }[] | null {
  let i = 0;
  for (const l of wanted.labels) if (l === live.labels[i]) i++;
  if (i !== live.labels.length) return null; // a label removed or reordered
  return wanted.labels.flatMap((l, k) => (live.labels.includes(l) ? [] : [{ label: l, after: k > 0 ? (wanted.labels[k - 1] as string) : null }]));
}

function diffTypes(scope: Scope): { changes: PlannedChange[]; touched: string[] } {
  const { live, wanted } = scope;
  const liveTypes = typeStatements(live);
  const wantedTypes = typeStatements({
    enums: wanted.enums,
    domains: wanted.domains,
    compositeTypes: wanted.extras.compositeTypes,
    ranges: wanted.extras.ranges,
  });
  const liveEnums = new Map(live.enums.map((e) => [designation.enum(e), e]));
  const out: PlannedChange[] = [];
  const touched: string[] = [];
  [...wantedTypes].forEach(([key, w], order) => {
    const was = liveTypes.get(key);
    const at = { schema: w.schema, table: null, name: w.name, order };
    if (was?.sql === w.sql) return;
    if (!was) {
      // PostgreSQL has no CREATE TYPE IF NOT EXISTS: an existing type is let be, so the script can run twice.
      const sql = `DO $tdm$ BEGIN ${w.sql}; EXCEPTION WHEN duplicate_object THEN NULL; END $tdm$`;
      out.push(change({ ...at, kind: 'ADD_TYPE', phase: Phase.Types, detail: `${w.what} ${key.slice(key.indexOf(' ') + 1)}`, blocksLoad: true, sql: [sql] }));
      return;
    }
    const liveEnum = liveEnums.get(key);
    const wantedEnum = wanted.enums.find((e) => designation.enum(e) === key);
    const added = liveEnum && wantedEnum ? addedLabels(liveEnum, wantedEnum) : null;
    if (added) {
      const sql = added.map(
        (a) => `ALTER TYPE ${q(w)} ADD VALUE IF NOT EXISTS ${quoteLiteral(a.label)}${a.after === null ? '' : ` AFTER ${quoteLiteral(a.after)}`}`,
      );
      out.push(change({ ...at, kind: 'ALTER_TYPE', phase: Phase.Types, detail: `enum gains ${added.map((a) => a.label).join(', ')}`, blocksLoad: true, sql }));
      return;
    }
    // Anything else is a new type under the old name: the old one is renamed, columns move over through text, the old one dropped.
    touched.push(key);
    const old = quoteQualified(w.schema, `${w.name}__replaced`);
    const kindWord = key.startsWith('DOMAIN ') ? 'DOMAIN' : 'TYPE';
    const columns = live.tables.flatMap((t) =>
      t.columns.filter((c) => c.dataType.replace(/\[\]$/, '').replaceAll('"', '') === `${w.schema}.${w.name}`.replaceAll('"', '')).map((c) => ({ t, c })),
    );
    out.push(
      change({
        ...at,
        kind: 'ALTER_TYPE',
        phase: Phase.Types,
        detail: `${w.what} redefined: ${w.sql}${columns.length ? `; columns converted through text: ${columns.map(({ t, c }) => `${tableKey(t)}.${c.name}`).join(', ')}` : ''}`,
        destructive: true,
        blocksLoad: true,
        sql: [
          `ALTER ${kindWord} ${q(w)} RENAME TO ${quoteIdent(`${w.name}__replaced`)}`,
          w.sql,
          ...columns.map(
            ({ t, c }) =>
              `ALTER TABLE ${q(t)} ALTER COLUMN ${quoteIdent(c.name)} TYPE ${q(w)}${c.dataType.endsWith('[]') ? '[]' : ''} USING ${quoteIdent(c.name)}::text::${q(w)}${c.dataType.endsWith('[]') ? '[]' : ''}`,
          ),
          `DROP ${kindWord} ${old}`,
        ],
      }),
    );
  });
  if (scope.full) {
    const schemas = new Set(wanted.schemas);
    for (const [key, was] of liveTypes) {
      if (wantedTypes.has(key) || !schemas.has(was.schema)) continue;
      out.push(
        change({
          kind: 'DROP_TYPE',
          phase: Phase.DropObjects,
          order: 2,
          schema: was.schema,
          table: null,
          name: was.name,
          detail: `${was.what} not in the dataset's schema`,
          destructive: true,
          sql: [`DROP ${key.startsWith('DOMAIN ') ? 'DOMAIN' : 'TYPE'} IF EXISTS ${q(was)}`],
        }),
      );
    }
  }
  return { changes: out, touched };
}

function diffSequences(scope: Scope): PlannedChange[] {
  const { live, wanted } = scope;
  const out: PlannedChange[] = [];
  const liveSeqs = new Map(live.sequences.map((s) => [designation.sequence(s), s]));
  for (const s of wanted.sequences) {
    if (s.identity || liveSeqs.has(designation.sequence(s.def))) continue;
    out.push(
      change({
        kind: 'ADD_SEQUENCE',
        phase: Phase.Types,
        order: -1,
        schema: s.def.schema,
        table: null,
        name: s.def.name,
        detail: `sequence ${q(s.def)}`,
        blocksLoad: true,
        sql: [`CREATE SEQUENCE IF NOT EXISTS ${q(s.def)} ${sequenceOptions(s.def, true)}`],
      }),
    );
  }
  if (scope.full) {
    const wantedSeqs = new Set(wanted.sequences.map((s) => designation.sequence(s.def)));
    const identity = new Set(live.tables.flatMap((t) => t.columns.filter((c) => c.identity !== null && c.sequence).map((c) => c.sequence as string)));
    for (const [key, s] of liveSeqs) {
      if (wantedSeqs.has(key) || identity.has(`${s.schema}.${s.name}`) || !wanted.schemas.includes(s.schema)) continue;
      out.push(
        change({
          kind: 'DROP_SEQUENCE',
          phase: Phase.DropObjects,
          order: 3,
          schema: s.schema,
          table: null,
          name: s.name,
          detail: `sequence not in the dataset's schema (its position ${s.lastValue ?? 'unused'} is lost)`,
          destructive: true,
          sql: [`DROP SEQUENCE IF EXISTS ${q(s)}`],
        }),
      );
    }
  }
  return out;
}

function diffRoutines(scope: Scope): { changes: PlannedChange[]; touched: string[] } {
  const { live, wanted } = scope;
  const liveRoutines = new Map((live.routines ?? []).map((r) => [designation.routine(r), r]));
  const out: PlannedChange[] = [];
  const touched: string[] = [];
  wanted.extras.routines.forEach((r, order) => {
    const key = designation.routine(r);
    const was = liveRoutines.get(key);
    if (was?.definition === r.definition) return;
    if (was) touched.push(key);
    // A routine returning a table's or a view's rows waits for them.
    const readsRelations = (wanted.extras.dependsOn.get(key) ?? []).some((d) => /^(TABLE|VIEW|MATERIALIZED VIEW) /.test(d));
    const replace = r.kind === 'AGGREGATE' ? [`DROP AGGREGATE IF EXISTS ${q(r)}(${r.identityArguments})`] : [];
    out.push(
      change({
        kind: was ? 'ALTER_FUNCTION' : 'ADD_FUNCTION',
        phase: readsRelations ? Phase.AfterViews : Phase.Routines,
        order: readsRelations ? -1 : order,
        schema: r.schema,
        table: null,
        name: `${r.name}(${r.identityArguments})`,
        detail: `${r.kind.toLowerCase()} ${was ? 'redefined' : 'added'}`,
        // A default or CHECK may call it while rows load.
        blocksLoad: !was,
        sql: [...replace, r.definition],
      }),
    );
  });
  if (scope.full) {
    const wantedKeys = new Set(wanted.extras.routines.map(designation.routine));
    for (const [key, r] of liveRoutines) {
      if (wantedKeys.has(key) || !wanted.schemas.includes(r.schema)) continue;
      out.push(
        change({
          kind: 'DROP_FUNCTION',
          phase: Phase.DropObjects,
          order: 1,
          schema: r.schema,
          table: null,
          name: `${r.name}(${r.identityArguments})`,
          detail: `${r.kind.toLowerCase()} not in the dataset's schema`,
          destructive: true,
          sql: [`DROP ${r.kind} IF EXISTS ${q(r)}(${r.identityArguments})`],
        }),
      );
    }
  }
  return { changes: out, touched };
}

const viewText = (v: ViewDef) => `${createView(v)}|${v.indexes.map((i) => i.definition).join('|')}`;

/** Whether `key` reads (through any number of views) an object of `touched`. */
function readsTouched(key: string, dependsOn: Map<string, string[]>, touched: Set<string>, seen = new Set<string>()): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return (dependsOn.get(key) ?? []).some((d) => touched.has(d) || readsTouched(d, dependsOn, touched, seen));
}

function diffViews(scope: Scope, touched: Set<string>): { changes: PlannedChange[]; recreated: Set<string> } {
  const { live, wanted } = scope;
  const liveViews = new Map((live.views ?? []).map((v) => [designation.view(v), v]));
  const wantedViews = new Map(wanted.extras.views.map((v) => [designation.view(v), v]));
  const liveDeps = new Map((live.dependencies ?? []).map((d) => [d.object, d.dependsOn]));
  const changed = new Set<string>();
  for (const [key, v] of wantedViews) {
    const was = liveViews.get(key);
    if (!was || viewText(was) !== viewText(v)) changed.add(key);
  }
  const dropped = scope.full ? [...liveViews.keys()].filter((k) => !wantedViews.has(k) && wanted.schemas.includes((liveViews.get(k) as ViewDef).schema)) : [];
  const hit = new Set([...touched, ...changed, ...dropped]);
  const recreated = new Set<string>();
  for (const key of wantedViews.keys()) {
    if (changed.has(key) || (liveViews.has(key) && (readsTouched(key, liveDeps, hit) || readsTouched(key, wanted.extras.dependsOn, hit)))) recreated.add(key);
  }
  const out: PlannedChange[] = [];
  // Drop what goes or changes (CASCADE: views reading them go too, and are recreated below).
  [...liveViews].reverse().forEach(([key, v], order) => {
    if (!(recreated.has(key) || dropped.includes(key))) return;
    const gone = dropped.includes(key);
    out.push(
      change({
        kind: gone ? 'DROP_VIEW' : 'ALTER_VIEW',
        phase: Phase.DropViews,
        order,
        schema: v.schema,
        table: v.name,
        name: v.name,
        detail: gone ? `${v.materialized ? 'materialized ' : ''}view not in the dataset's schema` : `dropped to be recreated`,
        destructive: gone && v.materialized,
        sql: [`DROP ${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} IF EXISTS ${q(v)} CASCADE`],
      }),
    );
  });
  const nodes = [...wantedViews]
    .filter(([key]) => recreated.has(key) || !liveViews.has(key))
    .map(([key, v]) => ({ key, statements: [createView(v)], drop: null, v }));
  orderByDependencies(nodes, wanted.extras.dependsOn).forEach((n, order) => {
    const v = (n as (typeof nodes)[number]).v;
    const was = liveViews.get(n.key);
    const sql = [...n.statements, ...(v.materialized && v.populated ? [`REFRESH MATERIALIZED VIEW ${q(v)}`] : []), ...v.indexes.map((i) => i.definition)];
    out.push(
      change({
        kind: was ? 'ALTER_VIEW' : 'ADD_VIEW',
        phase: Phase.Views,
        order,
        schema: v.schema,
        table: v.name,
        name: v.name,
        detail: !was
          ? `${v.materialized ? 'materialized ' : ''}view added`
          : changed.has(n.key)
            ? 'definition changed'
            : 'recreated: something it reads changed',
        sql,
      }),
    );
  });
  return { changes: out, recreated };
}

/** Triggers, rules and policies of the dataset's tables and views; those on a recreated view are created again. */
function diffOnTables(scope: Scope, recreated: Set<string>): PlannedChange[] {
  const { live, wanted } = scope;
  const out: PlannedChange[] = [];
  const onRecreated = (o: { schema: string; table: string }) =>
    ['VIEW', 'MATERIALIZED VIEW'].some((k) => recreated.has(`${k} ${quoteQualified(o.schema, o.table)}`));
  const inScope = (o: { schema: string; table: string }) => (scope.full ? wanted.schemas.includes(o.schema) : scope.wantedTables.has(`${o.schema}.${o.table}`));
  const kinds = [
    { kind: 'TRIGGER' as const, live: live.triggers ?? [], wanted: wanted.extras.triggers, sql: triggerSql, drop: 'DROP TRIGGER' },
    { kind: 'RULE' as const, live: live.rules ?? [], wanted: wanted.extras.rules, sql: (r: { definition: string }) => [r.definition], drop: 'DROP RULE' },
    {
      kind: 'POLICY' as const,
      live: live.policies ?? [],
      wanted: wanted.extras.policies,
      sql: (p: Parameters<typeof policySql>[0]) => [policySql(p)],
      drop: 'DROP POLICY',
    },
  ];
  for (const k of kinds) {
    const liveSql = new Map(k.live.map((o) => [designation.onTable(k.kind, o), (k.sql as (x: unknown) => string[])(o).join(';')]));
    for (const o of k.wanted) {
      const key = designation.onTable(k.kind, o);
      const sql = (k.sql as (x: unknown) => string[])(o);
      const was = liveSql.get(key);
      if (was === sql.join(';') && !onRecreated(o)) continue;
      const dropFirst = `${k.drop} IF EXISTS ${quoteIdent(o.name)} ON ${quoteQualified(o.schema, o.table)}`;
      const altered = was !== undefined && !onRecreated(o);
      out.push(
        change({
          kind: k.kind === 'TRIGGER' && altered ? 'ALTER_TRIGGER' : (`ADD_${k.kind}` as const),
          phase: Phase.AfterViews,
          schema: o.schema,
          table: o.table,
          name: o.name,
          detail: `${k.kind.toLowerCase()} ${altered ? 'redefined' : 'added'}`,
          sql: [dropFirst, ...sql],
        }),
      );
    }
    const wantedKeys = new Set(k.wanted.map((o) => designation.onTable(k.kind, o)));
    for (const o of k.live) {
      const key = designation.onTable(k.kind, o);
      if (wantedKeys.has(key) || !inScope(o)) continue;
      out.push(
        change({
          kind: `DROP_${k.kind}` as const,
          phase: Phase.DropDependents,
          schema: o.schema,
          table: o.table,
          name: o.name,
          detail: `${k.kind.toLowerCase()} not in the dataset's schema`,
          sql: [`${k.drop} IF EXISTS ${quoteIdent(o.name)} ON ${quoteQualified(o.schema, o.table)}`],
        }),
      );
    }
  }
  return out;
}

/** Comments on types, routines, views, indexes, constraints, triggers and policies (table and column comments are diffed with the tables). */
function diffComments(scope: Scope, recreated: Set<string>): PlannedChange[] {
  const liveComments = new Map((scope.live.comments ?? []).map((c) => [c.object, c.text]));
  const sql: string[] = [];
  for (const c of scope.wanted.extras.comments) {
    const onRecreated = [...recreated].some((v) => c.object === v || c.object.startsWith(`COLUMN ${v.slice(v.indexOf('"'))}.`));
    if (liveComments.get(c.object) !== c.text || onRecreated) sql.push(`COMMENT ON ${c.object} IS ${quoteLiteral(c.text)}`);
  }
  if (!sql.length) return [];
  return [
    change({
      kind: 'ALTER_COMMENT',
      phase: Phase.Comments,
      order: 1,
      schema: scope.wanted.schemas[0] ?? 'public',
      table: null,
      name: 'comments',
      detail: `${sql.length} comments`,
      sql,
    }),
  ];
}
