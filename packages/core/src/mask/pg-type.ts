/**
 * Reads what a transformer needs from a column's PostgreSQL type name as `format_type()` or
 * `information_schema` spell it ("character varying(50)", "integer", "timestamp with time zone",
 * "int8", "varchar(12)", "_text"…): its kind, its length limit and its integer range.
 */
import type { ColumnKind } from './types.ts';

export interface PgTypeInfo {
  kind: ColumnKind;
  /** Character limit of varchar(n) / char(n); undefined when unbounded. */
  maxLength?: number;
  /** Largest value of an integer column (int2, int4, int8). */
  intMax?: bigint;
  /** timestamptz / timetz. */
  withTimeZone?: boolean;
}

const INT_MAX: Record<string, bigint> = {
  smallint: 32767n,
  int2: 32767n,
  smallserial: 32767n,
  integer: 2147483647n,
  int: 2147483647n,
  int4: 2147483647n,
  serial: 2147483647n,
  bigint: 9223372036854775807n,
  int8: 9223372036854775807n,
  bigserial: 9223372036854775807n,
};

/** Describes a PostgreSQL type name; unknown types are `any` (transformers then treat values as text). */
export function describePgType(pgType: string): PgTypeInfo {
  const t = pgType
    .trim()
    .toLowerCase()
    .replace(/^pg_catalog\./, '')
    .replace(/"/g, '');
  if (t.endsWith('[]') || t.startsWith('_')) return { kind: 'any' };
  const base = t.replace(/\(.*\)/, '').trim();
  const intMax = INT_MAX[base];
  if (intMax !== undefined) return { kind: 'integer', intMax };
  const length = /^(?:character varying|varchar|character|char|bpchar)\s*\((\d+)\)/.exec(t);
  if (length) return { kind: 'text', maxLength: Number(length[1]) };
  // Network types have a plain text form that text transformers (and generalize's ip rule) keep valid.
  if (/^(?:text|character varying|varchar|character|char|bpchar|citext|name|inet|cidr)$/.test(base)) return { kind: 'text' };
  if (/^(?:numeric|decimal|real|double precision|float4|float8|money)$/.test(base)) return { kind: 'numeric' };
  if (base === 'date') return { kind: 'date' };
  if (/^timestamp/.test(base)) return { kind: 'timestamp', withTimeZone: /with time zone|tz/.test(base) };
  if (base === 'timestamptz') return { kind: 'timestamp', withTimeZone: true };
  if (base === 'boolean' || base === 'bool') return { kind: 'boolean' };
  if (base === 'uuid') return { kind: 'uuid' };
  if (base === 'json' || base === 'jsonb') return { kind: 'json' };
  if (base === 'bytea') return { kind: 'bytea' };
  return { kind: 'any' };
}

/** Cuts a value to a varchar(n) limit (by code points, as PostgreSQL counts characters). */
export function fitLength(value: string, maxLength: number | undefined): string {
  // UTF-16 units are never fewer than code points: a short enough string needs no counting.
  if (maxLength === undefined || value.length <= maxLength) return value;
  const chars = [...value];
  return chars.length <= maxLength ? value : chars.slice(0, maxLength).join('');
}
