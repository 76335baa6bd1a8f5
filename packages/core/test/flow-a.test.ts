import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { fkCheck } from './support/fk-check.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { NotFoundError, TdmError } from '../src/errors.ts';
import type { JobLogEvent } from '../src/jobs/log-bus.ts';
import { jobLogStream } from '../src/jobs/log-stream.ts';
import { jobTrace, lineageAround } from '../src/lineage/graph.ts';
import { runProvision } from '../src/graphs/provision/graph.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import type { SubsetOutcome } from '../src/graphs/subset/state.ts';
import type { Tdm } from '../src/runtime.ts';
import { loadManifest } from '../src/store/datasets.ts';
import type { SubsetCut } from '../src/subset/executor.ts';
import { PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';
import { FIXTURES_DIR, type FixtureName, fixturesAvailable, loadFixture } from './support/load-sql.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: Flow A tests are SKIPPED`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: the fixture cases are SKIPPED; Flow A runs on the demo source`);

const CAPS = { '*': 50 };

// ---------------------------------------------------------------------------------------------
// Metadata store, databases and environments

let engine: TestEngine;
let tdm: Tdm;

beforeAll(async () => {
  if (!pgUp) return;
  engine = await createTestEngine('flow-a', { work: true });
  tdm = engine.tdm;
});

afterAll(() => engine?.close());

async function database(label: string): Promise<{ db: TestDatabase; sql: SqlClient }> {
  // One connection: the acceptance query creates its function in pg_temp of the session.
  const db = await engine.database('postgres', label);
  return { db, sql: await engine.client(db.url) };
}

/** A fresh, empty target database registered as an environment. */
const targetEnv = (label: string) => engine.environment('postgres', label);

// ---------------------------------------------------------------------------------------------
// What a user checks in a database

/** Tables holding rows of their own (plain tables and leaf partitions) in `public`. */
async function leafTables(sql: SqlClient): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    `select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'r' order by 1`,
  );
  return rows.map((r) => r.name);
}

/** Per table: row count and md5 of the rows' text, in text order. */
async function checksums(sql: SqlClient, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) {
    const { rows } = await sql.query<{ n: string; h: string | null }>(
      `select count(*)::text as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from only ${quoteQualified('public', t)} t`,
    );
    out[t] = `${rows[0]?.n}:${rows[0]?.h}`;
  }
  return out;
}

/** Rows of a table; a partitioned table's rows are those of its partitions. */
async function countOf(sql: SqlClient, table: string): Promise<number> {
  const qualified = quoteQualified('public', table);
  const { rows } = await sql.query<{ n: string }>(
    `select case when (select relkind from pg_class where oid = $1::regclass) = 'p' then (select count(*) from ${qualified})
       else (select count(*) from only ${qualified}) end::text as n`,
    [qualified],
  );
  return Number(rows[0]?.n);
}

/** Every table of `public`, partitioned parents included. */
async function allTables(sql: SqlClient): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    `select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
  );
  return rows.map((r) => r.name);
}

/** Target rows (md5 of their text) that no row of the same source table has. */
async function rowsMissingInSource(source: SqlClient, target: SqlClient, table: string): Promise<number> {
  const qualified = quoteQualified('public', table);
  const { rows } = await target.query<{ m: string }>(`select md5(t::text) as m from only ${qualified} t`);
  if (rows.length === 0) return 0;
  const { rows: missing } = await source.query<{ n: string }>(
    `select count(*)::text as n from unnest($1::text[]) h(m) where not exists (select 1 from only ${qualified} t where md5(t::text) = h.m)`,
    [rows.map((r) => r.m)],
  );
  return Number(missing[0]?.n);
}

/** Rows of `table` in the target that no row references through any FK of the target. */
async function unreferencedRows(target: SqlClient, table: string): Promise<number> {
  const { rows: fks } = await target.query<{ child: string; ccols: string[]; pcols: string[] }>(
    `select k.conrelid::regclass::text as child,
       array(select a.attname::text from unnest(k.conkey) with ordinality x(att, i) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.att order by x.i) as ccols,
       array(select a.attname::text from unnest(k.confkey) with ordinality x(att, i) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.att order by x.i) as pcols
     from pg_constraint k where k.contype = 'f' and k.confrelid = $1::regclass`,
    [quoteQualified('public', table)],
  );
  const q = (c: string) => `"${c.replace(/"/g, '""')}"`;
  const conditions = fks.map(
    (fk) => `not exists (select 1 from ${fk.child} c where ${fk.ccols.map((c, i) => `c.${q(c)} = p.${q(fk.pcols[i] as string)}`).join(' and ')})`,
  );
  const { rows } = await target.query<{ n: string }>(
    `select count(*)::text as n from only ${quoteQualified('public', table)} p${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`,
  );
  return Number(rows[0]?.n);
}

