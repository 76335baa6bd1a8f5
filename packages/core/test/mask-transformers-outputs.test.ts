/**
 * Each mask transformer's outputs: tokens come back, fakes look real, unique columns stay unique,
 * shuffles keep the distribution and shifted birth dates keep ages.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { parseDateText } from '../src/mask/dates.ts';
import { seededRandom } from '../src/mask/keys.ts';
import { detokenize } from '../src/mask/transformers/tokenize.ts';
import type { TransformContext } from '../src/mask/types.ts';
import { ctx, EMAIL, emails, make, OTHER_SALT, PG_DATE } from './support/mask-transformers.ts';

/** Deterministic pseudo-random test data. */
const rng = seededRandom(Buffer.from('0123456789abcdef'));
const int = (n: number) => Math.floor(rng() * n);
const digits = (n: number) => Array.from({ length: n }, () => String(int(10))).join('');

// ---------------------------------------------------------------------------------------------
// tokenize

describe('tokenize', () => {
  const c = ctx('value', 'text');
  const SEPARATED = ['#### #### #### ####', '+# (###) ###-####', '###-##-####', '##.##.####', '#'];

  it('round-trips 1000 random digit strings, keeping length, separators and leading-zero-ness', async () => {
    const t = await make('tokenize', {}, c);
    for (let i = 0; i < 1000; i++) {
      const plain = i % 2 === 0 ? digits(1 + int(30)) : (SEPARATED[i % SEPARATED.length] as string).replace(/#/g, () => String(int(10)));
      const token = t.apply(plain) as string;
      expect(token.length).toBe(plain.length);
      expect(token.replace(/\d/g, '#')).toBe(plain.replace(/\d/g, '#'));
      const digitsOf = (s: string) => s.replace(/\D/g, '');
      if (digitsOf(plain).length > 1) expect(digitsOf(token).startsWith('0')).toBe(digitsOf(plain).startsWith('0'));
      expect(detokenize(token, {}, c)).toBe(plain);
    }
  });

  it('round-trips 1000 random texts as base64url tokens', async () => {
    const t = await make('tokenize', {}, c);
    const alphabet = 'abcXYZ éüß漢字🙂@.-_ 0123456789';
    const chars = [...alphabet];
    for (let i = 0; i < 1000; i++) {
      const plain = `${Array.from({ length: int(40) }, () => chars[int(chars.length)]).join('')}x`;
      const token = t.apply(plain) as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(detokenize(token, {}, c)).toBe(plain);
    }
  });

  it('cards stay 16 digits without a leading zero, numbers stay numbers on integer columns', async () => {
    const t = await make('tokenize', {}, c);
    for (let i = 0; i < 200; i++) expect(t.apply(`4${digits(15)}`)).toMatch(/^[1-9]\d{15}$/);
    const int4 = await make('tokenize', {}, ctx('n', 'integer'));
    for (const v of ['2147483647', '2000000000', '-2147483648', '-7', '0', '9']) {
      const out = int4.apply(v) as string;
      expect(out).toMatch(/^-?(0|[1-9]\d*)$/);
      expect(BigInt(out) <= 2147483647n && BigInt(out) >= -2147483648n).toBe(true);
      expect(out.startsWith('-')).toBe(v.startsWith('-'));
      expect(out).not.toBe('-0');
      expect(detokenize(out, {}, ctx('n', 'integer'))).toBe(v);
    }
  });

  it('is a permutation of short digit strings (no two inputs share a token)', async () => {
    const t = await make('tokenize', {}, c);
    const all = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
    const out = all.map((v) => t.apply(v) as string);
    expect(new Set(out).size).toBe(1000);
    expect(out.filter((o, i) => o === all[i]).length).toBeLessThan(20);
  });

  it('does not detokenize with another salt', async () => {
    const t = await make('tokenize', {}, c);
    expect(() => detokenize(t.apply('secret note'), {}, { ...c, salt: OTHER_SALT })).toThrow(InvalidInputError);
    expect(detokenize(t.apply('12345678'), {}, { ...c, salt: OTHER_SALT })).not.toBe('12345678');
  });

  it("mode 'digits' encrypts the digits inside any text and keeps the rest", async () => {
    const t = await make('tokenize', { mode: 'digits' }, c);
    const token = t.apply('INV-2024-000123') as string;
    expect(token).toMatch(/^INV-\d{4}-0\d{5}$/);
    expect(detokenize(token, { mode: 'digits' }, c)).toBe('INV-2024-000123');
  });
});

// ---------------------------------------------------------------------------------------------
// fake

describe('fake', () => {
  it.each([
    ['email', 'text', undefined, EMAIL],
    ['first_name', 'text', undefined, /^[\p{L}][\p{L}' -]*$/u],
    ['surname', 'text', undefined, /^[\p{L}][\p{L}' -]*$/u],
    ['customer_name', 'text', undefined, /^[\p{L}][\p{L}'. -]* [\p{L}'. -]+$/u],
    ['contact', 'text', 'PHONE', /^[\d()+ .x-]{7,}$/],
    ['city', 'text', undefined, /^[\p{L}][\p{L}' ./-]+$/u],
    ['zip', 'text', undefined, /^\d{5}$/],
    ['login', 'text', undefined, /^[\w.-]+_[0-9a-f]{4}$/],
    ['employer', 'text', undefined, /\p{L}/u],
    ['address_line1', 'text', undefined, /^\d+ \p{L}/u],
    ['dob', 'date', undefined, PG_DATE],
    ['anything', 'date', 'DATE_OF_BIRTH', PG_DATE],
  ])('auto for %s (%s, %s) gives realistic values', async (name, pgType, piiType, shape) => {
    const t = await make('fake', {}, ctx(name, pgType, piiType ? { piiType } : {}));
    const outs = emails(200).map((v) => t.apply(v) as string);
    for (const o of outs) expect(o).toMatch(shape);
    expect(new Set(outs).size).toBeGreaterThan(100);
  });

  it('fake dates are real dates between 1940 and 2005, timestamps in PostgreSQL text', async () => {
    const d = await make('fake', { kind: 'date' }, ctx('dob', 'date'));
    for (const v of emails(200)) {
      const out = d.apply(v) as string;
      const parsed = parseDateText(out);
      expect(parsed?.year).toBeGreaterThanOrEqual(1940);
      expect(parsed?.year).toBeLessThanOrEqual(2005);
    }
    const ts = await make('fake', { kind: 'date' }, ctx('born_at', 'timestamp with time zone'));
    expect(ts.apply('x')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00$/);
  });

  it('emails carry a hash suffix and use reserved domains', async () => {
    const t = await make('fake', {}, ctx('email', 'text'));
    for (const v of emails(200)) expect(t.apply(v)).toMatch(/^[a-z0-9]+\.[a-z0-9]+\.[0-9a-f]{4}@example\.(com|net|org)$/);
  });

  it('refuses to guess for a column it cannot classify', async () => {
    await expect(make('fake', {}, ctx('notes', 'text'))).rejects.toThrow(/set params.kind/);
  });
});

// ---------------------------------------------------------------------------------------------
// Uniqueness on 100k distinct values

describe('uniqueness on 100k distinct emails', () => {
  const inputs = emails(100_000);
  it.each([
    ['hash', {}],
    ['tokenize', {}],
    ['fake', { kind: 'email' }],
  ])('%s %j → 100k distinct outputs', async (name, params) => {
    const t = await make(name, params, ctx('email', 'text'));
    const outs = new Set(inputs.map((v) => t.apply(v)));
    expect(outs.size).toBe(inputs.length);
  });

  it('fake without the suffix collides measurably (why unique is the default for emails)', async () => {
    const t = await make('fake', { kind: 'email', unique: false }, ctx('email', 'text'));
    const outs = new Set(inputs.map((v) => t.apply(v)));
    const rate = 1 - outs.size / inputs.length;
    console.info(`fake email without suffix: ${(rate * 100).toFixed(2)}% of 100k outputs collide`);
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(0.2);
  });
});

// ---------------------------------------------------------------------------------------------
// shuffle

describe('shuffle', () => {
  const column = [...Array.from({ length: 500 }, (_, i) => `v${i % 137}`), 'solo'];

  it('keeps the multiset of values, moves them, and leaves nulls alone', async () => {
    const t = await make('shuffle', {}, ctx('city', 'text'), column);
    const out = column.map((v) => t.apply(v) as string);
    expect([...out].sort()).toEqual([...column].sort());
    expect(out.filter((o, i) => o === column[i]).length).toBeLessThan(column.length / 10);
    expect(t.apply(null)).toBeNull();
  });

  it('gives the same permutation whatever order the values were read in, and another per column and salt', async () => {
    const run = async (values: string[], c: TransformContext) => {
      const t = await make('shuffle', {}, c, values);
      return column.map((v) => t.apply(v));
    };
    const base = await run(column, ctx('city', 'text'));
    expect(await run([...column].reverse(), ctx('city', 'text'))).toEqual(base);
    expect(await run(column, ctx('town', 'text'))).not.toEqual(base);
    expect(await run(column, { ...ctx('city', 'text'), salt: OTHER_SALT })).not.toEqual(base);
  });
});

// ---------------------------------------------------------------------------------------------
// dateShift

function ageAt(birth: string, reference: string): number {
  const [by, bm, bd] = birth.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [ry, rm, rd] = reference.split('-').map(Number) as [number, number, number];
  return ry - by - (rm < bm || (rm === bm && rd < bd) ? 1 : 0);
}

describe('dateShift', () => {
  const births = Array.from({ length: 2000 }, () => {
    const y = 1930 + int(90);
    const m = 1 + int(12);
    const d = 1 + int(28);
    return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  });
  births.push('2000-01-01', '2000-12-31', '2024-02-29');

  it.each(['2025-06-15', '2025-01-01', '2024-12-31'])('keeps age in years within ±1 at %s, same birth year, within maxDays', async (reference) => {
    const t = await make('dateShift', {}, ctx('birth_date', 'date'));
    let moved = 0;
    for (const b of births) {
      const out = t.apply(b) as string;
      expect(out).toMatch(PG_DATE);
      expect(parseDateText(out)).toBeDefined();
      expect(out.slice(0, 4)).toBe(b.slice(0, 4));
      expect(Math.abs(ageAt(out, reference) - ageAt(b, reference))).toBeLessThanOrEqual(1);
      const days = Math.abs(Date.parse(out) - Date.parse(b)) / 86_400_000;
      expect(days).toBeLessThanOrEqual(30);
      if (out !== b) moved++;
    }
    expect(moved).toBeGreaterThan(births.length * 0.95);
  });

  it("keep: 'month' stays in the month", async () => {
    const t = await make('dateShift', { keep: 'month', maxDays: 10 }, ctx('birth_date', 'date'));
    for (const b of births) expect((t.apply(b) as string).slice(0, 7)).toBe(b.slice(0, 7));
  });

  it.each([
    ['timestamp', '2024-03-10 12:34:56', /^2024-\d{2}-\d{2} 12:34:56$/],
    ['timestamp', '2024-03-10 12:34:56.123456', /^2024-\d{2}-\d{2} 12:34:56\.123456$/],
    ['timestamptz', '2024-03-10 12:34:56.5+05:30', /^2024-\d{2}-\d{2} 12:34:56\.5\+05:30$/],
    ['timestamp with time zone', '2024-03-10 23:00:00-08', /^2024-\d{2}-\d{2} 23:00:00-08$/],
    ['date', '0044-03-15 BC', /^0044-\d{2}-\d{2} BC$/],
    ['date', 'infinity', /^infinity$/],
    ['timestamptz', '-infinity', /^-infinity$/],
  ])('%s: %s keeps time, fraction and offset', async (pgType, value, shape) => {
    const t = await make('dateShift', {}, ctx('at', pgType));
    expect(t.apply(value)).toMatch(shape);
  });

  it('by rowKey shifts all dates of a row alike', async () => {
    const born = await make('dateShift', { by: 'rowKey', keep: 'none' }, ctx('born', 'date'));
    const joined = await make('dateShift', { by: 'rowKey', keep: 'none' }, ctx('joined', 'date'));
    const shift = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;
    for (const key of ['1', '2', '3']) {
      expect(shift('1990-05-05', born.apply('1990-05-05', { key }) as string)).toBe(shift('2020-05-05', joined.apply('2020-05-05', { key }) as string));
    }
    expect(() => born.apply('1990-05-05')).toThrow(/row key/);
  });

  it('rejects values that are not dates', async () => {
    const t = await make('dateShift', {}, ctx('at', 'date'));
    for (const bad of ['2024-02-30', 'yesterday', '12/03/2024']) expect(() => t.apply(bad)).toThrow(InvalidInputError);
  });
});
