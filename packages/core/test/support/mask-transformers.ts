/**
 * Helpers shared by the mask transformer tests: a column context under the test salt, a transform
 * made through the default registry (with the column's values when it reads them), test emails
 * and the shapes outputs must have.
 */
import { createTransform } from '../../src/mask/registry.ts';
import type { ColumnTransform, TransformContext } from '../../src/mask/types.ts';

// Test configuration: stands in for TDM_MASK_SALT.
export const SALT = 'test-salt-for-mask-transformers';
export const OTHER_SALT = 'another-test-salt';

export function ctx(name: string, pgType: string, extra: Partial<TransformContext> = {}): TransformContext {
  return { salt: SALT, column: { schema: 'public', table: 't', name, pgType }, ...extra };
}

export async function make(name: string, params: unknown, c: TransformContext, values?: string[]): Promise<ColumnTransform> {
  if (values === undefined) return createTransform(name, params, c);
  async function* iterate() {
    yield* values as string[];
  }
  return createTransform(name, params, c, iterate());
}

export const emails = (n: number) => Array.from({ length: n }, (_, i) => `person${i}@corp${i % 97}.example`);

export const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const PG_DATE = /^\d{4}-\d{2}-\d{2}$/;
