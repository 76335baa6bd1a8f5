import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchesToCopyText, copyTextToBatches, formatCopyTextRow, parseCopyTextLine } from '../src/dataset/copy-text.ts';
import { formatFloat8, parseFloat8 } from '../src/dataset/float8.ts';
import { encodeNamePart, tableFileName } from '../src/dataset/layout.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import { openDatasetStore } from '../src/dataset/open.ts';
import { type AsyncBuffer, datasetColumns, parquetTypeFor, writeParquet } from '../src/dataset/parquet.ts';
import { readParquet, readParquetMetadata } from '../src/dataset/parquet-read.ts';
import { readParquetCopyText } from '../src/dataset/parquet-copy-text.ts';
import { S3DatasetStore, s3ConfigFromUri } from '../src/dataset/s3-store.ts';
import type { DatasetStore, TableInput, TextRow } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import { quoteIdent } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { InvalidInputError, NotFoundError, TdmError } from '../src/errors.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable } from './support/databases.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn('PostgreSQL is not reachable: the PostgreSQL variants of the dataset tests are SKIPPED (PGlite still runs)');

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────

async function* batchesOf(rows: TextRow[], size = 1000): AsyncGenerator<TextRow[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

async function collect(batches: AsyncIterable<TextRow[]>): Promise<TextRow[]> {
  const rows: TextRow[] = [];
  for await (const batch of batches) rows.push(...batch);
  return rows;
}

async function failure(promise: Promise<unknown>): Promise<TdmError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TdmError);
  return err as TdmError;
}

/** A table as the store's input, with `format_type()` of each column, in column order. */
async function tableInput(client: SqlClient, name: string): Promise<TableInput> {
  const { rows } = await client.query<{ name: string; pg_type: string; nullable: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS pg_type, NOT a.attnotnull AS nullable
       FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [`public.${quoteIdent(name)}`],
  );
  return { schema: 'public', name, columns: rows.map((r) => ({ name: r.name, pgType: r.pg_type, nullable: r.nullable })) };
}

/** `COPY (sql) TO STDOUT`, parsed into batches. */
async function copyOutBatches(client: SqlClient, sql: string, batchSize = 5000): Promise<AsyncGenerator<TextRow[]>> {
  return copyTextToBatches(await client.copyOut(`COPY (${sql}) TO STDOUT`), batchSize);
}

/** `COPY table FROM STDIN` fed with the batches; resolves with the row count. */
async function copyInBatches(client: SqlClient, table: string, batches: AsyncIterable<TextRow[]>): Promise<number> {
  const { stream, done } = await client.copyIn(`COPY ${quoteIdent(table)} FROM STDIN`);
  await pipeline(batchesToCopyText(batches), stream);
  return done;
}

