/**
 * The derived-field expressions of domain packs (`expr: "quantity * unit_price - discount"`): a
 * small, safe language compiled once into closures — numbers, 'strings', field paths, arithmetic,
 * comparisons, `and`/`or`/`not`, and a few functions (round, min, max, pow, abs, floor, ceil, coalesce,
 * if, isnull, concat, lower, upper, addDays, addMonths, addYears). NULL propagates through
 * arithmetic as in SQL. Dates are milliseconds since the epoch (UTC).
 */
import { InvalidInputError } from '../../errors.ts';

export type Value = number | string | boolean | null;
/** Reads one value for the row being generated. */
export type Getter<R> = (row: R) => Value;

type Token = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(text.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*/.exec(text.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      let s = '';
      while (j < text.length && !(text[j] === "'" && text[j + 1] !== "'")) {
        if (text[j] === "'") j++;
        s += text[j++];
      }
      if (j >= text.length) throw new InvalidInputError(`unterminated string in expression ${JSON.stringify(text)}`);
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    const op = /^(==|!=|<=|>=|[-+*/(),<>])/.exec(text.slice(i));
    if (!op) throw new InvalidInputError(`unexpected ${JSON.stringify(ch)} in expression ${JSON.stringify(text)}`);
    out.push({ t: 'op', v: op[0] });
    i += op[0].length;
  }
  return out;
}

const num = (v: Value): number | null => (v === null ? null : typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number(v));

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

type Fn = (args: Value[]) => Value;
const FUNCTIONS: Record<string, Fn> = {
  round: ([x, n]) => {
    const v = num(x ?? null);
    if (v === null) return null;
    const f = 10 ** (num(n ?? 0) ?? 0);
    return Math.round(v * f + (v >= 0 ? 1e-9 : -1e-9)) / f;
  },
  floor: ([x]) => (x === null || x === undefined ? null : Math.floor(num(x) as number)),
  ceil: ([x]) => (x === null || x === undefined ? null : Math.ceil(num(x) as number)),
  pow: ([x, y]) => (x === null || x === undefined || y === null || y === undefined ? null : (num(x) as number) ** (num(y) as number)),
  abs: ([x]) => (x === null || x === undefined ? null : Math.abs(num(x) as number)),
  min: (args) => (args.some((a) => a === null) ? null : Math.min(...args.map((a) => num(a) as number))),
  max: (args) => (args.some((a) => a === null) ? null : Math.max(...args.map((a) => num(a) as number))),
  coalesce: (args) => args.find((a) => a !== null && a !== undefined) ?? null,
  isnull: ([x]) => x === null || x === undefined,
  if: () => null, // compiled specially: only the branch taken is evaluated
  concat: (args) => args.map((a) => (a === null ? '' : String(a))).join(''),
  lower: ([x]) => (x === null || x === undefined ? null : String(x).toLowerCase()),
  upper: ([x]) => (x === null || x === undefined ? null : String(x).toUpperCase()),
  addDays: ([d, n]) => (d === null || d === undefined || n === null ? null : (num(d) as number) + (num(n ?? 0) as number) * 86_400_000),
  addMonths: ([d, n]) => (d === null || d === undefined || n === null ? null : addMonths(num(d) as number, num(n ?? 0) as number)),
  addYears: ([d, n]) => (d === null || d === undefined || n === null ? null : addMonths(num(d) as number, 12 * (num(n ?? 0) as number))),
};

const BINARY: Record<string, (a: Value, b: Value) => Value> = {
  '+': (a, b) => (a === null || b === null ? null : (num(a) as number) + (num(b) as number)),
  '-': (a, b) => (a === null || b === null ? null : (num(a) as number) - (num(b) as number)),
  '*': (a, b) => (a === null || b === null ? null : (num(a) as number) * (num(b) as number)),
  '/': (a, b) => (a === null || b === null || num(b) === 0 ? null : (num(a) as number) / (num(b) as number)),
  '==': (a, b) => (a === null || b === null ? null : a === b || (typeof a !== typeof b && String(a) === String(b))),
  '!=': (a, b) => (a === null || b === null ? null : !(a === b || (typeof a !== typeof b && String(a) === String(b)))),
  '<': (a, b) => (a === null || b === null ? null : (a as number) < (b as number)),
  '<=': (a, b) => (a === null || b === null ? null : (a as number) <= (b as number)),
  '>': (a, b) => (a === null || b === null ? null : (a as number) > (b as number)),
  '>=': (a, b) => (a === null || b === null ? null : (a as number) >= (b as number)),
  and: (a, b) => a === true && b === true,
  or: (a, b) => a === true || b === true,
};
const PRECEDENCE: Record<string, number> = { or: 1, and: 2, '==': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6 };

