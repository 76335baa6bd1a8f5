import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Readable, type Readable as ReadableType } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../src/db/open.ts';
import type { PgliteSqlClient } from '../src/db/pglite-client.ts';
import { connectionError } from '../src/db/postgres-errors.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { type ConnectionTarget, parseConnectionString, redactConnectionString, redactSecrets } from '../src/db/url.ts';
import { ConnectionError, InvalidConnectionStringError, QueryError, TdmError } from '../src/errors.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture, loadSqlScript, splitSqlScript } from './support/load-sql.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: PostgreSQL tests are SKIPPED`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: fixture tests are SKIPPED`);

/** Asserts a secret appears nowhere a user or a log could see it. */
function expectNoSecret(err: unknown, secret: string): void {
  const e = err as Error;
  for (const text of [e.message, String(e), JSON.stringify(e), e.stack ?? '']) expect(text).not.toContain(secret);
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

async function readAll(stream: ReadableType): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
describe('parseConnectionString', () => {
  const valid: [string, ConnectionTarget][] = [
    [
      'postgresql://alice:pw@db.example.com:5433/shop?sslmode=require',
      { kind: 'postgres', host: 'db.example.com', port: 5433, database: 'shop', user: 'alice', password: 'pw', params: { sslmode: 'require' } },
    ],
    ['postgres://alice@h/shop', { kind: 'postgres', host: 'h', port: 5432, database: 'shop', user: 'alice', params: {} }],
    [
      'postgresql://us%40er:p%40ss%2Fw%3Ard%20x@h/my%20db',
      { kind: 'postgres', host: 'h', port: 5432, database: 'my db', user: 'us@er', password: 'p@ss/w:rd x', params: {} },
    ],
    ['postgresql://alice@[::1]:6543/db', { kind: 'postgres', host: '::1', port: 6543, database: 'db', user: 'alice', params: {} }],
    ['postgresql://alice@[2001:db8::7]/db', { kind: 'postgres', host: '2001:db8::7', port: 5432, database: 'db', user: 'alice', params: {} }],
    ['postgresql://alice@h', { kind: 'postgres', host: 'h', port: 5432, database: 'alice', user: 'alice', params: {} }],
    [
      'postgresql:///shop?host=/var/run/postgresql&user=bob',
      { kind: 'postgres', host: '/var/run/postgresql', port: 5432, database: 'shop', user: 'bob', params: {} },
    ],
    [
      'postgresql://bob@h/db?password=s%26cret&application_name=x&connect_timeout=3',
      { kind: 'postgres', host: 'h', port: 5432, database: 'db', user: 'bob', password: 's&cret', params: { application_name: 'x', connect_timeout: '3' } },
    ],
    ['pglite://.tdm/demo', { kind: 'pglite', dataDir: '.tdm/demo' }],
    ['pglite:///abs/path', { kind: 'pglite', dataDir: '/abs/path' }],
    ['pglite://my%20dir', { kind: 'pglite', dataDir: 'my dir' }],
    ['pglite:memory', { kind: 'pglite', dataDir: null }],
    ['pglite://memory', { kind: 'pglite', dataDir: null }],
  ];
  it.each(valid)('%s', (url, expected) => {
    expect(parseConnectionString(url)).toEqual(expected);
  });

  const invalid: [string, RegExp][] = [
    ['postgresql://', /missing host/],
    ['mysql://x', /unsupported scheme "mysql:"/],
    ['not a url', /expected postgresql:\/\//],
    ['', /empty/],
    ['postgresql:x@h/db', /"\/\/"/],
    ['postgresql://u:s3cr3t-pw@h:99999/db', /bad port "99999": out of range/],
    ['postgresql://u:s3cr3t-pw@h:abc/db', /not a valid URL/],
    ['postgresql://u:s3cr3t-pw@h1,h2/db', /several hosts/],
    ['postgresql://u:s3cr3t-pw@h/a/b', /single database name/],
    ['postgresql://u:s3cr3t-pw%zz@h/db', /percent-encoding in the password/],
    ['postgresql://u@h/db?port=0&password=s3cr3t-pw', /bad port "0": out of range/],
    ['postgresql://u@h/db?port=x5', /bad port "x5": not a number/],
    ['pglite:', /pglite:\/\/<directory>/],
    ['pglite://', /missing data directory/],
    ['pglite:dir', /pglite:\/\/<directory>/],
  ];
  it.each(invalid)('rejects %j', (url, reason) => {
    let err: unknown;
    try {
      parseConnectionString(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidConnectionStringError);
    expect((err as TdmError).code).toBe('INVALID_CONNECTION_STRING');
    expect((err as Error).message).toMatch(reason);
    expectNoSecret(err, 's3cr3t-pw');
  });
});

describe('redaction', () => {
  it.each([
    ['postgresql://u:secret@h/db', 'postgresql://u:***@h/db'],
    ['postgresql://u@h/db', 'postgresql://u@h/db'],
    ['postgresql://:secret@h/db', 'postgresql://:***@h/db'],
    ['postgresql://u:p@ss@h/db', 'postgresql://u:***@h/db'],
    ['postgresql://u:pa ss/wo#rd@h/db', 'postgresql://u:***@h/db'],
    ['postgresql://u@h/db?sslmode=require&password=secret', 'postgresql://u@h/db?sslmode=require&password=***'],
    ['host=h password=secret dbname=x', 'host=h password=*** dbname=x'],
    ['pglite://.tdm/demo', 'pglite://.tdm/demo'],
  ])('redactConnectionString(%j) = %j', (input, expected) => {
    expect(redactConnectionString(input)).toBe(expected);
  });

  it.each([
    ['password authentication failed: p@ss w0rd', ['p@ss w0rd'], 'password authentication failed: ***'],
    ['in a url: p%40ss%20w0rd', ['p@ss w0rd'], 'in a url: ***'],
    ['cannot reach postgresql://u:anything@h/db now', [], 'cannot reach postgresql://u:***@h/db now'],
    ['nothing to hide', ['', null, undefined], 'nothing to hide'],
  ] as [string, (string | null | undefined)[], string][])('redactSecrets(%j)', (text, secrets, expected) => {
    expect(redactSecrets(text, secrets)).toBe(expected);
  });
});

describe('quoting', () => {
  it.each([
    ['plain', '"plain"'],
    ['MixedCase', '"MixedCase"'],
    ['a"b', '"a""b"'],
    ['Bad Name 123!@#', '"Bad Name 123!@#"'],
    ['DROP TABLE x;--', '"DROP TABLE x;--"'],
  ])('quoteIdent(%j) = %s', (name, expected) => {
    expect(quoteIdent(name)).toBe(expected);
  });

  it('rejects empty identifiers and NUL bytes', () => {
    expect(() => quoteIdent('')).toThrow(TdmError);
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });

  it('quoteQualified', () => {
    expect(quoteQualified('my schema', 'a"b')).toBe('"my schema"."a""b"');
  });

  it.each([
    ["it's", "'it''s'"],
    ['back\\slash', "'back\\slash'"],
    [null, 'NULL'],
    [42, '42'],
    [-1, '(-1)'],
    [Number.NaN, "'NaN'"],
    [12345678901234567890n, '12345678901234567890'],
    [true, 'TRUE'],
  ] as [string | number | bigint | boolean | null, string][])('quoteLiteral(%s) = %s', (value, expected) => {
    expect(quoteLiteral(value)).toBe(expected);
  });
});

describe('splitSqlScript', () => {
  const texts = (script: string) => splitSqlScript(script).map((p) => (p.kind === 'copy' ? `COPY<${p.data}>` : p.text));
  it.each([
    ['select 1; select 2', ['select 1', 'select 2']],
    ["select ';' as x; select 2;", ["select ';' as x", 'select 2']],
    ["select 'it''s; fine'", ["select 'it''s; fine'"]],
    ["select E'it\\'s; fine'; select 2", ["select E'it\\'s; fine'", 'select 2']],
    ['select "we;ird" from t;', ['select "we;ird" from t']],
    ['select $$a;b$$; select $tag$ x $$ ; $tag$;', ['select $$a;b$$', 'select $tag$ x $$ ; $tag$']],
    ['create function f() returns int as $body$ select 1; $body$ language sql;', ['create function f() returns int as $body$ select 1; $body$ language sql']],
    ['select $1::int; select a$b$ from t; select 2', ['select $1::int', 'select a$b$ from t', 'select 2']],
    ['select 1 -- not the end;\n; select 2', ['select 1 -- not the end;', 'select 2']],
    ['/* a; /* nested; */ still; */ select 1;', ['select 1']],
    ['\\c chinook;\nselect 1;\n\\set x 1\n', ['select 1']],
    ['COPY t (a, b) FROM stdin;\n1\tx;y\n2\t\\N\n\\.\nselect 1;', ['COPY<1\tx;y\n2\t\\N\n>', 'select 1']],
    ['COPY t FROM stdin;\n\\.\n', ['COPY<>']],
    ['-- only a comment\n', []],
  ])('%j', (script, expected) => {
    expect(texts(script)).toEqual(expected);
  });
});

describe('connection error mapping', () => {
  const target = parseConnectionString('postgresql://alice:s3cr3t-pw@db.example.com:5432/shop') as Extract<ConnectionTarget, { kind: 'postgres' }>;
  const ctx = { redactedUrl: redactConnectionString('postgresql://alice:s3cr3t-pw@db.example.com:5432/shop'), target };
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'HOST_UNREACHABLE'],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db.example.com' }, 'HOST_UNREACHABLE'],
    [{ message: 'Connection terminated due to connection timeout' }, 'HOST_UNREACHABLE'],
    [{ code: '28P01', message: 'password authentication failed for user "alice" (s3cr3t-pw)' }, 'AUTHENTICATION_FAILED'],
    [{ code: '28000', message: 'role "alice" does not exist' }, 'AUTHENTICATION_FAILED'],
    [{ code: '3D000', message: 'database "shop" does not exist' }, 'DATABASE_NOT_FOUND'],
    [{ code: '42501', message: 'permission denied for database "shop"' }, 'PERMISSION_DENIED'],
    [{ code: '53300', message: 'too many connections' }, 'CONNECTION_FAILED'],
  ])('%j → %s, password redacted', (raw, code) => {
    const err = connectionError(Object.assign(new Error(raw.message), raw), ctx);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe(code);
    expectNoSecret(err, 's3cr3t-pw');
    expectNoSecret(err.cause, 's3cr3t-pw');
  });
});

