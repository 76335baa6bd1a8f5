/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) for millions of short messages under one key.
 * The output is exactly `createHmac('sha256', key)`'s; only the cost differs. node:crypto builds
 * a native HMAC object per message (~2–4 µs each, most of it object set-up and the key's two pad
 * blocks), offers no way to keep the keyed state, and its one-shot `crypto.hash` costs more per
 * call than a whole HMAC here; hash-wasm's HMAC re-absorbs the pads per message (~3.9 µs).
 * Here the compression function runs in JavaScript (`sha256-compress.ts`, unrolled) on a key
 * whose inner and outer pad blocks were absorbed once (the "precomputed midstates" of RFC 2104
 * §4), so a message of up to 55 bytes costs two compressions (~0.4 µs) and no allocation
 * besides the 32-byte result. Checked against node:crypto and RFC 4231's vectors in
 * `mask-hmac.test.ts`.
 */
import { createHash } from 'node:crypto';
import { compress, SHA256_IV } from './sha256-compress.ts';

const BLOCK = 64;

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

/** The block of `bytes` at `at` as 16 big-endian words. */
function loadBlock(words: Int32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4)
    words[i] = ((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
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

/** The SHA-256 state after the key's pad block (`key` XOR `byte`, RFC 2104's ipad or opad). */
function padState(key: Uint8Array, byte: number): Int32Array {
  const pad = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) pad[i] = (key[i] ?? 0) ^ byte;
  const words = new Int32Array(16);
  loadBlock(words, pad, 0);
  const state = Int32Array.from(SHA256_IV);
  compress(state, words);
  return state;
}

/** Writes SHA-256's padding after `length` message bytes (`prefix` bytes hashed before them); returns the padded end. */
function pad(buffer: Uint8Array, length: number, prefix: number): number {
  const bits = (prefix + length) * 8;
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
  return end;
}

/** Writes `part` (UTF-8 for a string) at `at` in `buffer` (room for 3 bytes per UTF-16 unit assumed); returns its byte length. */
function writePart(buffer: Buffer, at: number, part: string | Uint8Array): number {
  if (typeof part !== 'string') {
    buffer.set(part, at);
    return part.length;
  }
  // ASCII (the common case) is copied by hand; the rest goes through the UTF-8 encoder.
  let i = 0;
  for (; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code >= 0x80) break;
    buffer[at + i] = code;
  }
  return i === part.length ? i : i + buffer.write(part.slice(i), at + i, 'utf8');
}

/** Keys longer than a block are hashed first, as RFC 2104 says. */
export function createHmacSha256(key: Uint8Array): HmacSha256 {
  const padded = key.length > BLOCK ? createHash('sha256').update(key).digest() : key;
  const inner = padState(padded, 0x36);
  const outer = padState(padded, 0x5c);
  const state = new Int32Array(8);
  const words = new Int32Array(16);
  let buffer = Buffer.allocUnsafe(256);

  /** Room for `bytes` more message bytes after `used`, plus the final padding. */
  const reserve = (used: number, bytes: number) => {
    const need = used + bytes + BLOCK + 9;
    if (need <= buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, buffer.length * 2));
    buffer.copy(grown, 0, 0, used);
    buffer = grown;
  };

  /** Finishes the inner hash over `buffer[0, length)`, then the outer one over the inner digest. */
  const finish = (length: number, into?: Buffer): Buffer => {
    const end = pad(buffer, length, BLOCK);
    state.set(inner);
    for (let at = 0; at < end; at += BLOCK) {
      loadBlock(words, buffer, at);
      compress(state, words);
    }
    // The outer message is always the 32-byte inner digest: one block, its padding fixed.
    words.set(state);
    words.fill(0, 8);
    words[8] = 0x80000000 | 0;
    words[15] = (BLOCK + 32) * 8;
    state.set(outer);
    compress(state, words);
    const out = into ?? Buffer.allocUnsafe(32);
    writeWords(state, out, 0);
    return out;
  };

  return {
    digest(parts, into) {
      let used = 0;
      for (const part of parts) {
        const at = used + 4;
        reserve(at, typeof part === 'string' ? part.length * 3 : part.length);
        const length = writePart(buffer, at, part);
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
