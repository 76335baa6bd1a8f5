/**
 * A connection's own PII rules through GraphQL and the SDK: given on `createConnection` or with
 * `setConnectionPiiRules`, validated into a typed `InvalidPiiRulesError` (field and line), and
 * applied to the classification of that connection's schemas only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, createTestDatabase, pgAvailable, type TestDatabase } from '../../core/test/support/databases.ts';
import { InvalidInputError, InvalidPiiRulesError, NotFoundError, TdmClient } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';
import { gqlData } from './support.ts';

const HR = `
create table hr_staff (id int primary key, emp_ref_1 text, actor_email text, email text);
insert into hr_staff select i, 'R' || i, 's' || i || '@example.org', 'p' || i || '@example.org' from generate_series(1, 30) i;`;

const RULES = `columns:
  - { pattern: '^emp_ref_\\d+$', type: PERSONAL_ID }
exclude:
  - { table: '^hr_staff$', column: '^actor_email$' }
`;

let dataDir: string;
let tdm: Tdm;
let app: App;
let sdk: TdmClient;
const dbs: TestDatabase[] = [];
const clients: SqlClient[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-conn-rules-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_DEMO: 'off' }));
  app = createApp(tdm);
  sdk = new TdmClient({
    url: 'http://tdm.test/graphql',
    fetch: (async (input: string | URL | Request, init?: RequestInit) => app.yoga.fetch(new Request(input, init))) as typeof fetch,
  });
  for (let i = 0; i < 2; i++) {
    const db = (await pgAvailable()) ? await createTestDatabase(`conn_rules_${i}`) : await createPgliteUrl();
    dbs.push(db);
    const sql = await openSqlClient(db.url);
    clients.push(sql);
    await sql.exec(HR);
  }
}, 300_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await tdm?.close();
  for (const db of dbs) await db.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const classify = async (connectionId: string) => {
  const version = await sdk.schemas.discover({ connectionId });
  const columns = await sdk.pii.classify({ schemaVersionId: version.id });
  return Object.fromEntries(columns.map((c) => [`${c.table}.${c.column}`, c.piiType]));
};

describe('PII rules per connection (GraphQL and SDK)', { timeout: 180_000 }, () => {
  it('rules given on createConnection change that connection’s classification only', async () => {
    const ruled = await sdk.connections.create({ name: 'hr ruled', connectionString: dbs[0]!.url, piiRules: RULES });
    expect(ruled.piiRules).toMatchObject({ columns: [{ pattern: '^emp_ref_\\d+$', type: 'PERSONAL_ID' }], exclude: [{ column: '^actor_email$' }] });
    const plain = await sdk.connections.create({ name: 'hr plain', connectionString: dbs[1]!.url });
    expect(plain.piiRules).toBeNull();

    expect(await classify(ruled.id)).toMatchObject({ 'hr_staff.emp_ref_1': 'PERSONAL_ID', 'hr_staff.actor_email': 'NONE', 'hr_staff.email': 'EMAIL' });
    expect(await classify(plain.id)).toMatchObject({ 'hr_staff.emp_ref_1': 'NONE', 'hr_staff.actor_email': 'EMAIL', 'hr_staff.email': 'EMAIL' });
  });

  it('a bad document is a typed error with the field and line; nothing is stored', async () => {
    const bad = 'values:\n  - pattern: "^X"\n    type: SHOE_SIZE\n';
    const err = await sdk.connections.create({ name: 'hr bad', connectionString: dbs[1]!.url, piiRules: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidPiiRulesError);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', path: 'values.0.type', line: 3 });
    expect((err as Error).message).toMatch(/^PII rules of connection hr bad: line 3: values\.0\.type: /);
    expect((await sdk.connections.list()).map((c) => c.name)).not.toContain('hr bad');

    const plain = (await sdk.connections.list()).find((c) => c.name === 'hr plain');
    const asObject = await sdk.connections.setPiiRules(plain!.id, { exclude: [{ column: '(' }] }).catch((e: unknown) => e);
    expect(asObject).toMatchObject({ path: 'exclude.0.column', line: null });
    expect((await sdk.connections.list()).find((c) => c.name === 'hr plain')?.piiRules).toBeNull();
    await expect(sdk.connections.setPiiRules('00000000-0000-0000-0000-000000000000', null)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('setConnectionPiiRules replaces and clears the rules (global id accepted)', async () => {
    const data = await gqlData<{ connections: { edges: { node: { id: string; name: string } }[] } }>(app, '{ connections { edges { node { id name } } } }');
    const plain = data.connections.edges.find((e) => e.node.name === 'hr plain')?.node;
    const set = await gqlData<{ setConnectionPiiRules: { __typename: string; data: { piiRules: { exclude: unknown[] } } } }>(
      app,
      `mutation($id: ID!, $rules: JSON) { setConnectionPiiRules(connectionId: $id, rules: $rules) {
        __typename ... on MutationSetConnectionPiiRulesSuccess { data { piiRules } } } }`,
      { id: plain?.id, rules: { exclude: [{ column: '^email$' }] } },
    );
    expect(set.setConnectionPiiRules.data.piiRules.exclude).toEqual([{ table: '.*', column: '^email$' }]);
    const raw = (await tdm.store.prisma.connection.findUniqueOrThrow({ where: { name: 'hr plain' } })).id;
    expect(await classify(raw)).toMatchObject({ 'hr_staff.email': 'NONE', 'hr_staff.actor_email': 'EMAIL' });
    await sdk.connections.setPiiRules(raw, null);
    expect(await classify(raw)).toMatchObject({ 'hr_staff.email': 'EMAIL' });
  });
});
