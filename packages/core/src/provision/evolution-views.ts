/**
 * Schema evolution of views and materialized views: a view holds no data, so one is dropped and
 * created again when its definition changes or when anything it reads (through other views too)
 * changes — a table's columns, a routine, a type.
 */
import type { ViewDef } from '../catalog/types.ts';
import { createView, orderByDependencies } from './ddl-objects.ts';
import { type ObjectScope, q } from './evolution-scope.ts';
import { change, Phase, type PlannedChange } from './evolution-types.ts';
import { designation } from './schema-objects.ts';

const viewText = (v: ViewDef) => `${createView(v)}|${v.indexes.map((i) => i.definition).join('|')}`;

/** Whether `key` reads (through any number of views) an object of `touched`. */
function readsTouched(key: string, dependsOn: Map<string, string[]>, touched: Set<string>, seen = new Set<string>()): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return (dependsOn.get(key) ?? []).some((d) => touched.has(d) || readsTouched(d, dependsOn, touched, seen));
}
/** Views dropped, recreated and added; `touched` holds what changed under them. */
export function diffViews(scope: ObjectScope, touched: Set<string>): { changes: PlannedChange[]; recreated: Set<string> } {
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
