/**
 * Schema evolution of what hangs on tables and views: triggers, rules and policies, and the comments
 * on objects other than tables and columns. Those on a recreated view are created again.
 */
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/quote.ts';
import { policySql, triggerSql } from './ddl-objects.ts';
import type { ObjectScope } from './evolution-scope.ts';
import { change, Phase, type PlannedChange } from './evolution-types.ts';
import { designation } from './schema-objects.ts';

/** Triggers, rules and policies of the dataset's tables and views; those on a recreated view are created again. */
export function diffOnTables(scope: ObjectScope, recreated: Set<string>): PlannedChange[] {
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
export function diffComments(scope: ObjectScope, recreated: Set<string>): PlannedChange[] {
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
