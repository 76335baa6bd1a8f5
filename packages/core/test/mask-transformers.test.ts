/**
 * Mask transformers: the registry, and what a user relies on from every transformer: the same
 * salt and input give the same output in every run (so masked keys still join), another salt
 * gives another output, outputs fit the column's type, and a transform says when its outputs
 * cannot collide. Each transformer's own outputs: mask-transformers-outputs.test.ts; table-driven
 * cases: mask-transformers-cases.test.ts; the keyed hash underneath: mask-hmac.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { createTransform, createTransformerRegistry, getTransformer, registerTransformer, transformers } from '../src/mask/registry.ts';
import { hash } from '../src/mask/transformers/hash.ts';
import { builtinTransformers } from '../src/mask/transformers/index.ts';
import type { TransformContext } from '../src/mask/types.ts';
import { ctx, EMAIL, emails, make, OTHER_SALT, UUID } from './support/mask-transformers.ts';

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
// What the mask step reads off a column transform

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
