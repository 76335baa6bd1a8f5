/** Connecting: the connect timeout, connection errors on a real server, and loading fixtures and SQL scripts. */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../src/db/open.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { ConnectionError, QueryError } from '../src/errors.ts';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from './support/databases.ts';
import { FIXTURES_DIR, loadFixture, loadSqlScript } from './support/load-sql.ts';
import { engines, expectNoSecret, failure, haveFixtures, pgUp } from './support/db-engines.ts';

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
