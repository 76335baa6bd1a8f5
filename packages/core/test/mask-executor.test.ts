/**
 * The mask step's engine on a local dataset store and a catalog built in code (no database): what
 * a user sees in the masked version. Unique columns stay unique and their foreign keys follow them,
 * whether the transform cannot collide (128-bit hash: no bookkeeping) or can (hash cut to a varchar:
 * clashes remapped alike in every linked column); repeated values mask alike however often they repeat;
 * dateShift by row key moves all dates of a row together.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, TableDef } from '../src/catalog/types.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import type { DatasetManifest, TextRow } from '../src/dataset/types.ts';
import { type MaskResult, type MaskRules, maskTables } from '../src/mask/executor.ts';
import { createTransform } from '../src/mask/registry.ts';
import { tableDef } from '../src/synthetic/catalog.ts';

// Test configuration: stands in for TDM_MASK_SALT.
const SALT = 'mask-executor-test-salt';

function table(name: string, cols: [string, string][], keys: { pk: string; unique?: string[]; fk?: [string, string, string][] }): TableDef {
  return tableDef({
    name,
    columns: cols.map(([n, dataType]) => ({ name: n, dataType })),
    primaryKey: [keys.pk],
    uniques: (keys.unique ?? []).map((c) => [c]),
    foreignKeys: (keys.fk ?? []).map(([c, refTable, refCol]) => ({ columns: [c], references: { table: refTable, columns: [refCol] } })),
  });
}

const ACCOUNTS = 50_000;
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara'];
const catalog: Catalog = {
  database: 'test',
  serverVersion: '17',
  schemas: ['public'],
  enums: [],
  domains: [],
  sequences: [],
  tables: [
    table(
      'account',
      [
        ['id', 'integer'],
        ['code', 'character varying(6)'],
        ['email', 'text'],
        ['first_name', 'text'],
        ['born', 'date'],
        ['joined', 'date'],
      ],
      { pk: 'id', unique: ['code', 'email'] },
    ),
    table(
      'login',
      [
        ['id', 'integer'],
        ['account_code', 'character varying(6)'],
        ['account_email', 'text'],
      ],
      {
        pk: 'id',
        fk: [
          ['account_code', 'account', 'code'],
          ['account_email', 'account', 'email'],
        ],
      },
    ),
  ],
};

let dir: string;
let store: LocalDatasetStore;
let source: DatasetManifest;

async function* batches(rows: TextRow[]): AsyncIterable<TextRow[]> {
  for (let i = 0; i < rows.length; i += 10_000) yield rows.slice(i, i + 10_000);
}

const accountRows: TextRow[] = Array.from({ length: ACCOUNTS }, (_, i) => [
  String(i + 1),
  `K${(i + 1).toString(36)}`,
  `user${i + 1}@example.com`,
  FIRST[i % FIRST.length] as string,
  `19${String(50 + (i % 40))}-0${1 + (i % 9)}-1${i % 9}`,
  `20${String(10 + (i % 10))}-0${1 + (i % 9)}-2${i % 9}`,
]);
// Logins point at every 7th account, three times each, in another order.
const loginRows: TextRow[] = Array.from({ length: 3 * Math.floor(ACCOUNTS / 7) }, (_, i) => {
  const account = 1 + ((i * 7) % ACCOUNTS);
  return [String(i + 1), `K${account.toString(36)}`, `user${account}@example.com`];
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tdm-mask-executor-'));
  store = new LocalDatasetStore(dir);
  const writer = store.createWriter(randomUUID());
  for (const t of catalog.tables) {
    await writer.writeTable(
      { schema: t.schema, name: t.name, columns: t.columns.map((c) => ({ name: c.name, pgType: c.dataType, nullable: c.nullable })) },
      batches(t.name === 'account' ? accountRows : loginRows),
    );
  }
  source = await writer.finish({ name: 'accounts', kind: 'SYNTHETIC', schemaVersionId: null, parentId: null, jobId: null, meta: {} });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function mask(rules: MaskRules): Promise<{ result: MaskResult; rows: Record<string, TextRow[]> }> {
  const writer = store.createWriter(randomUUID());
  const result = await maskTables(store, source, catalog, writer, { rules, salt: SALT });
  const manifest = await writer.finish({ name: 'masked', kind: 'MASKED', schemaVersionId: null, parentId: source.datasetVersionId, jobId: null, meta: {} });
  const rows: Record<string, TextRow[]> = {};
  for (const t of manifest.tables) {
    rows[t.name] = [];
    for await (const batch of store.readTable(manifest.datasetVersionId, t)) rows[t.name]?.push(...batch);
  }
  return { result, rows };
}

const ctx = (name: string, pgType = 'text') => ({ salt: SALT, column: { schema: 'public', table: 'account', name, pgType } });

describe('unique columns and their foreign keys', () => {
  it('a 128-bit hash needs no remap: outputs are the hash itself, unique, and the foreign keys follow', async () => {
    const { result, rows } = await mask({ 'account.email': { transformer: 'hash' } });
    const direct = await createTransform('hash', {}, ctx('email'));
    const account = rows.account as TextRow[];
    expect(account).toHaveLength(ACCOUNTS);
    expect(account.map((r) => r[2])).toEqual(accountRows.map((r) => direct.apply(r[2] as string)));
    expect(new Set(account.map((r) => r[2])).size).toBe(ACCOUNTS);
    expect(result.remapped).toEqual([]);
    const byId = new Map(account.map((r) => [r[0], r[2]]));
    expect((rows.login as TextRow[]).map((r) => r[2])).toEqual(loginRows.map((_, i) => byId.get(String(1 + ((i * 7) % ACCOUNTS)))));
  });

  it('a hash cut to varchar(6) collides on 50k values: clashes are remapped, the column stays unique, the foreign keys follow', async () => {
    const { result, rows } = await mask({ 'account.code': { transformer: 'hash' } });
    const account = rows.account as TextRow[];
    const codes = account.map((r) => r[1] as string);
    expect(new Set(codes).size).toBe(ACCOUNTS);
    expect(codes.filter((code) => !/^[0-9a-f]{6}$/.test(code))).toEqual([]);
    // 24 bits: ~50k² / 2²⁵ ≈ 75 expected clashes; none at all would mean the check never ran.
    const collisions = result.remapped.find((r) => r.column === 'public.account.code')?.collisions ?? 0;
    expect(collisions).toBeGreaterThan(0);
    const byId = new Map(account.map((r) => [r[0], r[1]]));
    expect((rows.login as TextRow[]).map((r) => r[1])).toEqual(loginRows.map((_, i) => byId.get(String(1 + ((i * 7) % ACCOUNTS)))));
  });
});

describe('values that repeat', () => {
  it('mask alike however often they repeat, and exactly as the transform alone masks them', async () => {
    const { rows } = await mask({ 'account.first_name': { transformer: 'fake', params: { kind: 'firstName' } } });
    const direct = await createTransform('fake', { kind: 'firstName' }, ctx('first_name'));
    const expected = new Map(FIRST.map((n) => [n, direct.apply(n)]));
    expect((rows.account as TextRow[]).map((r) => r[3])).toEqual(accountRows.map((r) => expected.get(r[3] as string)));
  });
});

describe('dateShift by row key', () => {
  it('moves both dates of a row by the same number of days', async () => {
    const rule = { transformer: 'dateShift', params: { by: 'rowKey', keep: 'none' } };
    const { rows } = await mask({ 'account.born': rule, 'account.joined': rule });
    const days = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
    const shifts = (rows.account as TextRow[]).map((row, i) => {
      const [, , , , born, joined] = accountRows[i] as string[];
      return [days(row[4] as string) - days(born as string), days(row[5] as string) - days(joined as string)];
    });
    expect(
      shifts.filter(([b, j]) => b !== j),
      'rows whose dates moved apart',
    ).toEqual([]);
    expect(
      shifts.filter(([b]) => b === 0),
      'rows not moved',
    ).toEqual([]);
    // The offset is the row's, not the date's: equal birth dates of different rows move differently.
    expect(new Set(shifts.slice(0, 1000).map(([b]) => b)).size).toBeGreaterThan(10);
  });
});
