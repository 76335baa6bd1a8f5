/**
 * The recipes for secrets: `passwordEnv: "DATABASE_URL"` sent the server's own settings as a
 * password to a host of the caller's choosing; `?password=` was stored in plain text (Connection.url,
 * Connection.name, Schema.sourceUrl); a password without `@` was echoed in the error; a workflow
 * config holding `password=` broke the stored JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectionString } from '../../src/db/url.ts';
import { InvalidConnectionStringError, InvalidInputError, TdmError } from '../../src/errors.ts';
import { pgAvailable } from '../support/databases.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';

const pgUp = await pgAvailable();
const SECRET = 'hunter2-Secret';
const SSL_SECRET = 'ssl-Passphrase-9';

async function failure(p: Promise<unknown> | (() => unknown)): Promise<TdmError> {
  const err = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TdmError);
  return err as TdmError;
}

describe('secrets', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await createTestEngine('secrets');
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('passwordEnv may only name TDM_DB_PASSWORD_* variables', async () => {
    for (const passwordEnv of ['DATABASE_URL', 'TDM_SECRET_KEY', 'AWS_SECRET_ACCESS_KEY', 'tdm_db_password_x', 'TDM_DB_PASSWORD_']) {
      const err = await failure(
        engine.tdm.connections.create({ name: `env-${passwordEnv}`, connectionString: 'postgresql://app@evil.example:5432/x', passwordEnv }),
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toContain('TDM_DB_PASSWORD_');
    }
    const ok = await engine.tdm.connections.create({ name: 'env-ok', connectionString: 'postgresql://app@db:5432/x', passwordEnv: 'TDM_DB_PASSWORD_APP' });
    expect(ok.passwordEnv).toBe('TDM_DB_PASSWORD_APP');
  });

  it('a stored row naming another variable is refused when opened', async () => {
    const row = await engine.tdm.store.prisma.connection.create({
      data: { name: 'legacy', kind: 'POSTGRES', url: 'postgresql://app@127.0.0.1:1/x', passwordEnv: 'DATABASE_URL' },
    });
    const err = await failure(engine.tdm.connections.connectionString(row.id));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).not.toContain(engine.tdm.config.databaseUrl);
  });

  it('password= and sslpassword= parameters are stored encrypted and given back only to open the connection', async () => {
    const url = `postgresql://app@db.internal:5432/shop?sslmode=require&password=${SECRET}&sslpassword=${SSL_SECRET}`;
    const row = await engine.tdm.connections.create({ name: 'params', connectionString: url });
    expect(row.url).toBe('postgresql://app@db.internal:5432/shop?sslmode=require');
    expect(JSON.stringify(row)).not.toContain(SECRET);
    expect(JSON.stringify(row)).not.toContain(SSL_SECRET);
    expect(row.passwordCipher).toBeTruthy();
    const full = await engine.tdm.connections.connectionString(row.id);
    expect(parseConnectionString(full)).toMatchObject({ password: SECRET, params: { sslmode: 'require', sslpassword: SSL_SECRET } });
    const inline = await engine.tdm.connections.upsertInline(url);
    expect(inline.name).toBe('inline postgresql://app@db.internal:5432/shop?sslmode=require');
    expect(JSON.stringify(inline)).not.toContain(SECRET);
  });

  it('a password without "@" is not echoed in the error', async () => {
    const err = await failure(() => parseConnectionString(`postgresql://app:${SECRET}/shop`));
    expect(err).toBeInstanceOf(InvalidConnectionStringError);
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err.details)).not.toContain(SECRET);
  });

  it('a port out of range is reported as out of range, in the authority or in ?port=', async () => {
    for (const url of ['postgresql://app@db:99999/shop', 'postgresql://app@[::1]:99999/shop', 'postgresql://app@db/shop?port=99999']) {
      const err = await failure(() => parseConnectionString(url));
      expect(err).toBeInstanceOf(InvalidConnectionStringError);
      expect(err.message).toContain('bad port "99999": out of range (a port is 1 to 65535)');
      expect(err.message).not.toContain('not a valid URL');
    }
  });

  it.skipIf(!pgUp)('discovering through ?password= leaves no password in any stored row; a workflow config with password= stays valid JSON', async () => {
    const db = await engine.database('postgres', 'src');
    const sql = await engine.client(db.url);
    await sql.exec('CREATE TABLE t (id int PRIMARY KEY)');
    // The test server trusts local connections, so any password is accepted.
    const u = new URL(db.url);
    u.searchParams.set('password', SECRET);
    await engine.tdm.discoverSchema({ connectionString: u.toString(), schemas: ['public'] });
    const { prisma } = engine.tdm.store;
    const { jobId } = await engine.tdm.jobs.execute({
      connectionString: u.toString(),
      operations: ['discover'],
      config: { note: `postgresql://x:${SECRET}@h/db?password=${SECRET}&mode=1`, subset: { where: { t: 'id > 0' } } },
    });
    const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.config).toMatchObject({ note: 'postgresql://x:***@h/db?password=***&mode=1', subset: { where: { t: 'id > 0' } } });
    const everything = JSON.stringify([
      await prisma.connection.findMany(),
      await prisma.schema.findMany(),
      await prisma.sourceIdentity.findMany(),
      await prisma.job.findMany(),
      await prisma.auditLog.findMany(),
    ]);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(encodeURIComponent(SECRET));
  });
});
