/**
 * What a column means, and realistic values for it. `semanticKindFor` reads a column's name, PII
 * type or test-case field type ("email", "first_name", "zip", "unit_price", "created_at"…) and
 * `createValueGenerator` makes a fast, seeded stream of PostgreSQL text values of that kind: names,
 * emails, phones, addresses, prices, dates in sensible ranges, valid card numbers and IBANs.
 *
 * Values are picked from Faker's locale lists with our own PRNG (rng.ts) rather than through Faker's
 * API: a pick costs tens of nanoseconds where a Faker call costs microseconds, which is what lets
 * generation write hundreds of thousands of rows a second. Emails use the reserved example domains.
 * `unique: true` embeds the row number where a kind's natural space is small (emails, usernames,
 * phones, card numbers), so distinct rows never collide. Determinism holds for a pinned Faker version.
 *
 * The kinds and how a column points to one are in semantic-kinds.ts; the values of each kind in
 * semantic-values.ts; this module makes the seeded stream and cuts values to their length limit.
 */
import { Rng, type SeedPart } from './rng.ts';
import type { SemanticKind } from './semantic-kinds.ts';
import { kindValues } from './semantic-values.ts';

export { kindFitsType, SEMANTIC_KINDS, type SemanticKind, semanticKindFor, type ValueHint } from './semantic-kinds.ts';
export { SYNTHETIC_EPOCH } from './semantic-values.ts';

export interface GeneratorOptions {
  seed: SeedPart;
  /** Further seed path (table, column), so each column has its own stream. */
  path?: SeedPart[];
  /** varchar(n) limit: values are cut (emails keep their domain). */
  maxLength?: number | null;
  /** Distinct rows must get distinct values (the row number is folded in where the space is small). */
  unique?: boolean;
  /** Date range for date kinds (ISO dates). */
  minDate?: string;
  maxDate?: string;
  /** Numeric range for numeric kinds. */
  min?: number;
  max?: number;
  /** Decimal places of numeric kinds (numeric(p,s)'s s). */
  scale?: number;
}

/** A seeded stream of values of one kind; `next(row)` is called with row numbers 0, 1, 2… */
export interface ValueGenerator {
  readonly kind: SemanticKind;
  next(row: number): string;
}

/** Cuts to a length limit by code points. */
function fit(value: string, maxLength: number | null | undefined): string {
  if (!maxLength) return value;
  if (value.length <= maxLength) return value;
  const chars = [...value];
  return chars.length <= maxLength ? value : chars.slice(0, maxLength).join('');
}

/** A stream of realistic values of `kind`. */
export function createValueGenerator(kind: SemanticKind, options: GeneratorOptions): ValueGenerator {
  const rng = new Rng(options.seed, ...(options.path ?? []), kind);
  const max = options.maxLength ?? null;
  const gen = kindValues(kind, { rng, options, max, unique: options.unique ?? false });
  // Emails and usernames fit their own limit (semantic-values.ts); the rest are cut.
  const cut = kind === 'email' || kind === 'username' ? (v: string) => v : (v: string) => fit(v, max);
  return { kind, next: (row) => cut(gen(row)) };
}
