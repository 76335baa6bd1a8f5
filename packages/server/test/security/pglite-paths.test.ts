/**
 * `pglite:///any/path` used to create a database anywhere the server could write. A `pglite://`
 * directory given through the API must now lie under TDM_DATA_DIR (or a root of TDM_PGLITE_ROOTS),
 * never in TDM's own stores; anything else is a PathNotAllowedError before anything touches the disk.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { assertPglitePathAllowed } from '@tdm/core/db/pglite-paths';
import { PathNotAllowedError } from '@tdm/core/errors';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';

let dataDir: string;
/** A directory the server can write but that is no root: no database may be created in it. */
let outside: string;
let tdm: Tdm;
let app: App;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-pgpaths-'));
  outside = await mkdtemp(join(tmpdir(), 'tdm-pgpaths-outside-'));
  // No TDM_PGLITE_ROOTS: only the data directory holds embedded databases.
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_DEMO: 'off' }), { log: () => {} });
  app = createApp(tdm);
});

afterAll(async () => {
  await tdm?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: the tests read nested JSON answers
type Answer = { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await app.yoga.fetch('http://tdm.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as never;
}

const CREATE_CONNECTION = `mutation($input: CreateConnectionInput!) { createConnection(input: $input) {
  __typename ... on Error { code message } ... on PathNotAllowedError { path } ... on MutationCreateConnectionSuccess { data { id url } } } }`;
const CREATE_ENVIRONMENT = `mutation($input: CreateEnvironmentInput!) { createEnvironment(input: $input) {
  __typename ... on Error { code message } ... on MutationCreateEnvironmentSuccess { data { id name } } } }`;
const DISCOVER = `mutation($input: DiscoverSchemaInput!) { discoverSchema(input: $input) {
  __typename ... on Error { code message } ... on MutationDiscoverSchemaSuccess { data { id } } } }`;
const EXECUTE = `mutation($input: ExecuteWorkflowInput!) { executeWorkflow(input: $input) {
  __typename ... on Error { code message } ... on MutationExecuteWorkflowSuccess { data { jobId } } } }`;

const refused = { __typename: 'PathNotAllowedError', code: 'PATH_NOT_ALLOWED' };

describe('pglite:// directories outside the allowed roots', () => {
  it('createConnection, createEnvironment, discoverSchema and executeWorkflow refuse them and create nothing', async () => {
    const dir = join(outside, 'db');
    const url = `pglite://${dir}`;

    const conn = await gql(CREATE_CONNECTION, { input: { name: 'outside', connectionString: url } });
    expect(conn.data.createConnection, JSON.stringify(conn)).toMatchObject({ ...refused, path: dir });
    expect(conn.data.createConnection.message).toContain('TDM_PGLITE_ROOTS');

    const env = await gql(CREATE_ENVIRONMENT, { input: { name: 'outside', connectionString: url, allowReset: true } });
    expect(env.data.createEnvironment, JSON.stringify(env)).toMatchObject(refused);

    const discovered = await gql(DISCOVER, { input: { connectionString: url } });
    expect(discovered.data.discoverSchema, JSON.stringify(discovered)).toMatchObject(refused);

    const run = await gql(EXECUTE, { input: { connectionString: url, operations: ['discover'] } });
    expect(run.data.executeWorkflow, JSON.stringify(run)).toMatchObject(refused);

    expect(existsSync(dir)).toBe(false);
    expect(await tdm.store.prisma.connection.count()).toBe(0);
    expect(await tdm.store.prisma.environment.count()).toBe(0);
  });

  it('refuses ".." segments, even when they resolve inside the data directory', async () => {
    for (const dir of [`${dataDir}/../${outside.split('/').at(-1)}/escape`, `${dataDir}/a/../../escape`, `${dataDir}/a/../b`]) {
      const r = await gql(DISCOVER, { input: { connectionString: `pglite://${dir}` } });
      expect(r.data.discoverSchema, dir).toMatchObject(refused);
      expect(r.data.discoverSchema.message).toContain('".."');
    }
    expect(existsSync(join(outside, 'escape'))).toBe(false);
    expect(existsSync(resolve(dataDir, '..', 'escape'))).toBe(false);
  });

  it('refuses a symbolic link inside the data directory that leads out of it', async () => {
    await symlink(outside, join(dataDir, 'link'));
    const r = await gql(CREATE_CONNECTION, { input: { name: 'via-link', connectionString: `pglite://${dataDir}/link/db` } });
    expect(r.data.createConnection).toMatchObject(refused);
    expect(existsSync(join(outside, 'db'))).toBe(false);
  });

  it('refuses the dataset store and the data directory itself', async () => {
    for (const dir of [join(dataDir, 'datasets'), join(dataDir, 'datasets', 'db'), dataDir]) {
      const r = await gql(DISCOVER, { input: { connectionString: `pglite://${dir}` } });
      expect(r.data.discoverSchema, dir).toMatchObject(refused);
    }
  });

  it('an environment on the metadata store (under the data directory) is still TARGET_IS_METADATA', async () => {
    const r = await gql(CREATE_ENVIRONMENT, { input: { name: 'meta', connectionString: tdm.config.databaseUrl, allowReset: true } });
    expect(r.data.createEnvironment).toMatchObject({ __typename: 'TargetSafetyError', code: 'TARGET_IS_METADATA' });
  });

  it('a stored connection that points outside (stored before the rule) cannot be opened', async () => {
    const row = await tdm.store.prisma.connection.create({ data: { name: 'legacy', kind: 'PGLITE', url: `pglite://${join(outside, 'legacy')}` } });
    const r = await gql(DISCOVER, { input: { connectionId: row.id } });
    expect(r.data.discoverSchema).toMatchObject(refused);
    expect(existsSync(join(outside, 'legacy'))).toBe(false);
    await tdm.store.prisma.connection.delete({ where: { id: row.id } });
  });
});

describe('pglite:// directories under the data directory', () => {
  it('are discovered, stored and registered as usual', async () => {
    const dir = join(dataDir, 'sources', 'shop');
    await mkdir(join(dataDir, 'sources'), { recursive: true });
    const sql = await openSqlClient(`pglite://${dir}`);
    try {
      await sql.exec('CREATE TABLE public.item (id int PRIMARY KEY, code text)');
    } finally {
      await sql.close();
    }
    const discovered = await gql(DISCOVER, { input: { connectionString: `pglite://${dir}` } });
    expect(discovered.data.discoverSchema.__typename, JSON.stringify(discovered)).toBe('MutationDiscoverSchemaSuccess');

    const conn = await gql(CREATE_CONNECTION, { input: { name: 'shop', connectionString: `pglite://${dir}` } });
    expect(conn.data.createConnection.__typename).toBe('MutationCreateConnectionSuccess');

    const env = await gql(CREATE_ENVIRONMENT, { input: { name: 'qa', connectionString: `pglite://${join(dataDir, 'qa-target')}` } });
    expect(env.data.createEnvironment, JSON.stringify(env)).toMatchObject({ __typename: 'MutationCreateEnvironmentSuccess', data: { name: 'qa' } });
  });
});

describe('TDM_PGLITE_ROOTS', () => {
  it('lists further roots, separated like PATH', () => {
    const config = loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: ['/srv/pg', ' relative/dbs ', ''].join(delimiter) });
    expect(config.pgliteRoots).toEqual(['/srv/pg', resolve('relative/dbs')]);
    const policy = { roots: [config.dataDir, ...config.pgliteRoots], reserved: [] };
    expect(() => assertPglitePathAllowed('/srv/pg/one', policy)).not.toThrow();
    expect(() => assertPglitePathAllowed('relative/dbs/two', policy)).not.toThrow();
    expect(() => assertPglitePathAllowed('/srv/pgx/one', policy)).toThrow(PathNotAllowedError);
    expect(() => assertPglitePathAllowed('/srv/pg', policy)).toThrow(PathNotAllowedError);
    expect(() => assertPglitePathAllowed('/etc', policy)).toThrow(PathNotAllowedError);
  });
});
