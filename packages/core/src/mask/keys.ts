/**
 * Key handling shared by the transformers. Every secret is derived from the configured salt with
 * HMAC-SHA256 and a label naming the transformer (and the column when a transformer is per
 * column), so two transformers never share a key and the same salt gives the same keys in every
 * process. Nothing here holds a salt of its own: a missing salt is a configuration error.
 *
 * The keyed PRF of every transformer is HMAC-SHA256 over length-prefixed parts, computed by
 * `hmac-sha256.ts` from the key's precomputed pad states (the same bytes node:crypto gives, ~0.4 µs
 * a short value instead of ~2–3 µs).
 */
import { createHmacSha256, type HmacSha256 } from './hmac-sha256.ts';
import { InvalidInputError } from '../errors.ts';
import type { TransformContext } from './types.ts';

/** `schema.table.column`: the column identity that per-column keys and permutations use. */
export function columnId(ctx: TransformContext): string {
  return `${ctx.column.schema}.${ctx.column.table}.${ctx.column.name}`;
}

/**
 * A 32-byte key for `purpose` (e.g. "hash", "tokenize.ff1"), optionally bound to a column.
 * Throws when the salt is empty: masking with a guessable key would be reversible by anyone.
 */
export function deriveKey(ctx: TransformContext, purpose: string, column?: string): Buffer {
  if (typeof ctx.salt !== 'string' || ctx.salt.length === 0) {
    throw new InvalidInputError('mask salt is not configured (set TDM_MASK_SALT or config.mask.salt)', { column: columnId(ctx) });
  }
  return createHmacSha256(Buffer.from(ctx.salt, 'utf8')).digest(['tdm.mask.v1', purpose, column ?? '']);
}

const keyed = new WeakMap<Uint8Array, HmacSha256>();

/**
 * The reusable HMAC-SHA256 of `key` (made once per key object; keys are never changed in place).
 * A transformer takes it in `create()` and calls `digest` per value.
 */
export function keyedHash(key: Uint8Array): HmacSha256 {
  let mac = keyed.get(key);
  if (!mac) {
    mac = createHmacSha256(key);
    keyed.set(key, mac);
  }
  return mac;
}

/** HMAC-SHA256 over length-prefixed parts, so ("ab","c") and ("a","bc") never collide. */
export function hmac(key: Uint8Array, parts: readonly (string | Uint8Array)[]): Buffer {
  return keyedHash(key).digest(parts);
}

/** A small fast PRNG (sfc32) seeded from 16 bytes of an HMAC; for permutations and offsets, not secrets. */
export function seededRandom(seed: Buffer): () => number {
  let a = seed.readUInt32BE(0);
  let b = seed.readUInt32BE(4);
  let c = seed.readUInt32BE(8);
  let d = seed.readUInt32BE(12);
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}
