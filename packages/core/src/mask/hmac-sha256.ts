/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) for millions of short messages under one key.
 * The output is exactly `createHmac('sha256', key)`'s; only the cost differs. node:crypto builds
 * a native HMAC object per message (~2–3 µs each, most of it object set-up and the key's two pad
 * blocks), and offers no way to keep the keyed state. Here the compression function runs in
 * JavaScript on a key whose inner and outer pad blocks were absorbed once (the "precomputed
 * midstates" of RFC 2104 §4), so a message of up to 55 bytes costs two compressions (~0.6 µs)
 * and no allocation besides the 32-byte result. Checked against node:crypto and RFC 4231's
 * vectors in `mask-transformers.test.ts`.
 */
import { createHash } from 'node:crypto';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;
/** The message schedule, shared: compression is synchronous and never re-entered. */
const W = new Int32Array(64);

/** SHA-256's compression function: folds the 64-byte block at `bytes[at]` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4)
    W[i] = ((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15] as number;
    const w2 = W[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

function writeWords(state: Int32Array, out: Uint8Array, at: number): void {
  for (let i = 0; i < 8; i++, at += 4) {
    const w = state[i] as number;
    out[at] = w >>> 24;
    out[at + 1] = w >>> 16;
    out[at + 2] = w >>> 8;
    out[at + 3] = w;
  }
}

/** One HMAC-SHA256 key, ready for many messages. Not safe to share across worker threads (it reuses buffers). */
export interface HmacSha256 {
  /**
   * The HMAC of `parts`, each written as its 4-byte big-endian byte length and its bytes (strings
   * as UTF-8), so ("ab","c") and ("a","bc") never collide. A fresh 32-byte Buffer, or `into`
   * (32 bytes or more) filled and returned, for a caller that reads it before the next call.
   */
  digest(parts: readonly (string | Uint8Array)[], into?: Buffer): Buffer;
  /** The HMAC of `message` as it is (no length prefix): what `createHmac('sha256', key).update(message)` gives. */
  raw(message: Uint8Array): Buffer;
}

/** Keys longer than a block are hashed first, as RFC 2104 says. */
export function createHmacSha256(key: Uint8Array): HmacSha256 {
  const padded = new Uint8Array(BLOCK);
  padded.set(key.length > BLOCK ? createHash('sha256').update(key).digest() : key);
  const inner = IV.slice();
  const outer = IV.slice();
  const pad = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) pad[i] = (padded[i] as number) ^ 0x36;
  compress(inner, pad, 0);
  for (let i = 0; i < BLOCK; i++) pad[i] = (padded[i] as number) ^ 0x5c;
  compress(outer, pad, 0);

  const state = new Int32Array(8);
  // The outer message is always the 32-byte inner digest: one block, its padding fixed.
  const outerBlock = new Uint8Array(BLOCK);
  outerBlock[32] = 0x80;
  outerBlock[62] = ((BLOCK + 32) * 8) >>> 8;
  outerBlock[63] = ((BLOCK + 32) * 8) & 0xff;
  let buffer = Buffer.allocUnsafe(256);

  /** Room for `bytes` more message bytes after `used`, plus the final padding. */
  const reserve = (used: number, bytes: number) => {
    const need = used + bytes + BLOCK + 9;
    if (need <= buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, buffer.length * 2));
    buffer.copy(grown, 0, 0, used);
    buffer = grown;
  };

  /** Finishes the inner hash over `buffer[0, length)`, then the outer one. */
  const finish = (length: number, into?: Buffer): Buffer => {
    const bits = (BLOCK + length) * 8;
    let end = length;
    buffer[end++] = 0x80;
    while (end % BLOCK !== 56) buffer[end++] = 0;
    const high = Math.floor(bits / 0x100000000);
    buffer[end++] = high >>> 24;
    buffer[end++] = high >>> 16;
    buffer[end++] = high >>> 8;
    buffer[end++] = high;
    buffer[end++] = bits >>> 24;
    buffer[end++] = bits >>> 16;
    buffer[end++] = bits >>> 8;
    buffer[end++] = bits;
    state.set(inner);
    for (let at = 0; at < end; at += BLOCK) compress(state, buffer, at);
    writeWords(state, outerBlock, 0);
    state.set(outer);
    compress(state, outerBlock, 0);
    const out = into ?? Buffer.allocUnsafe(32);
    writeWords(state, out, 0);
    return out;
  };

  return {
    digest(parts, into) {
      let used = 0;
      for (const part of parts) {
        const at = used + 4;
        let length: number;
        if (typeof part === 'string') {
          // UTF-8 takes at most 3 bytes per UTF-16 unit; ASCII (the common case) is copied by hand.
          reserve(at, part.length * 3);
          let i = 0;
          for (; i < part.length; i++) {
            const code = part.charCodeAt(i);
            if (code >= 0x80) break;
            buffer[at + i] = code;
          }
          length = i === part.length ? i : i + buffer.write(part.slice(i), at + i, 'utf8');
        } else {
          reserve(at, part.length);
          buffer.set(part, at);
          length = part.length;
        }
        buffer[used] = length >>> 24;
        buffer[used + 1] = length >>> 16;
        buffer[used + 2] = length >>> 8;
        buffer[used + 3] = length;
        used = at + length;
      }
      return finish(used, into);
    },
    raw(message) {
      reserve(0, message.length);
      buffer.set(message, 0);
      return finish(message.length);
    },
  };
}
