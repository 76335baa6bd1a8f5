/**
 * PII classification, masking and the post-provision PII gate through the API, as a user sees them:
 * GraphQL through `yoga.fetch` (no port) and the SDK on a real port. The demo source on the real
 * PostgreSQL; the metadata store on PGlite. What a user notices: classification names the personal
 * columns with a technique and evidence but never a sampled value, an override wins on the next run,
 * the transformers come with JSON Schemas for their params, masking makes a MASKED dataset derived
 * from the subset, and the gate finds the real values in an unmasked target and none in a masked one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { redactConnectionString } from '@tdm/core/db/url';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../../core/test/support/databases.ts';
import { TdmClient } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';
import { gqlData } from './support.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the PII/mask API tests are SKIPPED`);

const CAPS = { '*': 50 };
const SALT = 'pii-mask-api-salt';
const ERROR_FIELDS = '__typename ... on Error { message code }';
const PII_FIELDS = 'schema table column piiType category confidence technique evidence { detector rule piiType confidence evidence matched sampled } source';
/** A fake name may equal another person's real name; the gate counts that (reported limitation). */
const isName = (piiType: string) => /^(FIRST|LAST|FULL)_NAME$/.test(piiType);

let dataDir: string;
let tdm: Tdm;
let app: App;
let sdk: TdmClient;
const dbs: TestDatabase[] = [];
const clients: SqlClient[] = [];
let source: { url: string; sql: SqlClient };
let subsetId: string;
let schemaVersionId: string;
let envCount = 0;

async function database(label: string): Promise<{ db: TestDatabase; sql: SqlClient }> {
  const db = await createTestDatabase(`piimask_${label}`);
  dbs.push(db);
  const sql = await openSqlClient(db.url, { poolSize: 1 });
  clients.push(sql);
  return { db, sql };
}

const gql = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => gqlData<T>(app, query, variables);

/** `{ __typename, data }` of a mutation's success, failing with the error's message otherwise. */
function ok<T>(result: { __typename: string; message?: string; data?: T }): T {
  expect(result.__typename, result.message).toMatch(/Success$/);
  return result.data as T;
}

async function targetEnv(label: string): Promise<{ name: string; sql: SqlClient }> {
  const { db, sql } = await database(`${label}_dst`);
  const name = `${label}-${++envCount}`;
  await tdm.environments.create({ name, connectionString: db.url, allowReset: true });
  return { name, sql };
}

async function provision(datasetVersionId: string, environment: string): Promise<void> {
  const out = await gql<{ provisionDataset: { __typename: string; message?: string; data?: { smoke: { passed: boolean } | null } } }>(
    `mutation($input: ProvisionDatasetInput!) { provisionDataset(input: $input) { ${ERROR_FIELDS} ... on MutationProvisionDatasetSuccess { data { smoke { passed } } } } }`,
    { input: { datasetVersionId, environment } },
  );
  expect(ok(out.provisionDataset).smoke?.passed).toBe(true);
}

interface Leak {
  table: string;
  column: string;
  piiType: string;
  matches: number;
}
async function scan(environment: string): Promise<{ checkedColumns: number; leaks: Leak[] }> {
  const out = await gql<{ scanTargetForPii: { __typename: string; message?: string; data?: { checkedColumns: number; leaks: Leak[] } } }>(
    `mutation($input: ScanTargetForPiiInput!) { scanTargetForPii(input: $input) { ${ERROR_FIELDS} ... on MutationScanTargetForPiiSuccess { data { checkedColumns leaks { schema table column piiType matches } } } } }`,
    { input: { environment } },
  );
  return ok(out.scanTargetForPii) as { checkedColumns: number; leaks: Leak[] };
}

