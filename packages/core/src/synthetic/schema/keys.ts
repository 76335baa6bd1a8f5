/**
 * Keys: values unique by construction and the choice of parents.
 *
 * - A key column (identity/serial, or a single-column PK/UNIQUE) gets a value that is a pure
 *   function of the row number: `lo + row` for integers, the row number folded into uuids, text and
 *   dates. Pure keys let a child compute its parent's key from a parent row number, so no parent row
 *   is ever kept, and references to tables generated later (FK cycles) are as easy as to earlier ones.
 * - Children pick parent rows with a Zipf-like skew (a few parents get many children), scattered over
 *   the parents by an affine permutation so the busy parents are not simply the first ones.
 * - A UNIQUE made only of FK columns (junction tables) enumerates distinct parent tuples through an
 *   affine permutation of their product, so pairs never repeat and need no set.
 */
import { Rng } from '../rng.ts';
import { type ColumnConstraints, numericBounds } from './column-constraints.ts';
import type { ResolvedType } from './column-type.ts';
import { isoDate, isoTimestamp, toMs } from './time-text.ts';

/** 32-bit mix of two integers (murmur3's finalizer over a combination). */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const HEX = '0123456789abcdef';
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const WORDS = ['amber', 'birch', 'cedar', 'dune', 'elm', 'fern', 'glade', 'heath', 'iris', 'juniper', 'kelp', 'larch', 'maple', 'nettle', 'oak', 'poppy'];
const DAY = 86_400_000;

export interface KeyGenerator {
  /** The value of row `row` (0-based); distinct rows give distinct values. */
  value(row: number): string;
  /** How many distinct values exist. */
  capacity: number;
  /** `value(row)` may be called for any row in any order (children compute parent keys with it). */
  pure?: boolean;
}

/** A key generator for a type and its constraints; null when uniqueness cannot be built in (a set then guards it). */
export function keyGenerator(type: ResolvedType, c: ColumnConstraints, seedHash: number): KeyGenerator | null {
  if (c.values || c.regex || c.notIn?.length) return null;
  switch (type.base) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'money': {
      const b = numericBounds(type, c, [1, Number.MAX_SAFE_INTEGER]);
      const start = Math.ceil(c.min ? b.lo : Math.max(b.lo, 1));
      const scale = type.base === 'numeric' ? (type.scale ?? 0) : type.base === 'money' ? 2 : 0;
      return {
        capacity: Math.max(0, Math.floor(b.hi) - start + 1),
        value: scale ? (row) => (start + row).toFixed(scale) : (row) => String(start + row),
      };
    }
    case 'uuid':
      return {
        capacity: Number.MAX_SAFE_INTEGER,
        value: (row) => {
          const a = mix(seedHash, row).toString(16).padStart(8, '0');
          const b = mix(seedHash ^ 0x5bd1e995, row)
            .toString(16)
            .padStart(8, '0');
          const r = row.toString(16).padStart(12, '0');
          return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${HEX[8 + (mix(seedHash, ~row) & 3)]}${r.slice(0, 3)}-${r.slice(3)}${HEX[row & 15]}${HEX[(row >>> 4) & 15]}${HEX[mix(row, seedHash) & 15]}`;
        },
      };
    case 'text':
    case 'bpchar': {
      const max = Math.min(type.maxLength ?? Number.POSITIVE_INFINITY, c.maxLength ?? Number.POSITIVE_INFINITY);
      const min = c.minLength ?? 0;
      if (type.base === 'bpchar' || max <= 12) {
        // Short codes: the row number in base 36, fixed width (char(n) pads; equal widths never collide).
        const width = type.base === 'bpchar' ? (type.maxLength ?? 1) : Math.max(min, Math.min(max, 6));
        if (width > max || width < 1) return null;
        return {
          capacity: 36 ** Math.min(width, 10),
          value: (row) => {
            let out = '';
            let n = row + (mix(seedHash, 7) % 36);
            for (let k = 0; k < width; k++) {
              out = ALNUM[n % 36] + out;
              n = Math.floor(n / 36);
            }
            return out;
          },
        };
      }
      return {
        capacity: Number.MAX_SAFE_INTEGER,
        value: (row) => {
          const tag = `-${row.toString(36)}`;
          let base = WORDS[mix(seedHash, row) & 15] as string;
          while (base.length + tag.length < min) base += 'x';
          return `${base.slice(0, Math.max(0, max - tag.length))}${tag}`;
        },
      };
    }
    case 'date':
    case 'timestamp':
    case 'timestamptz': {
      const unit = type.base === 'date' ? DAY : 60_000;
      const lo = c.min ? toMs(c.min.value) + (c.min.inclusive ? 0 : unit) : Date.UTC(2015, 0, 1);
      const hi = c.max ? toMs(c.max.value) - (c.max.inclusive ? 0 : unit) : Date.UTC(9999, 0, 1);
      const zone = type.base === 'timestamptz' ? '+00' : '';
      const fmt = type.base === 'date' ? isoDate : (ms: number) => `${isoTimestamp(ms)}${zone}`;
      return { capacity: Math.floor((hi - lo) / unit) + 1, value: (row) => fmt(lo + row * unit) };
    }
    default:
      return null;
  }
}

/** gcd-based choice of a multiplier coprime with n. */
function coprime(n: number, rng: Rng): number {
  if (n <= 2) return 1;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let a = rng.int(Math.floor(n / 3) + 1, n - 1);
  while (gcd(a, n) !== 1) a = a + 1 < n ? a + 1 : 1;
  return a;
}

/** A bijection of [0, n) (affine: (a·x + b) mod n). */
export function permutation(n: number, rng: Rng): (x: number) => number {
  if (n <= 1) return () => 0;
  const a = coprime(n, rng);
  const b = rng.int(0, n - 1);
  // a·x may pass 2^53 for huge n: fall back to BigInt then.
  if (a * n < Number.MAX_SAFE_INTEGER) return (x) => (a * x + b) % n;
  const A = BigInt(a);
  const B = BigInt(b);
  const N = BigInt(n);
  return (x) => Number((A * BigInt(x) + B) % N);
}

/** Picks parent rows in [0, n) with a Zipf-like skew, deterministically from `rng`. */
export function skewedPicker(n: number, rng: Rng): () => number {
  const perm = permutation(n, rng);
  return () => {
    const u = rng.next();
    return perm(Math.min(n - 1, Math.floor(n * u * u * u)));
  };
}

/** Row `row` of a junction: a distinct tuple of parent rows, one per parent count, for rows below their product. */
export function junctionPicker(counts: number[], rng: Rng): (row: number) => number[] {
  const total = counts.reduce((a, b) => a * b, 1);
  const perm = permutation(total, rng);
  return (row) => {
    let x = perm(row);
    const out: number[] = [];
    for (const n of counts) {
      out.push(x % n);
      x = Math.floor(x / n);
    }
    return out;
  };
}

/** A seed hash for pure key functions of a table column. */
export function seedHashOf(seed: string | number, table: string, column: string): number {
  return new Rng(seed, table, column, 'key').uint32();
}