async function count(client: SqlClient, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) q`);
  return rows[0]?.n ?? -1;
}

/** The two tables hold the same rows: typed EXCEPT ALL both ways (json and point have no equality), then the rows' text. */
async function expectSameRows(client: SqlClient, a: string, b: string, table: TableInput): Promise<void> {
  const select = table.columns.map((c) => (/^(json|point)$/.test(c.pgType) ? `${quoteIdent(c.name)}::text` : quoteIdent(c.name))).join(', ');
  expect(await count(client, `SELECT * FROM ${quoteIdent(a)}`)).toBe(await count(client, `SELECT * FROM ${quoteIdent(b)}`));
  expect(await count(client, `SELECT ${select} FROM ${quoteIdent(a)} EXCEPT ALL SELECT ${select} FROM ${quoteIdent(b)}`)).toBe(0);
  expect(await count(client, `SELECT ${select} FROM ${quoteIdent(b)} EXCEPT ALL SELECT ${select} FROM ${quoteIdent(a)}`)).toBe(0);
  // Stricter than `=`: numeric 1.0 vs 1.00, float -0 vs 0, json whitespace all show in the text.
  expect(await count(client, `SELECT t::text FROM ${quoteIdent(a)} t EXCEPT ALL SELECT t::text FROM ${quoteIdent(b)} t`)).toBe(0);
  expect(await count(client, `SELECT t::text FROM ${quoteIdent(b)} t EXCEPT ALL SELECT t::text FROM ${quoteIdent(a)} t`)).toBe(0);
}

const FINISH = { name: 'test', kind: 'SUBSET' as const, schemaVersionId: null, parentId: null, jobId: null, meta: {} };

/** Heap (with array buffers) sampled after forced collections: what the process really holds. */
function heapSampler(intervalMs = 100): { stop(): { baseline: number; peak: number } } {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  gc();
  const baseline = used();
  let peak = baseline;
  const timer = setInterval(() => {
    gc();
    peak = Math.max(peak, used());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { baseline, peak };
    },
  };
}

// ── COPY text codec ──────────────────────────────────────────────────────────────────────────────

describe('COPY text codec', () => {
  const parseCases: [string, string, TextRow][] = [
    ['plain fields', 'a\tb\tc', ['a', 'b', 'c']],
    ['NULL', '\\N\tx', [null, 'x']],
    ['empty string is not NULL', '\t', ['', '']],
    ['an empty line is one empty string', '', ['']],
    ['the literal text \\N', '\\\\N', ['\\N']],
    ['escaped backslash', 'a\\\\b', ['a\\b']],
    ['tab and newline inside a value', 'x\\ty\\nz\\r', ['x\ty\nz\r']],
    ['\\b \\f \\v', '\\b\\f\\v', ['\b\f\v']],
    ['octal escape', '\\101\\60', ['A0']],
    ['octal escapes are UTF-8 bytes', '\\303\\251t\\303\\251', ['été']],
    ['hex escape', '\\x41\\x4a\\x4B', ['AJK']],
    ['hex bytes forming one character', '\\xe6\\x9d\\xb1', ['東']],
    ['\\x without hex digits is x', '\\xg', ['xg']],
    ['unknown escape stands for the character', '\\q\\.', ['q.']],
    ['bytea hex text', '\\\\x0001ff', ['\\x0001ff']],
    ['unicode as is', '東京 🙂\tnaïve', ['東京 🙂', 'naïve']],
    ['NULL between values', 'a\t\\N\t\tb', ['a', null, '', 'b']],
  ];
  it.each(parseCases)('parses %s', (_name, line, expected) => {
    expect(parseCopyTextLine(line)).toEqual(expected);
  });

  const formatCases: [string, TextRow, string][] = [
    ['plain', ['a', 'b'], 'a\tb\n'],
    ['NULL', [null, ''], '\\N\t\n'],
    ['the literal text \\N', ['\\N'], '\\\\N\n'],
    ['control characters', ['\t\n\r\b\f\v'], '\\t\\n\\r\\b\\f\\v\n'],
    ['backslashes', ['\\x00ff\\'], '\\\\x00ff\\\\\n'],
    ['unicode and other control characters as is', ['東京 🙂\u0001\u001f'], '東京 🙂\u0001\u001f\n'],
  ];
  it.each(formatCases)('formats %s', (_name, row, expected) => {
    expect(formatCopyTextRow(row)).toBe(expected);
  });

  it('round-trips awkward values through format and parse', () => {
    const alphabet = ['a', 'Z', ' ', '\t', '\n', '\r', '\\', 'N', '\b', '\f', '\v', '\u0001', 'é', '東', '🙂', '"', ',', '.'];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const row: TextRow = Array.from({ length: 1 + rand(5) }, () =>
        rand(7) === 0 ? null : Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join(''),
      );
      const line = formatCopyTextRow(row);
      expect(line.endsWith('\n')).toBe(true);
      expect(parseCopyTextLine(line.slice(0, -1))).toEqual(row);
    }
  });

  const text = 'é\t\\N\t東京🙂\n\\\\x00ff\t\\t\\n\t\nlast\tline\twithout newline';
  const expected: TextRow[] = [
    ['é', null, '東京🙂'],
    ['\\x00ff', '\t\n', ''],
    ['last', 'line', 'without newline'],
  ];

  it('streams bytes split at every position (lines and UTF-8 characters cut in two)', async () => {
    const bytes = Buffer.from(text, 'utf8');
    for (let size = 1; size <= bytes.length; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(await collect(copyTextToBatches(Readable.from(chunks), 2))).toEqual(expected);
    }
  });

  it('splits into batches of the requested size, reads \\r\\n line ends and stops at \\.', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `${i}\tv${i}`);
    const batches: TextRow[][] = [];
    for await (const batch of copyTextToBatches([`${lines.join('\r\n')}\r\n\\.\r\nignored\n`], 10)) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(lines.map((l) => l.split('\t')));
  });

  it('joins a value spread over thousands of chunks', async () => {
    const big = 'é'.repeat(3_000_000); // 6 MB of UTF-8, cut inside characters by the odd chunk size
    const bytes = Buffer.from(`1\t${big}\n2\t\\N\n`, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1023) chunks.push(bytes.subarray(i, i + 1023));
    const rows = await collect(copyTextToBatches(chunks));
    expect(rows.length).toBe(2);
    expect(rows[0]?.[1] === big).toBe(true);
    expect(rows[1]).toEqual(['2', null]);
  });

  it('yields nothing for empty input', async () => {
    expect(await collect(copyTextToBatches([Buffer.alloc(0)]))).toEqual([]);
  });

  it('batchesToCopyText writes what formatCopyTextRow gives, and parses back', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of batchesToCopyText(batchesOf(expected, 2))) chunks.push(chunk as Buffer);
    const out = Buffer.concat(chunks).toString('utf8');
    expect(out).toBe(expected.map(formatCopyTextRow).join(''));
    expect(await collect(copyTextToBatches([out]))).toEqual(expected);
  });
});

// ── Parquet codec (no database) ──────────────────────────────────────────────────────────────────

describe('Parquet codec', () => {
  it('maps PostgreSQL types to lossless Parquet types', () => {
    const cases: [string, string][] = [
      ['smallint', 'INT32'],
      ['integer', 'INT32'],
      ['bigint', 'INT64'],
      ['boolean', 'BOOLEAN'],
      ['double precision', 'DOUBLE'],
      ['real', 'STRING'],
      ['numeric(12,2)', 'STRING'],
      ['timestamp with time zone', 'STRING'],
      ['bytea', 'STRING'],
      ['integer[]', 'STRING'],
      ['public.positive_int', 'STRING'],
      ['money', 'STRING'],
    ];
    for (const [pgType, parquetType] of cases) expect([pgType, parquetTypeFor(pgType)]).toEqual([pgType, parquetType]);
  });

  it('prints float8 exactly as PostgreSQL does, including the values JavaScript shortens differently', () => {
    const cases = [
      '0',
      '-0',
      'NaN',
      'Infinity',
      '-Infinity',
      '0.1',
      '1e-05',
      '0.0001',
      '1e+15',
      '100000000000000',
      '123456789012345.6',
      '5e-324',
      '1.7976931348623157e+308',
      '2.1947186902425032e+16',
      '9.007199254740992e+15',
    ];
    for (const text of cases) expect(formatFloat8(parseFloat8(text))).toBe(text);
  });

  async function toBuffer(columns: ReturnType<typeof datasetColumns>, rows: TextRow[], rowGroupRows?: number): Promise<{ file: AsyncBuffer; bytes: Buffer }> {
    const chunks: Uint8Array[] = [];
    await writeParquet(columns, batchesOf(rows), (c) => void chunks.push(c), { rowGroupRows });
    const bytes = Buffer.concat(chunks);
    return {
      bytes,
      file: {
        byteLength: bytes.length,
        slice: async (s, e) => bytes.buffer.slice(bytes.byteOffset + s, bytes.byteOffset + (e ?? bytes.length)) as ArrayBuffer,
      },
    };
  }

  it('refuses rows of the wrong width and values that are not valid text for their Parquet type', async () => {
    const columns = datasetColumns([
      { name: 'i', pgType: 'integer', nullable: true },
      { name: 'b', pgType: 'boolean', nullable: true },
      { name: 'f', pgType: 'double precision', nullable: true },
    ]);
    const bad: [TextRow, RegExp][] = [
      [['1', 't'], /has 2 values; the table has 3 columns/],
      [['1.5', 't', '1'], /not valid integer text/],
      [['2147483648', 't', '1'], /not valid integer text/],
      [['1', 'true', '1'], /not valid boolean text/],
      [['0x1f', 't', '1'], /not valid integer text/],
      [['1', 't', '0.10000000000000001'], /not in PostgreSQL's shortest-exact form/],
    ];
    for (const [row, message] of bad) {
      const err = await failure(writeParquet(columns, batchesOf([row]), () => {}));
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toMatch(message);
    }
  });

  it('refuses bigint text outside int8 or not spelled as PostgreSQL spells it', async () => {
    const columns = datasetColumns([{ name: 'b', pgType: 'bigint', nullable: true }]);
    for (const text of ['9223372036854775808', '-9223372036854775809', ' 7', '007', '', '1e3']) {
      expect(await failure(writeParquet(columns, batchesOf([[text]]), () => {}))).toBeInstanceOf(InvalidInputError);
    }
  });

  it('writes an empty table that reads back as no rows', async () => {
    const columns = datasetColumns([{ name: 'a', pgType: 'text', nullable: true }]);
    const { file } = await toBuffer(columns, []);
    expect(await collect(readParquet(file))).toEqual([]);
  });

  it('streams a file as the same COPY text as its rows formatted one by one, any column subset in any order', async () => {
    const columns = datasetColumns([
      { name: 'i2', pgType: 'smallint', nullable: true },
      { name: 'i4', pgType: 'integer', nullable: true },
      { name: 'i8', pgType: 'bigint', nullable: true },
      { name: 'b', pgType: 'boolean', nullable: true },
      { name: 'f', pgType: 'double precision', nullable: true },
      { name: 't', pgType: 'text', nullable: true },
      { name: 'n', pgType: 'numeric(12,2)', nullable: true },
    ]);
    const texts = ['', 'plain', 'tab\there', 'new\nline\r\n', 'back\\slash', '\b\f\v', 'Zürich 東京 🎉', 'x'.repeat(5000), '\\N', 'caf\u00e9\t'];
    const ints = ['0', '-1', '7', '2147483647', '-2147483648', '-32768', '32767', '1000000', '-999999'];
    const bigs = ['0', '-1', '9223372036854775807', '-9223372036854775808', '9007199254740991', '-9007199254740992', '9007199254740993', '1234567890123'];
    const floats = ['0', '-0', 'NaN', 'Infinity', '-Infinity', '0.1', '1e-05', '1.7976931348623157e+308'];
    const pick = <T>(xs: T[], i: number) => xs[i % xs.length] as T;
    const rows: TextRow[] = Array.from({ length: 3000 }, (_, i) => [
      i % 11 === 0 ? null : pick(['0', '-32768', '32767', '12'], i),
      i % 7 === 0 ? null : pick(ints, i),
      i % 5 === 0 ? null : pick(bigs, i * 3),
      i % 3 === 0 ? null : i % 2 ? 't' : 'f',
      i % 13 === 0 ? null : pick(floats, i),
      i % 4 === 0 ? null : `${pick(texts, i)}${i % 9 ? '' : String(i)}`,
      i % 6 === 0 ? null : `${i}.${String(i % 100).padStart(2, '0')}`,
    ]);
    const { file } = await toBuffer(columns, rows, 700);
    const text = async (chunks: AsyncIterable<Uint8Array>) => {
      const parts: Buffer[] = [];
      for await (const c of chunks) parts.push(Buffer.from(c));
      return Buffer.concat(parts);
    };
    const expected = await text(batchesToCopyText(readParquet(file)));
    // The direct page decoder and hyparquet's (the fallback for layouts the direct one does not read).
    for (const direct of [true, false]) {
      expect((await text(readParquetCopyText(file, { direct }))).toString('utf8').split('\n')).toEqual(expected.toString('utf8').split('\n'));
    }
    const order = [6, 0, 5, 2];
    const picked = await text(batchesToCopyText(batchesOf(rows.map((r) => order.map((i) => r[i] ?? null)))));
    for (const direct of [true, false]) {
      let counted = 0;
      const got = await text(readParquetCopyText(file, { direct, columns: order.map((i) => columns[i]?.name as string), onRows: (n) => (counted += n) }));
      expect(got.toString('utf8')).toBe(picked.toString('utf8'));
      expect(counted).toBe(rows.length);
    }
    await expect(text(readParquetCopyText(file, { columns: ['nope'] }))).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('reads a page range for a preview, not the whole file', async () => {
    const columns = datasetColumns([
      { name: 'id', pgType: 'bigint', nullable: false },
      { name: 'v', pgType: 'text', nullable: true },
    ]);
    const rows: TextRow[] = Array.from({ length: 40_000 }, (_, i) => [String(i), randomBytes(24).toString('hex')]);
    const { file, bytes } = await toBuffer(columns, rows, 4000);
    let read = 0;
    const counting: AsyncBuffer = {
      byteLength: file.byteLength,
      slice: async (s, e) => {
        read += (e ?? file.byteLength) - s;
        return file.slice(s, e);
      },
    };
    const metadata = await readParquetMetadata(counting);
    expect(metadata.row_groups.length).toBe(10);
    read = 0;
    expect(await collect(readParquet(counting, { metadata, offset: 21_995, limit: 10 }))).toEqual(rows.slice(21_995, 22_005));
    expect(read).toBeLessThan(bytes.length / 4);
  });
});

// ── the real thing: every column type through PostgreSQL and PGlite ─────────────────────────────

const ALL_TYPES_DDL = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s "complicated", ok');
  CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
  CREATE TABLE %s (
    id integer PRIMARY KEY,
    c_smallint smallint, c_int integer, c_bigint bigint,
    c_numeric numeric, c_numeric_12_2 numeric(12,2),
    c_text text, c_varchar varchar(20), c_char char(8), c_bool boolean,
    c_date date, c_time time, c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz(6), c_interval interval,
    c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea,
    c_text_arr text[], c_int_arr int[], c_enum_arr mood[], c_enum mood, c_domain positive_int,
    c_tsvector tsvector, c_float4 real, c_float8 double precision, c_money money,
    c_inet inet, c_cidr cidr, c_point point
  );`;

