/**
 * `tokenize`: reversible encryption keyed by the configured salt, for values a tester may need
 * back (support tickets, reconciliation). Two schemes, chosen per value so the result still fits:
 *
 * - Digit strings (cards, phones, account numbers, `+1 (555) 123-4567`): format-preserving
 *   encryption of the digits with a 10-round Feistel network over decimal digits (the structure
 *   of NIST FF1, HMAC-SHA256 as round function). Separators stay in place, the digit count stays,
 *   a value with a leading zero keeps one and a value without never gains one (cycle walking), and
 *   on integer columns the result stays within the type's range — numbers stay numbers.
 * - Other text: deterministic authenticated encryption in the SIV pattern (synthetic IV =
 *   HMAC(key, plaintext), AES-256-CTR, IV || ciphertext as base64url). Equal inputs give equal
 *   tokens, which is what keeps joins working; tampered tokens fail to detokenize.
 *
 * A text token never looks like a digit string (it gets a `~` in front in the ~1e-18 case it
 * would), so `detokenize` knows which scheme to invert without a marker on every value.
 */
import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { columnId, deriveKey, hmac } from '../keys.ts';
import { describePgType } from '../pg-type.ts';
import type { TransformContext, TransformerDefinition } from '../types.ts';

const params = z.object({
  mode: z
    .enum(['auto', 'digits', 'text'])
    .default('auto')
    .describe(
      'auto: digit strings (digits and separators) keep their format, other text becomes a base64url token; digits: encrypt every digit, keep all other characters; text: always a token',
    ),
  perColumn: z.boolean().default(false).describe('Key with the column too; off so keys and their foreign keys tokenize alike'),
});
export type TokenizeParams = z.output<typeof params>;

const DIGIT_STRING = /^[0-9\s().+\-/,]*[0-9][0-9\s().+\-/,]*$/;
const ROUNDS = 10;
const POW10: bigint[] = [];
const pow10 = (m: number): bigint => (POW10[m] ??= 10n ** BigInt(m));

interface Keys {
  ff1: Buffer;
  siv: Buffer;
  aes: Buffer;
  /** Upper bound of the absolute value on integer columns. */
  intMax?: bigint;
}

function keysFor(p: TokenizeParams, ctx: TransformContext): Keys {
  const column = p.perColumn ? columnId(ctx) : undefined;
  return {
    ff1: deriveKey(ctx, 'tokenize.ff1', column),
    siv: deriveKey(ctx, 'tokenize.siv', column),
    aes: deriveKey(ctx, 'tokenize.aes', column),
    intMax: describePgType(ctx.column.pgType).intMax,
  };
}

/** Round function: an integer of enough bytes that `mod 10^m` is unbiased for practical purposes. */
function roundValue(key: Buffer, n: number, round: number, b: string, m: number): bigint {
  const need = Math.ceil(m * 0.41524) + 8;
  const blocks: Buffer[] = [];
  for (let i = 0, have = 0; have < need; i++, have += 32) blocks.push(hmac(key, ['ff1', String(n), String(round), b, String(i)]));
  return BigInt(`0x${Buffer.concat(blocks).subarray(0, need).toString('hex')}`);
}

const str = (x: bigint, m: number) => (m === 0 ? '' : x.toString().padStart(m, '0'));

/** One Feistel pass over an n-digit string: a permutation of all n-digit strings. */
function feistel(key: Buffer, x: string, decrypt: boolean): string {
  const n = x.length;
  const u = Math.floor(n / 2);
  const v = n - u;
  let a = x.slice(0, u);
  let b = x.slice(u);
  if (!decrypt) {
    for (let i = 0; i < ROUNDS; i++) {
      const m = i % 2 === 0 ? u : v;
      const c = (BigInt(a || '0') + roundValue(key, n, i, b, m)) % pow10(m);
      a = b;
      b = str(c, m);
    }
  } else {
    for (let i = ROUNDS - 1; i >= 0; i--) {
      const m = i % 2 === 0 ? u : v;
      const c = b;
      b = a;
      const y = (BigInt(c || '0') - roundValue(key, n, i, b, m)) % pow10(m);
      a = str(y < 0n ? y + pow10(m) : y, m);
    }
  }
  return a + b;
}

/**
 * Encrypts/decrypts a run of digits within its class: leading zero kept, no leading zero never
 * gains one, and (bounded) never exceeds `max`. Cycle walking keeps it a bijection on the class.
 */
