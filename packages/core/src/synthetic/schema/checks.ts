/**
 * CHECK expressions (pg_get_constraintdef text) parsed with the real PostgreSQL parser (libpg-query)
 * into the few constraint shapes a generator can honour by construction: ranges, value lists,
 * excluded values, lengths, simple regexes, NULL tests, comparisons between two columns, and ORs of
 * those. Whatever else an expression says is reported as not understood (`exact: false`), and rows
 * of such a table are then checked by PostgreSQL itself (evaluate.ts) before they are kept.
 */
import { loadModule, parse } from 'libpg-query';

export interface Bound {
  /** The literal as PostgreSQL text: "0", "4.99", "2024-01-01". */
  value: string;
  inclusive: boolean;
}

export type CompareOp = '<' | '<=' | '>' | '>=' | '=' | '<>';

export type CheckConstraint =
  | { kind: 'range'; column: string; min?: Bound; max?: Bound }
  | { kind: 'in'; column: string; values: string[] }
  | { kind: 'notIn'; column: string; values: string[] }
  | { kind: 'length'; column: string; min?: number; max?: number }
  | { kind: 'regex'; column: string; pattern: string; caseInsensitive: boolean }
  | { kind: 'notNull'; column: string }
  | { kind: 'isNull'; column: string }
  | { kind: 'compare'; left: string; op: CompareOp; right: string }
  | { kind: 'or'; branches: CheckConstraint[][] };

