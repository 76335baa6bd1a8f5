/**
 * Distribution distances, each 0 for the same distribution and 1 for disjoint ones: the two-sample
 * Kolmogorov–Smirnov statistic for numbers and dates, total variation for categories, and for free
 * text the mean of the total variation of value lengths and of value shapes ("Aa9" classes); and
 * the same measures against what a domain pack declares, for domain-mode datasets.
 */
import { continuousCdf, type DeclaredDistribution } from '../synthetic/domain/declared.ts';
import { type ColumnProfile, sampledLength } from './profile.ts';

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

/**
 * One-sample KS statistic against a CDF; `cdfBefore(x)` is P(X < x), the CDF just left of x, for a
 * distribution with steps (integers, days): equal values are taken together, so a sample of a
 * discrete distribution is not charged for its ties.
 */
export function ksAgainst(sample: number[], cdf: (x: number) => number, cdfBefore: (x: number) => number = cdf): number {
  if (!sample.length) return 0;
  const x = Float64Array.from(sample).sort();
  const n = x.length;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  let d = 0;
  for (let i = 0; i < n; ) {
    const v = x[i] as number;
    let j = i;
    while (j < n && x[j] === v) j++;
    d = Math.max(d, Math.abs(j / n - clamp(cdf(v))), Math.abs(clamp(cdfBefore(v)) - i / n));
    i = j;
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
    countBy(a, (v) => lengthBucket(sampledLength(v))),
    countBy(b, (v) => lengthBucket(sampledLength(v))),
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

/** Drift of a column against what its domain pack declares (synthetic/domain/declared.ts). */
export function declaredDrift(data: ColumnProfile, declared: DeclaredDistribution, toNumber: ((t: string) => number) | null): number | null {
  const values = data.sample.items;
  if (!values.length) return null;
  switch (declared.kind) {
    case 'categorical':
      return totalVariation(data.categories ?? countBy(values, (v) => v), declared.weights);
    case 'pattern': {
      const lengths = new Map([[lengthBucket(declared.template.length), 1]]);
      const shapes = new Map([[shapeOf(declared.template), 1]]);
      return (
        (totalVariation(
          countBy(values, (v) => lengthBucket(sampledLength(v))),
          lengths,
        ) +
          totalVariation(countBy(values, shapeOf), shapes)) /
        2
      );
    }
    case 'numeric': {
      if (!toNumber) return null;
      const g = continuousCdf(declared);
      const grid = declared.grid;
      const nums = values.map(toNumber).filter(Number.isFinite);
      return grid
        ? ksAgainst(
            nums,
            (x) => g(x + grid.above),
            (x) => g(x - grid.below),
          )
        : ksAgainst(nums, g);
    }
  }
}
