/**
 * Quality reports as a user reads them, on the sample database `world` on real PostgreSQL and on
 * PGlite — a full-copy subset scores high against a sample of its source, a damaged copy (orphan
 * FKs, a repeated key, a CHECK broken, a number that is not one, a code too long) shows each fault
 * where it is; a masked copy is measured against its input for leaks; and jobs get their score,
 * their lineage node shows it, and `config.quality.minScore` fails a job below it. The pure
 * measures: quality-measures.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextRow } from '../src/dataset/types.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { scoreDataset } from '../src/graphs/quality/graph.ts';
import { jobLogStream } from '../src/jobs/log-stream.ts';
import { jobTrace, lineageAround } from '../src/lineage/graph.ts';
import { runMask } from '../src/graphs/mask/graph.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import { latestQualityReport } from '../src/quality/store.ts';
import type { QualityReportData } from '../src/quality/types.ts';
import { saveDatasetVersion } from '../src/store/datasets.ts';
import { PG_ADMIN_URL, pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture } from './support/load-sql.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the PostgreSQL quality cases are SKIPPED`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: the quality cases over world are SKIPPED`);

// ---------------------------------------------------------------------------------------------
// The sample database `world`, on PostgreSQL and on PGlite

let engine: TestEngine;
beforeAll(async () => {
  if (haveFixtures) engine = await createTestEngine('quality', { work: true });
});
afterAll(() => engine?.close());

const metric = (r: QualityReportData, name: string) => r.metrics.find((m) => m.name === name);
const table = (r: QualityReportData, name: string) => r.tables.find((t) => t.table === `public.${name}`);
const col = (r: QualityReportData, t: string, c: string) => r.columns.find((x) => x.table === `public.${t}` && x.column === c);

async function collect(rows: AsyncIterable<TextRow[]>): Promise<TextRow[]> {
  const out: TextRow[] = [];
  for await (const b of rows) out.push(...b);
  return out;
}

/** A copy of a dataset with faults put in, stored like an import. */
async function damagedCopy(datasetVersionId: string): Promise<string> {
  const { tdm } = engine;
  const manifest = await tdm.datasets.readManifest(datasetVersionId);
  const id = randomUUID();
  const writer = tdm.datasets.createWriter(id);
  for (const t of manifest.tables) {
    const rows = await collect(tdm.datasets.readTable(datasetVersionId, t));
    const at = (name: string) => t.columns.findIndex((c) => c.name === name);
    if (t.name === 'city') rows.push([...(rows[0] as TextRow)]); // the same id twice
    if (t.name === 'countrylanguage') for (let i = 0; i < 3; i++) (rows[i] as TextRow)[at('countrycode')] = 'ZZZ'; // no such country
    if (t.name === 'country') {
      (rows[0] as TextRow)[at('continent')] = 'Atlantis'; // breaks the CHECK
      (rows[1] as TextRow)[at('gnp')] = 'n/a'; // not a number
      (rows[2] as TextRow)[at('code2')] = 'TOO'; // char(2)
    }
    await writer.writeTable(
      { schema: t.schema, name: t.name, columns: t.columns },
      (async function* () {
        yield rows;
      })(),
    );
  }
  const finished = await writer.finish({
    name: 'world (damaged)',
    kind: 'IMPORTED',
    schemaVersionId: manifest.schemaVersionId,
    parentId: null,
    jobId: null,
    meta: {},
  });
  await saveDatasetVersion(tdm.store.prisma, finished, tdm.datasets.uri);
  return id;
}

const engines = [
  { kind: 'postgres' as const, run: pgUp && haveFixtures },
  { kind: 'pglite' as const, run: haveFixtures },
];

