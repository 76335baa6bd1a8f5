/**
 * Masking vocabulary. Transformers are registered one per file under `transformers/`, each a pure
 * function of (secret salt, params, input value): the same input always gives the same output.
 * Values are PostgreSQL text (as in datasets): `null` stays `null` unless the transformer says so.
 */
import type { z } from 'zod';

export type ColumnKind = 'text' | 'integer' | 'numeric' | 'date' | 'timestamp' | 'boolean' | 'uuid' | 'json' | 'bytea' | 'any';

export interface TransformContext {
  /** Secret salt from configuration (TDM_MASK_SALT or the job's config.mask.salt); never a literal. */
  salt: string;
  column: { schema: string; table: string; name: string; pgType: string };
  /** The PII type the column was classified as, when known (lets `fake` pick a generator). */
  piiType?: string;
}

/** What the mask step knows about the row a value comes from (optional; some transformers use it). */
export interface RowContext {
  /** A stable key of the row (e.g. its primary key as text): `dateShift` with `by: 'rowKey'` shifts a row's dates alike. */
  key?: string;
}

export interface ColumnTransform {
  apply(value: string | null, row?: RowContext): string | null;
  /**
   * Distinct inputs give distinct outputs on this column: exactly (encryption) or with negligible
   * odds (≥ 122 keyed-hash bits kept). The mask step then keeps unique and key columns unique
   * without tracking every value they hold.
   */
  distinct?: boolean;
  /** The output depends on `row` too (not only on the value): the mask step passes the row key and does not reuse outputs across rows. */
  usesRow?: boolean;
}

export interface TransformerDefinition<P = unknown> {
  name: string;
  description: string;
  params: z.ZodType<P>;
  appliesTo: ColumnKind[];
  /** Same (salt, params, input) → same output, across runs and processes. */
  deterministic: boolean;
  /** Distinct inputs give distinct outputs (safe for unique and key columns without a remap). */
  injective: boolean;
  /**
   * Needs every value of the column before transforming (e.g. `shuffle`): `prepare` is called with
   * an iterable over the column's values first.
   */
  needsColumn?: boolean;
  create(params: P, ctx: TransformContext): ColumnTransform | Promise<ColumnTransform>;
  prepare?(params: P, ctx: TransformContext, values: AsyncIterable<string | null>): Promise<ColumnTransform>;
}

/** A transformer as listed for GraphQL, Studio forms and docs: the definition without code, params as JSON Schema. */
export interface TransformerInfo {
  name: string;
  description: string;
  appliesTo: ColumnKind[];
  deterministic: boolean;
  injective: boolean;
  needsColumn: boolean;
  /** JSON Schema (draft 2020-12) of the params as accepted on input: fields with defaults are optional. */
  paramsSchema: Record<string, unknown>;
}

/** A definition of any params type, as registries and lists hold them (each checks params with its own zod schema). */
// biome-ignore lint/suspicious/noExplicitAny: params types differ per transformer; `unknown` would reject them all.
export type AnyTransformerDefinition = TransformerDefinition<any>;
