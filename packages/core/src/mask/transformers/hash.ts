/**
 * `hash`: a keyed hash of the value, HMAC-SHA256 (RFC 2104) under a key derived from the salt
 * (`keys.ts`), the value written as a length-prefixed UTF-8 part. Column-independent by default,
 * so a primary key and every foreign key pointing at it hash to the same value and joins survive
 * masking.
 *
 * Collisions: 128 bits of hex (the default) never collide in practice, and such a column says so
 * (`distinct`), so the mask step needs no uniqueness check for it; shorter or cut hex and integers
 * can collide (an int4 column has only 2^31 outputs: tens of thousands of keys can meet a birthday
 * collision), and there the mask step checks uniqueness on unique/key columns and remaps the rare
 * clash. Nothing here tries to resolve collisions itself (it cannot see other values).
 */
import { z } from 'zod';
import { deriveKey, keyedHash } from '../keys.ts';
import { describePgType, fitLength } from '../pg-type.ts';
import type { TransformerDefinition } from '../types.ts';

const params = z.object({
  format: z.enum(['auto', 'hex', 'integer', 'uuid']).default('auto').describe('auto: integer for integer columns, uuid for uuid columns, hex otherwise'),
  length: z.number().int().min(8).max(64).default(32).describe('Hex characters kept (text output); cut further to fit varchar(n)'),
  prefix: z.string().max(32).default('').describe('Literal text put before the hex digest, e.g. "user_"'),
  keepPrefix: z.number().int().min(0).max(64).default(0).describe('Characters of the original value kept in front (e.g. 4 keeps "SKU-")'),
  perColumn: z.boolean().default(false).describe('Key the hash with the column too; off so keys and their foreign keys hash alike'),
});
export type HashParams = z.output<typeof params>;

/** RFC 9562 version 8 ("custom") UUID from the first 16 bytes of the digest. */
function uuidFrom(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const hash: TransformerDefinition<HashParams> = {
  name: 'hash',
  description:
    'Keyed HMAC-SHA256 of the value: hex text, a positive integer within the column type (int2/int4/int8) or a UUID. ' +
    'Same value → same hash in every table, so keys and foreign keys stay joinable. Collisions are practically impossible ' +
    'for hex and uuid; for integer columns the mask step checks uniqueness and remaps.',
  params,
  appliesTo: ['text', 'integer', 'uuid'],
  deterministic: true,
  injective: true,
  create(p, ctx) {
    const key = deriveKey(ctx, 'hash', p.perColumn ? `${ctx.column.schema}.${ctx.column.table}.${ctx.column.name}` : undefined);
    const type = describePgType(ctx.column.pgType);
    const format = p.format !== 'auto' ? p.format : type.kind === 'integer' ? 'integer' : type.kind === 'uuid' ? 'uuid' : 'hex';
    const intMax = type.intMax ?? 2147483647n;
    const mac = keyedHash(key);
    const longestHead = p.keepPrefix + [...p.prefix].length;
    // Read before the next digest: one buffer serves every value.
    const scratch = Buffer.alloc(32);
    return {
      apply(value) {
        if (value === null) return null;
        const digest = mac.digest([value], scratch);
        if (format === 'integer') return String((digest.readBigUInt64BE(0) % intMax) + 1n);
        if (format === 'uuid') return uuidFrom(digest);
        const head = p.keepPrefix === 0 ? p.prefix : [...value].slice(0, p.keepPrefix).join('') + p.prefix;
        const room = Math.max(type.maxLength === undefined ? p.length : Math.min(p.length, type.maxLength - [...head].length), 0);
        // Only the bytes shown are turned to hex (no 64-character string cut afterwards).
        const hex = digest.toString('hex', 0, (room + 1) >> 1);
        return fitLength(head + (room % 2 ? hex.slice(0, room) : hex), type.maxLength);
      },
      // 128+ bits of the digest always kept whole at the end (equal outputs would mean equal digests), or a UUID's 122.
      distinct: format === 'uuid' || (format === 'hex' && p.length >= 32 && (type.maxLength === undefined || type.maxLength >= longestHead + p.length)),
    };
  },
};