describe.each(engines)('world on $kind', ({ kind, run }) => {
  let sourceUrl: string;
  let subsetId: string;
  beforeAll(async () => {
    if (!run) return;
    const db = await engine.database(kind, 'world_src');
    const sql = await engine.client(db.url);
    await loadFixture(sql, 'world');
    await sql.close();
    sourceUrl = db.url;
    subsetId = (await runSubset(engine.tdm, { connectionString: sourceUrl })).datasetVersionId;
  }, 120_000);

  it.skipIf(!run)(
    'a full copy scores high against a sample of its source, with nothing broken',
    async () => {
      const { report } = await scoreDataset(engine.tdm, subsetId);
      expect(report.referenceKind).toBe('SOURCE_SAMPLE');
      expect(report.reference).toMatch(/sample of the source/);
      expect(report.score).toBeGreaterThan(90);
      for (const t of report.tables) expect(t, t.table).toMatchObject({ fkOrphans: 0, duplicateKeys: 0 });
      expect(table(report, 'city')?.rowCount).toBe(4079);
      expect(metric(report, 'referentialIntegrity')).toMatchObject({ score: 1 });
      expect(metric(report, 'constraintValidity')?.weight).toBeGreaterThan(0);
      expect(metric(report, 'constraintValidity')?.score).toBe(1);
      const population = col(report, 'city', 'population');
      expect(population?.drift).not.toBeNull();
      expect(population?.drift as number).toBeLessThan(0.1);
      expect(col(report, 'city', 'id')?.distinctRatio).toBeGreaterThan(0.97);
      const stored = await latestQualityReport(engine.tdm.store.prisma, subsetId);
      expect(stored?.score).toBe(report.score);
    },
    120_000,
  );

  it.skipIf(!run)(
    'a damaged copy shows each fault where it is',
    async () => {
      const { report } = await scoreDataset(engine.tdm, await damagedCopy(subsetId));
      expect(table(report, 'city')).toMatchObject({ fkOrphans: 0, duplicateKeys: 1 });
      expect(table(report, 'countrylanguage')).toMatchObject({ fkOrphans: 3, duplicateKeys: 0 });
      expect(col(report, 'country', 'continent')?.constraintViolations).toBe(1);
      expect(col(report, 'country', 'gnp')?.typeConsistency).toBeLessThan(1);
      expect(col(report, 'country', 'code2')?.constraintViolations).toBe(1);
      expect(metric(report, 'referentialIntegrity')?.score).toBeLessThan(1);
      expect(metric(report, 'uniqueness')?.score).toBeLessThan(1);
      expect(metric(report, 'constraintValidity')?.detail).toMatch(/^1 CHECK/);
      expect(report.reference).toBeNull();
      // Without a reference the score is the faults' alone: a handful of rows among thousands.
      expect(report.score).toBeLessThan(100);
      expect(report.score).toBeGreaterThan(95);
    },
    120_000,
  );
});

describe.skipIf(!pgUp || !haveFixtures)('masked datasets and jobs (PostgreSQL)', () => {
  let sourceUrl: string;
  beforeAll(async () => {
    const db = await engine.database('postgres', 'world_jobs');
    const sql = await engine.client(db.url);
    await loadFixture(sql, 'world');
    sourceUrl = db.url;
  }, 120_000);

  it('a masked copy is measured against its input: no masked value leaks', async () => {
    const subset = await runSubset(engine.tdm, { connectionString: sourceUrl, maxRowsPerTable: { '*': 300 } });
    const masked = await runMask(engine.tdm, {
      datasetVersionId: subset.datasetVersionId,
      rules: { 'public.city.name': { transformer: 'hash' } },
      salt: 'q-salt',
    });
    const { report } = await scoreDataset(engine.tdm, masked.datasetVersionId);
    expect(report.referenceKind).toBe('INPUT_DATASET');
    expect(metric(report, 'piiLeakage')).toMatchObject({ score: 1, weight: 2 });
    expect(metric(report, 'piiLeakage')?.detail).toMatch(/^0 of \d+ value/);
    expect(col(report, 'city', 'countrycode')?.drift).toBe(0);
    expect(col(report, 'city', 'name')?.drift as number).toBeGreaterThan(0.3);
  }, 120_000);

  it('a job that makes a dataset gets a score, on the job, its trace and its lineage', async () => {
    const { jobId } = await engine.tdm.jobs.execute({
      connectionString: sourceUrl,
      operations: ['discover', 'subset'],
      config: { subset: { maxRowsPerTable: { '*': 100 } } },
    });
    for await (const _ of jobLogStream(engine.tdm.jobs, jobId, AbortSignal.timeout(120_000))) void _;
    const job = await engine.tdm.jobs.get(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('COMPLETED');
    expect(job.qualityScore).toBeGreaterThan(50);
    expect((job.context as { qualityScore: number }).qualityScore).toBe(job.qualityScore);
    const trace = await jobTrace(engine.tdm.store.prisma, jobId);
    expect(trace?.qualityScore).toBe(job.qualityScore);
    expect(trace?.qualityReports).toHaveLength(1);
    const graph = await lineageAround(engine.tdm.store.prisma, { kind: 'JOB', id: jobId });
    const node = graph.nodes.find((n) => n.kind === 'DATASET_VERSION');
    expect(node?.qualityScore).toBe(job.qualityScore);
  }, 150_000);

  it('config.quality.minScore fails a job whose dataset scores below it', async () => {
    const { jobId } = await engine.tdm.jobs.execute({
      connectionString: sourceUrl,
      operations: ['discover', 'subset', 'quality'],
      config: { subset: { maxRowsPerTable: { '*': 20 } }, quality: { minScore: 99.99 } },
    });
    for await (const _ of jobLogStream(engine.tdm.jobs, jobId, AbortSignal.timeout(120_000))) void _;
    const job = await engine.tdm.jobs.get(jobId);
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatchObject({ code: 'QUALITY_BELOW_THRESHOLD', step: 'quality' });
    expect(job.qualityScore).toBeLessThan(99.99);
  }, 150_000);
});
