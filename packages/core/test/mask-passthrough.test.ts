/**
 * The mask step rewrites a table column by column: masked columns decoded, masked and encoded, every
 * other column chunk copied from the source file as it is. What a user must not be able to tell
 * apart: the masked version is the same — the same Parquet bytes, rows and COPY text — as the one
 * the row path (every row read, masked and written whole) gives, for every transformer, stateful ones
 * (collision remaps, shuffle) and per-row ones included; kept columns of every type, NULLs, NaN and
 * escapes included, read back exactly as in the source.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../src/catalog/types.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import { datasetColumns } from '../src/dataset/parquet.ts';
import { openRewriteSource } from '../src/dataset/parquet-passthrough.ts';
import { openParquetFile } from '../src/dataset/parquet-read.ts';
import type { DatasetManifest, DatasetStore, DatasetTableManifest, TextRow } from '../src/dataset/types.ts';
import { type MaskRules, maskTables } from '../src/mask/executor.ts';
import { tableDef } from '../src/synthetic/catalog.ts';

// Test configuration: stands in for TDM_MASK_SALT.
const SALT = 'mask-passthrough-test-salt';
/**
 * Three row groups of 16,384 rows and a part (rows short enough that the row path closes its groups
 * at the same rows, so the two files can be compared byte for byte), and visit notes long enough
 * for several pages per column chunk.
 */
const PEOPLE = 40_000;
const VISITS = 9_000;

const PERSON: [string, string][] = [
  ['id', 'bigint'],
  ['code', 'character varying(6)'],
  ['small', 'smallint'],
  ['n', 'integer'],
  ['big', 'bigint'],
  ['flag', 'boolean'],
  ['score', 'double precision'],
  ['amount', 'numeric(12,2)'],
  ['name', 'text'],
  ['email', 'text'],
  ['phone', 'text'],
  ['born', 'date'],
  ['seen', 'timestamp with time zone'],
  ['tags', 'text[]'],
  ['doc', 'jsonb'],
  ['blob', 'bytea'],
  ['note', 'text'],
];
const VISIT: [string, string][] = [
  ['id', 'integer'],
  ['person_code', 'character varying(6)'],
  ['at', 'timestamp with time zone'],
  ['note', 'text'],
];
const catalog: Catalog = {
  database: 'test',
  serverVersion: '17',
  schemas: ['public'],
  enums: [],
  domains: [],
  sequences: [],
  tables: [
    tableDef({ name: 'person', columns: PERSON.map(([name, dataType]) => ({ name, dataType })), primaryKey: ['id'], uniques: [['code'], ['email']] }),
    tableDef({
      name: 'visit',
      columns: VISIT.map(([name, dataType]) => ({ name, dataType })),
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['person_code'], references: { table: 'person', columns: ['code'] } }],
    }),
  ],
};

const SCORES = ['NaN', '-0', 'Infinity', '-Infinity', '1.5', '1e+308', '5e-324', '0.1', '-123456.789'];
const NAMES = ['Ada', 'Zoë', '東京', 'tab\there', 'new\nline', 'back\\slash', '', '🙂 emoji', 'Grace'];

/** Column `c` of row `i`: every column has NULLs (at its own rows), the primary key and the unique code none. */
function personValue(i: number, c: number): string | null {
  if (c > 1 && (i + c) % 11 === 0) return null;
  const values = [
    () => String(i + 1),
    () => `P${(i + 1).toString(36)}`,
    () => String((i % 65_536) - 32_768),
    () => String(i * 48_271 - 2_000_000_000),
    () => String(BigInt(i) * 9_000_000_000_000n - 4_000_000_000_000_000_000n),
    () => (i % 3 === 0 ? 't' : 'f'),
    () => SCORES[i % SCORES.length] as string,
    () => `${i % 100_000}.${String(i % 100).padStart(2, '0')}`,
    () => NAMES[i % NAMES.length] as string,
    () => `user${i}@example.com`,
    () => `+1 555 ${String(i).padStart(7, '0')}`,
    () => `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 9}`,
    () => new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace('T', ' ').replace('Z', '+00'),
    () => `{a${i % 5},"b c",NULL}`,
    () => `{"k": ${i}, "s": "x\\ty"}`,
    () => `\\x${(i % 256).toString(16).padStart(2, '0')}00ff`,
    () => `note ${i}`,
  ];
  return (values[c] as () => string)();
}

