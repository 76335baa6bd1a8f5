/**
 * CHECKs that libpg-query parsed completely (synthetic/schema/checks.ts: ranges, value lists,
 * lengths, simple regexes, NULL tests, column comparisons and ORs of those) evaluated in JavaScript
 * with PostgreSQL's rule that a CHECK fails only when it is false: a NULL operand passes. Every other
 * CHECK goes to PostgreSQL (checks.ts).
 */
import type { TextRow } from '../dataset/types.ts';
import type { CheckConstraint, CompareOp } from '../synthetic/schema/checks.ts';
import { toMs } from '../synthetic/schema/time-text.ts';

export type RowPredicate = (row: TextRow) => boolean;

const NUM = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const DATEISH = /^\d{4}-\d{2}-\d{2}/;

/** PostgreSQL-like ordering of two texts of the same column: numbers as numbers, dates as instants, else code points. */
export function compareText(a: string, b: string): number {
  if (NUM.test(a) && NUM.test(b)) return Number(a) - Number(b);
  if (DATEISH.test(a) && DATEISH.test(b)) return toMs(a) - toMs(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

const OPS: Record<CompareOp, (c: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
};

const equalsAny = (v: string, values: string[]) => values.some((x) => x === v || (NUM.test(x) && NUM.test(v) && Number(x) === Number(v)));

function compile(c: CheckConstraint, at: (column: string) => number): RowPredicate {
  switch (c.kind) {
    case 'range': {
      const i = at(c.column);
      return (row) => {
        const v = row[i];
        if (v === null || v === undefined) return true;
        if (c.min && !(c.min.inclusive ? compareText(v, c.min.value) >= 0 : compareText(v, c.min.value) > 0)) return false;
        return !c.max || (c.max.inclusive ? compareText(v, c.max.value) <= 0 : compareText(v, c.max.value) < 0);
      };
    }
    case 'in':
    case 'notIn': {
      const i = at(c.column);
      const wanted = c.kind === 'in';
      return (row) => {
        const v = row[i];
        return v === null || v === undefined || equalsAny(v, c.values) === wanted;
      };
    }
    case 'length': {
      const i = at(c.column);
      return (row) => {
        const v = row[i];
        if (v === null || v === undefined) return true;
        const n = [...v].length;
        return (c.min === undefined || n >= c.min) && (c.max === undefined || n <= c.max);
      };
    }
    case 'regex': {
      const i = at(c.column);
      const re = new RegExp(c.pattern, c.caseInsensitive ? 'iu' : 'u');
      return (row) => {
        const v = row[i];
        return v === null || v === undefined || re.test(v);
      };
    }
    case 'notNull': {
      const i = at(c.column);
      return (row) => row[i] !== null && row[i] !== undefined;
    }
    case 'isNull': {
      const i = at(c.column);
      return (row) => row[i] === null || row[i] === undefined;
    }
    case 'compare': {
      const l = at(c.left);
      const r = at(c.right);
      const ok = OPS[c.op];
      return (row) => {
        const a = row[l];
        const b = row[r];
        return a === null || a === undefined || b === null || b === undefined || ok(compareText(a, b));
      };
    }
    case 'or': {
      const branches = c.branches.map((b) => b.map((x) => compile(x, at)));
      return (row) => branches.some((b) => b.every((p) => p(row)));
    }
  }
}

/** One predicate for all the constraints of a CHECK; throws when a column is not among `columns`. */
export function compileCheck(constraints: CheckConstraint[], columns: string[]): RowPredicate {
  const at = (column: string) => {
    const i = columns.indexOf(column);
    if (i < 0) throw new Error(`column ${column} is not in the dataset`);
    return i;
  };
  const parts = constraints.map((c) => compile(c, at));
  return (row) => parts.every((p) => p(row));
}
