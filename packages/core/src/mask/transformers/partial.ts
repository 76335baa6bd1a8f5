/**
 * `partial`: keeps the last N letters/digits (4 by default, as receipts print card numbers) and
 * masks the rest, keeping separators: `4111-1111-1111-1234` → `****-****-****-1234`. A value with
 * no more than N letters/digits is masked entirely, otherwise nothing would be hidden.
 */
import { z } from 'zod';
import type { TransformerDefinition } from '../types.ts';

const params = z.object({
  keep: z.number().int().min(0).max(64).default(4).describe('Trailing letters/digits kept'),
  char: z.enum(['*', 'X', '#']).default('*').describe('Mask character'),
  keepSeparators: z.boolean().default(true).describe('Keep spaces, dashes, dots, parentheses… in place'),
});
export type PartialParams = z.output<typeof params>;

const ALNUM = /[\p{L}\p{Nd}]/u;

export const partial: TransformerDefinition<PartialParams> = {
  name: 'partial',
  description: 'Keeps the last N characters (default 4) and masks the rest with * or X, keeping separators. Not injective.',
  params,
  appliesTo: ['text'],
  deterministic: true,
  injective: false,
  create(p) {
    return {
      apply(value) {
        if (value === null) return null;
        const chars = [...value];
        const total = chars.filter((c) => ALNUM.test(c)).length;
        const keepFrom = total > p.keep ? total - p.keep : Number.POSITIVE_INFINITY;
        let seen = 0;
        return chars
          .map((c) => {
            if (!ALNUM.test(c)) return p.keepSeparators ? c : p.char;
            return seen++ >= keepFrom ? c : p.char;
          })
          .join('');
      },
    };
  },
};