const ALL_TYPES_ROWS = `
  INSERT INTO src VALUES
  (1, -32768, -2147483648, -9223372036854775808,
   123456789012345678901234567890.123456789012345678901234567890, -9999999999.99,
   E'tab\\there\\nnew line\\\\backslash \\\\N \\r CR', 'x', 'ab', true,
   '4713-01-01 BC', '00:00:00', '23:59:59.999999+14', '294276-12-31 23:59:59.999999', '2024-02-29 12:34:56.123456+05:30',
   '1 year 2 mons -3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
   '{"a": [1, 2.50, "x\\ty"],   "b" : null }', '{"z": 1, "a": [1e3, "é"]}', E'\\\\x00010203ff00',
   ARRAY['a,b', 'c"d', NULL, '', 'NULL', ' sp ', E'back\\\\slash', '{}'], '{1,NULL,-3}', '{sad,NULL,"it''s \\"complicated\\", ok"}', 'happy', 1,
   'a fat cat:1A sat on:2B the mat', 'NaN', 'Infinity', '-12.34', '192.168.0.1/24', '10.0.0.0/8', '(1.5,-2)'),
  (2, 32767, 2147483647, 9223372036854775807,
   'NaN', 0.10,
   '', '', '', false,
   'infinity', '24:00:00', '00:00:00-12', '-infinity', 'infinity',
   '-178000000 years', '00000000-0000-0000-0000-000000000000',
   '[]', '{"nested": {"k": [true, false, null]}}', E'\\\\x',
   '{}', '{{1,2},{3,4}}', '{}', 'it''s "complicated", ok', 2147483647,
   '', '-0', '-0', '0', '::1', '2001:db8::/32', '(0,0)'),
  (3, 0, 0, 0,
   0.00000000000000000001, 0.00,
   '\\N', 'NULL', 'naïve 東京', true,
   '2000-02-29', '12:00:00.000001', '12:00:00+05:45', '1970-01-01 00:00:00', '1970-01-01 00:00:00.000001+00',
   '0 seconds', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
   '"just a string"', '"é\\u00e9x"', E'\\\\x5c0a09',
   '{"🙂","東京"}', '{}', '{ok}', 'sad', 42,
   '''quoted term'' plain', '3.4028235e+38', '-1.7976931348623157e+308', '92233720368547758.07', '255.255.255.255', '0.0.0.0/0', '(-1e+300,1e-300)'),
  (4${', NULL'.repeat(31)}),
  (5, 1, 1, 1, '-Infinity', 1.5, 'Infinity', ' trailing  ', 'abcdefgh', NULL,
   '0001-01-01', '23:59:59.999999', '23:59:59.999999-15:59', '2000-01-01 00:00:00.5', '2000-01-01 00:00:00.5-03:30',
   '-1 mons +2 days -00:00:00.000001', NULL, 'null', 'null', E'\\\\x',
   '{NULL}', '{NULL,NULL}', '{NULL}', NULL, NULL,
   'x:1,2,3', '1.4e-45', '5e-324', '-0.01', NULL, NULL, '(0.1,0.2)');
  INSERT INTO src (id, c_bigint, c_numeric, c_float8, c_float4, c_text, c_timestamptz)
    SELECT 100 + g, (g * 7919)::bigint * 1000000007, (g * 1.0001)::numeric ^ 3,
           ((g % 2) * 2 - 1) * (g * 0.37) ^ (g % 40 - 20), (g * 0.1)::real,
           repeat(chr(32 + g % 90), g % 7), '2024-01-01 00:00:00+00'::timestamptz + g * interval '1.000001 second'
      FROM generate_series(1, 500) g;`;

