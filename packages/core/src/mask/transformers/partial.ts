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

const isAsciiAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** The same result for an ASCII value without a regular expression per character; undefined for other values. */
function partialAscii(value: string, p: PartialParams): string | undefined {
  let total = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) return undefined;
    if (isAsciiAlnum(c)) total++;
  }
  const keepFrom = total > p.keep ? total - p.keep : Number.POSITIVE_INFINITY;
  const mask = p.char.charCodeAt(0);
  if (scratch.length < value.length) scratch = Buffer.alloc(value.length * 2);
  let seen = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    scratch[i] = !isAsciiAlnum(c) ? (p.keepSeparators ? c : mask) : seen++ >= keepFrom ? c : mask;
  }
  // One flat string from the bytes, instead of a concatenation per character.
  return scratch.toString('latin1', 0, value.length);
}

let scratch = Buffer.alloc(256);

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
        const ascii = partialAscii(value, p);
        if (ascii !== undefined) return ascii;
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
