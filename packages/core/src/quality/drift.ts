/**
 * Distribution distances, each 0 for the same distribution and 1 for disjoint ones: the two-sample
 * Kolmogorov–Smirnov statistic for numbers and dates, total variation for categories, and for free
 * text the mean of the total variation of value lengths and of value shapes ("Aa9" classes).
 */
import type { ColumnProfile } from './profile.ts';

/** Two-sample KS statistic: the largest gap between the empirical CDFs. */
export function ksStatistic(a: number[], b: number[]): number {
  if (!a.length || !b.length) return 0;
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** One-sample KS statistic against a continuous CDF. */
export function ksAgainst(sample: number[], cdf: (x: number) => number): number {
  if (!sample.length) return 0;
  const x = Float64Array.from(sample).sort();
  let d = 0;
  for (let i = 0; i < x.length; i++) {
    const f = Math.min(1, Math.max(0, cdf(x[i] as number)));
    d = Math.max(d, Math.abs((i + 1) / x.length - f), Math.abs(f - i / x.length));
  }
  return d;
}

/** Total variation distance ½·Σ|p − q| of two count maps (normalised here). */
export function totalVariation(p: Map<string, number>, q: Map<string, number>): number {
  const sp = sum(p);
  const sq = sum(q);
  if (!sp || !sq) return sp === sq ? 0 : 1;
  let d = 0;
  for (const [k, v] of p) d += Math.abs(v / sp - (q.get(k) ?? 0) / sq);
  for (const [k, v] of q) if (!p.has(k)) d += v / sq;
  return d / 2;
}

const sum = (m: Map<string, number>) => {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
};

/** Character classes with runs collapsed: "Ann-Marie 42" → "Aa-Aa 9". */
export function shapeOf(text: string): string {
  let out = '';
  let last = '';
  for (const ch of text.slice(0, 64)) {
    const c = ch >= '0' && ch <= '9' ? '9' : ch >= 'a' && ch <= 'z' ? 'a' : ch >= 'A' && ch <= 'Z' ? 'A' : /\p{L}/u.test(ch) ? 'a' : ch;
    if (c !== last || !'9aA'.includes(c)) out += c;
    last = c;
  }
  return out;
}

const lengthBucket = (n: number) => (n <= 32 ? String(n) : `2^${Math.ceil(Math.log2(n))}`);

function countBy(values: string[], key: (v: string) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) {
    const k = key(v);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Length and shape profile distance of two text samples. */
export function textDrift(a: string[], b: string[]): number {
  const len = totalVariation(
    countBy(a, (v) => lengthBucket(v.length)),
    countBy(b, (v) => lengthBucket(v.length)),
  );
  return (len + totalVariation(countBy(a, shapeOf), countBy(b, shapeOf))) / 2;
}

/**
 * Drift of a column against its reference profile: KS when `toNumber` is given (numbers, dates),
 * total variation when both sides are categorical, else the text profile. Null when either side has
 * no values to compare.
 */
export function columnDrift(data: ColumnProfile, ref: ColumnProfile, toNumber: ((t: string) => number) | null): number | null {
  if (!data.sample.items.length || !ref.sample.items.length) return null;
  if (toNumber) {
    const nums = (xs: string[]) => xs.map(toNumber).filter(Number.isFinite);
    return ksStatistic(nums(data.sample.items), nums(ref.sample.items));
  }
  if (data.categories && ref.categories) return totalVariation(data.categories, ref.categories);
  return textDrift(data.sample.items, ref.sample.items);
}

/** What a domain pack declares about a field's values. */
export type DeclaredDistribution = { kind: 'categorical'; weights: Map<string, number> } | { kind: 'uniform' | 'logUniform'; min: number; max: number };

/** Drift of a column against a declared distribution. */
export function declaredDrift(data: ColumnProfile, declared: DeclaredDistribution, toNumber: ((t: string) => number) | null): number | null {
  if (!data.sample.items.length) return null;
  if (declared.kind === 'categorical') {
    const observed = data.categories ?? countBy(data.sample.items, (v) => v);
    return totalVariation(observed, declared.weights);
  }
  if (!toNumber) return null;
  const { min, max } = declared;
  const cdf =
    declared.kind === 'uniform'
      ? (x: number) => (x - min) / (max - min || 1)
      : (x: number) => (Math.log(Math.max(x, min)) - Math.log(min)) / (Math.log(max) - Math.log(min) || 1);
  if (declared.kind === 'logUniform' && min <= 0) return null;
  return ksAgainst(data.sample.items.map(toNumber).filter(Number.isFinite), cdf);
}
