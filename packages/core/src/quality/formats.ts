/**
 * What "a value of this column" looks like: a parser per PostgreSQL base type (integers in range,
 * dates that exist, JSON that parses…) plus a format chosen from the column's meaning for text
 * columns (an `email` column holds e-mail addresses, a `url` column URLs). And the single-column
 * constraints that need no expression evaluator: length, numeric precision and scale, enum labels.
 */
import type { BaseKind, ResolvedType } from '../synthetic/schema/column-type.ts';
import { toMs } from '../synthetic/schema/time-text.ts';

export type ValueCheck = (text: string) => boolean;

const INT = /^-?\d+$/;
const NUMERIC = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$|^(?:NaN|-?Infinity)$/;
const DATE = /^\d{4,}-\d{2}-\d{2}(?: BC)?$|^-?infinity$/;
const TIME = /^\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}(?::?\d{2})?)?$/;
const TIMESTAMP = /^\d{4,}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2}){0,2})?(?: BC)?$|^-?infinity$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const BYTEA = /^\\x(?:[0-9a-f]{2})*$/i;
const INET = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:.]+)(?:\/\d{1,3})?$/i;
const MAC = /^[0-9a-f]{2}(?:[:-]?[0-9a-f]{2}){5,7}$/i;
const BITS = /^[01]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_TEXT = /^https?:\/\/[^\s/$.?#].[^\s]*$/i;
const PHONE = /^\+?[\d\s().\-/]{5,}(?:\s*(?:x|ext\.?)\s*\d+)?$/i;

const INT_LIMITS: Partial<Record<BaseKind, [bigint, bigint]>> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};

function intCheck(base: BaseKind): ValueCheck {
  const [lo, hi] = INT_LIMITS[base] as [bigint, bigint];
  return (t) => {
    if (!INT.test(t)) return false;
    const v = BigInt(t);
    return v >= lo && v <= hi;
  };
}

const validDate = (t: string) => {
  if (/infinity$/.test(t) || t.endsWith(' BC')) return true;
  const [y, m, d] = t.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

const json: ValueCheck = (t) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

/** Formats a text column's name promises. */
export function semanticFormat(column: string): { name: string; check: ValueCheck } | null {
  const n = column.toLowerCase();
  if (/(^|_)(e_?mail|email_address|mail)($|_)/.test(n) || n.endsWith('email')) return { name: 'email', check: (t) => EMAIL.test(t) };
  if (/(^|_)(url|website|homepage|link)($|_)/.test(n)) return { name: 'url', check: (t) => URL_TEXT.test(t) };
  if (/(^|_)(phone|mobile|fax|telephone)($|_)/.test(n)) return { name: 'phone', check: (t) => PHONE.test(t) };
  if (/(^|_)(uuid|guid)($|_)/.test(n)) return { name: 'uuid', check: (t) => UUID.test(t) };
  if (/(^|_)json($|_)/.test(n)) return { name: 'json', check: json };
  return null;
}

/** The parser of a base type; null for types every text of which is valid here (text, arrays, ranges…). */
export function baseCheck(type: ResolvedType): ValueCheck | null {
  switch (type.base) {
    case 'int2':
    case 'int4':
    case 'int8':
      return intCheck(type.base);
    case 'numeric':
    case 'float':
      return (t) => NUMERIC.test(t);
    case 'money':
      return (t) => /^-?\$?-?[\d,]+(?:\.\d+)?$/.test(t);
    case 'bool':
      return (t) => t === 't' || t === 'f';
    case 'date':
      return (t) => DATE.test(t) && validDate(t);
    case 'time':
    case 'timetz':
      return (t) => TIME.test(t);
    case 'timestamp':
    case 'timestamptz':
      return (t) => TIMESTAMP.test(t) && validDate(t.slice(0, 10)) && (!/^\d{4}-/.test(t) || Number.isFinite(toMs(t)));
    case 'uuid':
      return (t) => UUID.test(t);
    case 'json':
      return json;
    case 'bytea':
      return (t) => BYTEA.test(t);
    case 'inet':
    case 'cidr':
      return (t) => INET.test(t);
    case 'macaddr':
      return (t) => MAC.test(t);
    case 'bit':
    case 'varbit':
      return (t) => BITS.test(t);
    case 'enum':
      return type.labels
        ? (
            (labels) => (t: string) =>
              labels.has(t)
          )(new Set(type.labels))
        : null;
    default:
      return null;
  }
}

/** The column's consistency check: its type's parser and, for text, the format its name promises. */
export function consistencyCheck(column: string, type: ResolvedType): { check: ValueCheck | null; format: string } {
  const base = baseCheck(type);
  if (base) return { check: base, format: type.base };
  if (type.base === 'text' || type.base === 'bpchar') {
    const semantic = semanticFormat(column);
    if (semantic) return { check: semantic.check, format: semantic.name };
  }
  return { check: null, format: type.base };
}

/** Length, precision/scale and enum constraints of a column's type; null when it has none. */
export function typeConstraintCheck(type: ResolvedType): ValueCheck | null {
  const checks: ValueCheck[] = [];
  if ((type.base === 'text' || type.base === 'bpchar') && type.maxLength) {
    const max = type.maxLength;
    // Characters, not UTF-16 units; char(n) pads with spaces that do not count against n.
    checks.push((t) => (t.length <= max ? true : [...(type.base === 'bpchar' ? t.trimEnd() : t)].length <= max));
  }
  if ((type.base === 'bit' || type.base === 'varbit') && type.maxLength) {
    const max = type.maxLength;
    checks.push(type.base === 'bit' ? (t) => t.length === max : (t) => t.length <= max);
  }
  if (type.base === 'numeric' && type.precision !== null) {
    const intDigits = type.precision - (type.scale ?? 0);
    const scale = type.scale ?? 0;
    checks.push((t) => {
      if (!NUMERIC.test(t) || /[eE]|NaN|Infinity/.test(t)) return !/Infinity/.test(t);
      const [whole = '', frac = ''] = t.replace('-', '').split('.');
      const significant = whole.replace(/^0+/, '');
      return significant.length <= intDigits && frac.replace(/0+$/, '').length <= scale;
    });
  }
  if (type.base === 'enum' && type.labels) {
    const labels = new Set(type.labels);
    checks.push((t) => labels.has(t));
  }
  if (!checks.length) return null;
  return (t) => checks.every((c) => c(t));
}

/** A number for distribution tests: numbers as numbers, dates and timestamps as epoch milliseconds. */
export function numericValue(type: ResolvedType): ((text: string) => number) | null {
  switch (type.base) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float':
      return (t) => Number(t);
    case 'money':
      return (t) => Number(t.replace(/[$,]/g, ''));
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return (t) => toMs(t);
    default:
      return null;
  }
}