async function failure(promise: Promise<unknown>): Promise<TdmError> {
  const err = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TdmError);
  return err as TdmError;
}

/** Subset with caps, provision into a fresh environment, and check everything a user relies on. */
async function subsetAndCheck(
  label: string,
  source: SqlClient,
  sourceUrl: string,
  rootTable: string | null,
): Promise<{ outcome: SubsetOutcome; target: SqlClient }> {
  const outcome = await runSubset(tdm, { connectionString: sourceUrl, schemas: ['public'], rootTable, maxRowsPerTable: CAPS });
  if (rootTable) expect(outcome.plan.root).toBe(`public.${rootTable}`);
  else expect(outcome.plan.root, 'a root is inferred').toMatch(/^public\./);
  const env = await targetEnv(label);
  const result = await runProvision(tdm, { datasetVersionId: outcome.datasetVersionId, environment: env.name });
  expect(result.smoke?.passed).toBe(true);
  const target = env.sql;

  // Every FK of the target holds, by the shared acceptance query.
  const fk = await fkCheck(target);
  expect(fk.violations, `${label}: FK violations`).toBe(0);
  expect(fk.fks).toBeGreaterThan(0);

  // The target holds exactly what the dataset says, and every row comes from the source.
  const targetTables = await leafTables(target);
  const written = new Map(outcome.tables.map((t) => [t.name, t.rowCount]));
  for (const t of targetTables) {
    const n = await countOf(target, t);
    if (written.has(t)) expect(n, `${label}: ${t} rows`).toBe(written.get(t));
    expect(await rowsMissingInSource(source, target, t), `${label}: rows of ${t} not in the source`).toBe(0);
  }
  expect(outcome.totalRows).toBeGreaterThan(0);

  // Caps hold for every row not needed by integrity.
  for (const t of outcome.plan.tables) {
    if (!t.included || t.cap === null || !targetTables.includes(t.name)) continue;
    expect(await unreferencedRows(target, t.name), `${label}: ${t.qualified} rows beyond the cap that nothing needs`).toBeLessThanOrEqual(t.cap);
  }

  // The plan stored with the dataset says what the caps cut, truthfully.
  const manifest = await loadManifest(tdm.store.prisma, outcome.datasetVersionId);
  if (!manifest) throw new Error('the dataset version has no manifest');
  const cut = manifest.meta.cut as SubsetCut[];
  expect(cut).toEqual(outcome.cut);
  expect((manifest.meta.plan as { root: string }).root).toBe(outcome.plan.root);
  for (const c of cut) {
    const planned = outcome.plan.tables.find((t) => t.qualified === c.table);
    expect(c.kept, c.table).toBe(planned?.cap);
    expect(c.wanted).toBeGreaterThan(c.kept);
    expect(c.reason).toMatch(/cap 50/);
    expect(await countOf(target, planned?.name as string)).toBeGreaterThanOrEqual(c.kept);
  }
  const root = outcome.plan.tables.find((t) => t.qualified === outcome.plan.root);
  const rootSourceRows = await countOf(source, root?.name as string);
  const rootCut = cut.find((c) => c.table === outcome.plan.root);
  if (rootSourceRows > 50 && !root?.where) expect(rootCut, `${label}: the root's cut is reported`).toMatchObject({ wanted: rootSourceRows, kept: 50 });
  else expect(rootCut).toBeUndefined();
  // A table that lost rows to a cap it did not need is always in the report.
  for (const t of outcome.plan.tables) {
    if (!t.included || t.cap === null || t.reachedBy !== 'root' || !targetTables.includes(t.name)) continue;
    if ((await countOf(source, t.name)) > t.cap) expect(cut.map((c) => c.table)).toContain(t.qualified);
  }
  return { outcome, target };
}

// ---------------------------------------------------------------------------------------------
// The shared sample databases

const SAMPLES: { fixture: FixtureName; root: string; fullCopy: boolean }[] = [
  { fixture: 'pagila', root: 'film', fullCopy: true },
  { fixture: 'chinook', root: 'invoice', fullCopy: true },
  { fixture: 'sakila', root: 'film', fullCopy: false },
  { fixture: 'world', root: 'city', fullCopy: false },
  { fixture: 'edgecases', root: 'orders', fullCopy: false },
];