const personRows: TextRow[] = Array.from({ length: PEOPLE }, (_, i) => PERSON.map((_, c) => personValue(i, c)));
const visitRows: TextRow[] = Array.from({ length: VISITS }, (_, i) => [
  String(i + 1),
  `P${(1 + ((i * 7) % PEOPLE)).toString(36)}`,
  i % 13 === 0 ? null : `2024-02-0${1 + (i % 9)} 10:00:00+00`,
  i % 17 === 0 ? null : `visit ${i} ${'lorem ipsum dolor sit amet '.repeat(8)}`,
]);

let dir: string;
let store: LocalDatasetStore;
/** The same store without `openTableFile`: the mask step goes through rows. */
let rowPath: DatasetStore;
let source: DatasetManifest;

async function* batches(rows: TextRow[]): AsyncIterable<TextRow[]> {
  for (let i = 0; i < rows.length; i += 10_000) yield rows.slice(i, i + 10_000);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tdm-mask-passthrough-'));
  store = new LocalDatasetStore(dir);
  rowPath = {
    uri: store.uri,
    createWriter: (id) => store.createWriter(id),
    readManifest: (id) => store.readManifest(id),
    readTable: (id, table, options) => store.readTable(id, table, options),
    delete: (id) => store.delete(id),
  };
  const writer = store.createWriter(randomUUID());
  for (const t of catalog.tables) {
    const columns = t.columns.map((c) => ({ name: c.name, pgType: c.dataType, nullable: c.nullable }));
    await writer.writeTable({ schema: t.schema, name: t.name, columns }, batches(t.name === 'person' ? personRows : visitRows));
  }
  source = await writer.finish({ name: 'people', kind: 'SYNTHETIC', schemaVersionId: null, parentId: null, jobId: null, meta: {} });
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function mask(through: DatasetStore, rules: MaskRules): Promise<DatasetManifest> {
  const writer = through.createWriter(randomUUID());
  await maskTables(through, source, catalog, writer, { rules, salt: SALT });
  return writer.finish({ name: 'masked', kind: 'MASKED', schemaVersionId: null, parentId: source.datasetVersionId, jobId: null, meta: {} });
}

async function rowsOf(manifest: DatasetManifest, table: DatasetTableManifest): Promise<TextRow[]> {
  const rows: TextRow[] = [];
  for await (const batch of store.readTable(manifest.datasetVersionId, table)) rows.push(...batch);
  return rows;
}

async function copyTextOf(manifest: DatasetManifest, table: DatasetTableManifest): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const read = store.readTableCopyText(manifest.datasetVersionId, table, { columns: table.columns.map((c) => c.name) });
  for await (const chunk of read) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Masks with both paths and checks they agree on rows and COPY text, and by default to the byte
 * (a dictionary-encoded column masked by a value-only transform has its dictionary rewritten entry
 * by entry: the row path's dictionary too as long as distinct entries stay distinct).
 */
async function bothPaths(rules: MaskRules, sameBytes = true): Promise<DatasetManifest> {
  const byColumns = await mask(store, rules);
  const byRows = await mask(rowPath, rules);
  for (const [i, table] of byColumns.tables.entries()) {
    const other = byRows.tables[i] as DatasetTableManifest;
    expect(await rowsOf(byColumns, table)).toEqual(await rowsOf(byRows, other));
    expect((await copyTextOf(byColumns, table)).equals(await copyTextOf(byRows, other))).toBe(true);
    const files = [table, other].map((t) => ({ rows: t.rowCount, bytes: t.bytes, checksum: t.checksum }));
    if (sameBytes) expect(files[0]).toEqual(files[1]);
  }
  return byColumns;
}

const EVERY_KIND: MaskRules = {
  'person.code': { transformer: 'hash' },
  'person.small': { transformer: 'shuffle' },
  'person.n': { transformer: 'hash', params: { format: 'integer' } },
  'person.big': { transformer: 'null' },
  'person.amount': { transformer: 'generalize', params: { kind: 'number', bucket: 100 } },
  'person.name': { transformer: 'fake', params: { kind: 'firstName' } },
  'person.email': { transformer: 'hash' },
  'person.phone': { transformer: 'tokenize' },
  'person.born': { transformer: 'dateShift', params: { by: 'rowKey' } },
  'person.seen': { transformer: 'dateShift', params: { by: 'rowKey' } },
  'person.note': { transformer: 'partial' },
  'visit.note': { transformer: 'redact', params: { mode: 'format', keepLength: true } },
};

describe('masking column by column', () => {
  it('gives the bytes, rows and COPY text of the row path for every kind of transformer', async () => {
    await bothPaths(EVERY_KIND);
  }, 240_000);

  it('copies the columns it keeps exactly: every type, NULLs, NaN, -0 and escapes; an unmasked table is the source file again', async () => {
    const masked = await bothPaths({ 'person.email': { transformer: 'hash' }, 'person.name': { transformer: 'fake', params: { kind: 'lastName' } } });
    const person = masked.tables.find((t) => t.name === 'person') as DatasetTableManifest;
    const rows = await rowsOf(masked, person);
    const kept = PERSON.map((_, c) => c).filter((c) => c !== 8 && c !== 9);
    expect(rows.map((r) => kept.map((c) => r[c]))).toEqual(personRows.map((r) => kept.map((c) => r[c])));
    expect(rows.map((r) => r[8] === null)).toEqual(personRows.map((r) => r[8] === null));
    expect(rows.some((r, i) => r[9] !== personRows[i]?.[9])).toBe(true);
    // The table nobody masked is the source file again, byte for byte.
    const visit = masked.tables.find((t) => t.name === 'visit');
    expect(visit?.checksum).toBe(source.tables.find((t) => t.name === 'visit')?.checksum);
  }, 240_000);

  it('remaps collisions of a key group alike on both paths and in the referencing table', async () => {
    const masked = await bothPaths({ 'person.code': { transformer: 'hash' } });
    const person = await rowsOf(masked, masked.tables.find((t) => t.name === 'person') as DatasetTableManifest);
    const visit = await rowsOf(masked, masked.tables.find((t) => t.name === 'visit') as DatasetTableManifest);
    expect(new Set(person.map((r) => r[1])).size).toBe(PEOPLE);
    const codeOf = new Map(personRows.map((r, i) => [r[1], person[i]?.[1]]));
    expect(visit.map((r) => r[1])).toEqual(visitRows.map((r) => codeOf.get(r[1])));
  }, 240_000);

  it('masks a primary key that is also the row key of a per-row transform', async () => {
    await bothPaths({
      'person.id': { transformer: 'hash', params: { format: 'integer' } },
      'person.born': { transformer: 'dateShift', params: { by: 'rowKey' } },
    });
  }, 240_000);

  it('masks a dictionary-encoded column entry by entry, also when distinct values meet or become NULL', async () => {
    // partial hides the differing characters of the few distinct tags: many entries, one output.
    const masked = await bothPaths({ 'person.tags': { transformer: 'partial' }, 'person.name': { transformer: 'null' } }, false);
    const person = await rowsOf(masked, masked.tables.find((t) => t.name === 'person') as DatasetTableManifest);
    expect(new Set(personRows.map((r) => r[13])).size).toBeGreaterThan(2);
    expect(new Set(person.map((r) => r[13]))).toEqual(new Set(['{**,"* *",NULL}', null]));
    expect(person.every((r) => r[8] === null)).toBe(true);
  }, 240_000);

  it('leaves a file laid out for other columns to the row path', async () => {
    const table = source.tables.find((t) => t.name === 'visit') as DatasetTableManifest;
    const file = await openParquetFile(join(dir, source.datasetVersionId, table.file));
    try {
      const columns = table.columns.map((c) => ({ name: c.name, pgType: c.pgType, nullable: c.nullable }));
      expect(await openRewriteSource(file, datasetColumns(columns))).not.toBeNull();
      expect(await openRewriteSource(file, datasetColumns(columns.slice(0, 2)))).toBeNull();
      expect(await openRewriteSource(file, datasetColumns([...columns].reverse()))).toBeNull();
      expect(await openRewriteSource(file, datasetColumns(columns.map((c) => (c.name === 'id' ? { ...c, pgType: 'bigint' } : c))))).toBeNull();
    } finally {
      await file.close();
    }
  });
});
