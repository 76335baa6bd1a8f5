/**
 * The generators' random numbers: a small, fast, seedable PRNG (sfc32) whose state comes from a
 * string hash (cyrb128) of the run's seed and a path (`seed, table, column` or `seed, "order", 17`).
 * Every synthetic value is a function of (seed, path, draw order), so the same seed gives the same
 * rows in any process, and an independent stream per column keeps one column's draws from shifting
 * another's. Not for secrets: masking uses keyed hashes (mask/keys.ts), never this.
 */

/** 128 bits of state from a string (cyrb128): four 32-bit words, never all zero. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0 || 1];
}

export type SeedPart = string | number | bigint;

/** A deterministic stream of random numbers. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** State handed from `fromWords` to the constructor (single-threaded: set and taken in one call). */
  static #words: [number, number, number, number] | null = null;

  /** A stream for `parts` (e.g. `new Rng(seed, 'public.customer', 'email')`). */
  constructor(...parts: SeedPart[]) {
    const words = Rng.#words ?? cyrb128(parts.map(String).join('\u001f'));
    Rng.#words = null;
    [this.#a, this.#b, this.#c, this.#d] = words;
    // Warm up: the first outputs of sfc32 still echo the seed.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /**
   * A stream seeded from four 32-bit words, without hashing a string: cheap enough to make one per
   * row and field (the words then come from the row's own stream and a per-field salt).
   */
  static fromWords(a: number, b: number, c: number, d: number): Rng {
    Rng.#words = [a >>> 0, b >>> 0, c >>> 0, d >>> 0 || 1];
    return new Rng();
  }

  /** A uniformly random 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max] (both inclusive; safe up to 2^53 wide ranges). */
  int(min: number, max: number): number {
    const span = max - min + 1;
    if (span <= 4294967296) return min + Math.floor(this.next() * span);
    return min + Math.floor(((this.uint32() * 4294967296 + this.uint32()) / 2 ** 64) * span);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }

  /** An index drawn with the given (non-negative) weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** An index drawn by cumulative weights (ascending, the last one the total). */
  weightedCumulative(cumulative: ArrayLike<number>): number {
    const r = this.next() * (cumulative[cumulative.length - 1] as number);
    for (let i = 0; i < cumulative.length; i++) if (r < (cumulative[i] as number)) return i;
    return cumulative.length - 1;
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** `n` random decimal digits. */
  digits(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += String.fromCharCode(48 + Math.floor(this.next() * 10));
    return out;
  }

  /** An independent stream derived from this one's seed path and `parts`. */
  static derive(seed: SeedPart, ...parts: SeedPart[]): Rng {
    return new Rng(seed, ...parts);
  }
}