beforeAll(async () => {
  if (!pgUp) return;
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-pii-mask-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  await tdm.jobs.startWorking();
  app = createApp(tdm);
  sdk = new TdmClient({ url: `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql` });
  const { db, sql } = await database('demo_src');
  await seedDemoSource(sql, { customers: 60, products: 20, orders: 120 });
  source = { url: db.url, sql };
  const out = await gql<{ subsetDatabase: { __typename: string; message?: string; data?: { id: string; schemaVersion: { id: string } } } }>(
    `mutation($input: SubsetDatabaseInput!) { subsetDatabase(input: $input) { ${ERROR_FIELDS} ... on MutationSubsetDatabaseSuccess { data { id schemaVersion { id } } } } }`,
    { input: { connectionString: db.url, schemas: ['public'], maxRowsPerTable: CAPS } },
  );
  const subset = ok(out.subsetDatabase) as { id: string; schemaVersion: { id: string } };
  subsetId = subset.id;
  schemaVersionId = subset.schemaVersion.id;
}, 120_000);

afterAll(async () => {
  await sdk?.close();
  await app?.stop();
  await tdm?.close();
  for (const c of clients) await c.close().catch(() => {});
  for (const db of dbs) await db.drop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const CLASSIFY = `mutation($input: ClassifyPiiInput!) { classifyPii(input: $input) { ${ERROR_FIELDS} ... on MutationClassifyPiiSuccess { data { ${PII_FIELDS} } } } }`;
interface PiiCol {
  schema: string;
  table: string;
  column: string;
  piiType: string;
  category: string;
  technique: string;
  evidence: { detector: string; rule: string | null; matched: number | null; sampled: number | null }[];
  source: string;
}

describe.skipIf(!pgUp)('PII and masking through GraphQL', () => {
  it('classifyPii names the personal columns with technique and evidence, and never a sampled value', async () => {
    const raw = await app.yoga.fetch('http://tdm.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: CLASSIFY, variables: { input: { schemaVersionId } } }),
    });
    const text = await raw.text();
    const columns = ok((JSON.parse(text) as { data: { classifyPii: { __typename: string; data?: PiiCol[] } } }).data.classifyPii) as PiiCol[];
    const pii = new Map(columns.filter((c) => c.piiType !== 'NONE').map((c) => [`${c.table}.${c.column}`, c]));
    expect(pii.get('customer.email')).toMatchObject({ piiType: 'EMAIL', category: 'DIRECT_IDENTIFIER', technique: expect.any(String), source: 'DETECTED' });
    expect(pii.get('address.city')).toMatchObject({ piiType: 'CITY', category: 'LOCATION', technique: 'shuffle' });
    // Evidence names the detector and rule, and how many sampled values matched.
    expect(pii.get('customer.email')?.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ detector: 'value-rules', rule: 'value:email', matched: expect.any(Number), sampled: expect.any(Number) }),
      ]),
    );
    expect(columns.find((c) => c.table === 'product' && c.column === 'price')).toMatchObject({ piiType: 'NONE', category: 'NONE' });
    for (const k of ['customer.first_name', 'customer.last_name', 'customer.phone', 'employee.email']) expect(pii.has(k), k).toBe(true);
    for (const c of pii.values()) {
      expect(c.technique, `${c.table}.${c.column}`).toMatch(/\w/);
      expect(c.evidence.length, `${c.table}.${c.column} evidence`).toBeGreaterThan(0);
    }
    expect(pii.has('product.price')).toBe(false);
    // No sampled value leaves the server: not a customer's email, nor a phone number.
    const { rows } = await source.sql.query<{ email: string; phone: string | null }>(
      'select email::text as email, phone from public.customer where phone is not null limit 5',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(text).not.toContain(r.email);
      expect(text).not.toContain(r.phone as string);
    }
  }, 60_000);

  it('overridePiiClassification wins on a re-classify', async () => {
    const out = await gql<{ overridePiiClassification: { __typename: string; message?: string; data?: PiiCol } }>(
      `mutation($input: OverridePiiInput!) { overridePiiClassification(input: $input) { ${ERROR_FIELDS} ... on MutationOverridePiiClassificationSuccess { data { ${PII_FIELDS} } } } }`,
      { input: { schemaVersionId, table: 'product', column: 'sku', piiType: 'USERNAME', technique: 'hash' } },
    );
    expect(ok(out.overridePiiClassification)).toMatchObject({ table: 'product', column: 'sku', piiType: 'USERNAME', technique: 'hash', source: 'OVERRIDE' });
    const again = ok((await gql<{ classifyPii: { __typename: string; data?: PiiCol[] } }>(CLASSIFY, { input: { schemaVersionId } })).classifyPii) as PiiCol[];
    expect(again.find((c) => c.table === 'product' && c.column === 'sku')).toMatchObject({ piiType: 'USERNAME', technique: 'hash', source: 'OVERRIDE' });
    expect(again.find((c) => c.table === 'customer' && c.column === 'email')?.piiType).toBe('EMAIL');
  }, 60_000);

  it('piiTaxonomy lists every PII type with its category and default technique', async () => {
    const { piiTaxonomy } = await gql<{ piiTaxonomy: { name: string; category: string; technique: string; description: string }[] }>(
      '{ piiTaxonomy { name category technique description } }',
    );
    const byName = new Map(piiTaxonomy.map((t) => [t.name, t]));
    expect(byName.get('BLOOD_TYPE')).toMatchObject({ category: 'HEALTH' });
    expect(byName.get('SALARY')).toMatchObject({ category: 'EMPLOYMENT', technique: 'generalize' });
    expect(byName.get('COUNTRY')).toMatchObject({ category: 'LOCATION', technique: 'keep' });
    expect(new Set(piiTaxonomy.map((t) => t.category))).toEqual(
      new Set([
        'DIRECT_IDENTIFIER',
        'QUASI_IDENTIFIER',
        'LOCATION',
        'HEALTH',
        'BIOMETRIC',
        'FINANCIAL',
        'EMPLOYMENT',
        'CREDENTIALS',
        'ONLINE_IDENTIFIER',
        'FREE_TEXT',
        'NONE',
      ]),
    );
  });

  it('transformers lists at least 9 transformers, each with a JSON Schema for its params', async () => {
    const { transformers } = await gql<{ transformers: { name: string; paramsSchema: { type?: string; properties?: object } }[] }>(
      '{ transformers { name description deterministic injective appliesTo paramsSchema } }',
    );
    expect(transformers.length).toBeGreaterThanOrEqual(9);
    expect(transformers.map((t) => t.name)).toEqual(
      expect.arrayContaining(['hash', 'fake', 'redact', 'null', 'shuffle', 'tokenize', 'partial', 'generalize', 'dateShift']),
    );
    for (const t of transformers) {
      expect(t.paramsSchema, t.name).toMatchObject({ type: 'object' });
      expect(typeof t.paramsSchema.properties, t.name).toBe('object');
    }
    const hash = transformers.find((t) => t.name === 'hash');
    expect(Object.keys(hash?.paramsSchema.properties ?? {})).toEqual(expect.arrayContaining(['format', 'length', 'prefix']));
  });

  it('maskDataset makes a MASKED dataset derived from the subset; the gate finds leaks only in the unmasked target', async () => {
    const out = await gql<{ maskDataset: { __typename: string; message?: string; data?: { id: string; kind: string; derivedFrom: { id: string } | null } } }>(
      `mutation($input: MaskDatasetInput!) { maskDataset(input: $input) { ${ERROR_FIELDS} ... on MutationMaskDatasetSuccess { data { id kind derivedFrom { id } } } } }`,
      { input: { datasetVersionId: subsetId, salt: SALT } },
    );
    const masked = ok(out.maskDataset) as { id: string; kind: string; derivedFrom: { id: string } | null };
    expect(masked.kind).toBe('MASKED');
    expect(masked.derivedFrom?.id).toBe(subsetId);

    const raw = await targetEnv('raw');
    await provision(subsetId, raw.name);
    const dirty = await scan(raw.name);
    for (const column of ['email', 'first_name', 'last_name', 'phone']) {
      expect(dirty.leaks.find((l) => l.table === 'customer' && l.column === column)?.matches ?? 0, `customer.${column}`).toBeGreaterThan(0);
    }

    const clean = await targetEnv('masked');
    await provision(masked.id, clean.name);
    const report = await scan(clean.name);
    expect(report.checkedColumns).toBeGreaterThan(0);
    expect(report.leaks.filter((l) => !isName(l.piiType))).toEqual([]);
    // Names: no customer keeps the name of the same key, and the overridden sku was hashed.
    const { rows: real } = await source.sql.query<{ k: number; f: string; l: string }>(
      'select customer_id as k, first_name as f, last_name as l from public.customer',
    );
    const byKey = new Map(real.map((r) => [r.k, r]));
    const { rows: got } = await clean.sql.query<{ k: number; f: string; l: string }>(
      'select customer_id as k, first_name as f, last_name as l from public.customer',
    );
    expect(got.length).toBeGreaterThan(0);
    // A fake last name can draw the same dictionary word as the real one (demo: "Batz"); the full name never survives.
    for (const r of got) expect(`${r.f} ${r.l}`, `customer ${r.k}`).not.toBe(`${byKey.get(r.k)?.f} ${byKey.get(r.k)?.l}`);
    expect(got.filter((r) => r.l === byKey.get(r.k)?.l).length, 'last names kept by chance').toBeLessThanOrEqual(Math.ceil(got.length / 10));
    const { rows: skus } = await clean.sql.query<{ n: string }>(
      'select count(*)::text as n from public.product p where exists (select 1 from unnest($1::text[]) s(v) where s.v = p.sku)',
      [(await source.sql.query<{ sku: string }>('select sku from public.product')).rows.map((r) => r.sku)],
    );
    expect(skus[0]?.n, 'real skus left after the override to hash').toBe('0');
  }, 120_000);
});

