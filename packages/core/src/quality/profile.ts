/**
 * A column's profile, built one value at a time in fixed memory: counts (rows, nulls, values that
 * parse, constraint violations), a distinct-count sketch, a seeded sample for distribution tests
 * (long values cut to what the tests read) and exact category counts while the column has few
 * short distinct values. A dataset's columns and a
 * reference's (a source sample, an input dataset) are profiled the same way.
 */
import { HyperLogLog, Reservoir } from './sketch.ts';

/** Values kept per column for distribution tests. */
export const SAMPLE_SIZE = 2000;
/**
 * A longer value is sampled as its first 64 characters (all the shape profile reads), a NUL
 * (which PostgreSQL text never holds) and its length, so a column of large documents keeps a
 * sample of a few hundred KiB, not of 2000 documents.
 */
const LONG_VALUE = 256;
const sampled = (value: string) => (value.length > LONG_VALUE ? `${value.slice(0, 64)}\u0000${value.length}` : value);
/** The length of the value a sample item stands for. */
export const sampledLength = (item: string) => (item.length > 64 && item.charCodeAt(64) === 0 ? Number(item.slice(65)) : item.length);
/** A column with more distinct values than this is not treated as categorical. */
export const CATEGORY_LIMIT = 200;

export interface ProfileChecks {
  /** Does the value parse as the column's type and format? */
  consistent?: ((text: string) => boolean) | null;
  /** Does the value satisfy the type's length, precision and enum constraints? */
  valid?: ((text: string) => boolean) | null;
  notNull?: boolean;
}

export class ColumnProfile {
  rows = 0;
  nulls = 0;
  inconsistent = 0;
  /** Constraint violations: NOT NULL, type constraints here; CHECKs are added by the evaluator. */
  violations = 0;
  readonly distinct = new HyperLogLog();
  readonly sample: Reservoir<string>;
  /** Exact counts while distinct values ≤ CATEGORY_LIMIT; null once the column has more. */
  categories: Map<string, number> | null = new Map();
  readonly #consistent: ((text: string) => boolean) | null;
  readonly #valid: ((text: string) => boolean) | null;
  readonly #notNull: boolean;

  constructor(checks: ProfileChecks = {}, seed = 1) {
    this.#consistent = checks.consistent ?? null;
    this.#valid = checks.valid ?? null;
    this.#notNull = checks.notNull ?? false;
    this.sample = new Reservoir<string>(SAMPLE_SIZE, seed);
  }

  /** Counts a value; false when it does not parse as the column's type (it cannot be cast). */
  add(value: string | null): boolean {
    this.rows++;
    if (value === null) {
      this.nulls++;
      if (this.#notNull) this.violations++;
      return true;
    }
    let consistent = true;
    if (this.#consistent && !this.#consistent(value)) {
      this.inconsistent++;
      consistent = false;
    } else if (this.#valid && !this.#valid(value)) this.violations++;
    this.distinct.add(value);
    this.sample.add(sampled(value));
    const cats = this.categories;
    if (cats && value.length > LONG_VALUE) this.categories = null;
    else if (cats) {
      const n = cats.get(value);
      if (n !== undefined) cats.set(value, n + 1);
      else if (cats.size < CATEGORY_LIMIT) cats.set(value, 1);
      else this.categories = null;
    }
    return consistent;
  }

  get notNull(): boolean {
    return this.#notNull;
  }

  /** Whether values are checked against length, precision or enum constraints. */
  get constrained(): boolean {
    return this.#valid !== null;
  }

  get values(): number {
    return this.rows - this.nulls;
  }

  get nullRatio(): number {
    return this.rows ? this.nulls / this.rows : 0;
  }

  get consistency(): number {
    return this.values ? 1 - this.inconsistent / this.values : 1;
  }

  get distinctRatio(): number {
    return this.values ? Math.min(1, this.distinct.count() / this.values) : 0;
  }
}