/**
 * Compiles `text`; `resolve(path)` turns each field path into a getter (and may throw for an unknown
 * one). Returns the evaluator and the paths it reads (for dependency checks).
 */
export function compileExpr<R>(text: string, resolve: (path: string) => Getter<R>): { evaluate: Getter<R>; paths: string[] } {
  const compiler = new ExprCompiler(text, resolve);
  const evaluate = compiler.binary(0);
  if (compiler.pos !== compiler.tokens.length) compiler.fail(`unexpected ${String(compiler.tokens[compiler.pos]?.v)}`);
  return { evaluate, paths: compiler.paths };
}

/** A precedence-climbing compiler of one expression's tokens into getters, from position `pos`. */
class ExprCompiler<R> {
  readonly tokens: Token[];
  readonly paths: string[] = [];
  pos = 0;

  constructor(
    readonly text: string,
    readonly resolve: (path: string) => Getter<R>,
  ) {
    this.tokens = tokenize(text);
  }

  fail(why: string): never {
    throw new InvalidInputError(`expression ${JSON.stringify(this.text)}: ${why}`);
  }

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  expect(op: string): void {
    const t = this.tokens[this.pos++];
    if (t?.t !== 'op' || t.v !== op) this.fail(`expected ${op}`);
  }

  /** A literal, a parenthesized expression, a negation, `not`, a function call or a field path. */
  primary(): Getter<R> {
    const t = this.tokens[this.pos++];
    if (!t) return this.fail('unexpected end');
    if (t.t === 'num' || t.t === 'str') {
      const v = t.v;
      return () => v;
    }
    if (t.t === 'op' && t.v === '(') {
      const inner = this.binary(0);
      this.expect(')');
      return inner;
    }
    if (t.t === 'op' && t.v === '-') {
      const inner = this.primary();
      return (row) => {
        const v = inner(row);
        return v === null ? null : -(num(v) as number);
      };
    }
    if (t.t === 'id') {
      if (t.v === 'not') {
        const inner = this.primary();
        return (row) => inner(row) !== true;
      }
      if (t.v === 'true' || t.v === 'false') {
        const v = t.v === 'true';
        return () => v;
      }
      if (t.v === 'null') return () => null;
      const next = this.peek();
      if (next?.t === 'op' && next.v === '(') return this.call(t.v);
      this.paths.push(t.v);
      return this.resolve(t.v);
    }
    return this.fail(`unexpected ${t.v}`);
  }

  /** A call of function `name`, its opening parenthesis next; `if` evaluates only the branch taken. */
  call(name: string): Getter<R> {
    const fn = FUNCTIONS[name] ?? this.fail(`unknown function ${name}`);
    this.pos++;
    const args: Getter<R>[] = [];
    if (!(this.peek()?.t === 'op' && this.peek()?.v === ')')) {
      for (;;) {
        args.push(this.binary(0));
        if (this.peek()?.t === 'op' && this.peek()?.v === ',') this.pos++;
        else break;
      }
    }
    this.expect(')');
    if (name === 'if') {
      const [c, a, b] = args;
      if (!c || !a || !b) this.fail('if(condition, then, else) takes three arguments');
      const [cond, then, otherwise] = [c as Getter<R>, a as Getter<R>, b as Getter<R>];
      // Only the branch taken is evaluated (it may read fields the other branch does not need).
      return (row) => {
        const v = cond(row);
        return v === true || (typeof v === 'number' && v !== 0) ? then(row) : otherwise(row);
      };
    }
    return (row) => fn(args.map((a) => a(row)));
  }

  /** Binary operators binding tighter than `minPrec`, left to right. */
  binary(minPrec: number): Getter<R> {
    let left = this.primary();
    for (;;) {
      const t = this.peek();
      const op = t && (t.t === 'op' || (t.t === 'id' && (t.v === 'and' || t.v === 'or'))) ? t.v : null;
      const prec = op ? PRECEDENCE[op] : undefined;
      if (!op || prec === undefined || prec <= minPrec) return left;
      this.pos++;
      const right = this.binary(prec);
      const f = BINARY[op] as (a: Value, b: Value) => Value;
      const l = left;
      left = (row) => f(l(row), right(row));
    }
  }
}
