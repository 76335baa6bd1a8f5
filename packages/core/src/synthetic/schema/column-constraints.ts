/**
 * The single-column constraints of a column's CHECKs and domain (ranges, value lists, lengths,
 * regexes), merged, and the numeric and time bounds they leave for its values.
 */
import type { Bound, CheckConstraint } from './checks.ts';
import { intLimits, type ResolvedType } from './column-type.ts';
import { toMs } from './time-text.ts';

/** Single-column constraints, merged. */
export interface ColumnConstraints {
  min?: Bound;
  max?: Bound;
  values?: string[];
  notIn?: string[];
  minLength?: number;
  maxLength?: number;
  regex?: { pattern: string; caseInsensitive: boolean };
  notNull?: boolean;
}

/** Merges the single-column constraints of `column` from a list. */
export function constraintsFor(column: string, list: CheckConstraint[]): ColumnConstraints {
  const out: ColumnConstraints = {};
  for (const c of list) {
    if (c.kind === 'compare' || c.kind === 'or' || c.column !== column) continue;
    switch (c.kind) {
      case 'range':
        if (c.min && (!out.min || cmpText(c.min.value, out.min.value) > 0)) out.min = c.min;
        if (c.max && (!out.max || cmpText(c.max.value, out.max.value) < 0)) out.max = c.max;
        break;
      case 'in':
        out.values = out.values ? out.values.filter((v) => c.values.includes(v)) : [...c.values];
        break;
      case 'notIn':
        out.notIn = [...(out.notIn ?? []), ...c.values];
        break;
      case 'length':
        if (c.min !== undefined) out.minLength = Math.max(out.minLength ?? 0, c.min);
        if (c.max !== undefined) out.maxLength = Math.min(out.maxLength ?? Number.POSITIVE_INFINITY, c.max);
        break;
      case 'regex':
        out.regex = { pattern: c.pattern, caseInsensitive: c.caseInsensitive };
        break;
      case 'notNull':
        out.notNull = true;
        break;
      default:
        break;
    }
  }
  return out;
}

const cmpText = (a: string, b: string) => {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return toMs(a) - toMs(b);
};

/** Numeric bounds of a type and its constraints: [lo, hi] inclusive, with the step of its scale. */
export function numericBounds(type: ResolvedType, c: ColumnConstraints, fallback: [number, number]): { lo: number; hi: number; step: number } {
  const integer = type.base === 'int2' || type.base === 'int4' || type.base === 'int8';
  const scale = integer ? 0 : type.base === 'numeric' ? (type.scale ?? 2) : type.base === 'money' ? 2 : 3;
  const step = 10 ** -scale;
  let [tlo, thi] = integer ? intLimits(type.base) : [-1e12, 1e12];
  if (type.base === 'numeric' && type.precision !== null) {
    const limit = 10 ** (type.precision - (type.scale ?? 0)) - step;
    tlo = -limit;
    thi = limit;
  }
  let lo = c.min ? Number(c.min.value) + (c.min.inclusive ? 0 : step) : Number.NaN;
  let hi = c.max ? Number(c.max.value) - (c.max.inclusive ? 0 : step) : Number.NaN;
  if (integer) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
  }
  if (Number.isNaN(lo) && Number.isNaN(hi)) [lo, hi] = fallback;
  else if (Number.isNaN(lo)) lo = Math.min(hi, Math.max(fallback[0], hi - (fallback[1] - fallback[0])));
  else if (Number.isNaN(hi)) hi = Math.max(lo, lo + (fallback[1] - fallback[0]));
  return { lo: Math.max(lo, tlo), hi: Math.min(hi, thi), step };
}

/** Date/timestamp bounds in ms from constraints (exclusive bounds moved by one unit). */
export function timeBounds(c: ColumnConstraints, unit: number, fallback: [number, number]): [number, number] {
  const lo = c.min ? toMs(c.min.value) + (c.min.inclusive ? 0 : unit) : Number.NaN;
  const hi = c.max ? toMs(c.max.value) - (c.max.inclusive ? 0 : unit) : Number.NaN;
  if (Number.isNaN(lo) && Number.isNaN(hi)) return fallback;
  if (Number.isNaN(lo)) return [Math.min(hi, fallback[0]), hi];
  if (Number.isNaN(hi)) return [lo, Math.max(lo, lo + (fallback[1] - fallback[0]))];
  return [lo, hi];
}
