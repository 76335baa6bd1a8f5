/**
 * How the rows of a child entity are shared among the rows of the entity that owns them (orders
 * among customers, items among orders) when both counts are fixed: each parent gets a number of
 * children within the relationship's cardinality (min..max), drawn from weights (even or skewed),
 * and the counts add up exactly to the children's count. Children are numbered in parent order, so
 * parent p owns the contiguous rows `offsets[p] .. offsets[p + 1] - 1`: a child finds its parent by
 * binary search and a parent its children by two reads, without any table held in memory. When the
 * counts make the bounds impossible (fewer children than parents × min, more than parents × max),
 * the bounds are bent as little as possible and the result says so.
 */
import type { Rng } from '../rng.ts';

export interface Distribution {
  /** `parents + 1` cumulative child counts: parent p owns children [offsets[p], offsets[p+1]). */
  offsets: Float64Array;
  /** Bounds actually applied. */
  min: number;
  max: number | null;
  /** Null when the declared bounds held; otherwise which one had to give way. */
  bent: 'min' | 'max' | null;
}

/** Shares `children` among `parents` within [min, max] (max null: unbounded), with lognormal weights of spread `skew`. */
export function distribute(parents: number, children: number, min: number, max: number | null, skew: number, rng: Rng): Distribution {
  const offsets = new Float64Array(parents + 1);
  if (parents === 0) return { offsets, min, max, bent: children > 0 ? 'min' : null };
  let lo = min;
  let hi = max ?? Number.POSITIVE_INFINITY;
  let bent: Distribution['bent'] = null;
  if (children < parents * lo) {
    lo = Math.floor(children / parents);
    bent = 'min';
  }
  if (children > parents * hi) {
    hi = Math.ceil(children / parents);
    bent = 'max';
  }
  const cap = hi - lo;
  const rest = children - parents * lo;

  const weights = new Float64Array(parents);
  let total = 0;
  for (let p = 0; p < parents; p++) {
    // Even: uniform weights (counts spread over the whole range); skewed: lognormal.
    const w = skew > 0 ? Math.exp(skew * rng.normal()) : 0.05 + rng.next();
    weights[p] = w;
    total += w;
  }

  // Water-filling: the heaviest parents are capped first; the rest share what is left pro rata.
  let capped = 0;
  let threshold = Number.POSITIVE_INFINITY;
  if (Number.isFinite(cap)) {
    const order = Array.from(weights).sort((a, b) => b - a);
    let remainingWeight = total;
    let remaining = rest;
    for (const w of order) {
      if (remainingWeight <= 0 || (remaining * w) / remainingWeight <= cap) break;
      remaining -= cap;
      remainingWeight -= w;
      capped++;
      threshold = w;
    }
    total = remainingWeight;
  }
  const sharedRest = rest - capped * (Number.isFinite(cap) ? cap : 0);

  // Cumulative rounding keeps every count within floor/ceil of its share and the sum exact.
  let cumulative = 0;
  let assignedCapped = 0;
  let offset = 0;
  let prevRounded = 0;
  for (let p = 0; p < parents; p++) {
    const w = weights[p] as number;
    let share: number;
    if (capped > 0 && w >= threshold && assignedCapped < capped) {
      share = 0;
      assignedCapped++;
      offset += lo + cap;
    } else {
      cumulative += total > 0 ? (sharedRest * w) / total : 0;
      const rounded = p === parents - 1 ? sharedRest : Math.min(sharedRest, Math.round(cumulative));
      share = Math.max(0, rounded - prevRounded);
      prevRounded = Math.max(prevRounded, rounded);
      offset += lo + share;
    }
    offsets[p + 1] = offset;
  }
  // The last parent may have been a capped one: give any rounding remainder to the last uncapped share.
  const drift = children - offset;
  if (drift !== 0) {
    for (let p = parents - 1; p >= 0 && drift !== 0; p--) {
      const count = (offsets[p + 1] as number) - (offsets[p] as number);
      if (count + drift >= lo && count + drift <= hi) {
        for (let q = p + 1; q <= parents; q++) offsets[q] = (offsets[q] as number) + drift;
        break;
      }
    }
  }
  return { offsets, min: lo, max: Number.isFinite(hi) ? hi : null, bent };
}

/** The parent owning child `c` (binary search in the offsets). */
export function parentOf(offsets: Float64Array, child: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((offsets[mid] as number) <= child) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
