/** Drawing single values for domain-pack generators: instants and dates, patterns, numbers by distribution, cardinalities. */
import { InvalidInputError } from '../../errors.ts';
import { SYNTHETIC_EPOCH } from '../semantic.ts';
import { type ColumnType, columnType, DAY_MS } from './columns.ts';
import type { FieldRng } from './plan.ts';

export const YEAR_MS = 365.25 * DAY_MS;
export const INSTANT = columnType('timestamp', {});
export const DAY = columnType('date', {});

export function dateLiteral(text: string): number {
  if (text === 'now') return SYNTHETIC_EPOCH;
  const rel = /^([+-]\d+)([dy])$/.exec(text);
  if (rel) return SYNTHETIC_EPOCH + Number(rel[1]) * (rel[2] === 'y' ? YEAR_MS : DAY_MS);
  return Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text.replace(' ', 'T')}Z`);
}

export function addYears(ms: number, years: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/** A value within [lo, hi] ms as the column stores it: whole days for dates, whole seconds for timestamps. */
export function drawInstant(type: ColumnType, lo: number, hi: number, rng: FieldRng): number {
  if (type.kind === 'date') {
    const from = Math.ceil(lo / DAY_MS);
    const to = Math.max(from, Math.floor(hi / DAY_MS));
    return rng.int(from, to) * DAY_MS;
  }
  const from = Math.ceil(lo / 1000);
  const to = Math.max(from, Math.floor(hi / 1000));
  return rng.int(from, to) * 1000;
}

export function fillPattern(pattern: string, rng: FieldRng, unique: number | null): string {
  const digits = [...pattern].filter((c) => c === '#').length;
  let uniqueDigits = '';
  let keep = 0;
  if (unique !== null) {
    keep = Math.min(digits, 12);
    const space = 10 ** keep;
    if (unique >= space) throw new InvalidInputError(`pattern ${JSON.stringify(pattern)} has room for ${space} unique values`);
    // An affine map with a multiplier prime to 10 is a bijection on [0, 10^k): distinct rows, distinct values, no visible counter.
    uniqueDigits = String((unique * 7919 + 104_729) % space).padStart(keep, '0');
  }
  let out = '';
  let seen = 0;
  for (const ch of pattern) {
    if (ch === '#') {
      out += seen >= digits - keep ? uniqueDigits[seen - (digits - keep)] : String.fromCharCode(48 + rng.int(0, 9));
      seen++;
    } else if (ch === '@') out += String.fromCharCode(65 + rng.int(0, 25));
    else out += ch;
  }
  return out;
}

export function numberIn(dist: string | undefined, min: number, max: number, rng: FieldRng): number {
  switch (dist) {
    case 'low':
      return min + (max - min) * rng.next() ** 2.5;
    case 'normal': {
      const v = (min + max) / 2 + ((max - min) / 6) * rng.normal();
      return Math.min(max, Math.max(min, v));
    }
    case 'logUniform':
      return Math.exp(Math.log(Math.max(min, 1e-6)) + rng.next() * (Math.log(max) - Math.log(Math.max(min, 1e-6))));
    default:
      return min + (max - min) * rng.next();
  }
}

export function parseCardinality(text: string | undefined): { min: number; max: number | null } {
  if (!text) return { min: 0, max: null };
  const [lo, hi] = text.split('..');
  return { min: Number(lo), max: hi === 'n' ? null : Number(hi) };
}
