/**
 * `@tdm/sdk/vitest` and `@tdm/sdk/playwright`: a test gets data a real server provisioned, once per
 * file (or worker), and a workflow that fails fails the test with its reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, expect } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';
import { TdmClient, TdmError } from '../../sdk/src/index.ts';
import { type ProvisionedData, tdmFixtures } from '../../sdk/src/testing/playwright.ts';
import { tdmTest } from '../../sdk/src/testing/vitest.ts';
import { type App, createApp } from '../src/app.ts';

let dataDir: string;
let tdm: Tdm;
let app: App;
let url: string;
let source: TestDatabase;
let target: TestDatabase;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-fixtures-test-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }));
  await tdm.jobs.startWorking({ concurrency: 1 });
  app = createApp(tdm);
  url = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql`;
  source = await createPgliteUrl();
  target = await createPgliteUrl();
  const sql = await openSqlClient(source.url);
  await seedDemoSource(sql, { customers: 30, products: 15, orders: 40 });
  await sql.close();
  const client = new TdmClient({ url });
  await client.environments.create({ name: 'fx', connectionString: target.url, allowReset: true });
  await client.close();
});

afterAll(async () => {
  await app?.stop();
  await tdm?.close();
  await source?.drop();
  await target?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const workflow = (rows: number) => ({
  connectionString: source.url,
  operations: ['discover', 'subset', 'provision'] as ('discover' | 'subset' | 'provision')[],
  config: { subset: { maxRowsPerTable: { '*': rows } }, provision: { targetEnv: 'fx', resetEnv: true } },
});

const test = tdmTest(() => ({ url, workflow: workflow(7) }));
const firstJob: string[] = [];

test('the vitest fixture gives the test its provisioned data', async ({ tdmData }) => {
  expect(tdmData.rowCounts['public.customer']).toBe(7);
  expect(tdmData.provisionedTables).toContainEqual(expect.objectContaining({ environment: 'fx', table: 'customer', rowCount: 7 }));
  const tables = await tdmData.client.environments.tables('fx');
  expect(tables.find((t) => t.name === 'customer')?.rowCount).toBe(7);
  firstJob.push(tdmData.jobId);
});

test('the fixture runs once per file: the next test sees the same job', async ({ tdmData }) => {
  expect(tdmData.jobId).toBe(firstJob[0]);
});

test('the playwright fixture provisions for a worker, then releases its client', async () => {
  const [fixture, options] = tdmFixtures(() => ({ url, workflow: workflow(3) })).tdmData;
  expect(options).toEqual({ scope: 'worker' });
  let seen: ProvisionedData | null = null;
  await fixture({}, async (data) => {
    seen = data;
  });
  expect(seen!.rowCounts['public.customer']).toBe(3);
  expect((await new TdmClient({ url }).jobs.get(seen!.jobId)).status).toBe('COMPLETED');
});

test('a workflow that fails fails the fixture with its reason', async () => {
  const [fixture] = tdmFixtures({ url, workflow: { connectionString: 'postgresql://u:pw@127.0.0.1:1/x', operations: ['discover'] } }).tdmData;
  const err = await fixture({}, async () => undefined).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TdmError);
  expect((err as TdmError).message).toMatch(/FAILED .*HOST_UNREACHABLE/);
  expect((err as TdmError).message).not.toContain(':pw@');
});
