/**
 * Subset `where` filters, checked with the PostgreSQL parser (libpg-query) before they reach a
 * source. A filter is one boolean expression over its table's columns: comparisons, boolean logic,
 * IN, LIKE, BETWEEN, NULL tests, CASE, casts, sub-selects over the source's own tables, and calls of
 * built-in (pg_catalog) functions that are IMMUTABLE on that source. Anything else — statements,
 * comments, CTEs, locking, volatile functions such as lo_import or pg_sleep, tables or columns the
 * catalog does not know — is an `InvalidInputError` naming the table and the offending part.
 * A READ ONLY transaction alone does not stop side effects of functions (large objects, sequences).
 */
import { loadModule, parse, scan } from 'libpg-query';
import type { Catalog, TableDef } from '../catalog/types.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError } from '../errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: libpg-query's JSON tree is untyped.
type Node = any;

/** Expression nodes a filter may hold. SelectStmt, RangeVar and FuncCall get checks of their own. */
const ALLOWED = new Set([
  'A_Const',
  'A_Expr',
  'A_ArrayExpr',
  'A_Indirection',
  'A_Indices',
  'A_Star',
  'Alias',
  'BoolExpr',
  'Boolean',
  'BooleanTest',
  'CaseExpr',
  'CaseWhen',
  'CoalesceExpr',
  'ColumnRef',
  'Float',
  'FuncCall',
  'Integer',
  'JoinExpr',
  'List',
  'MinMaxExpr',
  'NullIfExpr',
  'NullTest',
  'RangeVar',
  'ResTarget',
  'RowExpr',
  'SelectStmt',
  'SortBy',
  'SQLValueFunction',
  'String',
  'SubLink',
  'TypeCast',
  'TypeName',
]);

/** Clauses of a sub-select that could change or lock data, or name things outside the source's tables. */
const FORBIDDEN_SELECT_KEYS = ['intoClause', 'lockingClause', 'withClause', 'valuesLists', 'larg', 'rarg'];

let ready: Promise<void> | undefined;

interface Scope {
  /** Names a column reference may be qualified with (alias or table name) → that table. */
  tables: Map<string, TableDef>;
  parent: Scope | null;
}

export interface FilterCheck {
  /** Functions the filter calls, as written (lower case, unqualified). */
  functions: Set<string>;
}

type Fail = (reason: string) => never;

/** Parses and checks one filter of `table`; throws `InvalidInputError`. Needs no database. */
export async function checkFilterSyntax(expression: string, table: TableDef, catalog: Catalog): Promise<FilterCheck> {
  ready ??= loadModule();
  await ready;
  const where = `${table.schema}.${table.name}`;
  const fail: Fail = (reason) => {
    throw new InvalidInputError(`where filter on ${where}: ${reason}`, { table: where, filter: expression });
  };
  const expr = await parseFilterExpression(expression, fail);
  const checker = new FilterChecker(table, catalog, fail);
  checker.walk(expr, { tables: new Map([[table.name, table]]), parent: null });
  return { functions: checker.functions };
}

/** The one expression of `SELECT <filter>`, after ruling out comments, several statements and other clauses. */
async function parseFilterExpression(expression: string, fail: Fail): Promise<Node> {
  const tokens = await scan(expression).catch(() => fail('it cannot be read as SQL'));
  for (const t of tokens.tokens) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') fail('comments are not allowed');
    if (t.text === ';') fail('only one expression is allowed (";" found)');
  }
  let tree: Node;
  try {
    tree = await parse(`SELECT ${expression}`);
  } catch (err) {
    return fail(`not a valid SQL expression (${(err as Error).message})`);
  }
  const stmt = tree.stmts?.length === 1 ? tree.stmts[0].stmt?.SelectStmt : undefined;
  const keys = stmt ? Object.keys(stmt).filter((k) => !['targetList', 'limitOption', 'op'].includes(k)) : ['?'];
  if (stmt?.targetList?.length !== 1 || keys.length > 0) fail('expected exactly one boolean expression');
  return stmt.targetList[0].ResTarget.val;
}

/** Walks a filter's parse tree: every node kind allowed, every table and column known, functions collected. */
class FilterChecker {
  /** Functions the filter calls, lower case and unqualified. */
  readonly functions = new Set<string>();
  private readonly byName = new Map<string, TableDef[]>();

  constructor(
    private readonly table: TableDef,
    private readonly catalog: Catalog,
    private readonly fail: Fail,
  ) {
    for (const t of catalog.tables) this.byName.set(t.name, [...(this.byName.get(t.name) ?? []), t]);
  }

  walk(node: Node, scope: Scope): void {
    if (Array.isArray(node)) {
      for (const n of node) this.walk(n, scope);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [kind, body] of Object.entries(node as Record<string, Node>)) {
      if (!/^[A-Z]/.test(kind)) {
        // A plain field of the enclosing node (args, lexpr …).
        this.walk(body, scope);
        continue;
      }
      if (!ALLOWED.has(kind)) this.fail(`${kind} is not allowed in a filter`);
      if (kind === 'ColumnRef') this.checkColumn(body.fields, scope);
      else if (kind === 'FuncCall') this.checkFuncCall(body, scope);
      else if (kind === 'SelectStmt') this.checkSubSelect(body, scope);
      else if (kind === 'RangeVar') this.resolveTable(body);
      else if (kind === 'TypeName')
        continue; // a type name is not evaluated
      else {
        if (kind === 'A_Expr') this.checkOperator(body);
        this.walk(body, scope);
      }
    }
  }

