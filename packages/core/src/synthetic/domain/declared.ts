/**
 * What a domain pack declares about a field's values, read from its generator the way plan.ts
 * draws them: the reference a domain-mode dataset is measured against (quality/reference.ts).
 * Declared: `enum` and `bool` weights, `cycle` and `const` values, `int`/`decimal` ranges with
 * their `dist`, `sequence` keys, `date` ranges with fixed bounds, `birthDate` ages at the synthetic
 * epoch, and the length and shape of a `pattern`. Not declared (their values depend on other
 * fields, rows or libraries): `semantic`, `ref`, `lookup`, `expr`, aggregates, and dates or
 * patterns bounded by other fields.
 */
import { SYNTHETIC_EPOCH } from '../semantic.ts';
import { type ColumnType, coerce, DAY_MS, formatter } from './columns.ts';
import type { FieldSpec } from './packs.ts';
import { addYears, dateLiteral, YEAR_MS } from './draw.ts';

export type NumericShape = 'uniform' | 'low' | 'normal' | 'logUniform';

/**
 * A field's distribution. Numbers (and dates, in ms) are a continuous `shape` on [min, max] with,
 * for stored values on a grid, the grid: a value x stands for draws in (x − below, x + above] —
 * whole days drawn and floored, prices rounded to cents.
 */
export type DeclaredDistribution =
  | { kind: 'categorical'; weights: Map<string, number> }
  | { kind: 'numeric'; shape: NumericShape; min: number; max: number; grid: { below: number; above: number } | null }
  /** Every value has the length and character shape of `template` (a `pattern`, its '#' and '@' filled). */
  | { kind: 'pattern'; template: string };

export interface DeclaredField {
  distribution: DeclaredDistribution | null;
  /** The declared share of NULLs (`nullRate`, 0 without one) where the values are declared; else null. */
  nullRatio: number | null;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5·10⁻⁷). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The CDF of a numeric declaration before its grid (numberIn of plan.ts). */
export function continuousCdf(d: Extract<DeclaredDistribution, { kind: 'numeric' }>): (x: number) => number {
  const { min, max } = d;
  const span = max - min || 1;
  switch (d.shape) {
    case 'uniform':
      return (x) => (x - min) / span;
    case 'low':
      return (x) => (x <= min ? 0 : ((x - min) / span) ** 0.4);
    case 'normal': {
      const mean = (min + max) / 2;
      const sd = span / 6;
      return (x) => (x < min ? 0 : x >= max ? 1 : phi((x - mean) / sd));
    }
    case 'logUniform': {
      const lo = Math.log(Math.max(min, 1e-6));
      const hi = Math.log(max);
      return (x) => (x <= 0 ? 0 : (Math.log(x) - lo) / (hi - lo || 1));
    }
  }
}

/** Rounding the column applies to a drawn number (integers, a numeric scale). */
function roundingOf(type: ColumnType): number | null {
  if (type.kind === 'int') return 1;
  if (type.kind === 'decimal' && type.scale !== null) return 10 ** -type.scale;
  return null;
}

function numeric(shape: NumericShape, min: number, max: number, grid: { below: number; above: number } | null): DeclaredDistribution {
  return { kind: 'numeric', shape, min, max, grid };
}

/** Whole units drawn uniformly in [lo, hi] ms as plan.ts's drawInstant does (days for dates, seconds otherwise). */
function instants(unit: number, lo: number, hi: number): DeclaredDistribution {
  const from = Math.ceil(lo / unit);
  const to = Math.max(from, Math.floor(hi / unit));
  return numeric('uniform', from * unit, (to + 1) * unit, { below: 0, above: unit });
}

/**
 * The distribution `field` declares for a column of `type`, with `rows` rows in the dataset (for
 * sequences); null where the values are not declared by the pack alone.
 */
export function declaredDistribution(field: FieldSpec, type: ColumnType, rows: number): DeclaredDistribution | null {
  const g = field.generator;
  const text = formatter(type);
  const stored = (v: string | number | boolean) => text(coerce(type, type.kind === 'text' ? String(v) : v));
  const categorical = (entries: [string | number | boolean, number][]): DeclaredDistribution => {
    const weights = new Map<string, number>();
    for (const [v, w] of entries) {
      const key = stored(v);
      if (key !== null) weights.set(key, (weights.get(key) ?? 0) + w);
    }
    return { kind: 'categorical', weights };
  };
  if ('enum' in g) return categorical(Array.isArray(g.enum) ? g.enum.map((v) => [v, 1]) : Object.entries(g.enum));
  if ('cycle' in g) return categorical(g.cycle.map((v) => [v, 1]));
  if ('const' in g) return g.const === null ? null : categorical([[g.const, 1]]);
  if ('bool' in g)
    return {
      kind: 'categorical',
      weights: new Map([
        ['t', g.bool],
        ['f', 1 - g.bool],
      ]),
    };
  if ('int' in g) {
    // plan.ts: rng.int(min, max) for uniform, else floor of a draw on [min, max + 1] capped at max.
    const { min, max, dist } = g.int;
    return numeric(dist ?? 'uniform', min, max + 1, { below: 0, above: 1 });
  }
  if ('decimal' in g) {
    const { min, max, dist } = g.decimal;
    const unit = roundingOf(type);
    return numeric(dist ?? 'uniform', min, max, unit === null ? null : { below: unit / 2, above: unit / 2 });
  }
  if ('sequence' in g) {
    if (rows <= 0) return null;
    const start = g.sequence?.start ?? 1;
    const step = g.sequence?.step ?? 1;
    return numeric('uniform', start, start + rows * step, { below: 0, above: step });
  }
  if ('date' in g) {
    const d = g.date;
    if (d.after !== undefined || d.before !== undefined) return null;
    const from = d.from ? dateLiteral(d.from) : SYNTHETIC_EPOCH - 5 * YEAR_MS;
    const to = d.to ? dateLiteral(d.to) : SYNTHETIC_EPOCH;
    const lo = from + (d.minDays ?? 0) * DAY_MS;
    const hi = Math.max(lo, d.maxDays === undefined ? to : Math.min(to, from + d.maxDays * DAY_MS));
    return instants(type.kind === 'date' ? DAY_MS : 1000, lo, hi);
  }
  if ('birthDate' in g) {
    if (g.birthDate.at) return null;
    const { minAgeYears, maxAgeYears } = g.birthDate;
    return instants(DAY_MS, addYears(SYNTHETIC_EPOCH, -maxAgeYears) + DAY_MS, addYears(SYNTHETIC_EPOCH, -minAgeYears) - DAY_MS);
  }
  if ('pattern' in g && typeof g.pattern === 'string') {
    // Every '#' is a digit and every '@' a capital letter: one length and one shape.
    let filled = '';
    for (const ch of g.pattern) filled += ch === '#' ? '0' : ch === '@' ? 'A' : ch;
    return { kind: 'pattern', template: text(filled) ?? filled };
  }
  return null;
}

/** A field's declaration: its distribution and, where that is declared, its null ratio. */
export function declaredField(field: FieldSpec, type: ColumnType, rows: number): DeclaredField {
  const distribution = declaredDistribution(field, type, rows);
  return { distribution, nullRatio: distribution ? (field.nullRate ?? 0) : null };
}
