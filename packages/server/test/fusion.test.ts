/**
 * Schema fusion through the API as a user's script calls it: the SDK on a real port, on the
 * embedded default (PGlite). The demo shop's database and its OpenAPI document fuse into a stored
 * unified schema that `unifiedSchema(id)` returns again; one source alone is a typed error.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';
import { InvalidInputError, TdmClient } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';

const SPEC = await readFile(fileURLToPath(new URL('../../core/src/demo/shop-openapi.yaml', import.meta.url)), 'utf8');

let dataDir: string;
let tdm: Tdm;
let app: App;
let sdk: TdmClient;
let source: TestDatabase;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-fusion-api-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  app = createApp(tdm);
  sdk = new TdmClient({ url: `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql` });
  source = await createPgliteUrl();
  const sql = await openSqlClient(source.url, { poolSize: 1 });
  await seedDemoSource(sql, { customers: 20, products: 10, orders: 20 });
  await sql.close();
}, 60_000);

afterAll(async () => {
  await sdk?.close();
  await app?.stop();
  await tdm?.close();
  await source?.drop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('schema fusion through the SDK', () => {
  it('fuses the demo database with its OpenAPI document; the database decides, API-only fields stay', async () => {
    const version = await sdk.schemas.discover({ connectionString: source.url });
    const unified = await sdk.schemas.fuse({ schemaVersionId: version.id, openApiSpec: SPEC, name: 'shop' });
    expect(unified.version).toBe(1);
    const customer = unified.entities.find((e) => e.name === 'customer');
    expect(customer?.sources.map((s) => s.kind)).toEqual(['DB', 'API']);
    const email = customer?.fields.find((f) => f.name === 'email');
    expect(email).toMatchObject({ chosenFrom: 'DB', nullable: false, unique: true, confidence: 1 });
    expect(email?.sources.map((s) => `${s.kind}:${s.name}`)).toEqual(['DB:email', 'API:emailAddress']);
    expect(customer?.fields.find((f) => f.name === 'loyaltyTier')).toMatchObject({ chosenFrom: 'API', enumValues: ['bronze', 'silver', 'gold'] });
    expect(unified.conflicts.some((c) => c.field === 'email' && c.chosenFrom === 'DB')).toBe(true);
    expect((await sdk.schemas.unified(unified.id)).entities).toEqual(unified.entities);
    // API first: the document's type wins.
    const apiFirst = await sdk.schemas.fuse({ schemaVersionId: version.id, openApiSpec: SPEC, name: 'shop', weights: { API: 10 } });
    expect(apiFirst.version).toBe(2);
    expect(apiFirst.entities.find((e) => e.name === 'Customer')?.fields.find((f) => f.name === 'emailAddress')?.chosenFrom).toBe('API');
  }, 120_000);

  it('one source alone is an InvalidInputError', async () => {
    await expect(sdk.schemas.fuse({ openApiSpec: SPEC })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