interface Engine {
  name: string;
  open(): Promise<{ client: SqlClient; close(): Promise<void> }>;
}

const engines: Engine[] = [
  ...(pgUp
    ? [
        {
          name: 'PostgreSQL',
          async open() {
            const db = await createTestDatabase('dataset');
            const client = await openSqlClient(db.url);
            return {
              client,
              async close() {
                await client.close();
                await db.drop();
              },
            };
          },
        },
      ]
    : []),
  {
    name: 'PGlite',
    async open() {
      const db = await createPgliteUrl();
      const client = await openSqlClient(db.url);
      return {
        client,
        async close() {
          await client.close();
          await db.drop();
        },
      };
    },
  },
];

describe.each(engines)('dataset round trip on $name', (engine) => {
  let client: SqlClient;
  let close: () => Promise<void>;
  let root: string;
  let store: DatasetStore;

  beforeAll(async () => {
    ({ client, close } = await engine.open());
    root = await mkdtemp(join(tmpdir(), 'tdm-dataset-'));
    store = new LocalDatasetStore(root);
    await client.exec(ALL_TYPES_DDL.replace('%s', 'src'));
    await client.exec(ALL_TYPES_ROWS);
    await client.exec(`CREATE TABLE dst (LIKE src)`);
  });
  afterAll(async () => {
    await close?.();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('prints float8 byte for byte like the server, over every magnitude', async () => {
    const { rows } = await client.query<{ t: string }>(
      `SELECT x::text AS t FROM (
         SELECT ((random() - 0.5) * 10 ^ (floor(random() * 40) - 20))::float8 AS x FROM generate_series(1, 5000)
         UNION ALL SELECT ((random() - 0.5) * 10 ^ (floor(random() * 600) - 300)::float8)::float8 FROM generate_series(1, 5000)
         UNION ALL SELECT (random() * 1e18)::float8 FROM generate_series(1, 5000)
         UNION ALL SELECT (2 ^ k)::float8 FROM generate_series(-1074, 1023, 7) k) s`,
    );
    const wrong = rows.map((r) => r.t).filter((t) => formatFloat8(parseFloat8(t)) !== t);
    expect(wrong).toEqual([]);
  });

  it('round-trips every column type exactly: COPY out → Parquet → COPY in', async () => {
    const input = await tableInput(client, 'src');
    const id = randomUUID();
    const writer = store.createWriter(id);
    const entry = await writer.writeTable(input, await copyOutBatches(client, 'SELECT * FROM src ORDER BY id', 100));
    const manifest = await writer.finish(FINISH);

    expect(entry.rowCount).toBe(505);
    expect(manifest.tables).toEqual([entry]);
    const types = Object.fromEntries(entry.columns.map((c) => [c.name, c.parquetType]));
    expect(types).toMatchObject({
      c_smallint: 'INT32',
      c_int: 'INT32',
      c_bigint: 'INT64',
      c_bool: 'BOOLEAN',
      c_float8: 'DOUBLE',
      c_numeric: 'STRING',
      c_bytea: 'STRING',
    });
    expect(entry.columns.find((c) => c.name === 'c_enum_arr')?.pgType).toBe('mood[]');

    // The pgType of every column also travels inside the Parquet file.
    const file = await readFile(join(root, id, entry.file));
    const metadata = await readParquetMetadata({
      byteLength: file.length,
      slice: async (s, e) => file.buffer.slice(file.byteOffset + s, file.byteOffset + (e ?? file.length)) as ArrayBuffer,
    });
    const stored = JSON.parse(metadata.key_value_metadata?.find((kv) => kv.key === 'tdm.columns')?.value ?? '[]');
    expect(stored.map((c: { pgType: string }) => c.pgType)).toEqual(input.columns.map((c) => c.pgType));

    expect(await copyInBatches(client, 'dst', store.readTable(id, { schema: 'public', name: 'src' }, { batchSize: 64 }))).toBe(505);
    await expectSameRows(client, 'src', 'dst', input);
    // And the text the dataset returns is the text COPY gave, value for value.
    expect(await collect(store.readTable(id, { schema: 'public', name: 'src' }))).toEqual(
      await collect(await copyOutBatches(client, 'SELECT * FROM src ORDER BY id')),
    );
  });
});

// ── local store ──────────────────────────────────────────────────────────────────────────────────

describe('local dataset store', () => {
  let root: string;
  let store: LocalDatasetStore;
  const table: TableInput = {
    schema: 'public',
    name: 'items',
    columns: [
      { name: 'id', pgType: 'bigint', nullable: false },
      { name: 'label', pgType: 'text', nullable: true },
      { name: 'ok', pgType: 'boolean', nullable: true },
    ],
  };
  const rowsOf = (n: number, from = 0): TextRow[] =>
    Array.from({ length: n }, (_, i) => [String(from + i), i % 10 === 0 ? null : `label ${from + i}`, i % 3 ? 't' : 'f']);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tdm-dataset-local-'));
    store = new LocalDatasetStore(root);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('records rowCount, bytes and a sha256 that match the file on disk', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    const entry = await writer.writeTable(table, batchesOf(rowsOf(12_345)));
    const manifest = await writer.finish({ ...FINISH, meta: { seed: 42 } });
    const file = await readFile(join(root, id, entry.file));
    expect(entry).toMatchObject({ schema: 'public', name: 'items', file: 'public.items.parquet', rowCount: 12_345, bytes: file.length });
    expect(entry.checksum).toBe(createHash('sha256').update(file).digest('hex'));
    expect(await store.readManifest(id)).toEqual(manifest);
    expect(manifest).toMatchObject({ formatVersion: 1, datasetVersionId: id, kind: 'SUBSET', meta: { seed: 42 } });
    expect((await readdir(join(root, id))).sort()).toEqual(['manifest.json', 'public.items.parquet']);
  });

  it('pages through a table with offset and limit, across row groups', async () => {
    const id = randomUUID();
    const rows = rowsOf(150_000);
    const writer = store.createWriter(id);
    await writer.writeTable(table, batchesOf(rows, 7000));
    await writer.finish(FINISH);
    const ref = { schema: 'public', name: 'items' };
    const page = (offset: number, limit: number, batchSize?: number) => collect(store.readTable(id, ref, { offset, limit, batchSize }));
    expect(await page(0, 5)).toEqual(rows.slice(0, 5));
    expect(await page(65_530, 20)).toEqual(rows.slice(65_530, 65_550)); // spans the first row-group boundary
    expect(await page(149_990, 100)).toEqual(rows.slice(149_990));
    expect(await page(150_000, 10)).toEqual([]);
    expect(await page(10, 0)).toEqual([]);
    const batches: number[] = [];
    for await (const batch of store.readTable(id, ref, { offset: 100, limit: 2500, batchSize: 1000 })) batches.push(batch.length);
    expect(batches).toEqual([1000, 1000, 500]);
    expect(await collect(store.readTable(id, ref))).toEqual(rows);
  });

  it('gives odd identifiers safe, distinct file names', async () => {
    expect(encodeNamePart('Users')).toBe('%55sers');
    expect(tableFileName({ schema: 'a.b', name: 'c' })).not.toBe(tableFileName({ schema: 'a', name: 'b.c' }));
    const odd = [
      { schema: 'My Schema', name: 'a.b/c"d\\e' },
      { schema: 'public', name: 'Users' },
      { schema: 'public', name: 'users' },
      { schema: 'ünï', name: '東京 🙂'.repeat(8) },
      { schema: '..', name: '..' },
    ];
    const id = randomUUID();
    const writer = store.createWriter(id);
    for (const [i, ref] of odd.entries())
      await writer.writeTable({ ...ref, columns: [{ name: 'x', pgType: 'int4', nullable: true }] }, batchesOf([[String(i)]]));
    const manifest = await writer.finish(FINISH);
    const files = manifest.tables.map((t) => t.file);
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(odd.length);
    for (const f of files) expect(f).toMatch(/^[A-Za-z0-9_%.~-]+\.parquet$/);
    expect((await readdir(join(root, id))).length).toBe(odd.length + 1);
    for (const [i, ref] of odd.entries()) expect(await collect(store.readTable(id, ref))).toEqual([[String(i)]]);
  });

  it('is not readable before finish, and abort removes everything, also a table whose source has stalled', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    await writer.writeTable(table, batchesOf(rowsOf(100)));
    expect(await failure(store.readManifest(id))).toBeInstanceOf(NotFoundError);

    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* slow(): AsyncGenerator<TextRow[]> {
      yield rowsOf(70_000); // one full row group reaches the file
      await gate;
      yield rowsOf(10);
    }
    const inFlight = writer.writeTable({ ...table, name: 'slow' }, slow());
    inFlight.catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    await writer.abort(); // does not wait for the stalled source
    expect(await failure(inFlight)).toMatchObject({ code: 'CONFLICT' });
    release();
    await expect(stat(join(root, id))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await failure(store.readManifest(id))).toBeInstanceOf(NotFoundError);
    expect(await failure(writer.writeTable(table, batchesOf([])))).toBeInstanceOf(InvalidInputError);
  });

  it('answers a missing version or table with NotFoundError, and a bad id with InvalidInputError', async () => {
    const missing = await failure(store.readManifest('no-such-version'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('no-such-version');
    expect(await failure(collect(store.readTable('no-such-version', { schema: 'public', name: 'items' })))).toBeInstanceOf(NotFoundError);

    const id = randomUUID();
    const writer = store.createWriter(id);
    await writer.writeTable(table, batchesOf(rowsOf(3)));
    await writer.finish(FINISH);
    expect(await failure(collect(store.readTable(id, { schema: 'public', name: 'nope' })))).toBeInstanceOf(NotFoundError);

    for (const bad of ['../etc', 'a/b', '', '.hidden']) expect(await failure(store.readManifest(bad))).toBeInstanceOf(InvalidInputError);
  });

  it('refuses to overwrite a finished version, to write a table twice, or to finish mid-write', async () => {
    const id = randomUUID();
    const first = store.createWriter(id);
    await first.writeTable(table, batchesOf(rowsOf(3)));
    await expect(first.writeTable(table, batchesOf(rowsOf(3)))).rejects.toThrow(/already written/);
    await first.finish(FINISH);
    await expect(first.finish(FINISH)).rejects.toThrow(/finished/);
    expect(await failure(store.createWriter(id).writeTable(table, batchesOf(rowsOf(1))))).toMatchObject({ code: 'CONFLICT' });
    expect((await store.readManifest(id)).tables[0]?.rowCount).toBe(3);

    const other = store.createWriter(randomUUID());
    const pending = other.writeTable(table, batchesOf(rowsOf(50_000)));
    await expect(other.finish(FINISH)).rejects.toThrow(/still being written/);
    await pending;
    expect((await other.finish(FINISH)).tables).toHaveLength(1);
  });

  it('deletes a version: the manifest first, then the files', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    await writer.writeTable(table, batchesOf(rowsOf(3)));
    await writer.finish(FINISH);
    await store.delete(id);
    await expect(stat(join(root, id))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await failure(store.readManifest(id))).toBeInstanceOf(NotFoundError);
    await store.delete(id); // a second delete is not an error
  });
});

// ── bounded memory ───────────────────────────────────────────────────────────────────────────────

describe('streaming a 300k-row table', () => {
  const ROWS = 300_000;
  const payload = (i: number) => `${i.toString(36)}:${'x'.repeat(800)}:${(i * 2654435761) % 1000003}`;

  it('keeps memory well under the data size through COPY, Parquet and back', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tdm-dataset-big-'));
    const store = new LocalDatasetStore(root);
    const table: TableInput = {
      schema: 'public',
      name: 'big',
      columns: [
        { name: 'id', pgType: 'bigint', nullable: false },
        { name: 'payload', pgType: 'text', nullable: false },
        { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
      ],
    };
    let db: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
    let client: SqlClient | null = null;
    try {
      // The real server streams COPY; PGlite hands COPY output over as one blob, so there the rows come from a generator.
      let source: AsyncIterable<TextRow[]>;
      if (pgUp) {
        db = await createTestDatabase('dataset_big');
        client = await openSqlClient(db.url);
        await client.exec(`CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL, amount numeric(12,2));
          INSERT INTO big SELECT g, to_hex(g) || ':' || repeat('x', 800) || ':' || ((g::bigint * 2654435761) % 1000003), g / 100.0 FROM generate_series(0, ${ROWS - 1}) g;
          CREATE TABLE big_back (LIKE big);`);
        source = await copyOutBatches(client, 'SELECT * FROM big ORDER BY id');
      } else {
        source = (async function* () {
          for (let i = 0; i < ROWS; i += 5000) yield Array.from({ length: 5000 }, (_, k) => [String(i + k), payload(i + k), String((i + k) / 100)]);
        })();
      }
      const dataBytes = ROWS * 830;

      const writeSampler = heapSampler();
      const id = randomUUID();
      const writer = store.createWriter(id);
      const entry = await writer.writeTable(table, source);
      await writer.finish(FINISH);
      const written = writeSampler.stop();
      expect(entry.rowCount).toBe(ROWS);

      const readSampler = heapSampler();
      let rows = 0;
      if (client) {
        expect(await copyInBatches(client, 'big_back', store.readTable(id, table))).toBe(ROWS);
        expect(await count(client, 'SELECT * FROM big EXCEPT ALL SELECT * FROM big_back')).toBe(0);
      } else {
        for await (const batch of store.readTable(id, table)) rows += batch.length;
        expect(rows).toBe(ROWS);
      }
      const read = readSampler.stop();

      const growth = Math.max(written.peak - written.baseline, read.peak - read.baseline);
      console.info(
        `300k rows (~${Math.round(dataBytes / 1e6)} MB of text): heap growth write ${Math.round((written.peak - written.baseline) / 1e6)} MB, read ${Math.round((read.peak - read.baseline) / 1e6)} MB`,
      );
      // Holding the table would take more than the text's size (strings plus row arrays); streaming
      // holds about one row group (8 Mi characters) and its encoding, whatever the table's size
      // (measured: 40–70 MB here). Half the data size leaves room both ways.
      expect(growth).toBeLessThan(dataBytes / 2);
    } finally {
      await client?.close();
      await db?.drop();
      await rm(root, { recursive: true, force: true });
    }
  }, 180_000);
});

// ── S3 store against an in-process fake S3 ───────────────────────────────────────────────────────

interface FakeS3 {
  endpoint: string;
  objects: Map<string, Buffer>;
  stats: { multipartCompleted: number; partsUploaded: number; multipartAborted: number; rangeGets: number; bytesServed: number };
  /** While true, every UploadPart answers 500. */
  failParts: boolean;
  close(): Promise<void>;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Just enough of S3 (path style) for the SDK: objects, ranged GET, HEAD, DELETE, ListObjectsV2 and multipart upload. */
async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, Map<number, Buffer>>();
  const stats = { multipartCompleted: 0, partsUploaded: 0, multipartAborted: 0, rangeGets: 0, bytesServed: 0 };
  const etag = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;
  const fake = { failParts: false };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3.local');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const id = `${bucket}/${key}`;
    const q = url.searchParams;
    const data = await body(req);
    const xml = (status: number, content: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${content}`);
    };
    if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) return xml(400, '<Error><Code>NotImplemented</Code></Error>');
    if (req.method === 'PUT' && q.has('uploadId')) {
      if (fake.failParts) return xml(500, '<Error><Code>InternalError</Code><Message>injected failure</Message></Error>');
      const parts = uploads.get(q.get('uploadId') ?? '');
      if (!parts) return xml(404, '<Error><Code>NoSuchUpload</Code></Error>');
      parts.set(Number(q.get('partNumber')), data);
      stats.partsUploaded++;
      res.writeHead(200, { etag: etag(data) });
      return res.end();
    }
    if (req.method === 'PUT') {
      objects.set(id, data);
      res.writeHead(200, { etag: etag(data) });
      return res.end();
    }
    if (req.method === 'POST' && q.has('uploads')) {
      const uploadId = randomUUID();
      uploads.set(uploadId, new Map());
      return xml(
        200,
        `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    if (req.method === 'POST' && q.has('uploadId')) {
      const parts = uploads.get(q.get('uploadId') ?? '');
      if (!parts) return xml(404, '<Error><Code>NoSuchUpload</Code></Error>');
      const numbers = [...data.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
      const whole = Buffer.concat(numbers.map((n) => parts.get(n) ?? Buffer.alloc(0)));
      objects.set(id, whole);
      uploads.delete(q.get('uploadId') ?? '');
      stats.multipartCompleted++;
      return xml(
        200,
        `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>${etag(whole)}</ETag></CompleteMultipartUploadResult>`,
      );
    }
    if (req.method === 'DELETE') {
      if (q.has('uploadId')) {
        uploads.delete(q.get('uploadId') ?? '');
        stats.multipartAborted++;
      } else {
        objects.delete(id);
      }
      res.writeHead(204);
      return res.end();
    }
    if (req.method === 'GET' && q.get('list-type') === '2') {
      const prefix = q.get('prefix') ?? '';
      const keys = [...objects.keys()]
        .filter((k) => k.startsWith(`${bucket}/${prefix}`))
        .map((k) => k.slice(bucket.length + 1))
        .sort();
      const contents = keys.map((k) => `<Contents><Key>${escapeXml(k)}</Key><Size>${objects.get(`${bucket}/${k}`)?.length}</Size></Contents>`).join('');
      return xml(
        200,
        `<ListBucketResult><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
      );
    }
    const object = objects.get(id);
    if (req.method === 'HEAD') {
      res.writeHead(object ? 200 : 404, object ? { 'content-length': object.length, etag: etag(object) } : {});
      return res.end();
    }
    if (req.method === 'GET') {
      if (!object) return xml(404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(key)}</Key></Error>`);
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
      if (range) {
        const start = Number(range[1]);
        const end = Math.min(range[2] ? Number(range[2]) : object.length - 1, object.length - 1);
        const slice = object.subarray(start, end + 1);
        stats.rangeGets++;
        stats.bytesServed += slice.length;
        res.writeHead(206, { 'content-length': slice.length, 'content-range': `bytes ${start}-${end}/${object.length}`, etag: etag(object) });
        return res.end(slice);
      }
      stats.bytesServed += object.length;
      res.writeHead(200, { 'content-length': object.length, etag: etag(object) });
      return res.end(object);
    }
    xml(405, '<Error><Code>MethodNotAllowed</Code></Error>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    stats,
    get failParts() {
      return fake.failParts;
    },
    set failParts(value: boolean) {
      fake.failParts = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('S3 dataset store (over HTTP, against an in-process fake S3)', () => {
  let s3: FakeS3;
  let store: S3DatasetStore;
  const env = () => ({
    TDM_S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'test-key',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
  });
  const table: TableInput = {
    schema: 'Sales',
    name: 'order.lines',
    columns: [
      { name: 'id', pgType: 'integer', nullable: false },
      { name: 'blob', pgType: 'text', nullable: true },
      { name: 'price', pgType: 'double precision', nullable: true },
    ],
  };
  // Random hex barely compresses: about 13 MB of Parquet, so the upload takes three 5 MiB parts.
  const rows: TextRow[] = Array.from({ length: 50_000 }, (_, i) => [
    String(i),
    i % 17 ? randomBytes(128).toString('hex') : null,
    i % 5 ? String(i / 8) : 'NaN',
  ]);

  beforeAll(async () => {
    s3 = await startFakeS3();
    store = new S3DatasetStore({ ...s3ConfigFromUri('s3://tdm-bucket/team/datasets', env()), partSize: 5 * 1024 * 1024 });
  });
  afterAll(async () => {
    store?.close();
    await s3?.close();
  });

  it('opens s3:// URIs with endpoint, region and credentials from the environment', async () => {
    expect(s3ConfigFromUri('s3://tdm-bucket/team/datasets', env())).toEqual({
      bucket: 'tdm-bucket',
      prefix: 'team/datasets',
      endpoint: s3.endpoint,
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test-key', secretAccessKey: 'test-secret', sessionToken: undefined },
    });
    const opened = openDatasetStore('s3://tdm-bucket/team/datasets/', env());
    expect(opened).toBeInstanceOf(S3DatasetStore);
    expect(opened.uri).toBe('s3://tdm-bucket/team/datasets');
    expect((opened as S3DatasetStore).prefix).toBe('team/datasets/');
    expect(await failure(opened.readManifest('nothing-here'))).toBeInstanceOf(NotFoundError); // a real request to the fake server
    (opened as S3DatasetStore).close();
  });

  it('streams a table up as a multipart upload and reads it back exactly', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    const entry = await writer.writeTable(table, batchesOf(rows, 4000));
    expect(await failure(store.readManifest(id))).toBeInstanceOf(NotFoundError); // not before finish
    await writer.finish(FINISH);

    const key = `tdm-bucket/team/datasets/${id}/${entry.file}`;
    const object = s3.objects.get(key);
    expect(object?.length).toBe(entry.bytes);
    expect(
      createHash('sha256')
        .update(object ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(entry.checksum);
    expect(s3.stats.multipartCompleted).toBeGreaterThanOrEqual(1);
    expect(s3.stats.partsUploaded).toBeGreaterThanOrEqual(3);
    expect(entry.file).toBe('%53ales.order%2Elines.parquet');

    expect(await collect(store.readTable(id, table))).toEqual(rows);
    expect((await store.readManifest(id)).tables).toEqual([entry]);
  });

  it('aborts the multipart upload when a table fails halfway, leaving no object', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    const aborted = s3.stats.multipartAborted;
    const parts = s3.stats.partsUploaded;
    // The first row groups (8 Mi characters each) are uploaded before the bad row turns up.
    const err = await failure(writer.writeTable(table, batchesOf([...rows, ['not a number', null, null]], 4000)));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(s3.stats.partsUploaded).toBeGreaterThan(parts);
    expect(s3.stats.multipartAborted).toBe(aborted + 1);
    expect([...s3.objects.keys()].filter((k) => k.includes(id))).toEqual([]);
    await writer.abort();
  });

  it('fails the table (without hanging) when the server refuses the upload', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    s3.failParts = true;
    try {
      const err = await failure(writer.writeTable(table, batchesOf(rows, 4000)));
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.message).toMatch(/S3 upload of .* failed/);
    } finally {
      s3.failParts = false;
    }
    expect([...s3.objects.keys()].filter((k) => k.includes(id))).toEqual([]);
    await writer.abort();
  });

  it('reads a preview page with ranged GETs, without downloading the file', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    const entry = await writer.writeTable(table, batchesOf(rows, 4000));
    await writer.finish(FINISH);
    const before = { ...s3.stats };
    expect(await collect(store.readTable(id, table, { offset: 30_000, limit: 25 }))).toEqual(rows.slice(30_000, 30_025));
    expect(s3.stats.rangeGets).toBeGreaterThan(before.rangeGets);
    expect(s3.stats.bytesServed - before.bytesServed).toBeLessThan(entry.bytes / 2);
  });

  it('answers a missing manifest with NotFoundError, aborts and deletes over HTTP', async () => {
    expect(await failure(store.readManifest('never-written'))).toBeInstanceOf(NotFoundError);
    expect(await failure(collect(store.readTable('never-written', table)))).toBeInstanceOf(NotFoundError);

    const aborted = randomUUID();
    const writer = store.createWriter(aborted);
    await writer.writeTable({ ...table, name: 'small' }, batchesOf(rows.slice(0, 10)));
    await writer.abort();
    expect([...s3.objects.keys()].filter((k) => k.includes(aborted))).toEqual([]);
    expect(await failure(store.readManifest(aborted))).toBeInstanceOf(NotFoundError);

    const kept = randomUUID();
    const w2 = store.createWriter(kept);
    await w2.writeTable({ ...table, name: 'small' }, batchesOf(rows.slice(0, 10)));
    await w2.finish(FINISH);
    expect(await failure(store.createWriter(kept).finish(FINISH))).toMatchObject({ code: 'CONFLICT' });
    await store.delete(kept);
    expect([...s3.objects.keys()].filter((k) => k.includes(kept))).toEqual([]);
    expect(await failure(store.readManifest(kept))).toBeInstanceOf(NotFoundError);
  });
});

describe('openDatasetStore', () => {
  it('opens file:// URIs and plain paths as local stores, the default under TDM_DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tdm-dataset-open-'));
    try {
      const byUrl = openDatasetStore(pathToFileURL(join(dir, 'a')).href);
      const byPath = openDatasetStore(join(dir, 'a'));
      expect(byUrl).toBeInstanceOf(LocalDatasetStore);
      expect(byUrl.uri).toBe(byPath.uri);
      const byDefault = openDatasetStore(undefined, { TDM_DATA_DIR: dir }) as LocalDatasetStore;
      expect(byDefault.root).toBe(join(dir, 'datasets'));
      const id = randomUUID();
      const writer = byUrl.createWriter(id);
      await writer.writeTable({ schema: 's', name: 't', columns: [{ name: 'x', pgType: 'text', nullable: true }] }, batchesOf([['v']]));
      await writer.finish(FINISH);
      expect(await collect(byPath.readTable(id, { schema: 's', name: 't' }))).toEqual([['v']]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects other schemes', () => {
    for (const uri of ['http://example.com/x', 'gs://bucket/x', '', 's3://']) expect(() => openDatasetStore(uri, {})).toThrow(InvalidInputError);
  });
});
