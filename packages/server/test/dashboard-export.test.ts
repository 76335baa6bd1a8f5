/**
 * The studio's home page numbers and its downloads: `dashboard` (query and live subscription), and
 * the streamed CSV / zip exports of datasets and the audit log, read back as a user would open them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '@tdm/core/auth/tokens';
import { loadConfig } from '@tdm/core/config';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { unzipSync, strFromU8 } from 'fflate';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type App, createApp } from '../src/app.ts';
import { parseCsv } from './csv.ts';
import { gqlData } from './support.ts';

let dataDir: string;
let tdm: Tdm;
let app: App;
let base: string;
let datasetId: string;

const gql = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => gqlData<T>(app, query, variables);

const DASHBOARD = `{ dashboard { datasetsReady rowsGenerated workflowsCompleted failedJobs runningJobs recentJobs { id status } recentDatasets { rawId name totalRows } } }`;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-dashboard-export-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  app = createApp(tdm);
  base = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await tdm?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('counts nothing on an empty store, then the generated dataset and its rows', async () => {
    const empty = await gql<{ dashboard: { datasetsReady: number; rowsGenerated: number; recentDatasets: unknown[] } }>(DASHBOARD);
    expect(empty.dashboard).toMatchObject({ datasetsReady: 0, rowsGenerated: 0, workflowsCompleted: 0, failedJobs: 0, runningJobs: 0, recentDatasets: [] });

    const out = await gql<{ generateSynthetic: { data: { datasetVersionId: string; totalRows: number } } }>(
      `mutation ($input: GenerateSyntheticInput!) { generateSynthetic(input: $input) {
        ... on MutationGenerateSyntheticSuccess { data { datasetVersionId totalRows } } } }`,
      { input: { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 20 }, name: 'shop, "b2c"' } },
    );
    datasetId = out.generateSynthetic.data.datasetVersionId;
    const after = await gql<{ dashboard: { datasetsReady: number; rowsGenerated: number; recentDatasets: { rawId: string; totalRows: number }[] } }>(DASHBOARD);
    expect(after.dashboard.datasetsReady).toBe(1);
    expect(after.dashboard.rowsGenerated).toBe(out.generateSynthetic.data.totalRows);
    expect(after.dashboard.recentDatasets.map((d) => d.rawId)).toEqual([datasetId]);
  });

  it('pushes the dashboard over graphql-ws and again when a dataset is added', async () => {
    const client = createClient({ url: `${base.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: true });
    const seen: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const stop = client.subscribe<{ dashboard: { datasetsReady: number } }>(
        { query: 'subscription { dashboard(intervalMs: 250) { datasetsReady } }' },
        {
          next: (msg) => {
            seen.push(msg.data?.dashboard.datasetsReady ?? -1);
            if (seen.length === 1) {
              void gql(`mutation ($input: GenerateSyntheticInput!) { generateSynthetic(input: $input) { __typename } }`, {
                input: { mode: 'DOMAIN', domain: 'banking', rowCounts: { '*': 5 } },
              }).catch(reject);
            } else {
              stop();
              resolve();
            }
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    await done;
    await client.dispose();
    expect(seen).toEqual([1, 2]);
  });
});

describe('exports', () => {
  it('streams one table as CSV with a header and every row', async () => {
    const res = await fetch(`${base}/export/datasets/${datasetId}/public.customer.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".*customer\.csv"/);
    const rows = parseCsv(await res.text());
    expect(rows[0]).toContain('email');
    expect(rows).toHaveLength(21);
    expect(rows[1]?.[rows[0]?.indexOf('email') ?? -1]).toMatch(/@/);
  });

  it('zips every table of a dataset as CSV', async () => {
    const res = await fetch(`${base}/export/datasets/${datasetId}.zip`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const names = Object.keys(files).sort();
    expect(names).toEqual(expect.arrayContaining(['public.customer.csv', 'public.order.csv', 'public.product.csv']));
    const customers = parseCsv(strFromU8(files['public.customer.csv'] as Uint8Array));
    expect(customers).toHaveLength(21);
  });

  it('lists the catalog as CSV, a quoted name intact', async () => {
    const rows = parseCsv(await (await fetch(`${base}/export/datasets.csv`)).text());
    expect(rows[0]).toEqual(['id', 'name', 'kind', 'totalRows', 'tables', 'bytes', 'createdAt', 'derivedFrom', 'schemaVersionId']);
    const shop = rows.find((r) => r[0] === datasetId);
    expect(shop?.[1]).toBe('shop, "b2c"');
    expect(shop?.[2]).toBe('SYNTHETIC');
  });

  it('exports the audit log filtered as auditLogs lists it', async () => {
    await tdm.audit({ actor: 'ann', action: 'resetEnvironment', targetKind: 'ENVIRONMENT', targetId: 'env-1', severity: 'CRITICAL', details: { why: 'a, b' } });
    const listed = await gql<{ auditLogs: { totalCount: number } }>(`{ auditLogs(severity: CRITICAL) { totalCount } }`);
    const rows = parseCsv(await (await fetch(`${base}/export/audit.csv?severity=CRITICAL`)).text());
    expect(rows[0]).toEqual(expect.arrayContaining(['action', 'severity', 'actor', 'target', 'createdAt']));
    expect(rows.length - 1).toBe(listed.auditLogs.totalCount);
    const header = rows[0] as string[];
    expect(rows[1]?.[header.indexOf('actor')]).toBe('ann');
    expect(rows[1]?.[header.indexOf('target')]).toBe('env-1');

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(parseCsv(await (await fetch(`${base}/export/audit.csv?since=${future}`)).text())).toHaveLength(1);
    expect((await fetch(`${base}/export/audit.csv?since=yesterday`)).status).toBe(400);
    expect((await fetch(`${base}/export/datasets/nope.zip`)).status).toBe(404);
    expect((await fetch(`${base}/export/datasets/%E0%A4%A.zip`)).status).toBe(400);
  });
});

describe('exports on a server that requires a token', () => {
  it('refuses a download without a token, and serves it with one', async () => {
    const saved = process.env.TDM_AUTH;
    process.env.TDM_AUTH = 'required';
    const locked = createApp(tdm);
    try {
      const url = `http://127.0.0.1:${await locked.start(0, '127.0.0.1')}/export/datasets.csv`;
      expect((await fetch(url)).status).toBe(401);
      const { token } = await createApiToken(tdm.store.prisma, 'exporter');
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(parseCsv(await ok.text()).length).toBeGreaterThan(1);
    } finally {
      await locked.stop();
      if (saved === undefined) delete process.env.TDM_AUTH;
      else process.env.TDM_AUTH = saved;
    }
  });
});
