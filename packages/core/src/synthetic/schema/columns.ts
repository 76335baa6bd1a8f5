/**
 * Column type → value generator. A column's format_type (through its domain, down to the base type)
 * picks the PostgreSQL text form; the column's meaning (name, PII type) picks a semantic generator
 * (semantic.ts) when one fits the type; the single-column constraints of its CHECKs and domain
 * (ranges, value lists, lengths, regexes) narrow the values. Each column draws from its own seeded
 * stream, so adding a column never shifts another's values.
 */
import type { Catalog, ColumnDef } from '../../catalog/types.ts';
import { TdmError } from '../../errors.ts';
import { Rng } from '../rng.ts';
import { createValueGenerator, kindFitsType, SYNTHETIC_EPOCH, semanticKindFor } from '../semantic.ts';
import type { Bound, CheckConstraint } from './checks.ts';
import { regexGenerator } from './regex.ts';

export type BaseKind =
  | 'int2'
  | 'int4'
  | 'int8'
  | 'numeric'
  | 'float'
  | 'money'
  | 'text'
  | 'bpchar'
  | 'bool'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'uuid'
  | 'json'
  | 'bytea'
  | 'inet'
  | 'cidr'
  | 'macaddr'
  | 'enum'
  | 'tsvector'
  | 'tsquery'
  | 'bit'
  | 'varbit'
  | 'xml'
  | 'point'
  | 'intrange'
  | 'numrange'
  | 'daterange'
  | 'tsrange'
  | 'tstzrange'
  | 'unknown';

export interface ResolvedType {
  base: BaseKind;
  /** The base type's format_type, for semantic fitting and messages. */
  pgType: string;
  maxLength: number | null;
  precision: number | null;
  scale: number | null;
  labels: string[] | null;
  element: ResolvedType | null;
  /** CHECKs of the domains on the way to the base type (expressions over VALUE). */
  domainChecks: { name: string; expression: string }[];
  domainNotNull: boolean;
}

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

const unquote = (s: string) => s.replace(/"/g, '');

/** Resolves a format_type string (enums and domains through the catalog) to its base. */
export function resolveType(catalog: Catalog, dataType: string, depth = 0): ResolvedType {
  const t = dataType.trim();
  const plain: ResolvedType = {
    base: 'unknown',
    pgType: t,
    maxLength: null,
    precision: null,
    scale: null,
    labels: null,
    element: null,
    domainChecks: [],
    domainNotNull: false,
  };
  if (t.endsWith('[]')) return { ...plain, base: 'unknown', element: resolveType(catalog, t.replace(/(\[\])+$/, ''), depth + 1) };
  const name = unquote(t);
  const bare = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
  const matches = (schema: string, n: string) => name === `${schema}.${n}` || name === n;
  const en = catalog.enums.find((e) => matches(e.schema, e.name));
  if (en) return { ...plain, base: 'enum', labels: en.labels };
  const dom = depth < 8 ? catalog.domains.find((d) => matches(d.schema, d.name)) : undefined;
  if (dom) {
    const inner = resolveType(catalog, dom.baseType, depth + 1);
    return { ...inner, domainChecks: [...dom.checks, ...inner.domainChecks], domainNotNull: !dom.nullable || inner.domainNotNull };
  }
  const args = /\(([^)]*)\)/
    .exec(t)?.[1]
    ?.split(',')
    .map((x) => Number(x.trim()));
  const head = t.replace(/\([^)]*\)/, '').trim();
  const n0 = args?.[0] ?? null;
  switch (head) {
    case 'smallint':
      return { ...plain, base: 'int2' };
    case 'integer':
      return { ...plain, base: 'int4' };
    case 'bigint':
      return { ...plain, base: 'int8' };
    case 'numeric':
    case 'decimal':
      return { ...plain, base: 'numeric', precision: n0, scale: args?.[1] ?? (n0 === null ? null : 0) };
    case 'real':
    case 'double precision':
      return { ...plain, base: 'float' };
    case 'money':
      return { ...plain, base: 'money' };
    case 'text':
    case 'name':
    case 'citext':
    case 'character varying':
      return { ...plain, base: 'text', maxLength: n0 };
    case 'character':
    case '"char"':
      return { ...plain, base: 'bpchar', maxLength: n0 ?? 1 };
    case 'boolean':
      return { ...plain, base: 'bool' };
    case 'date':
      return { ...plain, base: 'date' };
    case 'time without time zone':
    case 'time':
      return { ...plain, base: 'time' };
    case 'time with time zone':
      return { ...plain, base: 'timetz' };
    case 'timestamp without time zone':
    case 'timestamp':
      return { ...plain, base: 'timestamp' };
    case 'timestamp with time zone':
      return { ...plain, base: 'timestamptz' };
    case 'uuid':
    case 'json':
    case 'bytea':
    case 'inet':
    case 'cidr':
    case 'tsvector':
    case 'tsquery':
    case 'xml':
    case 'point':
    case 'daterange':
    case 'numrange':
    case 'tsrange':
    case 'tstzrange':
      return { ...plain, base: head };
    case 'jsonb':
      return { ...plain, base: 'json' };
    case 'macaddr':
    case 'macaddr8':
      return { ...plain, base: 'macaddr' };
    case 'bit':
      return { ...plain, base: 'bit', maxLength: n0 ?? 1 };
    case 'bit varying':
      return { ...plain, base: 'varbit', maxLength: n0 };
    case 'int4range':
    case 'int8range':
      return { ...plain, base: 'intrange' };
    default:
      return head.startsWith('interval') ? { ...plain, base: 'interval' } : bare === 'citext' ? { ...plain, base: 'text' } : plain;
  }
}

