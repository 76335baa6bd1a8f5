/**
 * Reads the schema objects beyond tables — composite and range types, functions, procedures and
 * aggregates, views and materialized views (with their indexes), triggers, rules, row-level-security
 * policies, comments — and the dependencies between them, into the optional fields of a `Catalog`.
 * Runs inside `readCatalog`'s transaction (search_path = pg_catalog).
 */
import type { SqlClient } from '../db/sql-client.ts';
import {
  COMMENTS_SQL,
  COMPOSITES_SQL,
  DEPENDENCIES_SQL,
  POLICIES_SQL,
  RANGES_SQL,
  ROUTINES_SQL,
  RULES_SQL,
  TRIGGERS_SQL,
  VIEWS_SQL,
} from './object-queries.ts';
import { MATVIEW_INDEXES_SQL } from './queries.ts';
import type { Catalog, IndexDef, RoutineDef, TriggerDef, ViewDef } from './types.ts';

type SchemaObjects = Required<
  Pick<Catalog, 'compositeTypes' | 'ranges' | 'routines' | 'views' | 'triggers' | 'rules' | 'policies' | 'comments' | 'dependencies'>
>;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const ROUTINE_KINDS: Record<string, RoutineDef['kind']> = { f: 'FUNCTION', w: 'FUNCTION', p: 'PROCEDURE', a: 'AGGREGATE' };
const parseJson = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export async function readSchemaObjects(sql: Pick<SqlClient, 'query'>, schemas: string[]): Promise<SchemaObjects> {
  const params = [schemas];
  // Sent together: on a reader with several connections they run side by side.
  const read = (text: string) => sql.query(text, params);
  const [composites, ranges, routines, views, viewIndexes, triggers, rules, policies, comments, dependencies] = await Promise.all([
    read(COMPOSITES_SQL),
    read(RANGES_SQL),
    read(ROUTINES_SQL),
    read(VIEWS_SQL),
    read(MATVIEW_INDEXES_SQL),
    read(TRIGGERS_SQL),
    read(RULES_SQL),
    read(POLICIES_SQL),
    read(COMMENTS_SQL),
    read(DEPENDENCIES_SQL),
  ]);
  const viewDefs = viewsWithIndexes(views.rows, viewIndexes.rows);

  return {
    compositeTypes: composites.rows.map((r) => ({
      schema: String(r.schema),
      name: String(r.name),
      attributes: parseJson<{ name: string; dataType: string }[]>(r.attributes),
    })),
    ranges: ranges.rows.map((r) => ({
      schema: String(r.schema),
      name: String(r.name),
      subtype: String(r.subtype),
      subtypeOpclass: str(r.subtype_opclass),
      collation: str(r.collation),
      canonical: str(r.canonical),
      subtypeDiff: str(r.subtype_diff),
      multirangeName: str(r.multirange_name),
    })),
    routines: routines.rows.map((r) => ({
      schema: String(r.schema),
      name: String(r.name),
      kind: ROUTINE_KINDS[String(r.kind)] ?? 'FUNCTION',
      identityArguments: String(r.identity_arguments),
      definition: String(r.definition).trim(),
    })),
    views: viewDefs,
    triggers: triggers.rows.map((r) => ({
      schema: String(r.schema),
      table: String(r.table),
      name: String(r.name),
      definition: String(r.definition),
      enabled: (['O', 'D', 'R', 'A'].includes(String(r.enabled)) ? String(r.enabled) : 'O') as TriggerDef['enabled'],
    })),
    rules: rules.rows.map((r) => ({
      schema: String(r.schema),
      table: String(r.table),
      name: String(r.name),
      definition: String(r.definition).trim().replace(/;$/, ''),
    })),
    policies: policies.rows.map((r) => ({
      schema: String(r.schema),
      table: String(r.table),
      name: String(r.name),
      permissive: Boolean(r.permissive),
      command: String(r.command),
      roles: (r.roles as string[]) ?? [],
      using: str(r.using),
      withCheck: str(r.with_check),
    })),
    comments: comments.rows.map((r) => ({ object: String(r.object), text: String(r.text) })),
    dependencies: dependencies.rows.map((r) => ({ object: String(r.object), dependsOn: (r.depends_on as string[]) ?? [] })),
  };
}

/** The views and materialized views, each with its indexes (only materialized views have any). */
function viewsWithIndexes(viewRows: Record<string, unknown>[], indexRows: Record<string, unknown>[]): ViewDef[] {
  const viewDefs: ViewDef[] = viewRows.map((r) => ({
    schema: String(r.schema),
    name: String(r.name),
    materialized: Boolean(r.materialized),
    // pg_get_viewdef ends the SELECT with a semicolon.
    query: String(r.query).trim().replace(/;$/, ''),
    options: (r.options as string[]) ?? [],
    populated: Boolean(r.populated),
    indexes: [],
  }));
  const byKey = new Map(viewDefs.map((v) => [`${v.schema}.${v.name}`, v]));
  for (const r of indexRows) {
    const index: IndexDef = {
      name: String(r.name),
      columns: (r.columns as string[]) ?? [],
      unique: Boolean(r.unique),
      primary: Boolean(r.primary),
      method: String(r.method),
      definition: String(r.definition),
      constraint: str(r.constraint),
    };
    byKey.get(`${r.schema}.${r.table}`)?.indexes.push(index);
  }
  return viewDefs;
}
