/** SqlClient on PostgreSQL and on PGlite: queries, types, streams, transactions; and what only PGlite does. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../src/db/open.ts';
import type { PgliteSqlClient } from '../src/db/pglite-client.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { ConnectionError, QueryError } from '../src/errors.ts';
import { createPgliteUrl, type TestDatabase } from './support/databases.ts';
import { engines, failure, readAll } from './support/db-engines.ts';

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
