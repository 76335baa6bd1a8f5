/**
 * Synthetic data through the API as a user's script calls it: the SDK on a real port, GraphQL
 * through `yoga.fetch`. Everything on the embedded default (PGlite metadata store and targets), so
 * the suite needs no PostgreSQL server. What a user notices: the domain packs with their scenarios,
 * a test case's analysis with lines, generation in each mode giving a dataset whose tables and rows
 * they can preview and provision, a form's table with one column per control, and typed errors for
 * an unreachable page or an unknown pack.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';
import { CrawlError, InvalidInputError, TdmClient } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';
import { gqlData } from './support.ts';

const SIGN_UP = `Feature: Sign up
  Scenario: Register
    Given I am on the sign up page
    When I fill in "Email" with "ann.lee@test.com"
    And I fill in "First name" with "Ann"
    And I fill in "Postal code" with "94107"
    And I press "Sign up"
`;

const FORM = `<!doctype html><html><head><title>Newsletter</title></head><body>
<form id="newsletter" action="/subscribe">
  <label for="email">Email</label><input id="email" name="email" type="email" required maxlength="60">
  <label>Age <input name="age" type="number" min="18" max="99" step="1" required></label>
  <label for="plan">Plan</label><select id="plan" name="plan" required><option value="">Choose…</option><option value="free">Free</option><option value="pro">Pro</option></select>
  <input id="code" type="text" pattern="[A-Z]{3}-[0-9]{4}" required>
</form></body></html>`;

let dataDir: string;
let tdm: Tdm;
let app: App;
let sdk: TdmClient;
let pages: Server;
let pagesUrl: string;
let deadUrl: string;
const dbs: TestDatabase[] = [];
const clients: SqlClient[] = [];

const gql = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => gqlData<T>(app, query, variables);

async function pgliteEnv(name: string): Promise<SqlClient> {
  const db = await createPgliteUrl();
  dbs.push(db);
  await tdm.environments.create({ name, connectionString: db.url, allowReset: true });
  const sql = await openSqlClient(db.url, { poolSize: 1 });
  clients.push(sql);
  return sql;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-synthetic-api-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  app = createApp(tdm);
  sdk = new TdmClient({ url: `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql` });
  pages = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(FORM);
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/newsletter`;
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/gone`;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
}, 60_000);

afterAll(async () => {
  await sdk?.close();
  await app?.stop();
  await tdm?.close();
  await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
  for (const c of clients) await c.close().catch(() => {});
  for (const db of dbs) await db.drop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('synthetic data through the SDK and GraphQL', () => {
  it('lists the domain packs with their versions and scenarios', async () => {
    const packs = await sdk.domainPacks.list();
    const names = packs.map((p) => p.name);
    for (const n of ['ecommerce', 'banking', 'telecom', 'healthcare', 'insurance', 'generic']) expect(names).toContain(n);
    const ecommerce = packs.find((p) => p.name === 'ecommerce');
    expect(ecommerce?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(ecommerce?.scenarios.map((s) => s.name)).toEqual(expect.arrayContaining(['b2c', 'b2b', 'marketplace']));
    const b2c = ecommerce?.scenarios.find((s) => s.name === 'b2c');
    expect(b2c?.entities).toEqual(expect.arrayContaining(['customer', 'order', 'order_item', 'product', 'payment']));
  });

  it('analyzes a test case: entities, snake_case fields, types and the line each comes from', async () => {
    const analysis = await sdk.testCases.analyze({ content: SIGN_UP, fileName: 'sign-up.feature' });
    expect(analysis.format).toBe('GHERKIN');
    const fields = analysis.entities.flatMap((e) => e.fields);
    const email = fields.find((f) => f.name === 'email');
    expect(email).toMatchObject({ type: 'email', exampleValues: ['ann.lee@test.com'], source: { line: 4 } });
    expect(fields.find((f) => f.name === 'first_name')?.source.line).toBe(5);
    expect(fields.find((f) => f.name === 'postal_code')?.type).toBe('postal_code');
  });

  it('analyzes bare steps and says what it found: language, confidence, the step, the need for synthetic data', async () => {
    const analysis = await sdk.testCases.analyze({ content: `When I type 'ann@example.org' into the email field\nAnd the customer enters surname as "Lee"\n` });
    expect(analysis).toMatchObject({ format: 'GHERKIN', language: 'en', needsSyntheticData: true, reason: null });
    const fields = analysis.entities.flatMap((e) => e.fields);
    expect(fields.map((f) => f.name)).toEqual(['email', 'surname']);
    expect(fields[1]?.source).toEqual({ line: 2, text: 'And the customer enters surname as "Lee"' });
    expect(fields[0]?.confidence).toBeGreaterThan(0.5);
    const nothing = await sdk.testCases.analyze({ content: 'just some notes' });
    expect(nothing).toMatchObject({ format: 'UNKNOWN', entities: [], needsSyntheticData: false });
    expect(nothing.reason).toMatch(/not recognised/);
  });

  it('generates from a domain pack, previews rows as objects and provisions them', async () => {
    const out = await sdk.synthetic.generate({ mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 100 }, seed: 3 });
    expect(out.mode).toBe('DOMAIN');
    const counts = Object.fromEntries(out.tables.map((t) => [t.name, t.rowCount]));
    for (const t of ['customer', 'order', 'order_item', 'product', 'payment']) expect(counts[t], t).toBe(100);
    const rows = await sdk.datasets.preview(out.datasetVersionId, { table: 'customer', limit: 5 });
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0] ?? {})).toContain('email');

    const target = await pgliteEnv('api-domain');
    const result = await sdk.datasets.provision({ datasetVersionId: out.datasetVersionId, environment: 'api-domain' });
    expect(result.smoke).toMatchObject({ passed: true });
    const { rows: n } = await target.query<{ n: string }>('select count(*)::text as n from public."order"');
    expect(n[0]?.n).toBe('100');
  }, 120_000);

  it("generates from a test case with the test's own example as the first row", async () => {
    const out = await sdk.synthetic.generate({ mode: 'TEST_CASE', testCaseContent: SIGN_UP, rowCounts: { '*': 25 } });
    // The postal code is the user's address: its own table, keyed to the user, parents first.
    expect(out.tables.map((t) => [t.name, t.rowCount])).toEqual([
      ['users', 25],
      ['addresses', 25],
    ]);
    const users = await sdk.datasets.preview(out.datasetVersionId, { table: 'users', limit: 25 });
    expect(users[0]).toMatchObject({ id: '1', email: 'ann.lee@test.com', first_name: 'Ann' });
    expect(new Set(users.map((r) => r.email)).size).toBe(25);
    const addresses = await sdk.datasets.preview(out.datasetVersionId, { table: 'addresses', limit: 25 });
    expect(addresses[0]).toMatchObject({ user_id: '1', postal_code: '94107' });
    for (const a of addresses) expect(Number(a.user_id)).toBeGreaterThanOrEqual(1);
    for (const a of addresses) expect(Number(a.user_id)).toBeLessThanOrEqual(25);
  }, 60_000);

  it("crawls a form: one column per control named by its name or id, rows within the form's constraints", async () => {
    const out = await sdk.synthetic.generate({ mode: 'URL', testCaseUrls: [pagesUrl], rowCounts: { '*': 30 } });
    expect(out.tables).toHaveLength(1);
    const table = out.tables[0]?.name as string;
    expect(out.tables[0]?.rowCount).toBe(30);
    const rows = await sdk.datasets.preview(out.datasetVersionId, { table, limit: 30 });
    expect(Object.keys(rows[0] ?? {})).toEqual(expect.arrayContaining(['email', 'age', 'plan', 'code']));
    for (const r of rows) {
      expect(String(r.email)).toMatch(/^[^@\s]+@[^@\s]+$/);
      expect(String(r.email).length).toBeLessThanOrEqual(60);
      expect(Number(r.age)).toBeGreaterThanOrEqual(18);
      expect(Number(r.age)).toBeLessThanOrEqual(99);
      expect(['free', 'pro']).toContain(r.plan);
      expect(String(r.code)).toMatch(/^[A-Z]{3}-[0-9]{4}$/);
    }
  }, 90_000);

  it('an unreachable page is a typed CrawlError, in GraphQL and in the SDK', async () => {
    const err = await sdk.synthetic.generate({ mode: 'URL', testCaseUrls: [deadUrl] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CrawlError);
    expect((err as CrawlError).reason).toBe('UNREACHABLE');
    const data = await gql<{ generateSynthetic: { __typename: string; code?: string; reason?: string; url?: string } }>(
      `mutation($input: GenerateSyntheticInput!) { generateSynthetic(input: $input) { __typename ... on Error { code message } ... on CrawlError { reason url } } }`,
      { input: { mode: 'URL', testCaseUrls: [deadUrl] } },
    );
    expect(data.generateSynthetic).toMatchObject({ __typename: 'CrawlError', code: 'CRAWL_FAILED', reason: 'UNREACHABLE', url: deadUrl });
  }, 60_000);

  it('an unknown domain pack is an InvalidInputError naming the packs there are', async () => {
    const err = await sdk.synthetic.generate({ mode: 'DOMAIN', domain: 'no-such-domain' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(/ecommerce/);
  });
});
