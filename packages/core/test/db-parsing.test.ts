/** Connection strings, redaction, quoting, SQL script splitting and connection error mapping, without a database. */
import { describe, expect, it } from 'vitest';
import { connectionError } from '../src/db/postgres-errors.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../src/db/quote.ts';
import { type ConnectionTarget, parseConnectionString, redactConnectionString, redactSecrets } from '../src/db/url.ts';
import { ConnectionError, InvalidConnectionStringError, TdmError } from '../src/errors.ts';
import { splitSqlScript } from './support/load-sql.ts';
import { expectNoSecret } from './support/db-engines.ts';

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
