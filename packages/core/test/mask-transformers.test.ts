/**
 * Mask transformers: pure and table-driven. What a user relies on: the same salt and input give
 * the same output in every run (so masked keys still join), another salt gives another output,
 * outputs fit the column's type, tokens come back, fakes look real, unique columns stay unique,
 * shuffles keep the distribution and shifted birth dates keep ages.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { parseDateText } from '../src/mask/dates.ts';
import { createHmacSha256 } from '../src/mask/hmac-sha256.ts';
import { hmac, seededRandom } from '../src/mask/keys.ts';
import { createTransform, createTransformerRegistry, getTransformer, registerTransformer, transformers } from '../src/mask/registry.ts';
import { hash } from '../src/mask/transformers/hash.ts';
import { builtinTransformers } from '../src/mask/transformers/index.ts';
import { detokenize } from '../src/mask/transformers/tokenize.ts';
import type { ColumnTransform, TransformContext } from '../src/mask/types.ts';

// Test configuration: stands in for TDM_MASK_SALT.
const SALT = 'test-salt-for-mask-transformers';
const OTHER_SALT = 'another-test-salt';

function ctx(name: string, pgType: string, extra: Partial<TransformContext> = {}): TransformContext {
  return { salt: SALT, column: { schema: 'public', table: 't', name, pgType }, ...extra };
}

async function make(name: string, params: unknown, c: TransformContext, values?: string[]): Promise<ColumnTransform> {
  if (values === undefined) return createTransform(name, params, c);
  async function* iterate() {
    yield* values as string[];
  }
  return createTransform(name, params, c, iterate());
}

/** Deterministic pseudo-random test data. */
const rng = seededRandom(Buffer.from('0123456789abcdef'));
const int = (n: number) => Math.floor(rng() * n);
const digits = (n: number) => Array.from({ length: n }, () => String(int(10))).join('');
const emails = (n: number) => Array.from({ length: n }, (_, i) => `person${i}@corp${i % 97}.example`);