function cryptDigits(key: Buffer, digits: string, decrypt: boolean, max?: bigint, nonZero = false): string {
  if (digits.length > 1 && digits[0] === '0') return `0${feistel(key, digits.slice(1), decrypt)}`;
  const inClass = (s: string) => (s.length === 1 ? !(nonZero && s === '0') : s[0] !== '0') && (max === undefined || BigInt(s) <= max);
  let x = digits;
  do x = feistel(key, x, decrypt);
  while (!inClass(x));
  return x;
}

function cryptDigitString(keys: Keys, value: string, decrypt: boolean): string {
  const digits = value.replace(/[^0-9]/g, '');
  if (digits.length === 0) return value;
  const negative = /^\s*-/.test(value);
  const max = keys.intMax === undefined || !/^\s*-?[0-9]+\s*$/.test(value) ? undefined : negative ? keys.intMax + 1n : keys.intMax;
  // On integer columns "-0" would equal "0": a negative value stays non-zero.
  const out = cryptDigits(keys.ff1, digits, decrypt, max, max !== undefined && negative);
  let i = 0;
  return value.replace(/[0-9]/g, () => out[i++] ?? '');
}

function encryptText(keys: Keys, value: string): string {
  const plain = Buffer.from(value, 'utf8');
  const iv = hmac(keys.siv, ['siv', plain]).subarray(0, 16);
  const cipher = createCipheriv('aes-256-ctr', keys.aes, iv);
  const token = Buffer.concat([iv, cipher.update(plain), cipher.final()]).toString('base64url');
  return DIGIT_STRING.test(token) ? `~${token}` : token;
}

function decryptText(keys: Keys, token: string): string {
  const bytes = Buffer.from(token.startsWith('~') ? token.slice(1) : token, 'base64url');
  if (bytes.length < 16) throw new InvalidInputError('value is not a tokenize token');
  const iv = bytes.subarray(0, 16);
  const decipher = createDecipheriv('aes-256-ctr', keys.aes, iv);
  const plain = Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]);
  // SIV check: a token made with another key (or altered) does not reproduce its IV.
  if (!timingSafeEqual(hmac(keys.siv, ['siv', plain]).subarray(0, 16), iv)) {
    throw new InvalidInputError('value is not a tokenize token of this key');
  }
  return plain.toString('utf8');
}

function usesDigits(p: TokenizeParams, value: string): boolean {
  return p.mode === 'digits' || (p.mode === 'auto' && DIGIT_STRING.test(value));
}

export const tokenize: TransformerDefinition<TokenizeParams> = {
  name: 'tokenize',
  description:
    'Reversible, deterministic encryption keyed by the mask salt. Digit strings keep their format (length, separators, ' +
    'leading zero, integer range) via a Feistel FPE; other text becomes a base64url token (AES-256, synthetic IV). ' +
    'Injective. Text tokens are longer than the input: on varchar(n) columns too-long tokens fail rather than being cut.',
  params,
  appliesTo: ['text', 'integer', 'numeric'],
  deterministic: true,
  injective: true,
  create(p, ctx) {
    const keys = keysFor(p, ctx);
    const { maxLength } = describePgType(ctx.column.pgType);
    return {
      apply(value) {
        if (value === null) return null;
        if (usesDigits(p, value)) return cryptDigitString(keys, value, false);
        const token = encryptText(keys, value);
        if (maxLength !== undefined && token.length > maxLength) {
          // Cutting would make the token irreversible and collide; the column needs a wider type or another transformer.
          throw new InvalidInputError(`tokenize: a ${token.length}-character token does not fit ${columnId(ctx)} (${ctx.column.pgType})`, {
            column: columnId(ctx),
          });
        }
        return token;
      },
      // Reversible (detokenize), hence injective: unique and key columns stay unique as they are.
      distinct: true,
    };
  },
};

/**
 * Inverts `tokenize` for the same salt, params and column: digit strings are decrypted in place,
 * text tokens are decrypted and authenticated (a token of another key throws InvalidInputError).
 */
export function detokenize(value: string | null, input: z.input<typeof params>, ctx: TransformContext): string | null {
  if (value === null) return null;
  const p = params.parse(input);
  const keys = keysFor(p, ctx);
  return usesDigits(p, value) ? cryptDigitString(keys, value, true) : decryptText(keys, value);
}