export interface ParsedCheck {
  constraints: CheckConstraint[];
  /** Every part of the expression became a constraint above (no row needs checking in PostgreSQL). */
  exact: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: libpg-query's JSON tree is untyped.
type Node = any;

let ready: Promise<void> | undefined;

/** Parses one CHECK expression; domain checks name their value `VALUE`, read here as `valueColumn`. */
export async function parseCheck(expression: string, options: { valueColumn?: string } = {}): Promise<ParsedCheck> {
  ready ??= loadModule();
  await ready;
  const text = expression
    .trim()
    .replace(/^CHECK\s*/i, '')
    .replace(/\s+NOT VALID$/i, '');
  let root: Node;
  try {
    const tree: Node = await parse(`SELECT ${text}`);
    root = tree.stmts?.[0]?.stmt?.SelectStmt?.targetList?.[0]?.ResTarget?.val;
  } catch {
    return { constraints: [], exact: false };
  }
  if (!root) return { constraints: [], exact: false };
  const out: CheckConstraint[] = [];
  const exact = conjunction(root, out, options.valueColumn ?? 'value');
  return { constraints: out, exact };
}

/** Adds the constraints of an AND tree to `out`; false when some part was not understood. */
function conjunction(node: Node, out: CheckConstraint[], valueColumn: string): boolean {
  if (node.BoolExpr?.boolop === 'AND_EXPR') {
    let all = true;
    for (const arg of node.BoolExpr.args as Node[]) all = conjunction(arg, out, valueColumn) && all;
    return all;
  }
  if (node.BoolExpr?.boolop === 'OR_EXPR') {
    // One understood branch is enough: rows generated inside it satisfy the OR.
    const branches: CheckConstraint[][] = [];
    for (const arg of node.BoolExpr.args as Node[]) {
      const branch: CheckConstraint[] = [];
      if (conjunction(arg, branch, valueColumn) && branch.length) branches.push(branch);
    }
    if (!branches.length) return false;
    if (branches.length === 1) out.push(...(branches[0] as CheckConstraint[]));
    else out.push({ kind: 'or', branches });
    return true;
  }
  const single = atom(node, valueColumn);
  if (!single) return false;
  out.push(single);
  return true;
}

const FLIP: Record<CompareOp, CompareOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<>': '<>' };

function atom(node: Node, valueColumn: string): CheckConstraint | null {
  if (node.NullTest) {
    const column = columnOf(node.NullTest.arg, valueColumn);
    if (!column) return null;
    return node.NullTest.nulltesttype === 'IS_NOT_NULL' ? { kind: 'notNull', column } : { kind: 'isNull', column };
  }
  const e = node.A_Expr;
  if (!e) return null;
  const op = e.name?.[0]?.String?.sval as string | undefined;
  if (e.kind === 'AEXPR_BETWEEN') {
    const column = columnOf(e.lexpr, valueColumn);
    const [lo, hi] = ((e.rexpr?.List?.items ?? []) as Node[]).map(constant);
    if (!column || lo == null || hi == null) return null;
    return { kind: 'range', column, min: { value: lo, inclusive: true }, max: { value: hi, inclusive: true } };
  }
  if (e.kind === 'AEXPR_IN') {
    const column = columnOf(e.lexpr, valueColumn);
    const values = ((e.rexpr?.List?.items ?? []) as Node[]).map(constant);
    if (!column || values.some((v) => v == null)) return null;
    return op === '<>' ? { kind: 'notIn', column, values: values as string[] } : { kind: 'in', column, values: values as string[] };
  }
  if (e.kind === 'AEXPR_OP_ANY' || e.kind === 'AEXPR_OP_ALL') {
    const column = columnOf(e.lexpr, valueColumn);
    const values = arrayConstants(e.rexpr);
    if (!column || !values) return null;
    if (e.kind === 'AEXPR_OP_ANY' && op === '=') return { kind: 'in', column, values };
    if (e.kind === 'AEXPR_OP_ALL' && op === '<>') return { kind: 'notIn', column, values };
    return null;
  }
  if (e.kind !== 'AEXPR_OP' || !op) return null;
  if (op === '~' || op === '~*') {
    const column = columnOf(e.lexpr, valueColumn);
    const pattern = constant(e.rexpr);
    if (!column || pattern == null) return null;
    return { kind: 'regex', column, pattern, caseInsensitive: op === '~*' };
  }
  if (!(op in FLIP)) return null;
  let cmp = op as CompareOp;
  let left = e.lexpr as Node;
  let right = e.rexpr as Node;
  if (constant(left) != null && constant(right) == null) {
    [left, right] = [right, left];
    cmp = FLIP[cmp];
  }
  // length(x) / char_length(x) compared with a number.
  const lengthOf = lengthColumn(left, valueColumn);
  if (lengthOf) {
    const n = Number(constant(right));
    if (!Number.isFinite(n)) return null;
    if (cmp === '>=') return { kind: 'length', column: lengthOf, min: n };
    if (cmp === '>') return { kind: 'length', column: lengthOf, min: n + 1 };
    if (cmp === '<=') return { kind: 'length', column: lengthOf, max: n };
    if (cmp === '<') return { kind: 'length', column: lengthOf, max: n - 1 };
    if (cmp === '=') return { kind: 'length', column: lengthOf, min: n, max: n };
    return null;
  }
  const column = columnOf(left, valueColumn);
  if (!column) return null;
  const otherColumn = columnOf(right, valueColumn);
  if (otherColumn) return { kind: 'compare', left: column, op: cmp, right: otherColumn };
  const value = constant(right);
  if (value == null) return null;
  switch (cmp) {
    case '=':
      return { kind: 'in', column, values: [value] };
    case '<>':
      return { kind: 'notIn', column, values: [value] };
    case '>':
    case '>=':
      return { kind: 'range', column, min: { value, inclusive: cmp === '>=' } };
    default:
      return { kind: 'range', column, max: { value, inclusive: cmp === '<=' } };
  }
}

/** A column reference, possibly under casts (`(name)::text`). */
function columnOf(node: Node, valueColumn: string): string | null {
  if (node?.TypeCast) return columnOf(node.TypeCast.arg, valueColumn);
  const fields = node?.ColumnRef?.fields as Node[] | undefined;
  if (!fields?.length) return null;
  const name = fields[fields.length - 1]?.String?.sval as string | undefined;
  if (!name) return null;
  return name === 'value' && fields.length === 1 ? valueColumn : name;
}

function lengthColumn(node: Node, valueColumn: string): string | null {
  const f = node?.FuncCall;
  if (!f) return null;
  const name = (f.funcname as Node[]).map((n) => n.String?.sval).pop();
  if (!['length', 'char_length', 'character_length'].includes(name) || f.args?.length !== 1) return null;
  return columnOf(f.args[0], valueColumn);
}

/** The text of a constant (under casts and a unary minus); null for anything else. */
function constant(node: Node): string | null {
  if (node == null) return null;
  if (node.TypeCast) return constant(node.TypeCast.arg);
  const c = node.A_Const;
  if (c) {
    if (c.isnull) return null;
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return String(c.fval.fval);
    if (c.sval) return String(c.sval.sval ?? '');
    if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
    return null;
  }
  if (node.A_Expr?.kind === 'AEXPR_OP' && node.A_Expr.name?.[0]?.String?.sval === '-' && !node.A_Expr.lexpr) {
    const inner = constant(node.A_Expr.rexpr);
    return inner == null ? null : inner.startsWith('-') ? inner.slice(1) : `-${inner}`;
  }
  return null;
}

/** `ARRAY[…]` or `'{…}'::type[]` of constants. */
function arrayConstants(node: Node): string[] | null {
  if (node?.TypeCast) {
    const literal = constant(node.TypeCast.arg);
    if (literal != null && node.TypeCast.arg?.A_Const?.sval) return parseArrayLiteral(literal);
    return arrayConstants(node.TypeCast.arg);
  }
  const elements = node?.A_ArrayExpr?.elements as Node[] | undefined;
  if (!elements) return null;
  const values = elements.map(constant);
  return values.some((v) => v == null) ? null : (values as string[]);
}

/** A one-dimensional PostgreSQL array literal `{a,"b c"}`; null when it is anything fancier. */
function parseArrayLiteral(text: string): string[] | null {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  const body = t.slice(1, -1);
  if (!body) return [];
  const out: string[] = [];
  let i = 0;
  while (i <= body.length) {
    let value = '';
    if (body[i] === '"') {
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        value += body[i++];
      }
      i++;
    } else {
      while (i < body.length && body[i] !== ',') value += body[i++];
      value = value.trim();
      if (value.toUpperCase() === 'NULL' || value.includes('{')) return null;
    }
    out.push(value);
    i++; // the comma
  }
  return out;
}