// ---------------------------------------------------------------------------------------------
const engines: { name: 'postgres' | 'pglite'; skip: boolean; create: () => Promise<TestDatabase> }[] = [
  { name: 'postgres', skip: !pgUp, create: () => createTestDatabase('db') },
  { name: 'pglite', skip: false, create: () => createPgliteUrl() },
];

for (const engine of engines) {
  describe.skipIf(engine.skip)(`SqlClient on ${engine.name}${engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
    let db: TestDatabase;
    let client: SqlClient;
    beforeAll(async () => {
      db = await engine.create();
      client = await openSqlClient(db.url);
    });
    afterAll(async () => {
      await client?.close();
      await db?.drop();
    });

    it('runs parameterised queries, keeping int8, numeric and dates as PostgreSQL text', async () => {
      const r = await client.query(
        `select $1::int + 1 as n, $2::text as t, 9007199254740993::int8 as big, 1.10::numeric as num,
                '2024-05-01'::date as d, '2024-05-01 12:34:56.789'::timestamp as ts, '12:00'::time as tm, '1 day'::interval as iv,
                '{1,9007199254740993}'::int8[] as big_arr, '{2024-01-01}'::date[] as d_arr, '{1.50}'::numeric[] as num_arr,
                now() as tstz, true as b, '{"a":1}'::jsonb as j, 1.5::float8 as f`,
        [41, 'hi'],
      );
      expect(r.rowCount).toBe(1);
      expect(r.fields.map((f) => f.name)).toEqual(['n', 't', 'big', 'num', 'd', 'ts', 'tm', 'iv', 'big_arr', 'd_arr', 'num_arr', 'tstz', 'b', 'j', 'f']);
      expect(r.fields[2]?.dataTypeID).toBe(20);
      const { tstz, ...row } = r.rows[0] as Record<string, unknown>;
      expect(row).toEqual({
        n: 42,
        t: 'hi',
        big: '9007199254740993',
        num: '1.10',
        d: '2024-05-01',
        ts: '2024-05-01 12:34:56.789',
        tm: '12:00:00',
        iv: '1 day',
        big_arr: ['1', '9007199254740993'],
        d_arr: ['2024-01-01'],
        num_arr: ['1.50'],
        b: true,
        j: { a: 1 },
        f: 1.5,
      });
      expect(typeof tstz).toBe('string');
    });

    it('execs multi-statement DDL, and query() refuses several statements', async () => {
      await client.exec(`
        create schema ddl;
        create table ddl.parent (id int primary key);
        create table ddl.child (id int primary key, parent_id int references ddl.parent);
        insert into ddl.parent values (1), (2);
        insert into ddl.child values (10, 1);`);
      const r = await client.query<{ n: string }>('select count(*) as n from ddl.parent');
      expect(r.rows[0]?.n).toBe('2');
      await expect(client.query('select 1; select 2')).rejects.toBeInstanceOf(QueryError);
    });

    it('maps SQL errors to QueryError with the PostgreSQL message and SQLSTATE', async () => {
      const err = await failure(client.query('select * from no_such_table'));
      expect(err).toBeInstanceOf(QueryError);
      expect(err.code).toBe('QUERY_FAILED');
      expect((err as QueryError).sqlState).toBe('42P01');
      expect(err.message).toMatch(/relation "no_such_table" does not exist.*42P01/);
    });

    it('commits a transaction, and a failing one leaves nothing behind', async () => {
      await client.exec('create table tx_t (id int primary key)');
      const value = await client.transaction(async (tx) => {
        await tx.query('insert into tx_t values ($1)', [1]);
        return 'ok';
      });
      expect(value).toBe('ok');
      await expect(
        client.transaction(async (tx) => {
          await tx.query('insert into tx_t values (2), (3)');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const sqlFailure = await failure(
        client.transaction(async (tx) => {
          await tx.query('insert into tx_t values (4)');
          await tx.query('insert into tx_t values (1)'); // duplicate key
        }),
      );
      expect((sqlFailure as QueryError).sqlState).toBe('23505');
      const { rows } = await client.query<{ id: number }>('select id from tx_t order by id');
      expect(rows.map((r) => r.id)).toEqual([1]);
    });

    it('nests transactions as savepoints', async () => {
      await client.exec('create table sp_t (id int)');
      await client.transaction(async (tx) => {
        await tx.query('insert into sp_t values (1)');
        await expect(
          tx.transaction(async (inner) => {
            await inner.query('insert into sp_t values (2)');
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
        await tx.transaction(async (inner) => {
          await inner.query('insert into sp_t values (3)');
          await inner.transaction((innermost) => innermost.query('insert into sp_t values (4)'));
        });
      });
      const { rows } = await client.query<{ id: number }>('select id from sp_t order by id');
      expect(rows.map((r) => r.id)).toEqual([1, 3, 4]);
    });

    it('iterates 50k rows through a cursor in batches', async () => {
      const sizes: number[] = [];
      let sum = 0;
      let last = 0;
      for await (const batch of client.cursor<{ g: number; h: string }>('select g, md5(g::text) as h from generate_series(1, $1::int) g order by g', [50_000], {
        batchSize: 4096,
      })) {
        sizes.push(batch.length);
        for (const row of batch) {
          expect(row.g).toBe(last + 1);
          last = row.g;
          sum += row.g;
        }
      }
      expect(sizes.length).toBe(Math.ceil(50_000 / 4096));
      expect(Math.max(...sizes)).toBe(4096);
      expect(last).toBe(50_000);
      expect(sum).toBe((50_000 * 50_001) / 2);
    });

    it('lets the caller query between batches, and frees the cursor when the loop breaks', async () => {
      // One pooled connection: a cursor that kept its connection after `break` would starve the next query.
      const single = await openSqlClient(db.url, { poolSize: 1, connectTimeoutMs: 3000 });
      try {
        await single.exec('create table cursor_log (g int)');
        let batches = 0;
        for await (const batch of single.cursor<{ g: number }>('select g from generate_series(1, 10000) g', [], { batchSize: 100 })) {
          if (engine.name === 'pglite') await single.query('insert into cursor_log values ($1)', [batch[0]?.g]);
          if (++batches === 3) break;
        }
        expect(batches).toBe(3);
        const { rows } = await single.query<{ n: string }>("select count(*) as n from pg_cursors where name like 'tdm_%'");
        expect(rows[0]?.n).toBe('0');
        if (engine.name === 'pglite') expect((await single.query('select * from cursor_log')).rowCount).toBe(3);
      } finally {
        await single.close();
      }
    });

    it('runs a cursor inside a transaction alongside other statements', async () => {
      await client.exec('create table cursor_tx (g int)');
      const seen = await client.transaction(async (tx) => {
        let n = 0;
        for await (const batch of tx.cursor<{ g: number }>('select g from generate_series(1, 250) g', [], { batchSize: 100 })) {
          await tx.query('insert into cursor_tx select unnest($1::int[])', [batch.map((r) => r.g)]);
          n += batch.length;
        }
        return n;
      });
      expect(seen).toBe(250);
      expect((await client.query<{ n: string }>('select count(*) as n from cursor_tx')).rows[0]?.n).toBe('250');
    });

    const tricky = ['tab\there', 'line1\nline2\r\nline3', 'back\\slash \\N \\.', null, 'ünïcødé 🚀 日本語', '', 'quote \' and "double"'];
    const copyText = (values: (string | null)[]) =>
      values
        .map((v, i) => `${i + 1}\t${v === null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}\n`)
        .join('');

    it('round-trips tabs, newlines, backslashes, NULLs and unicode through copyIn and copyOut', async () => {
      await client.exec('create table copy_t (id int primary key, v text)');
      const input = copyText(tricky);
      const { stream, done } = await client.copyIn('COPY copy_t (id, v) FROM STDIN');
      stream.write(input.slice(0, 17)); // chunk boundaries inside rows and inside multi-byte characters
      stream.end(input.slice(17));
      expect(await done).toBe(tricky.length);
      const { rows } = await client.query<{ v: string | null }>('select v from copy_t order by id');
      expect(rows.map((r) => r.v)).toEqual(tricky);
      expect(await readAll(await client.copyOut('COPY (select id, v from copy_t order by id) TO STDOUT'))).toBe(input);
    });

    it('loads CSV through copyIn', async () => {
      await client.exec('create table copy_csv (id int, v text)');
      const { stream, done } = await client.copyIn('COPY copy_csv FROM STDIN WITH (FORMAT csv, HEADER true)');
      await pipeline(Readable.from(['id,v\n1,"multi\nline, with comma"\n', '2,\n3,""\n']), stream);
      expect(await done).toBe(3);
      const { rows } = await client.query('select v from copy_csv order by id');
      expect(rows.map((r) => r.v)).toEqual(['multi\nline, with comma', null, '']);
    });

    it('loads a large text COPY in pieces, all or nothing', async () => {
      await client.exec('create table copy_big (id int, pad text)');
      const pad = 'x'.repeat(100);
      const rows = 100_000; // ~10 MB: more than one PGlite flush
      function* lines(bad: boolean) {
        for (let start = 1; start <= rows; start += 5000) {
          let chunk = '';
          for (let id = start; id < start + 5000; id++) chunk += `${bad && id === rows ? 'oops' : id}\t${pad}\n`;
          yield chunk;
        }
      }
      const failing = await client.copyIn('COPY copy_big FROM STDIN');
      const err = await failure(Promise.all([pipeline(Readable.from(lines(true)), failing.stream).catch(() => {}), failing.done]));
      expect(err).toBeInstanceOf(QueryError);
      expect((err as QueryError).sqlState).toBe('22P02');
      expect((await client.query<{ n: string }>('select count(*) as n from copy_big')).rows[0]?.n).toBe('0');

      const ok = await client.copyIn('COPY copy_big FROM STDIN');
      await pipeline(Readable.from(lines(false)), ok.stream);
      expect(await ok.done).toBe(rows);
      expect((await client.query<{ n: string }>('select count(*) as n from copy_big')).rows[0]?.n).toBe(String(rows));
    });

    it('gets its connection back when a copyOut reader gives up early', async () => {
      const single = await openSqlClient(db.url, { poolSize: 1, connectTimeoutMs: 3000 });
      try {
        const out = await single.copyOut('COPY (select g, repeat(md5(g::text), 10) from generate_series(1, 50000) g) TO STDOUT');
        for await (const _chunk of out) break; // destroys the stream after the first chunk
        expect((await single.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await single.close();
      }
    });

    it('reports COPY errors as QueryError', async () => {
      const out = await failure((async () => readAll(await client.copyOut('COPY no_such_table TO STDOUT')))());
      expect((out as QueryError).sqlState).toBe('42P01');
      const { done } = await client.copyIn('COPY no_such_table FROM STDIN').then((c) => {
        c.stream.end('1\n');
        return c;
      });
      const copyInErr = await failure(done);
      expect((copyInErr as QueryError).sqlState).toBe('42P01');
    });

    it('round-trips hostile identifiers through quoteIdent', async () => {
      const schema = 'Schema "X" ;--';
      await client.exec(`create schema ${quoteIdent(schema)}`);
      for (const name of ['Bad Name 123!@#', 'a"b', 'DROP TABLE x;--', 'MixedCase', 'ünï côdé']) {
        const table = quoteQualified(schema, name);
        await client.exec(`create table ${table} (${quoteIdent(name)} text)`);
        await client.exec(`insert into ${table} values (${quoteLiteral(`${name} it's \\ here`)})`);
        const { rows } = await client.query(`select ${quoteIdent(name)} as v from ${table}`);
        expect(rows).toEqual([{ v: `${name} it's \\ here` }]);
        const catalog = await client.query(
          'select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2',
          [schema, name],
        );
        expect(catalog.rowCount).toBe(1);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
describe('PGlite specifics', () => {
  it('shares one instance per data directory and closes it with the last client', async () => {
    const db = await createPgliteUrl();
    try {
      const a = (await openSqlClient(db.url)) as PgliteSqlClient;
      const b = (await openSqlClient(db.url)) as PgliteSqlClient;
      expect(a.pglite).toBe(b.pglite);
      await a.exec('create table shared_t (id int); insert into shared_t values (1)');
      await a.close();
      await a.close(); // idempotent: must not release b's reference
      expect((await b.query('select * from shared_t')).rowCount).toBe(1);
      await b.close();
      expect(b.pglite.closed).toBe(true);
      await expect(b.query('select 1')).rejects.toBeInstanceOf(QueryError);
      const c = (await openSqlClient(db.url)) as PgliteSqlClient; // data persisted, a fresh instance
      expect(c.pglite).not.toBe(a.pglite);
      expect((await c.query('select * from shared_t')).rowCount).toBe(1);
      await c.close();
    } finally {
      await db.drop();
    }
  });

  it('gives every pglite:memory client its own database, with uuid-ossp and pgcrypto', async () => {
    const a = await openSqlClient('pglite:memory');
    const b = await openSqlClient('pglite:memory');
    try {
      await a.exec('create extension "uuid-ossp"; create extension pgcrypto; create table only_in_a (id uuid default uuid_generate_v4())');
      const { rows } = await a.query<{ u: string; d: string }>("select uuid_generate_v4()::text as u, encode(digest('x', 'sha256'), 'hex') as d");
      expect(rows[0]?.u).toMatch(/^[0-9a-f-]{36}$/);
      expect(rows[0]?.d).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
      await expect(b.query('select * from only_in_a')).rejects.toBeInstanceOf(QueryError);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fails to open an unusable data directory with a ConnectionError', async () => {
    const err = await failure(openSqlClient('pglite:///dev/null/not-a-dir'));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('CONNECTION_FAILED');
  });
});

describe('connect timeout', () => {
  it('a server that accepts but never answers → HOST_UNREACHABLE after connectTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    try {
      const err = await failure(openSqlClient(`postgresql://u:s3cr3t-pw@127.0.0.1:${port}/db`, { connectTimeoutMs: 300 }));
      expect(err.code).toBe('HOST_UNREACHABLE');
      expect(err.message).toMatch(/did not answer in time/);
      expectNoSecret(err, 's3cr3t-pw');
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe.skipIf(!pgUp)(`connection errors on PostgreSQL${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
  const password = 's3cr3t-pw';
  const suffix = randomBytes(3).toString('hex');
  const roles = { pw: `tdm_pw_test_${suffix}`, nologin: `tdm_nologin_${suffix}`, noconnect: `tdm_noconnect_${suffix}`, noselect: `tdm_noselect_${suffix}` };
  let db: TestDatabase;
  let admin: SqlClient;
  let trustOnLoopback = false;
  const urlAs = (user: string, database: string, host = '127.0.0.1:5432') =>
    `postgresql://${user}:${encodeURIComponent(password)}@${host}/${encodeURIComponent(database)}`;

  beforeAll(async () => {
    db = await createTestDatabase('errors');
    admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
    await admin.exec(`
      create role ${roles.pw} login password ${quoteLiteral(password)};
      create role ${roles.nologin} nologin password ${quoteLiteral(password)};
      create role ${roles.noconnect} login password ${quoteLiteral(password)};
      create role ${roles.noselect} login password ${quoteLiteral(password)};
      revoke connect on database ${quoteIdent(db.name)} from public;
      grant connect on database ${quoteIdent(db.name)} to ${roles.pw}, ${roles.noselect};`);
    const inDb = await openSqlClient(db.url, { poolSize: 1 });
    await inDb.exec('create table secret_t (x int); revoke all on secret_t from public');
    await inDb.close();
    // How this server authenticates 127.0.0.1 decides whether a wrong password can be detected at all.
    const { rows } = await admin.query<{ auth_method: string }>(
      "select auth_method from pg_hba_file_rules where type = 'host' and address = '127.0.0.1' order by line_number limit 1",
    );
    trustOnLoopback = rows[0]?.auth_method === 'trust';
  });
  afterAll(async () => {
    await db?.drop();
    await admin?.exec(`drop role if exists ${Object.values(roles).join(', ')}`);
    await admin?.close();
  });

  it('closed port → HOST_UNREACHABLE', async () => {
    const err = await failure(openSqlClient(urlAs(roles.pw, db.name, '127.0.0.1:1')));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('HOST_UNREACHABLE');
    expect(err.message).toContain('127.0.0.1:1');
    expectNoSecret(err, password);
  });

  it('unknown host → HOST_UNREACHABLE', async () => {
    const err = await failure(openSqlClient(urlAs(roles.pw, db.name, 'no-such-host.invalid:5432'), { connectTimeoutMs: 3000 }));
    expect(err.code).toBe('HOST_UNREACHABLE');
    expectNoSecret(err, password);
  });

  it('role that does not exist, or may not log in → AUTHENTICATION_FAILED', async () => {
    for (const user of [`tdm_no_such_role_${suffix}`, roles.nologin]) {
      const err = await failure(openSqlClient(urlAs(user, db.name)));
      expect(err.code).toBe('AUTHENTICATION_FAILED');
      expect(err.message).toContain(user);
      expectNoSecret(err, password);
    }
  });

  it('wrong password → AUTHENTICATION_FAILED (unless the server trusts 127.0.0.1)', async (ctx) => {
    const attempt = openSqlClient(urlAs(roles.pw, db.name).replace(encodeURIComponent(password), 'wrong-pw'));
    if (trustOnLoopback) {
      // pg_hba.conf says `trust` for 127.0.0.1: the server never asks for a password, so any password is accepted.
      await (await attempt).close();
      ctx.skip('pg_hba.conf trusts 127.0.0.1: a wrong password cannot fail here (covered by the mapping test and the roles above)');
    }
    const err = await failure(attempt);
    expect(err.code).toBe('AUTHENTICATION_FAILED');
    expectNoSecret(err, 'wrong-pw');
  });

  it('missing database → DATABASE_NOT_FOUND', async () => {
    const err = await failure(openSqlClient(urlAs(roles.pw, `tdm_missing_${suffix}`)));
    expect(err.code).toBe('DATABASE_NOT_FOUND');
    expect(err.message).toContain(`tdm_missing_${suffix}`);
    expectNoSecret(err, password);
  });

  it('no CONNECT privilege → PERMISSION_DENIED at open', async () => {
    const err = await failure(openSqlClient(urlAs(roles.noconnect, db.name)));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('PERMISSION_DENIED');
    expectNoSecret(err, password);
  });

  it('no SELECT privilege → PERMISSION_DENIED on the query', async () => {
    const client = await openSqlClient(urlAs(roles.noselect, db.name));
    try {
      const err = await failure(client.query('select * from secret_t'));
      expect(err).toBeInstanceOf(QueryError);
      expect(err.code).toBe('PERMISSION_DENIED');
      expect((err as QueryError).sqlState).toBe('42501');
      expectNoSecret(err, password);
      expect(client.redactedUrl).not.toContain(password);
    } finally {
      await client.close();
    }
  });

  it('malformed URLs → INVALID_CONNECTION_STRING from openSqlClient', async () => {
    for (const url of ['postgresql://', 'mysql://x', 'not a url', `postgresql://u:${password}@h:notaport/db`]) {
      const err = await failure(openSqlClient(url));
      expect(err.code).toBe('INVALID_CONNECTION_STRING');
      expectNoSecret(err, password);
    }
  });
});

// ---------------------------------------------------------------------------------------------
const fixtureCases = [
  { fixture: 'chinook', rows: 15607, tables: 11 },
  { fixture: 'edgecases', rows: 50, tables: 9 },
] as const;

for (const engine of engines) {
  const skip = engine.skip || !haveFixtures;
  const why = engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : haveFixtures ? '' : ` (SKIPPED: no fixtures under ${FIXTURES_DIR})`;
  describe.skipIf(skip)(`loadFixture on ${engine.name}${why}`, () => {
    it.each(fixtureCases)('$fixture: $tables tables, $rows rows', async ({ fixture, rows, tables }) => {
      const db = await engine.create();
      const client = await openSqlClient(db.url);
      try {
        await loadFixture(client, fixture);
        const { rows: found } = await client.query<{ name: string }>(
          "select relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind in ('r', 'p')",
        );
        expect(found.length).toBe(tables);
        let total = 0;
        for (const { name } of found)
          total += Number((await client.query<{ n: string }>(`select count(*) as n from only ${quoteQualified('public', name)}`)).rows[0]?.n);
        expect(total).toBe(rows);
      } finally {
        await client.close();
        await db.drop();
      }
    });
  });
}

describe('loadSqlScript', () => {
  it('runs statements, COPY blocks and dollar-quoted bodies, and names the failing line', async () => {
    const client = await openSqlClient('pglite:memory');
    try {
      await loadSqlScript(
        client,
        [
          '\\set ON_ERROR_STOP on',
          'create table t (id int, v text); -- two statements on one line',
          'select 1 -- a statement that ends in a comment',
          ';',
          "create function f() returns text language plpgsql as $fn$ begin return 'a;b'; end $fn$;",
          'COPY t (id, v) FROM stdin;',
          '1\tone',
          '2\t\\N',
          '\\.',
          'insert into t values (3, f());',
        ].join('\n'),
      );
      expect((await client.query('select v from t order by id')).rows.map((r) => r.v)).toEqual(['one', null, 'a;b']);
      await expect(loadSqlScript(client, 'select 1;\n\nselect * from nope;')).rejects.toThrow(/script line 3: .*"nope" does not exist/);
    } finally {
      await client.close();
    }
  });
});