describe.skipIf(!pgUp)('PII and masking through the SDK', () => {
  it('tdm.pii.classify, tdm.datasets.mask and tdm.pii.scanTarget', async () => {
    // The schema version was discovered from an inline connection string: its values are sampled.
    const columns = await sdk.pii.classify({ schemaVersionId });
    expect(columns.find((c) => c.table === 'customer' && c.column === 'email')).toMatchObject({ piiType: 'EMAIL', valuesSampled: true });
    const explicit = await sdk.pii.classify({ schemaVersionId, connectionString: source.url, sampleSize: 20 });
    expect(explicit.every((c) => c.valuesSampled === true)).toBe(true);
    await expect(sdk.pii.classify({ schemaVersionId, connectionString: source.url, connectionId: 'c' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const listed = await sdk.pii.list(schemaVersionId);
    expect(listed.some((c) => c.table === 'customer' && c.column === 'email' && c.piiType === 'EMAIL')).toBe(true);
    expect((await sdk.pii.transformers()).length).toBeGreaterThanOrEqual(9);

    const masked = await sdk.datasets.mask({ datasetVersionId: subsetId, salt: SALT });
    expect(masked.kind).toBe('MASKED');
    const same = await sdk.datasets.mask({ datasetVersionId: subsetId, salt: SALT });
    expect(same.id).not.toBe(masked.id);

    const raw = await targetEnv('sdk-raw');
    await sdk.datasets.provision({ datasetVersionId: subsetId, environment: raw.name });
    const dirty = await sdk.pii.scanTarget({ environment: raw.name });
    expect(dirty.leaks.some((l) => l.table === 'customer' && l.column === 'email' && l.matches > 0)).toBe(true);

    const clean = await targetEnv('sdk-masked');
    await sdk.datasets.provision({ datasetVersionId: masked.id, environment: clean.name });
    const report = await sdk.pii.scanTarget({ environment: clean.name });
    expect(report.leaks.filter((l) => !isName(l.piiType))).toEqual([]);

    // Same salt → the same masked emails in both targets of the two mask runs.
    const again = await targetEnv('sdk-again');
    await sdk.datasets.provision({ datasetVersionId: same.id, environment: again.name });
    const emails = async (sql: SqlClient) =>
      (await sql.query<{ e: string }>('select customer_id || email::text as e from public.customer order by 1')).rows.map((r) => r.e);
    const a = await emails(clean.sql);
    expect(a.length).toBeGreaterThan(0);
    expect(await emails(again.sql)).toEqual(a);
  }, 120_000);
});