export function columnType(catalog: Catalog, column: ColumnDef): ResolvedType {
  if (column.typeKind === 'array' && column.elementType) return { ...resolveType(catalog, column.dataType), element: resolveType(catalog, column.elementType) };
  return resolveType(catalog, column.dataType);
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

/** Milliseconds of a date or timestamp literal ('2024-01-01', '2022-03-01 00:00:00+01'). */
export function toMs(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
  if (!m) return Date.parse(text);
  let zone = m[3] ?? 'Z';
  if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const isoTimestamp = (ms: number) => {
  const s = new Date(ms).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
};
const DAY = 86_400_000;
const WORDS = [
  'alpha',
  'bravo',
  'delta',
  'ember',
  'fable',
  'grove',
  'harbor',
  'island',
  'jade',
  'kernel',
  'lumen',
  'meadow',
  'nova',
  'orbit',
  'pine',
  'quartz',
];
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

/** Integer limits of a base type. */
export function intLimits(base: BaseKind): [number, number] {
  if (base === 'int2') return [-32768, 32767];
  if (base === 'int4') return [-2147483648, 2147483647];
  return [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
}

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

function typeGenerator(type: ResolvedType, c: ColumnConstraints, rng: Rng, fixLength: (v: string) => string, where: string): ValueFn {
  switch (type.base) {
    case 'int2':
    case 'int4':
    case 'int8': {
      const { lo, hi } = numericBounds(type, c, [1, 1000]);
      if (lo > hi) throw new TdmError('INVALID_INPUT', `no integer can satisfy the CHECKs of ${where}`);
      return () => String(rng.int(lo, hi));
    }
    case 'numeric':
    case 'float':
    case 'money': {
      const { lo, hi, step } = numericBounds(type, c, [0, 1000]);
      const scale = Math.round(-Math.log10(step));
      const units = Math.floor((hi - lo) / step + 1e-9);
      if (type.base === 'float') return () => String(Number((lo + rng.int(0, units) * step).toFixed(scale)));
      return () => (lo + rng.int(0, units) * step).toFixed(scale);
    }
    case 'text': {
      const max = Math.min(type.maxLength ?? 60, c.maxLength ?? 60);
      return () => {
        const n = rng.int(1, 3);
        let out = rng.pick(WORDS);
        for (let k = 1; k < n; k++) out += ` ${rng.pick(WORDS)}`;
        return fixLength(out.length > max ? out.slice(0, max) : out);
      };
    }
    case 'bpchar': {
      const n = type.maxLength ?? 1;
      return () => {
        let out = '';
        for (let k = 0; k < Math.min(n, 12); k++) out += UPPER[rng.int(0, 25)];
        return fixLength(out);
      };
    }
    case 'bool':
      return () => (rng.next() < 0.5 ? 't' : 'f');
    case 'date': {
      const [lo, hi] = timeBounds(c, DAY, [SYNTHETIC_EPOCH - 5 * 365 * DAY, SYNTHETIC_EPOCH]);
      const days = Math.floor((hi - lo) / DAY);
      return () => isoDate(lo + rng.int(0, Math.max(days, 0)) * DAY);
    }
    case 'timestamp':
    case 'timestamptz': {
      const [lo, hi] = timeBounds(c, 1000, [SYNTHETIC_EPOCH - 3 * 365 * DAY, SYNTHETIC_EPOCH]);
      const seconds = Math.floor((hi - lo) / 1000);
      const zone = type.base === 'timestamptz' ? '+00' : '';
      return () => `${isoTimestamp(lo + rng.int(0, Math.max(seconds, 0)) * 1000)}${zone}`;
    }
    case 'time':
    case 'timetz': {
      const zone = type.base === 'timetz' ? '+00' : '';
      return () => `${pad2(rng.int(0, 23))}:${pad2(rng.int(0, 59))}:${pad2(rng.int(0, 59))}${zone}`;
    }
    case 'interval':
      return () => (rng.next() < 0.5 ? `${rng.int(1, 365)} days` : `${pad2(rng.int(0, 23))}:${pad2(rng.int(0, 59))}:00`);
    case 'uuid':
      return () => randomUuid(rng);
    case 'json':
      return () => `{"id": ${rng.int(1, 9999)}, "tag": "${rng.pick(WORDS)}", "active": ${rng.next() < 0.5}}`;
    case 'bytea':
      return () => {
        let out = '\\x';
        for (let k = rng.int(4, 16); k > 0; k--) out += `${HEX[rng.int(0, 15)]}${HEX[rng.int(0, 15)]}`;
        return out;
      };
    case 'inet':
      return () => `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`;
    case 'cidr':
      return () => `10.${rng.int(0, 255)}.${rng.int(0, 255)}.0/24`;
    case 'macaddr':
      return () => `08:00:2b:${pad2(rng.int(10, 99))}:${pad2(rng.int(10, 99))}:${pad2(rng.int(10, 99))}`;
    case 'tsvector':
      return () => {
        const n = rng.int(1, 4);
        const words = new Set<string>();
        for (let k = 0; k < n; k++) words.add(rng.pick(WORDS));
        return [...words].map((w) => `'${w}':${rng.int(1, 20)}`).join(' ');
      };
    case 'tsquery':
      return () => `'${rng.pick(WORDS)}' & '${rng.pick(WORDS)}'`;
    case 'bit':
    case 'varbit': {
      const n = type.base === 'bit' ? (type.maxLength ?? 1) : Math.min(type.maxLength ?? 8, 8);
      return () => {
        let out = '';
        for (let k = 0; k < n; k++) out += rng.next() < 0.5 ? '0' : '1';
        return out;
      };
    }
    case 'xml':
      return () => `<item>${rng.pick(WORDS)}</item>`;
    case 'point':
      return () => `(${rng.int(-180, 180)},${rng.int(-90, 90)})`;
    case 'intrange':
    case 'numrange':
      return () => {
        const a = rng.int(0, 1000);
        return `[${a},${a + rng.int(1, 100)})`;
      };
    case 'daterange':
      return () => {
        const a = SYNTHETIC_EPOCH - rng.int(0, 1000) * DAY;
        return `[${isoDate(a)},${isoDate(a + rng.int(1, 60) * DAY)})`;
      };
    case 'tsrange':
    case 'tstzrange':
      return () => {
        const a = SYNTHETIC_EPOCH - rng.int(0, 1000) * DAY;
        return `["${isoTimestamp(a)}","${isoTimestamp(a + rng.int(1, 600) * 60_000)}")`;
      };
    default:
      throw new TdmError('INVALID_INPUT', `${where}: values of type ${type.pgType} cannot be generated`, { details: { column: where, type: type.pgType } });
  }
}

export function randomUuid(rng: Rng): string {
  const a = rng.uint32().toString(16).padStart(8, '0');
  const b = rng.uint32().toString(16).padStart(8, '0');
  const c = rng.uint32().toString(16).padStart(8, '0');
  const d = rng.uint32().toString(16).padStart(8, '0');
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${HEX[8 + (rng.uint32() & 3)]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** Whether the type can be generated at all (unknown types are left NULL when the column allows it). */
export function generatable(type: ResolvedType): boolean {
  return type.base !== 'unknown' || type.element !== null;
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
