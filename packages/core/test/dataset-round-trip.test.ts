import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFloat8, parseFloat8 } from '../src/dataset/float8.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import { readParquetMetadata } from '../src/dataset/parquet-read.ts';
import type { DatasetStore, TableInput } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import { quoteIdent } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable } from './support/databases.ts';
import { collect, copyInBatches, copyOutBatches, count, FINISH, tableInput } from './support/dataset.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn('PostgreSQL is not reachable: the PostgreSQL variants of the dataset tests are SKIPPED (PGlite still runs)');

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
