/**
 * Column → value generator. The column's value list, regex, enum labels or array element type
 * decide first; then its meaning (name, PII type) picks a semantic generator (semantic.ts) when one
 * fits the type; otherwise its base type does (type-values.ts). The single-column constraints
 * (column-constraints.ts) narrow the values. Each column draws from its own seeded stream, so adding
 * a column never shifts another's values.
 */
import type { ColumnDef } from '../../catalog/types.ts';
import { TdmError } from '../../errors.ts';
import { Rng } from '../rng.ts';
import { createValueGenerator, kindFitsType, SYNTHETIC_EPOCH, semanticKindFor } from '../semantic.ts';
import { type ColumnConstraints, numericBounds, timeBounds } from './column-constraints.ts';
import type { ResolvedType } from './column-type.ts';
import { regexGenerator } from './regex.ts';
import { DAY, isoDate, isoTimestamp, toMs } from './time-text.ts';
import { typeGenerator, UPPER } from './type-values.ts';

/** Array element text, quoted as PostgreSQL's array input wants it. */
export function arrayElement(value: string | null): string {
  if (value === null) return 'NULL';
  if (value === '' || /[{}",\\\s]/.test(value) || value.toUpperCase() === 'NULL') return `"${value.replace(/[\\"]/g, '\\$&')}"`;
  return value;
}

export interface ValueOptions {
  seed: string | number;
  table: string;
  column: ColumnDef | { name: string };
  type: ResolvedType;
  constraints: ColumnConstraints;
  piiType?: string | null;
  /** Extra seed path, for a second stream of the same column (an OR branch). */
  stream?: string;
}

export type ValueFn = (row: number) => string;

/** A seeded generator of values of one column: `fn(row)` is called with rows 0, 1, 2… (and again on a retry). */
export function valueGenerator(o: ValueOptions): ValueFn {
  const { type, constraints: c } = o;
  const rng = new Rng(o.seed, o.table, o.column.name, 'value', o.stream ?? '');
  const fixLength = lengthFixer(c, type, rng);
  if (c.values?.length) {
    const values = c.notIn ? c.values.filter((v) => !c.notIn?.includes(v)) : c.values;
    if (!values.length) throw new TdmError('INVALID_INPUT', `no value can satisfy the CHECKs of ${o.table}.${o.column.name}`);
    return () => rng.pick(values);
  }
  if (c.regex) {
    const re = regexGenerator(c.regex.pattern, c.regex.caseInsensitive);
    if (re) return withNotIn(() => fixLength(re(rng)), c, rng);
  }
  if (type.base === 'enum' && type.labels?.length) {
    const labels = type.labels.filter((l) => !c.notIn?.includes(l));
    return () => rng.pick(labels);
  }
  if (type.element) {
    const element = valueGenerator({ ...o, column: { name: `${o.column.name}[]` }, type: type.element, constraints: {} });
    return () => {
      const n = rng.int(0, 3);
      let out = '{';
      for (let k = 0; k < n; k++) out += (k ? ',' : '') + arrayElement(element(k));
      return `${out}}`;
    };
  }
  const semantic = semanticFor(o);
  // float8/float4 travel in their shortest exact form ("1543.8", never "1543.80").
  if (semantic && type.base === 'float') return withNotIn((row) => String(Number(semantic(row))), c, rng);
  if (semantic) return withNotIn((row) => fixLength(semantic(row)), c, rng);
  return withNotIn(typeGenerator(type, c, rng, fixLength, `${o.table}.${o.column.name}`), c, rng);
}

function withNotIn(fn: ValueFn, c: ColumnConstraints, rng: Rng): ValueFn {
  const notIn = c.notIn;
  if (!notIn?.length) return fn;
  return (row) => {
    for (let k = 0; k < 20; k++) {
      const v = fn(row);
      if (!notIn.includes(v)) return v;
    }
    return `${fn(row)}${UPPER[rng.int(0, 25)]}`;
  };
}

function lengthFixer(c: ColumnConstraints, type: ResolvedType, rng: Rng): (v: string) => string {
  const max = Math.min(c.maxLength ?? Number.POSITIVE_INFINITY, type.maxLength ?? Number.POSITIVE_INFINITY);
  const min = c.minLength ?? 0;
  if (min <= 0 && max === Number.POSITIVE_INFINITY) return (v) => v;
  return (v) => {
    let out = v.length > max ? v.slice(0, max) : v;
    while (out.length < min) out += UPPER[rng.int(0, 25)];
    return out;
  };
}

function semanticFor(o: ValueOptions): ValueFn | null {
  const { type, constraints: c } = o;
  if (['enum', 'unknown', 'json', 'bytea', 'tsvector', 'tsquery', 'bit', 'varbit', 'xml', 'point'].includes(type.base) || type.base.endsWith('range'))
    return null;
  if (type.base === 'bpchar' && (type.maxLength ?? 1) < 4) return null;
  const kind = semanticKindFor({ name: o.column.name, table: o.table.slice(o.table.indexOf('.') + 1), pgType: type.pgType, piiType: o.piiType ?? null });
  if (!kind || !kindFitsType(kind, type.pgType)) return null;
  if ((type.base === 'int2' || type.base === 'int4' || type.base === 'int8') && !['quantity', 'age', 'rating'].includes(kind)) return null;
  const numeric = ['int2', 'int4', 'int8', 'numeric', 'float', 'money'].includes(type.base);
  const bounds = numeric && (c.min || c.max || type.precision !== null) ? numericBounds(type, c, [0, 1000]) : null;
  const temporal = type.base === 'date' || type.base === 'timestamp' || type.base === 'timestamptz';
  const times = temporal && (c.min || c.max) ? timeBounds(c, type.base === 'date' ? DAY : 1000, [SYNTHETIC_EPOCH - 5 * 365 * DAY, SYNTHETIC_EPOCH]) : null;
  const gen = createValueGenerator(kind, {
    seed: o.seed,
    path: [o.table, o.column.name, o.stream ?? ''],
    maxLength: Math.min(type.maxLength ?? Number.POSITIVE_INFINITY, c.maxLength ?? Number.POSITIVE_INFINITY) || null,
    min: bounds?.lo,
    max: bounds?.hi,
    scale: type.base === 'numeric' ? (type.scale ?? 2) : type.base === 'money' ? 2 : undefined,
    minDate: times ? new Date(times[0]).toISOString() : undefined,
    maxDate: times ? new Date(times[1]).toISOString() : undefined,
  });
  const next = (row: number) => gen.next(row);
  if (type.base === 'date' && kind === 'pastTimestamp') return (row) => next(row).slice(0, 10);
  if (type.base === 'timestamp' || type.base === 'timestamptz') {
    const zone = type.base === 'timestamptz' ? '+00' : '';
    return kind === 'pastTimestamp' ? (row) => `${next(row)}${zone}` : (row) => `${next(row)} 00:00:00${zone}`;
  }
  if (type.base === 'int2' || type.base === 'int4' || type.base === 'int8') return (row) => String(Math.round(Number(next(row))));
  return next;
}

/** How a value of this type is moved forward by `k` units (for `end >= start` comparisons); null when it cannot. */
export function offsetter(type: ResolvedType): ((value: string, k: number) => string) | null {
  switch (type.base) {
    case 'date':
      return (v, k) => isoDate(toMs(v) + k * DAY);
    case 'timestamp':
      return (v, k) => isoTimestamp(toMs(v) + k * 3_600_000);
    case 'timestamptz':
      return (v, k) => `${isoTimestamp(toMs(v) + k * 3_600_000)}+00`;
    case 'int2':
    case 'int4':
    case 'int8':
      return (v, k) => String(Number(v) + k);
    case 'float':
      return (v, k) => String(Number((Number(v) + k).toFixed(3)));
    case 'numeric':
    case 'money': {
      const scale = type.base === 'numeric' ? (type.scale ?? 2) : 2;
      return (v, k) => (Number(v) + k).toFixed(scale);
    }
    default:
      return null;
  }
}