const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PG_DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('registry', () => {
  it('holds the built-in transformers', () => {
    expect(transformers().map((t) => t.name)).toEqual(['hash', 'redact', 'tokenize', 'fake', 'partial', 'null', 'shuffle', 'dateShift', 'generalize']);
    expect(getTransformer('hash')).toBe(hash);
    expect(getTransformer('nope')).toBeUndefined();
  });

  it('throws on a duplicate name, in the default and in a fresh registry', () => {
    expect(() => registerTransformer(hash)).toThrow(/already registered/);
    const fresh = createTransformerRegistry();
    fresh.register(hash);
    expect(() => fresh.register({ ...hash })).toThrow(/hash is already registered/);
  });

  it('exposes a JSON Schema of every params object, defaults optional', () => {
    for (const t of transformers()) {
      expect(t.paramsSchema, t.name).toMatchObject({ type: 'object' });
      expect(t.paramsSchema.required ?? [], t.name).toEqual([]);
    }
    const hashSchema = transformers().find((t) => t.name === 'hash')?.paramsSchema as { properties: Record<string, { default?: unknown }> };
    expect(hashSchema.properties.perColumn?.default).toBe(false);
    expect(hashSchema.properties.format).toMatchObject({ enum: ['auto', 'hex', 'integer', 'uuid'] });
  });

  it('rejects invalid params, unknown names and a missing salt', async () => {
    await expect(createTransform('hash', { length: 2 }, ctx('x', 'text'))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(createTransform('nope', {}, ctx('x', 'text'))).rejects.toThrow(/not found/);
    await expect(createTransform('hash', {}, { ...ctx('x', 'text'), salt: '' })).rejects.toThrow(/salt is not configured/);
    await expect(createTransform('shuffle', {}, ctx('x', 'text'))).rejects.toThrow(/needs the column/);
  });
});

// ---------------------------------------------------------------------------------------------
// Determinism

const SALTED: [string, unknown, TransformContext, string[]][] = [
  ['hash', {}, ctx('email', 'text'), ['alice@example.com', 'bob@example.com', '']],
  ['hash', {}, ctx('id', 'integer'), ['1', '2', '3']],
  ['hash', {}, ctx('id', 'uuid'), ['0b6f6b8e-8f1a-4a52-9d53-1a2b3c4d5e6f']],
  ['tokenize', {}, ctx('card', 'text'), ['4111111111111111', '+1 (555) 123-4567', 'free text']],
  ['fake', {}, ctx('email', 'text'), ['alice@example.com', 'bob@example.com']],
  ['fake', { kind: 'fullName' }, ctx('name', 'text'), ['Alice Liddell', 'Bob Builder']],
  ['dateShift', {}, ctx('birth_date', 'date'), ['1984-07-12', '1999-02-28', '2010-06-15']],
];
const UNSALTED: [string, unknown, TransformContext, string[]][] = [
  ['redact', { mode: 'format' }, ctx('email', 'text'), ['john.doe@example.com']],
  ['partial', {}, ctx('card', 'text'), ['4111-1111-1111-1234']],
  ['generalize', {}, ctx('zip', 'text'), ['12345']],
  ['null', {}, ctx('note', 'text'), ['x']],
];

describe('determinism', () => {
  it.each([...SALTED, ...UNSALTED])('%s %j: same salt and input → same output, twice and in a fresh registry', async (name, params, c, values) => {
    const a = await make(name, params, c);
    const b = await make(name, params, c);
    const fresh = await createTransformerRegistry(builtinTransformers).create(name, params, { ...c, column: { ...c.column } });
    const first = values.map((v) => a.apply(v));
    expect(values.map((v) => a.apply(v))).toEqual(first);
    expect(values.map((v) => b.apply(v))).toEqual(first);
    expect(values.map((v) => fresh.apply(v))).toEqual(first);
    expect(a.apply(null)).toBeNull();
  });

  it.each(SALTED)('%s %j: another salt gives other outputs', async (name, params, c, values) => {
    const a = await make(name, params, c);
    const b = await make(name, params, { ...c, salt: OTHER_SALT });
    const changed = values.filter((v) => a.apply(v) !== b.apply(v));
    expect(changed.length).toBeGreaterThan(0);
  });

  it('keeps its pinned outputs, so data masked by earlier releases still joins with new runs', async () => {
    // Changing these means every previously masked dataset stops matching: bump the key label in keys.ts deliberately.
    const h = await make('hash', {}, ctx('email', 'text'));
    expect(h.apply('alice@example.com')).toBe(PINNED.hash);
    const t = await make('tokenize', {}, ctx('card', 'text'));
    expect(t.apply('4111111111111111')).toBe(PINNED.card);
  });

  it('hash is column-independent by default (keys and foreign keys match) and per column on request', async () => {
    const pk = await make('hash', {}, ctx('id', 'integer'));
    const fk = await make('hash', {}, { ...ctx('customer_id', 'integer'), column: { schema: 'sales', table: 'orders', name: 'customer_id', pgType: 'int4' } });
    expect(fk.apply('42')).toBe(pk.apply('42'));
    const own = await make('hash', { perColumn: true }, ctx('customer_id', 'integer'));
    expect(own.apply('42')).not.toBe(pk.apply('42'));
  });
});

const PINNED = { hash: 'fdd2d7b3603fac294b5ca663f7c94411', card: '3746990585528710' };

// ---------------------------------------------------------------------------------------------
// Outputs fit the column type

describe('hash fits the column type', () => {
  const inputs = Array.from({ length: 20_000 }, (_, i) => String(i));
  it.each([
    ['smallint', 32767n],
    ['integer', 2147483647n],
    ['bigint', 9223372036854775807n],
    ['int8', 9223372036854775807n],
  ])('%s: positive integers within range', async (pgType, max) => {
    const t = await make('hash', {}, ctx('id', pgType));
    for (const v of inputs) {
      const out = t.apply(v) as string;
      expect(out).toMatch(/^[1-9]\d*$/);
      expect(BigInt(out) <= max).toBe(true);
    }
  });

  it('int8 uses the whole range: some outputs are beyond int4', async () => {
    const t = await make('hash', {}, ctx('id', 'bigint'));
    expect(inputs.slice(0, 100).some((v) => BigInt(t.apply(v) as string) > 2147483647n)).toBe(true);
  });

  it('uuid columns get valid, distinct UUIDs', async () => {
    const t = await make('hash', {}, ctx('id', 'uuid'));
    const outs = inputs.map((v) => t.apply(v) as string);
    for (const o of outs) expect(o).toMatch(UUID);
    expect(new Set(outs).size).toBe(inputs.length);
  });

  it.each([
    [{}, 'text', /^[0-9a-f]{32}$/],
    [{ length: 12 }, 'text', /^[0-9a-f]{12}$/],
    [{}, 'character varying(10)', /^[0-9a-f]{10}$/],
    [{ prefix: 'user_' }, 'varchar(20)', /^user_[0-9a-f]{15}$/],
    [{ keepPrefix: 4 }, 'text', /^SKU-[0-9a-f]{32}$/],
  ])('text %j on %s → %s', async (params, pgType, shape) => {
    const t = await make('hash', params, ctx('code', pgType));
    expect(t.apply('SKU-000123')).toMatch(shape);
  });
});

describe('varchar(n) limits', () => {
  it.each([
    ['fake', { kind: 'email' }, 'varchar(24)', 24],
    ['fake', { kind: 'fullName' }, 'character varying(8)', 8],
    ['fake', { kind: 'streetAddress' }, 'varchar(10)', 10],
    ['redact', { keepLength: true }, 'varchar(5)', 5],
    ['hash', {}, 'varchar(16)', 16],
  ])('%s %j respects %s', async (name, params, pgType, n) => {
    const t = await make(name, params, ctx('col', pgType));
    for (const v of emails(300)) expect([...(t.apply(v) as string)].length).toBeLessThanOrEqual(n);
  });

  it('fake emails cut to a varchar stay emails', async () => {
    const t = await make('fake', { kind: 'email' }, ctx('email', 'varchar(24)'));
    for (const v of emails(300)) expect(t.apply(v)).toMatch(EMAIL);
  });

  it('tokenize refuses to cut a text token (it would no longer come back)', async () => {
    const t = await make('tokenize', {}, ctx('name', 'varchar(10)'));
    expect(() => t.apply('Alice Liddell')).toThrow(InvalidInputError);
  });
});

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

// ---------------------------------------------------------------------------------------------
// generalize, redact, partial, null

describe.each<[string, unknown, TransformContext, [string | null, string | null][]]>([
  [
    'generalize',
    {},
    ctx('zip', 'text'),
    [
      ['12345', '123**'],
      ['SW1A 1AA', 'SW1* ***'],
      ['90210-1234', '902**-****'],
      [null, null],
    ],
  ],
  [
    'generalize',
    { pad: false },
    ctx('postal_code', 'varchar(10)'),
    [
      ['12345', '123'],
      ['90210-1234', '902'],
    ],
  ],
  [
    'generalize',
    {},
    ctx('birth_date', 'date'),
    [
      ['1984-07-12', '1984-01-01'],
      ['2000-12-31', '2000-01-01'],
    ],
  ],
  ['generalize', {}, ctx('dob', 'timestamptz'), [['1984-07-12 10:00:00+02', '1984-01-01 00:00:00+00']]],
  ['generalize', { kind: 'date' }, ctx('dob', 'text'), [['1984-07-12', '1984']]],
  ['generalize', { dateTo: 'month' }, ctx('dob', 'date'), [['1984-07-12', '1984-07-01']]],
  [
    'generalize',
    {},
    ctx('salary', 'integer'),
    [
      ['42317', '42000'],
      ['999', '0'],
      ['-1', '-1000'],
    ],
  ],
  [
    'generalize',
    { bucket: 5 },
    ctx('age', 'numeric'),
    [
      ['42.7', '40'],
      ['45', '45'],
    ],
  ],
  [
    'generalize',
    {},
    ctx('ip', 'inet'),
    [
      ['192.168.1.77', '192.168.1.0'],
      ['10.1.2.3/32', '10.1.2.0/24'],
      ['2001:db8:85a3:1:2::7', '2001:db8:85a3::'],
    ],
  ],
  [
    'redact',
    {},
    ctx('secret', 'text'),
    [
      ['hunter2', '***'],
      ['', '***'],
      [null, null],
    ],
  ],
  ['redact', { keepLength: true, char: 'X' }, ctx('secret', 'text'), [['hunter2', 'XXXXXXX']]],
  [
    'redact',
    { mode: 'format' },
    ctx('contact', 'text'),
    [
      ['john.doe@example.com', 'j***@e***.com'],
      ['+1 (555) 123-4567', '+# (###) ###-####'],
      ['AB-12', '**-##'],
    ],
  ],
  [
    'redact',
    { mode: 'format', keepLength: true, digitChar: 'X' },
    ctx('contact', 'text'),
    [
      ['ann@mail.org', 'a**@m***.org'],
      ['555-1234', 'XXX-XXXX'],
    ],
  ],
  [
    'partial',
    {},
    ctx('card', 'text'),
    [
      ['4111-1111-1111-1234', '****-****-****-1234'],
      ['+1 (555) 123-4567', '+* (***) ***-4567'],
      ['1234', '****'],
    ],
  ],
  ['partial', { keep: 2, char: 'X', keepSeparators: false }, ctx('iban', 'text'), [['DE89 3704', 'XXXXXXX04']]],
  [
    'partial',
    {},
    ctx('name', 'text'),
    [
      ['Zoë-Ann 12345', '***-*** *2345'],
      ['Ünal_99 x', '***l_99 x'],
      ['١٢٣٤٥٦', '**٣٤٥٦'],
      ['', ''],
    ],
  ],
  [
    'null',
    {},
    ctx('note', 'text'),
    [
      ['anything', null],
      [null, null],
    ],
  ],
])('%s %j on %o', (name, params, c, cases) => {
  it.each(cases)('%s → %s', async (input, expected) => {
    const t = await make(name, params, c);
    expect(t.apply(input)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// The keyed hash under every transformer, and what the mask step reads off a column transform

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

  /** What keys.ts hashed before, with node:crypto: each part as its 4-byte length and its UTF-8 bytes. */
  const reference = (key: Buffer, parts: (string | Buffer)[]) => {
    const mac = createHmac('sha256', key);
    for (const part of parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      mac.update(length).update(bytes);
    }
    return mac.digest('hex');
  };
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

describe('column transforms tell the mask step when outputs cannot collide', () => {
  it.each<[string, unknown, string, boolean]>([
    ['hash', {}, 'text', true],
    ['hash', { format: 'uuid' }, 'text', true],
    ['hash', { length: 40, prefix: 'u_', keepPrefix: 3 }, 'varchar(45)', true],
    ['hash', { length: 40, prefix: 'u_', keepPrefix: 3 }, 'varchar(44)', false],
    ['hash', { length: 16 }, 'text', false],
    ['hash', {}, 'varchar(20)', false],
    ['hash', {}, 'integer', false],
    ['hash', {}, 'bigint', false],
    ['tokenize', {}, 'text', true],
    ['fake', { kind: 'email' }, 'text', false],
    ['partial', {}, 'text', false],
  ])('%s %j on %s: distinct = %s', async (name, params, pgType, distinct) => {
    const t = await make(name, params, ctx('code', pgType));
    expect(t.distinct ?? false).toBe(distinct);
  });

  it('dateShift by rowKey says it reads the row; by value it does not', async () => {
    expect((await make('dateShift', { by: 'rowKey' }, ctx('born', 'date'))).usesRow).toBe(true);
    expect((await make('dateShift', {}, ctx('born', 'date'))).usesRow ?? false).toBe(false);
  });
});

describe('partial on ASCII (fast path) agrees with the Unicode rule', () => {
  const ALNUM = /[\p{L}\p{Nd}]/u;
  const rule = (value: string, keep: number, char: string, keepSeparators: boolean) => {
    const chars = [...value];
    const total = chars.filter((c) => ALNUM.test(c)).length;
    const keepFrom = total > keep ? total - keep : Number.POSITIVE_INFINITY;
    let seen = 0;
    return chars.map((c) => (!ALNUM.test(c) ? (keepSeparators ? c : char) : seen++ >= keepFrom ? c : char)).join('');
  };
  it.each([
    [{}, 4, '*', true],
    [{ keep: 0, char: 'X' }, 0, 'X', true],
    [{ keep: 2, char: '#', keepSeparators: false }, 2, '#', false],
  ])('%j on 2,000 random ASCII values', async (params, keep, char, keepSeparators) => {
    const t = await make('partial', params, ctx('v', 'text'));
    for (let i = 0; i < 2000; i++) {
      const value = randomBytes(i % 40)
        .toString('latin1')
        .replace(/[\u0080-\u00ff]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x80));
      expect(t.apply(value)).toBe(rule(value, keep, char, keepSeparators));
    }
  });
});
