/**
 * Quality reports through the API as a user reads them: the SDK on a real port, GraphQL through
 * `yoga.fetch`, on the embedded default (PGlite everywhere). A subset of the sample database
 * `world` (skipped, saying so, without the shared fixtures) and a domain-pack dataset each get a
 * report — asked with the id `datasets.subset` returns — with every metric, the reference they were
 * compared with, and the same score on `DatasetVersion.quality`; an unknown id is an error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture } from '../../core/test/support/load-sql.ts';
import { TdmClient, TdmGraphQLError } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';
import { gqlData } from './support.ts';

const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: the quality report of a world subset is SKIPPED`);

let dataDir: string;
let tdm: Tdm;
let app: App;
let sdk: TdmClient;
const dbs: TestDatabase[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-quality-api-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  app = createApp(tdm);
  sdk = new TdmClient({ url: `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql` });
}, 60_000);

afterAll(async () => {
  await sdk?.close();
  await app?.stop();
  await tdm?.close();
  for (const db of dbs) await db.drop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const METRICS = ['nullRatio', 'typeConsistency', 'uniqueness', 'referentialIntegrity', 'constraintValidity', 'drift', 'piiLeakage'];

describe('quality reports through the SDK and GraphQL', () => {
  it.skipIf(!haveFixtures)(
    'a subset of world: every metric, compared with a sample of its source',
    async () => {
      const db = await createPgliteUrl();
      dbs.push(db);
      const sql = await openSqlClient(db.url, { poolSize: 1 });
      await loadFixture(sql, 'world');
      await sql.close();
      const dataset = await sdk.datasets.subset({ connectionString: db.url, maxRowsPerTable: { '*': 400 } });
      const report = await sdk.quality.report(dataset.id);
      expect(report.datasetVersionId).toBe(dataset.rawId);
      expect(report.score).toBeGreaterThan(60);
      expect(report.score).toBeLessThanOrEqual(100);
      expect(report.metrics.map((m) => m.name)).toEqual(METRICS);
      expect(report.reference).toMatch(/sample of the source/);
      expect(report.tables.find((t) => t.table === 'public.city')).toMatchObject({ duplicateKeys: 0, fkOrphans: 0 });
      expect(report.columns.find((c) => c.table === 'public.country' && c.column === 'continent')?.drift).not.toBeNull();
      const data = await gqlData<{ dataset: { quality: { score: number; id: string } } }>(
        app,
        'query($id: ID!) { dataset(id: $id) { quality { id score } } }',
        {
          id: dataset.id,
        },
      );
      expect(data.dataset.quality).toEqual({ id: report.id, score: report.score });
      // Asked again, the stored report comes back.
      expect((await sdk.quality.report(dataset.rawId)).id).toBe(report.id);
    },
    120_000,
  );

  it('a domain-pack dataset is compared with the distributions its pack declares', async () => {
    const out = await sdk.synthetic.generate({ mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 400 }, seed: 7 });
    const report = await sdk.quality.report(out.datasetVersionId);
    expect(report.reference).toMatch(/declared distributions of domain pack ecommerce/);
    const drift = report.metrics.find((m) => m.name === 'drift');
    expect(drift?.weight).toBeGreaterThan(0);
    const segment = report.columns.find((c) => c.table.endsWith('.customer') && c.column === 'segment');
    expect(segment?.drift).not.toBeNull();
    expect(segment?.drift as number).toBeLessThan(0.15);
    expect(report.metrics.find((m) => m.name === 'referentialIntegrity')).toMatchObject({ score: 1 });
    expect(report.score).toBeGreaterThan(80);
  }, 120_000);

  it('an unknown dataset version is an error', async () => {
    await expect(sdk.quality.report('no-such-dataset')).rejects.toBeInstanceOf(TdmGraphQLError);
  });
});
