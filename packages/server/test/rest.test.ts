/**
 * The REST API on a real port, called as the reference's curl examples call it: snake_case JSON in,
 * snake_case JSON out, typed errors as HTTP statuses, the OpenAPI document and the docs page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '@tdm/core/auth/tokens';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';
import { type App, createApp } from '../src/app.ts';

let dataDir: string;
let tdm: Tdm;
let app: App;
let base: string;
let source: TestDatabase;
let target: TestDatabase;

const SECRET = 'Rest-Pw-4711';

// biome-ignore lint/suspicious/noExplicitAny: the JSON answer is read field by field in the assertions.
async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(text).not.toContain(SECRET);
  return { status: res.status, json: JSON.parse(text) };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-rest-test-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }));
  await tdm.jobs.startWorking({ concurrency: 1 });
  app = createApp(tdm);
  base = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
  source = await createPgliteUrl();
  target = await createPgliteUrl();
  const sql = await openSqlClient(source.url);
  await seedDemoSource(sql, { customers: 30, products: 15, orders: 40 });
  await sql.close();
});

afterAll(async () => {
  await app?.stop();
  await tdm?.close();
  await source?.drop();
  await target?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('REST /api/v1', () => {
  let datasetVersionId: string;

  it('POST discover-schema takes a snake_case body and answers snake_case', async () => {
    const { status, json } = await call('POST', '/api/v1/discover-schema', { connection_string: source.url, schemas: ['public'] });
    expect(status).toBe(200);
    expect(json.tables).toHaveLength(9);
    const customer = json.tables.find((t: { name: string }) => t.name === 'customer');
    expect(customer).toMatchObject({ schema: 'public', row_count: 30, primary_key: ['customer_id'] });
    expect(customer.foreign_keys).toEqual(expect.any(Array));
    expect(json.id).toEqual(expect.any(String));
  });

  it('POST subset, then GET datasets/{id} and a streamed CSV export of one table', async () => {
    const { status, json } = await call('POST', '/api/v1/subset', { connection_string: source.url, max_rows_per_table: { '*': 10 } });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.total_rows).toBeGreaterThan(0);
    datasetVersionId = json.id;
    const got = await call('GET', `/api/v1/datasets/${encodeURIComponent(datasetVersionId)}`);
    expect(got.status).toBe(200);
    expect(got.json.tables.find((t: { name: string }) => t.name === 'customer')).toMatchObject({ row_count: 10 });
    const csv = await (await fetch(`${base}/api/v1/datasets/${encodeURIComponent(datasetVersionId)}/tables/public.customer/export?format=csv`)).text();
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toContain('customer_id');
    expect(lines).toHaveLength(11);
    const parquet = new Uint8Array(
      await (await fetch(`${base}/api/v1/datasets/${encodeURIComponent(datasetVersionId)}/tables/customer/export?format=parquet`)).arrayBuffer(),
    );
    expect(new TextDecoder().decode(parquet.slice(0, 4))).toBe('PAR1');
  });

  it('POST workflow/execute → job_id and workflow_id; logs, status, trace and lineage follow', async () => {
    const env = await call('POST', '/api/v1/environments', { name: 'ci', connection_string: target.url, allow_reset: true });
    expect(env.status, JSON.stringify(env.json)).toBe(200);
    expect(env.json).toMatchObject({ name: 'ci', is_default: false });
    const { status, json } = await call('POST', '/api/v1/workflow/execute', {
      connection_string: source.url,
      operations: ['discover', 'subset', 'provision'],
      config: { subset: { maxRowsPerTable: { '*': 5 } }, provision: { targetEnv: 'ci', resetEnv: true } },
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ job_id: expect.any(String), workflow_id: expect.any(String), status: 'QUEUED' });
    const jobId = json.job_id;
    for (let i = 0; i < 600; i++) {
      const job = await call('GET', `/api/v1/jobs/${jobId}`);
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.json.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const trace = await call('GET', `/api/v1/job/${jobId}/trace`);
    const job = await call('GET', `/api/v1/jobs/${jobId}`);
    expect(job.json.error, JSON.stringify(job.json.error)).toBeNull();
    expect(trace.json).toMatchObject({ status: 'COMPLETED', operations: ['discover', 'subset', 'provision'] });
    expect(trace.json.provisioned_tables).toContainEqual(expect.objectContaining({ environment: 'ci', schema: 'public', table: 'customer', row_count: 5 }));
    const logs = await call('GET', `/api/v1/workflow/logs/${jobId}?after_seq=0`);
    expect(logs.json.map((e: { step: string; level: string }) => `${e.step}:${e.level}`)).toContain('provision:completed');
    const wf = await call('GET', `/api/v1/workflow/status/${json.workflow_id}`);
    expect(wf.json).toMatchObject({ workflow_id: json.workflow_id, status: 'COMPLETED' });
    const lineage = await call('GET', `/api/v1/lineage/job/${jobId}/full`);
    expect(lineage.json.nodes.map((n: { kind: string }) => n.kind)).toEqual(expect.arrayContaining(['JOB', 'DATASET_VERSION']));
    const jobs = await call('GET', '/api/v1/jobs?status=COMPLETED');
    expect(jobs.json.items.map((j: { raw_id: string }) => j.raw_id)).toContain(jobId);
    const tables = await call('GET', '/api/v1/target-tables?env_id=ci');
    expect(tables.json).toContainEqual(expect.objectContaining({ name: 'customer', row_count: 5 }));

    // The quality report of the dataset the job provisioned, and the target's schema against it.
    const datasetId = (tables.json as { dataset_version: { id: string } }[])[0]?.dataset_version.id;
    expect(datasetId).toBeTruthy();
    const quality = await call('GET', `/api/v1/quality/dataset/${datasetId}`);
    expect(quality.status).toBe(200);
    expect(quality.json.score).toBeGreaterThan(0);
    expect(quality.json.metrics.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['nullRatio', 'referentialIntegrity', 'drift']));
    const evolution = await call('GET', `/api/v1/provision/schema-evolution/${datasetId}?environment=ci`);
    expect(evolution.json).toMatchObject({ compatible: true, changes: [] });
    const script = await call('GET', `/api/v1/provision/migration-script/${datasetId}?environment=ci`);
    expect(script.json).toMatchObject({ destructive: false });
    expect(typeof script.json.sql).toBe('string');
  });

  it('typed errors: HTTP status + code, passwords redacted', async () => {
    const unreachable = await call('POST', '/api/v1/discover-schema', { connection_string: `postgresql://app:${SECRET}@127.0.0.1:1/shop` });
    expect(unreachable.status).toBe(502);
    expect(unreachable.json.error).toMatchObject({ type: 'ConnectionError', code: 'HOST_UNREACHABLE' });
    const missing = await call('GET', '/api/v1/jobs/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    const unknown = await call('POST', '/api/v1/workflow/execute', { connection_strin: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(unknown.json.error.message).toContain('connection_string');
    const wrongMethod = await call('GET', '/api/v1/workflow/execute');
    expect(wrongMethod.status).toBe(405);
    const badEnum = await call('POST', '/api/v1/workflow/execute', { connection_string: source.url, operations: ['explode'] });
    expect(badEnum.status).toBe(400);
  });

  it('serves the OpenAPI document (snake_case schemas) and the docs page without a CDN', async () => {
    const { json } = await call('GET', '/api/v1/openapi.json');
    expect(json.openapi).toBe('3.1.0');
    expect(Object.keys(json.paths)).toEqual(expect.arrayContaining(['/api/v1/workflow/execute', '/api/v1/job/{job_id}/trace', '/api/v1/discover-schema']));
    expect(Object.keys(json.components.schemas.ExecuteWorkflowInput.properties)).toEqual(
      expect.arrayContaining(['connection_string', 'test_case_urls', 'row_counts']),
    );
    const page = await (await fetch(`${base}/docs`)).text();
    expect(page).toContain('/docs/swagger-ui-bundle.js');
    expect(page).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${base}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  });
});

describe('REST with TDM_AUTH=required', () => {
  let secured: App;
  let securedBase: string;
  let token: string;

  beforeAll(async () => {
    process.env.TDM_AUTH = 'required';
    try {
      secured = createApp(tdm);
      securedBase = `http://127.0.0.1:${await secured.start(0, '127.0.0.1')}`;
    } finally {
      delete process.env.TDM_AUTH;
    }
    token = (await createApiToken(tdm.store.prisma, 'rest-ci')).token;
  });
  afterAll(() => secured?.stop());

  it('answers 401 UNAUTHENTICATED without a token, and the same routes with one', async () => {
    for (const path of ['/api/v1/jobs', '/api/v1/datasets/x/tables/customer/export?format=csv']) {
      const denied = await fetch(`${securedBase}${path}`);
      expect(denied.status, path).toBe(401);
      expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    }
    const ok = await fetch(`${securedBase}/api/v1/workflow/templates`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { name: string }[]).map((t) => t.name)).toEqual(expect.arrayContaining(['A', 'B', 'C', 'D']));
    const revoked = await fetch(`${securedBase}/api/v1/jobs`, { headers: { authorization: 'Bearer tdm_not-a-token' } });
    expect(revoked.status).toBe(401);
  });
});
