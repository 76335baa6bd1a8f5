/**
 * Bad input to the GraphQL API becomes a typed error member, not a GraphQL error: malformed
 * connection strings, a closed port, conflicting or missing ids, and (on the real PostgreSQL) a role
 * that may not log in or a database that does not exist; no password in what comes back.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { openSqlClient } from '@tdm/core/db/open';
import { quoteIdent } from '@tdm/core/db/quote';
import { beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, pgUrlFor } from '../../core/test/support/databases.ts';
import { createConnection, discoverFails, graphqlApiSuite, pgUp, rolesToDrop, SECRET, urlAs } from './support/graphql-api.ts';

graphqlApiSuite();

// ---------------------------------------------------------------------------------------------
describe('bad input becomes a typed error member', () => {
  it.each([
    ['not a url', /invalid connection string "not a url"/],
    ['mysql://x/y', /unsupported scheme "mysql:"/],
    [`postgresql://u:${SECRET}@h:notaport/db`, /invalid connection string "postgresql:\/\/u:\*\*\*@h:notaport\/db": not a valid URL/],
  ])('%s → InvalidConnectionStringError', async (connectionString, message) => {
    const err = await discoverFails({ connectionString }, 'InvalidConnectionStringError', 'INVALID_CONNECTION_STRING');
    expect(err.message).toMatch(message);
  });

  it('a closed port → ConnectionError HOST_UNREACHABLE, naming host and port but not the password', async () => {
    const err = await discoverFails({ connectionString: `postgresql://u:${SECRET}@127.0.0.1:1/db` }, 'ConnectionError', 'HOST_UNREACHABLE');
    expect(err.message).toContain('127.0.0.1:1');
    expect(err.message).toContain('u:***@');
  });

  it('both connectionString and connectionId, or neither → InvalidInputError', async () => {
    const both = await discoverFails({ connectionString: 'pglite:memory', connectionId: randomUUID() }, 'InvalidInputError', 'INVALID_INPUT');
    expect(both.message).toMatch(/either connectionString or connectionId, not both/);
    const neither = await discoverFails({ schemas: ['public'] }, 'InvalidInputError', 'INVALID_INPUT');
    expect(neither.message).toMatch(/connectionString or connectionId is required/);
  });

  it('an unknown connectionId (raw or global id) → NotFoundError', async () => {
    const id = randomUUID();
    for (const connectionId of [id, encodeGlobalID('DatabaseConnection', id)]) {
      const err = await discoverFails({ connectionId }, 'NotFoundError', 'NOT_FOUND');
      expect(err.message).toBe(`connection "${id}" was not found`);
    }
  });

  it('createConnection rejects a malformed connection string and a blank name', async () => {
    expect(await createConnection({ name: 'broken', connectionString: 'not a url' })).toMatchObject({
      __typename: 'InvalidConnectionStringError',
      code: 'INVALID_CONNECTION_STRING',
    });
    expect(await createConnection({ name: '  ', connectionString: 'pglite:memory' })).toMatchObject({
      __typename: 'InvalidInputError',
      code: 'INVALID_INPUT',
      message: 'a connection needs a name',
    });
  });
});

describe.skipIf(!pgUp)(`failures on the real PostgreSQL${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
  const suffix = randomBytes(4).toString('hex');
  const nologin = `tdm_t_nologin_${suffix}`;

  beforeAll(async () => {
    const admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
    try {
      await admin.exec(`create role ${quoteIdent(nologin)} nologin password '${SECRET}'`);
      rolesToDrop.push(nologin);
    } finally {
      await admin.close();
    }
  });

  it('a role that does not exist, or may not log in → ConnectionError AUTHENTICATION_FAILED', async () => {
    // The server trusts 127.0.0.1, so a wrong password for a real login role would still connect.
    for (const user of [`tdm_no_such_role_${suffix}`, nologin]) {
      const err = await discoverFails({ connectionString: urlAs(pgUrlFor('postgres'), user, SECRET) }, 'ConnectionError', 'AUTHENTICATION_FAILED');
      expect(err.message).toContain(user);
    }
  });

  it('a database that does not exist → ConnectionError DATABASE_NOT_FOUND', async () => {
    const missing = `tdm_missing_${suffix}`;
    const err = await discoverFails({ connectionString: urlAs(pgUrlFor(missing), 'postgres', SECRET) }, 'ConnectionError', 'DATABASE_NOT_FOUND');
    expect(err.message).toContain(missing);
  });
});