  /** A table of the catalog named in FROM: schema-qualified, or the filter's own schema first. */
  private resolveTable(rv: Node): TableDef {
    const name = rv.relname as string;
    const found = rv.schemaname
      ? this.catalog.tables.find((t) => t.schema === rv.schemaname && t.name === name)
      : ((this.byName.get(name) ?? []).find((t) => t.schema === this.table.schema) ?? this.byName.get(name)?.[0]);
    if (!found || rv.catalogname) return this.fail(`unknown table ${JSON.stringify(rv.schemaname ? `${rv.schemaname}.${name}` : name)}`);
    return found;
  }

  /** A column reference must name a column of a table in this scope or an enclosing one. */
  private checkColumn(fields: Node[], scope: Scope): void {
    const parts = fields.map((f) => (f.String ? (f.String.sval as string) : f.A_Star ? '*' : '?'));
    const column = parts.at(-1) as string;
    const qualifier = parts.length > 1 ? (parts.at(-2) as string) : null;
    for (let s: Scope | null = scope; s; s = s.parent) {
      const candidates = qualifier ? [s.tables.get(qualifier)].filter(Boolean) : [...s.tables.values()];
      for (const t of candidates as TableDef[]) {
        if (parts.length > 3 || (parts.length === 3 && parts[0] !== t.schema)) continue;
        if (column === '*' || t.columns.some((c) => c.name === column)) return;
      }
    }
    this.fail(`unknown column ${JSON.stringify(parts.join('.'))}`);
  }

  private checkFuncCall(body: Node, scope: Scope): void {
    const names = (body.funcname as Node[]).map((n) => n.String?.sval as string);
    if (names.length > 2 || (names.length === 2 && names[0] !== 'pg_catalog')) this.fail(`function ${names.join('.')} is not a built-in`);
    if (body.over) this.fail('window functions are not allowed');
    this.functions.add((names.at(-1) as string).toLowerCase());
    this.walk(body.args, scope);
    this.walk(body.agg_filter, scope);
    this.walk(body.agg_order, scope);
  }

  private checkOperator(body: Node): void {
    const names = (body.name as Node[] | undefined)?.map((n) => n.String?.sval as string) ?? [];
    if (names.length > 1 && names[0] !== 'pg_catalog') this.fail(`operator ${names.join('.')} is not a built-in`);
  }

  /** A sub-select opens a scope of its FROM tables; its clauses are walked in that scope. */
  private checkSubSelect(body: Node, scope: Scope): void {
    for (const k of FORBIDDEN_SELECT_KEYS) if (body[k]) this.fail(`${k.replace(/Clause$|Lists$/, '')} is not allowed in a sub-select`);
    const inner: Scope = { tables: new Map(), parent: scope };
    for (const item of body.fromClause ?? []) this.addFrom(item, inner);
    for (const [k, v] of Object.entries(body as Record<string, Node>)) {
      if (k === 'fromClause') {
        for (const item of v) if (item.JoinExpr?.quals) this.walk(item.JoinExpr.quals, inner);
      } else this.walk(v, inner);
    }
  }

  private addFrom(item: Node, inner: Scope): void {
    if (item.RangeVar) {
      const t = this.resolveTable(item.RangeVar);
      inner.tables.set(item.RangeVar.alias?.aliasname ?? t.name, t);
    } else if (item.JoinExpr) {
      this.addFrom(item.JoinExpr.larg, inner);
      this.addFrom(item.JoinExpr.rarg, inner);
    } else this.fail(`${Object.keys(item)[0]} is not allowed in FROM of a sub-select`);
  }
}

/**
 * Checks every filter of a subset plan; function calls are looked up on the source itself: each
 * must exist only in pg_catalog, and every overload of its name must be IMMUTABLE.
 */
export async function checkFilters(source: SqlClient, catalog: Catalog, filters: { table: string; where: string }[]): Promise<void> {
  for (const f of filters) {
    const table = catalog.tables.find((t) => `${t.schema}.${t.name}` === f.table);
    if (!table) throw new InvalidInputError(`where: table ${JSON.stringify(f.table)} is not in the catalog`, { table: f.table });
    const { functions } = await checkFilterSyntax(f.where, table, catalog);
    if (functions.size === 0) continue;
    const { rows } = await source.query<{ name: string; ok: boolean }>(
      `SELECT p.proname AS name,
              bool_and(n.nspname = 'pg_catalog' AND p.provolatile = 'i' AND p.prokind IN ('f', 'a')) AS ok
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname = ANY($1::text[])
        GROUP BY p.proname`,
      [[...functions]],
    );
    const verdict = new Map(rows.map((r) => [r.name, r.ok]));
    for (const fn of functions) {
      if (verdict.get(fn) !== true) {
        throw new InvalidInputError(`where filter on ${f.table}: function ${fn}() is not allowed: filters may call only IMMUTABLE built-in functions`, {
          table: f.table,
          filter: f.where,
          function: fn,
        });
      }
    }
  }
}
