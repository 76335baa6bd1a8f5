/**
 * Fixed-size summaries that let a report stream over any number of rows: a 53-bit string hash, a
 * HyperLogLog distinct counter (16 KiB per column) and a seeded reservoir sample. (The HyperLogLog
 * is kept here rather than taken from a package: the registry's maintained one, in bloom-filters,
 * hashes with a pure-JavaScript 64-bit xxhash at ~400 µs a value — hours for 10⁷ rows × a few
 * columns — where cyrb53 takes well under a microsecond.) Exact key checks are in keys.ts.
 */

/** cyrb53: a fast 53-bit string hash. */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const HLL_BITS = 14;
const HLL_M = 1 << HLL_BITS;

/** HyperLogLog with 2¹⁴ registers: ~0.8 % standard error. */
export class HyperLogLog {
  readonly #registers = new Uint8Array(HLL_M);

  add(text: string): void {
    const h = hash53(text, 0x9e3779b9);
    const index = h % HLL_M;
    // The 39 bits above the index: rank = position of the first 1 bit.
    let rest = Math.floor(h / HLL_M);
    let rank = 1;
    while (rank <= 39 && (rest & 1) === 0) {
      rest = Math.floor(rest / 2);
      rank++;
    }
    if (rank > (this.#registers[index] as number)) this.#registers[index] = rank;
  }

  count(): number {
    let sum = 0;
    let zeros = 0;
    for (const r of this.#registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / HLL_M);
    const estimate = (alpha * HLL_M * HLL_M) / sum;
    // Small ranges: linear counting is exact enough and unbiased.
    if (estimate <= 2.5 * HLL_M && zeros > 0) return HLL_M * Math.log(HLL_M / zeros);
    return estimate;
  }
}

/** A uniform sample of at most `size` items (Algorithm R) with a seeded generator, so reports repeat. */
export class Reservoir<T> {
  readonly items: T[] = [];
  #seen = 0;
  #state: number;
  constructor(
    readonly size: number,
    seed = 1,
  ) {
    this.#state = seed >>> 0 || 1;
  }

  #random(): number {
    // xorshift32
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state / 4294967296;
  }

  add(item: T): void {
    this.#seen++;
    if (this.items.length < this.size) this.items.push(item);
    else {
      const j = Math.floor(this.#random() * this.#seen);
      if (j < this.size) this.items[j] = item;
    }
  }

  get seen(): number {
    return this.#seen;
  }
}
