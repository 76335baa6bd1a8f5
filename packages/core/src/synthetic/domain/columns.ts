/**
 * Pack field types as the catalog spells them (`varchar(80)` → `character varying(80)`), the kind
 * of value the generator keeps for them, and the PostgreSQL text a value is written as.
 */
import { InvalidInputError } from '../../errors.ts';
import type { Value } from './expr.ts';

export type ValueKind = 'int' | 'decimal' | 'float' | 'date' | 'timestamp' | 'timestamptz' | 'bool' | 'text';

export interface ColumnType {
  /** format_type() spelling. */
  dataType: string;
  typeSchema: string;
  typeName: string;
  typeKind: 'base' | 'enum';
  kind: ValueKind;
  maxLength: number | null;
  precision: number | null;
  scale: number | null;
  /** Labels of a pack enum type. */
  labels: string[] | null;
}

const base = (dataType: string, typeName: string, kind: ValueKind, extra: Partial<ColumnType> = {}): ColumnType => ({
  dataType,
  typeSchema: 'pg_catalog',
  typeName,
  typeKind: 'base',
  kind,
  maxLength: null,
  precision: null,
  scale: null,
  labels: null,
  ...extra,
});

const SIMPLE: Record<string, ColumnType> = {
  bigint: base('bigint', 'int8', 'int'),
  int8: base('bigint', 'int8', 'int'),
  integer: base('integer', 'int4', 'int'),
  int: base('integer', 'int4', 'int'),
  int4: base('integer', 'int4', 'int'),
  smallint: base('smallint', 'int2', 'int'),
  int2: base('smallint', 'int2', 'int'),
  numeric: base('numeric', 'numeric', 'decimal'),
  'double precision': base('double precision', 'float8', 'float'),
  float8: base('double precision', 'float8', 'float'),
  real: base('real', 'float4', 'float'),
  text: base('text', 'text', 'text'),
  date: base('date', 'date', 'date'),
  timestamp: base('timestamp without time zone', 'timestamp', 'timestamp'),
  timestamptz: base('timestamp with time zone', 'timestamptz', 'timestamptz'),
  boolean: base('boolean', 'bool', 'bool'),
  bool: base('boolean', 'bool', 'bool'),
  uuid: base('uuid', 'uuid', 'text'),
  inet: base('inet', 'inet', 'text'),
};

/** The column type of a pack type name; `enums` are the pack's enum types (created in schema `public`). */
export function columnType(type: string, enums: Record<string, string[]>): ColumnType {
  const t = type.trim().toLowerCase();
  const simple = SIMPLE[t];
  if (simple) return simple;
  const numeric = /^(?:numeric|decimal)\((\d+),\s*(\d+)\)$/.exec(t);
  if (numeric) {
    const [p, s] = [Number(numeric[1]), Number(numeric[2])];
    return base(`numeric(${p},${s})`, 'numeric', 'decimal', { precision: p, scale: s });
  }
  const varchar = /^(?:varchar|character varying)\((\d+)\)$/.exec(t);
  if (varchar) return base(`character varying(${varchar[1]})`, 'varchar', 'text', { maxLength: Number(varchar[1]) });
  const char = /^(?:char|character)\((\d+)\)$/.exec(t);
  if (char) return base(`character(${char[1]})`, 'bpchar', 'text', { maxLength: Number(char[1]) });
  const labels = enums[type];
  if (labels) return { ...base(`public.${type}`, type, 'text', { labels }), typeSchema: 'public', typeKind: 'enum' };
  throw new InvalidInputError(`unsupported field type ${JSON.stringify(type)}`, { type });
}

const DAY_MS = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
export function isoTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${isoDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
export { DAY_MS };

/** Rounds to `scale` decimals so that sums of stored values equal what the database computes. */
export function roundTo(value: number, scale: number): number {
  const f = 10 ** scale;
  return Math.round(value * f + (value >= 0 ? 1e-7 : -1e-7)) / f;
}

/** A generator's value as the column's kind (numbers rounded to the column's scale, dates as ms). */
export function coerce(type: ColumnType, v: Value): Value {
  if (v === null) return null;
  switch (type.kind) {
    case 'int':
      return Math.round(typeof v === 'number' ? v : Number(v));
    case 'decimal': {
      const n = typeof v === 'number' ? v : Number(v);
      return type.scale === null ? n : roundTo(n, type.scale);
    }
    case 'float':
      return typeof v === 'number' ? v : Number(v);
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return typeof v === 'number' ? v : Date.parse(String(v).replace(' ', 'T') + (String(v).length > 10 ? 'Z' : ''));
    case 'bool':
      return v === true || v === 't' || v === 'true' || v === 1;
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

/** The PostgreSQL text of a value (strings from semantic generators pass through). */
export function formatter(type: ColumnType): (v: Value) => string | null {
  switch (type.kind) {
    case 'int':
    case 'float':
      return (v) => (v === null ? null : String(v));
    case 'decimal': {
      const scale = type.scale;
      return (v) => (v === null ? null : typeof v === 'number' ? (scale === null ? String(v) : v.toFixed(scale)) : String(v));
    }
    case 'date':
      return (v) => (v === null ? null : typeof v === 'number' ? isoDate(v) : String(v));
    case 'timestamp':
      return (v) => (v === null ? null : typeof v === 'number' ? isoTimestamp(v) : String(v));
    case 'timestamptz':
      return (v) => (v === null ? null : typeof v === 'number' ? `${isoTimestamp(v)}+00` : String(v));
    case 'bool':
      return (v) => (v === null ? null : v === true || v === 't' ? 't' : 'f');
    default: {
      const max = type.maxLength;
      return (v) => (v === null ? null : max !== null && String(v).length > max ? String(v).slice(0, max) : String(v));
    }
  }
}
