/**
 * A workflow discover → pii → subset → mask over a source without personal data: the PII step finds
 * nothing, and mask passes the rows through (a masked version equal to the subset, its child in the
 * lineage) with a log line saying no column needed masking, instead of failing with "nothing to mask".
 * Mask over a schema version nobody classified still refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { runMask } from '../src/graphs/mask/graph.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import type { JobLogEvent } from '../src/jobs/log-bus.ts';
import { jobLogStream } from '../src/jobs/log-stream.ts';
import { jobTrace } from '../src/lineage/graph.ts';
import { loadManifest } from '../src/store/datasets.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

let engine: TestEngine;

beforeAll(async () => {
  engine = await createTestEngine('mask-no-pii', { work: true });
});

afterAll(() => engine?.close());

/** A PGlite source holding only numbers and codes: sensors and their readings. */
async function numericSource(label: string): Promise<string> {
  const db = await engine.database('pglite', label);
  const sql = await engine.client(db.url);
  await sql.exec(`
    CREATE TABLE public.sensor (sensor_id int PRIMARY KEY, model_no int NOT NULL, firmware smallint NOT NULL);
    CREATE TABLE public.reading (
      reading_id bigint PRIMARY KEY,
      sensor_id int NOT NULL REFERENCES public.sensor,
      value numeric(8, 2) NOT NULL,
      quality smallint NOT NULL
    );
    INSERT INTO public.sensor SELECT i, 1000 + i % 7, i % 3 FROM generate_series(1, 20) i;
    INSERT INTO public.reading SELECT i, 1 + i % 20, (i * 37 % 1000) / 10.0, i % 5 FROM generate_series(1, 200) i;
  `);
  return db.url;
}

/** Rows of every table of a dataset version, as sorted JSON per table. */
async function contents(datasetVersionId: string): Promise<Record<string, string[]>> {
  const manifest = await loadManifest(engine.tdm.store.prisma, datasetVersionId);
  const out: Record<string, string[]> = {};
  for (const t of manifest?.tables ?? []) {
    const rows: string[] = [];
    for await (const batch of engine.tdm.datasets.readTable(datasetVersionId, t)) for (const r of batch) rows.push(JSON.stringify(r));
    out[`${t.schema}.${t.name}`] = rows.sort();
  }
  return out;
}

describe('mask after a PII classification that found nothing', () => {
  it('passes the data through with a log line, and the job completes', async () => {
    const url = await numericSource('src');
    const { jobId } = await engine.tdm.jobs.execute({ connectionString: url, operations: ['discover', 'pii', 'subset', 'mask'] });
    const events: JobLogEvent[] = [];
    for await (const e of jobLogStream(engine.tdm.jobs, jobId, AbortSignal.timeout(150_000))) events.push(e);
    const job = await engine.tdm.jobs.get(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('COMPLETED');

    expect(events.some((e) => e.step === 'pii' && /^0 personal columns in 7 columns/.test(e.message))).toBe(true);
    const note = events.find((e) => e.step === 'mask' && e.message.startsWith('no column needed masking'));
    expect(note, JSON.stringify(events.filter((e) => e.step === 'mask'))).toBeDefined();
    expect(note?.level).toBe('info');

    // Two dataset versions: the subset and its pass-through masked child, with the same rows.
    const trace = await jobTrace(engine.tdm.store.prisma, jobId);
    expect(trace?.datasetVersionIds).toHaveLength(2);
    const versions = await engine.tdm.store.prisma.datasetVersion.findMany({ where: { id: { in: trace?.datasetVersionIds } } });
    const subset = versions.find((v) => v.kind === 'SUBSET');
    const masked = versions.find((v) => v.kind === 'MASKED');
    expect(subset).toBeDefined();
    expect(masked?.parentId).toBe(subset?.id);
    const before = await contents(subset?.id as string);
    expect(before['public.reading']).toHaveLength(200);
    expect(await contents(masked?.id as string)).toEqual(before);

    const edge = await engine.tdm.store.prisma.lineage.findFirst({ where: { operation: 'mask', fromId: subset?.id, toId: masked?.id } });
    expect(edge).not.toBeNull();
    const result = job.result as { operations: { mask: { datasetVersionId: string; maskedColumns: number; rows: number } } };
    expect(result.operations.mask).toMatchObject({ datasetVersionId: masked?.id, maskedColumns: 0, rows: 220 });
  });

  it('still refuses a dataset whose schema version was never classified', async () => {
    const url = await numericSource('unclassified');
    const subset = await runSubset(engine.tdm, { connectionString: url, schemas: ['public'] });
    await expect(runMask(engine.tdm, { datasetVersionId: subset.datasetVersionId })).rejects.toThrow(InvalidInputError);
    await expect(runMask(engine.tdm, { datasetVersionId: subset.datasetVersionId })).rejects.toThrow(/nothing to mask/);
  });
});