for (const sample of SAMPLES) {
  describe.skipIf(!pgUp || !haveFixtures)(`Flow A on ${sample.fixture}`, () => {
    let source: SqlClient;
    let sourceUrl: string;
    beforeAll(async () => {
      const { db, sql } = await database(`${sample.fixture}_src`);
      await loadFixture(sql, sample.fixture);
      source = sql;
      sourceUrl = db.url;
    });

    it('subsets {"*": 50} from the inferred root into a target where every key holds, every row is real and caps hold', async () => {
      await subsetAndCheck(`${sample.fixture}-auto`, source, sourceUrl, null);
    }, 120_000);

    it(`subsets {"*": 50} from ${sample.root} likewise`, async () => {
      const { target } = await subsetAndCheck(`${sample.fixture}-${sample.root}`, source, sourceUrl, sample.root);
      if (sample.fixture === 'chinook') {
        // Every manager up the reports_to chain of each selected employee is there.
        const { rows: picked } = await target.query<{ id: number }>('select employee_id as id from public.employee');
        expect(picked.length).toBeGreaterThan(0);
        const { rows: chain } = await source.query<{ id: number }>(
          `with recursive up(id) as (
             select reports_to from public.employee where employee_id = any($1::int[]) and reports_to is not null
             union select e.reports_to from public.employee e join up on e.employee_id = up.id where e.reports_to is not null)
           select id from up`,
          [picked.map((r) => r.id)],
        );
        expect(chain.length, 'the selected employees have managers').toBeGreaterThan(0);
        const have = new Set(picked.map((r) => r.id));
        for (const m of chain) expect(have.has(m.id), `manager ${m.id}`).toBe(true);
      }
    }, 120_000);

    it.runIf(sample.fullCopy)(
      'copies the whole source (no caps): the target equals the source table by table',
      async () => {
        const outcome = await runSubset(tdm, { connectionString: sourceUrl, schemas: ['public'] });
        expect(outcome.cut).toEqual([]);
        const env = await targetEnv(`${sample.fixture}-full`);
        const result = await runProvision(tdm, { datasetVersionId: outcome.datasetVersionId, environment: env.name });
        expect(result.smoke?.passed).toBe(true);
        const tables = await leafTables(source);
        expect(await leafTables(env.sql)).toEqual(tables);
        expect(await checksums(env.sql, tables)).toEqual(await checksums(source, tables));
        expect((await fkCheck(env.sql)).violations).toBe(0);
      },
      180_000,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Provisioning twice, into a non-empty target, into the source, into nowhere

describe.skipIf(!pgUp)('provisioning refusals and resets', () => {
  let source: SqlClient;
  let sourceUrl: string;
  let datasetVersionId: string;
  let target: { name: string; sql: SqlClient };
  let tables: string[];
  beforeAll(async () => {
    const { db, sql } = await database(haveFixtures ? 'chinook_again_src' : 'demo_again_src');
    if (haveFixtures) await loadFixture(sql, 'chinook');
    else await seedDemoSource(sql, { customers: 60, products: 25, orders: 150 });
    source = sql;
    sourceUrl = db.url;
    datasetVersionId = (await runSubset(tdm, { connectionString: sourceUrl, schemas: ['public'], maxRowsPerTable: CAPS })).datasetVersionId;
    target = await targetEnv('again');
    await runProvision(tdm, { datasetVersionId, environment: target.name });
    tables = await leafTables(target.sql);
  }, 180_000);

  it('gives the same target when the same dataset is provisioned again with resetEnv', async () => {
    const before = await checksums(target.sql, tables);
    expect(Object.values(before).some((v) => !v.startsWith('0:'))).toBe(true);
    const again = await runProvision(tdm, { datasetVersionId, environment: target.name, resetEnv: true });
    expect(again.smoke?.passed).toBe(true);
    expect(await leafTables(target.sql)).toEqual(tables);
    expect(await checksums(target.sql, tables)).toEqual(before);
  });

  it('refuses a non-empty target without resetEnv (CONFLICT) and changes nothing', async () => {
    const before = await checksums(target.sql, tables);
    const err = await failure(runProvision(tdm, { datasetVersionId, environment: target.name }));
    expect(err.code).toBe('CONFLICT');
    expect(await checksums(target.sql, tables)).toEqual(before);
  });

  it("refuses the dataset's own source as an environment (TARGET_IS_SOURCE) and leaves the source as it was", async () => {
    const sourceTables = await leafTables(source);
    const before = await checksums(source, sourceTables);
    const err = await failure(tdm.environments.create({ name: 'own-source', connectionString: sourceUrl, allowReset: true }));
    expect(err.code).toBe('TARGET_IS_SOURCE');
    await expect(tdm.environments.resolve('own-source')).rejects.toBeInstanceOf(NotFoundError);
    expect(await checksums(source, sourceTables)).toEqual(before);
  });

  it('refuses an unknown environment with NotFoundError', async () => {
    const err = await failure(runProvision(tdm, { datasetVersionId, environment: 'no-such-env' }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('NOT_FOUND');
  });
});

// ---------------------------------------------------------------------------------------------
// The seed's Flow A as a job

describe.skipIf(!pgUp)('Flow A as a job: discover → subset → provision', () => {
  it('completes, logs each step, and its trace and lineage reach the provisioned tables', async () => {
    const { db, sql } = await database(haveFixtures ? 'pagila_job_src' : 'demo_job_src');
    if (haveFixtures) await loadFixture(sql, 'pagila');
    else await seedDemoSource(sql, { customers: 60, products: 25, orders: 150 });
    const target = await targetEnv('job');

    const { jobId } = await tdm.jobs.execute({
      connectionString: db.url,
      operations: ['discover', 'subset', 'provision'],
      config: { subset: { maxRowsPerTable: CAPS }, provision: { targetEnv: target.name, resetEnv: true } },
    });
    const events: JobLogEvent[] = [];
    const abort = AbortSignal.timeout(150_000);
    for await (const e of jobLogStream(tdm.jobs, jobId, abort)) events.push(e);
    const job = await tdm.jobs.get(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('COMPLETED');

    for (const step of ['discover', 'subset', 'provision']) {
      const levels = events.filter((e) => e.step === step).map((e) => e.level);
      expect(levels[0], step).toBe('started');
      expect(levels, step).toContain('progress');
      expect(levels.at(-1), step).toBe('completed');
    }
    expect(events.at(-1)).toMatchObject({ step: 'workflow', level: 'completed' });

    // The trace names the dataset version and the tables provisioned, with their row counts.
    const trace = await jobTrace(tdm.store.prisma, jobId);
    expect(trace?.status).toBe('COMPLETED');
    expect(trace?.datasetVersionIds).toHaveLength(1);
    const datasetVersionId = trace?.datasetVersionIds[0] as string;
    const targetTables = await allTables(target.sql);
    expect(trace?.provisionedTables.length).toBeGreaterThan(0);
    for (const p of trace?.provisionedTables ?? []) {
      expect(p.environment).toBe(target.name);
      expect(targetTables).toContain(p.table);
      expect(p.rowCount, p.table).toBe(await countOf(target.sql, p.table));
      expect(trace?.rowCounts[`${p.schema}.${p.table}`]).toBe(p.rowCount);
    }
    expect((await fkCheck(target.sql)).violations).toBe(0);
    for (const t of await leafTables(target.sql)) expect(await unreferencedRows(target.sql, t), t).toBeLessThanOrEqual(50);

    // Lineage from the job: schema version → dataset version → tables.
    const graph = await lineageAround(tdm.store.prisma, { kind: 'JOB', id: jobId });
    const kinds = new Set(graph.nodes.map((n) => n.kind));
    for (const k of ['JOB', 'SCHEMA_VERSION', 'DATASET_VERSION', 'TABLE', 'ENVIRONMENT']) expect(kinds, k).toContain(k);
    const sv = trace?.schemaVersionIds[0] as string;
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ from: `SCHEMA_VERSION:${sv}`, to: `DATASET_VERSION:${datasetVersionId}`, operation: 'subset' }),
    );
    const tableEdges = graph.edges.filter((e) => e.from === `DATASET_VERSION:${datasetVersionId}` && e.to.startsWith('TABLE:'));
    expect(tableEdges).toHaveLength(trace?.provisionedTables.length as number);
    const tableLabels = graph.nodes.filter((n) => n.kind === 'TABLE').map((n) => n.label);
    for (const p of trace?.provisionedTables ?? []) expect(tableLabels).toContain(`${target.name}: ${p.schema}.${p.table}`);
  }, 180_000);
});
