/**
 * The keyed hash behind masking gives node:crypto's bytes exactly, whatever the message: a masked
 * value must not change when the engine's hash gets faster (masked datasets are compared across
 * versions, and keys must keep joining). Message lengths cover every block boundary; strings cover
 * empty, ASCII, every UTF-8 width and lone surrogates; RFC 4231's test vectors pin the raw HMAC.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHmacSha256 } from '../src/mask/hmac-sha256.ts';
import { hmac } from '../src/mask/keys.ts';
import { createTransform } from '../src/mask/registry.ts';
import '../src/mask/transformers/index.ts';
import { compress, SHA256_IV } from '../src/mask/sha256-compress.ts';

/** node:crypto over each part as its 4-byte big-endian length and its UTF-8 bytes. */
function reference(key: Uint8Array, parts: (string | Uint8Array)[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    mac.update(length).update(bytes);
  }
  return mac.digest('hex');
}

describe('SHA-256 compression', () => {
  it('hashes "abc" as FIPS 180-4 says', () => {
    const block = new Int32Array(16);
    block[0] = 0x61626380;
    block[15] = 24;
    const state = Int32Array.from(SHA256_IV);
    compress(state, block);
    const hex = [...state].map((w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
    expect(hex).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('HMAC-SHA256 equals node:crypto', () => {
  it('raw messages of every length from 0 to 300 bytes, under keys of 0 to 130 bytes', () => {
    for (const keyLength of [0, 1, 31, 32, 63, 64, 65, 130]) {
      const key = randomBytes(keyLength);
      const mac = createHmacSha256(key);
      for (let length = 0; length <= 300; length++) {
        const message = randomBytes(length);
        expect(mac.raw(message).toString('hex')).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }
    }
  });

  const key = randomBytes(32);
  it.each<[string, string[]]>([
    ['the empty string', ['']],
    ['two empty strings', ['', '']],
    ['ASCII', ['alice@example.com']],
    ['Latin-1 letters', ['Zoë Müller-Lüdenscheidt']],
    ['three-byte characters', ['東京都千代田区']],
    ['four-byte characters', ['🙂🙃🧪 𝔘𝔫𝔦𝔠𝔬𝔡𝔢']],
    ['combining marks', ['e\u0301a\u0308']],
    ['ASCII up to a multibyte character at the block edge', [`${'a'.repeat(50)}€`]],
    ['a lone high surrogate', ['x\ud800y']],
    ['a lone low surrogate at the end', ['x\udc00']],
    ['NUL and control characters', ['a\u0000b\tc\n']],
    ['a long mixed value', ['Ωμέγα '.repeat(200)]],
  ])('%s', (_, parts) => {
    expect(hmac(key, parts).toString('hex')).toBe(reference(key, parts));
  });

  it('10,000 random strings of every UTF-8 width, one key object reused', () => {
    const mac = createHmacSha256(key);
    const alphabet = ['a', 'Z', '0', '@', 'é', 'ß', 'Ж', '東', '€', '🙂', '\ud800', ' '];
    for (let i = 0; i < 10_000; i++) {
      let value = '';
      for (let n = i % 70; n > 0; n--) value += alphabet[(i * 7 + n * 13) % alphabet.length];
      expect(mac.digest([value]).toString('hex')).toBe(reference(key, [value]));
    }
  });
});

describe('the hash transformer', () => {
  it('gives the values it gave before: HMAC of the value under the salt-derived key, as hex', async () => {
    const salt = 'hmac-test-salt';
    const t = await createTransform('hash', {}, { salt, column: { schema: 'public', table: 'person', name: 'email', pgType: 'text' } });
    // The key as keys.ts derives it, then the value's digest, both with node:crypto.
    const derived = Buffer.from(reference(Buffer.from(salt, 'utf8'), ['tdm.mask.v1', 'hash', '']), 'hex');
    for (const value of ['', 'alice@example.com', 'Zoë@例え.jp', '🙂', 'x'.repeat(500)]) {
      expect(t.apply(value)).toBe(reference(derived, [value]).slice(0, 32));
    }
    expect(t.apply(null)).toBeNull();
  });
});

describe('HMAC-SHA256', () => {
  // RFC 4231 test cases 1, 2, 3, 6 and 7 (keys of 20, 4, 20 and 131 bytes; messages of 1 to 3 blocks).
  it.each([
    ['0b'.repeat(20), Buffer.from('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    [Buffer.from('Jefe').toString('hex'), Buffer.from('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['aa'.repeat(20), Buffer.alloc(50, 0xdd), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    [
      'aa'.repeat(131),
      Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
    [
      'aa'.repeat(131),
      Buffer.from(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ])('RFC 4231: key %s', (key, message, expected) => {
    expect(createHmacSha256(Buffer.from(key, 'hex')).raw(message).toString('hex')).toBe(expected);
  });

  const key = randomBytes(32);
  it.each<[string, (string | Buffer)[]]>([
    ['no parts', []],
    ['an empty part', ['']],
    ['ASCII', ['alice@example.com']],
    ['two parts', ['email', 'alice@example.com']],
    ['non-ASCII', ['Zoë Ñúñez 東京 🙂']],
    ['ASCII then non-ASCII in one part', ['abc€def']],
    ['a lone surrogate', ['x\ud800y']],
    ['exactly one block with its padding', ['x'.repeat(51)]],
    ['one byte past it', ['x'.repeat(52)]],
    ['many blocks', ['y'.repeat(1000), 'z'.repeat(3000)]],
    ['bytes', [Buffer.from([0, 1, 2, 255]), 'tail']],
  ])('%s: the same bytes as node:crypto', (_, parts) => {
    expect(hmac(key, parts).toString('hex')).toBe(reference(key, parts));
  });

  it('the same as node:crypto for 2,000 random values and keys of every length, one key object reused', () => {
    for (const length of [1, 16, 32, 63, 64, 65, 200]) {
      const k = randomBytes(length);
      const mac = createHmacSha256(k);
      for (let i = 0; i < 300; i++) {
        const value = randomBytes(i % 97).toString(i % 3 ? 'base64' : 'latin1');
        expect(mac.digest([value, String(i)]).toString('hex')).toBe(reference(k, [value, String(i)]));
      }
    }
  });

  it('fills a caller buffer when given one', () => {
    const into = Buffer.alloc(32);
    const out = createHmacSha256(key).digest(['v'], into);
    expect(out).toBe(into);
    expect(out.toString('hex')).toBe(reference(key, ['v']));
  });
});
