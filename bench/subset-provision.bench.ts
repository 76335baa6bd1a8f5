/**
 * Subset and provision through the engine, against PostgreSQL's own tools on the same server, in the
 * same run:
 *  - `subset-provision/pagila/full-copy`: `runSubset` of pagila without caps (a full copy into a
 *    dataset version), then `runProvision` (resetEnv, smoke tests ON, the default) into a fresh
 *    database registered as an environment. Reference: `pg_dump -Fc | pg_restore` (--no-owner
 *    --no-acl) of the same database into another fresh database. Both: median of 3 after one
 *    untimed warm-up; database creation is outside the timings. The demo source stands in when the
 *    shared fixtures are missing.
 *  - `provision/1m-rows-6-cols/…/no-smoke`: `runProvision` (runSmokeTests: false) of a generated
 *    1,000,000-row dataset (int8 id primary key, text, numeric(12,2), timestamptz, bool, int4),
 *    written straight into the dataset store with its writer; the catalog comes from discovering the
 *    same (empty) table in a scratch database. Reference: `psql -1` running `CREATE TABLE` (same
 *    shape, primary key included) + `\copy … from <csv> with (format csv)` of the same rows. Both:
 *    median of 3 after a warm-up. `…/smoke-tests`: the smoke tests alone (`runSmokeTests` of
 *    provision/smoke.ts, what runSmokeTests: true adds) on a provisioned copy, median of 3.
 *  - `subset/1m-rows-6-cols/…/peak-rss*`: peak RSS (getrusage maxrss) of a child process
 *    (`bench/subset-rss.child.ts`) that subsets a 1,000,000-row table (built with generate_series)
 *    with a cap of 1,000,000 rows, i.e. everything; the child's whole RSS counts, its engine (tsx,
 *    Prisma) included. `peak-rss`: the child's metadata store on PostgreSQL, so the figure is the
 *    subset's; `peak-rss-pglite-metadata`: the CLI default, PGlite's WebAssembly heap in the same process,
 *    on a data directory a first child created (as a server's restart: initdb is not in the figure).
 * Ratio goals ("≥ 0.5×") are not checked by the table (lib.ts checks `< N unit` goals only): read the ratio column.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../packages/core/src/config.ts';
import type { DatasetManifest } from '../packages/core/src/dataset/types.ts';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import type { SqlClient } from '../packages/core/src/db/sql-client.ts';
import { seedDemoSource } from '../packages/core/src/demo/demo-source.ts';
import { runProvision } from '../packages/core/src/graphs/provision/graph.ts';
import { runSubset } from '../packages/core/src/graphs/subset/graph.ts';
import { createTdm, type Tdm } from '../packages/core/src/runtime.ts';
import { datasetObjects } from '../packages/core/src/provision/objects.ts';
import { runSmokeTests } from '../packages/core/src/provision/smoke.ts';
import { saveDatasetVersion } from '../packages/core/src/store/datasets.ts';
import { loadCatalog } from '../packages/core/src/store/schema-store.ts';
import { PG_ADMIN_URL, pgAvailable } from '../packages/core/test/support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture } from '../packages/core/test/support/load-sql.ts';
import { GEN_COLUMNS, GEN_DDL, GEN_ROWS, GEN_TABLE, generateRows, writeCsv } from './generated-rows.ts';
import { type BenchContext, benchDatabase, median, type Result, result, round, timeOnce } from './lib.ts';

const exec = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(REPO_ROOT, 'bench', 'subset-rss.child.ts');

const RUNS = 3;

async function withClient<T>(url: string, fn: (c: SqlClient) => Promise<T>): Promise<T> {
  const client = await openSqlClient(url);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function toolVersion(tool: string): Promise<string | null> {
  try {
    return (await exec(tool, ['--version'])).stdout.trim();
  } catch {
    return null;
  }
}

/** `pg_dump -Fc <src> | pg_restore -d <dst>` (bash, pipefail: either side failing fails it). */
async function dumpRestore(src: string, dst: string): Promise<void> {
  await exec(
    'bash',
    ['-c', 'set -o pipefail; pg_dump -Fc --no-owner --no-acl --dbname="$1" | pg_restore --no-owner --no-acl --exit-on-error --dbname="$2"', 'sh', src, dst],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

/** Runs `fn` once untimed and `RUNS` times timed; returns the samples in ms. */
async function samples(fn: (i: number) => Promise<unknown>, runs = RUNS): Promise<number[]> {
  await fn(-1);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const inner = await fn(i);
    out.push(typeof inner === 'number' ? inner : performance.now() - s);
  }
  return out;
}

const fmtSamples = (xs: number[]) => xs.map((v) => round(v, 0)).join(', ');

// ── 1. full-copy subset + provision vs pg_dump | pg_restore ─────────────────────────────────────

async function fullCopy(ctx: BenchContext, tdm: Tdm): Promise<Result> {
  const useFixtures = fixturesAvailable();
  const dataset = useFixtures ? 'pagila' : 'demo';
  if (!useFixtures) ctx.note(`shared fixtures not found in ${FIXTURES_DIR}: full copy measured on the demo source instead of pagila`);
  const source = await benchDatabase(ctx, `sp_${dataset}`);
  const { ms: loadMs } = await timeOnce(() => withClient(source.url, (c) => (useFixtures ? loadFixture(c, 'pagila') : seedDemoSource(c))));
  await withClient(source.url, (c) => c.exec('ANALYZE'));
  ctx.log(`${dataset}: loaded into ${source.name} in ${round(loadMs / 1000, 1)} s`);

  // Reference first: pg_dump | pg_restore into a fresh database each run (creation untimed).
  const ref = await samples(async () => {
    const target = await benchDatabase(ctx, `sp_restore`);
    const s = performance.now();
    await dumpRestore(source.url, target.url);
    const ms = performance.now() - s;
    await target.drop();
    return ms;
  });
  ctx.log(`${dataset}: pg_dump -Fc | pg_restore ${fmtSamples(ref)} ms (median ${round(median(ref))})`);

  let rows = 0;
  const parts: string[] = [];
  const engine = await samples(async (i) => {
    const target = await benchDatabase(ctx, `sp_target`);
    const environment = `bench-full-copy-${i < 0 ? 'warmup' : i}`;
    await tdm.environments.create({ name: environment, connectionString: target.url, allowReset: true });
    const s = performance.now();
    const subset = await runSubset(tdm, { connectionString: source.url, schemas: ['public'] });
    const mid = performance.now();
    const provision = await runProvision(tdm, { datasetVersionId: subset.datasetVersionId, environment, resetEnv: true, runSmokeTests: true });
    const ms = performance.now() - s;
    if (!provision.smoke?.passed) throw new Error(`${dataset}: provision smoke tests did not pass`);
    const loaded = provision.tables.reduce((n, t) => n + t.rowCount, 0);
    if (loaded !== subset.totalRows) throw new Error(`${dataset}: subset holds ${subset.totalRows} rows, provision loaded ${loaded}`);
    rows = subset.totalRows;
    if (i >= 0) parts.push(`${round(mid - s, 0)} + ${round(ms - (mid - s), 0)}`);
    await target.drop();
    return ms;
  });
  ctx.log(
    `${dataset}: subset + provision of ${rows.toLocaleString('en-US')} rows ${fmtSamples(engine)} ms (median ${round(median(engine))}; ` +
      `subset + provision ms per run: ${parts.join(', ')})`,
  );
  await source.drop();
  return result(`subset-provision/${dataset}/full-copy/postgres`, median(engine), 'ms', '≥ 0.5×', {
    name: 'pg_dump -Fc | pg_restore',
    value: median(ref),
  });
}

// ── 2. provision of a generated 1M-row dataset vs psql \copy ────────────────────────────────────

/** The generated rows written straight into a dataset version, cataloged by the same (empty) table in a scratch database. */
async function writeGeneratedDataset(ctx: BenchContext, tdm: Tdm, scratchUrl: string): Promise<{ schemaVersionId: string; manifest: DatasetManifest }> {
  // The catalog: the same (empty) table in a scratch database, discovered once.
  const discovered = await tdm.discoverSchema({ connectionString: scratchUrl, schemas: ['public'] });
  const writer = tdm.datasets.createWriter(randomUUID());
  const { ms: writeMs, value: manifest } = await timeOnce(async () => {
    async function* batches() {
      yield* generateRows();
    }
    await writer.writeTable({ schema: 'public', name: GEN_TABLE, columns: GEN_COLUMNS }, batches());
    return writer.finish({ name: 'bench 1M rows', kind: 'SYNTHETIC', schemaVersionId: discovered.schemaVersionId, parentId: null, jobId: null, meta: {} });
  });
  await saveDatasetVersion(tdm.store.prisma, manifest, tdm.datasets.uri);
  const table = manifest.tables[0];
  ctx.log(
    `generated dataset: ${table?.rowCount.toLocaleString('en-US')} rows, ${round((table?.bytes ?? 0) / 1e6, 1)} MB Parquet, written in ${round(writeMs / 1000, 1)} s`,
  );
  return { schemaVersionId: discovered.schemaVersionId, manifest };
}

/** The reference: `psql -1` running CREATE TABLE + `\copy` of the same rows as CSV into a fresh database, ms per run. */
async function psqlCopySamples(ctx: BenchContext): Promise<number[]> {
  const csv = join(ctx.tmpDir, 'rows.csv');
  const { ms: csvMs } = await timeOnce(() => writeCsv(csv));
  ctx.log(`the same rows as CSV: ${round((await stat(csv)).size / 1e6, 1)} MB, written in ${round(csvMs / 1000, 1)} s`);
  const script = join(ctx.tmpDir, 'copy.sql');
  await writeFile(script, `${GEN_DDL};\n\\copy public.${GEN_TABLE} from '${csv.replaceAll("'", "''")}' with (format csv)\n`);

  const ref = await samples(async () => {
    const target = await benchDatabase(ctx, 'sp_copy');
    const s = performance.now();
    await exec('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-f', script, `--dbname=${target.url}`]);
    const ms = performance.now() - s;
    const n = await withClient(target.url, async (c) =>
      Number((await c.query<{ n: string }>(`select count(*)::text as n from public.${GEN_TABLE}`)).rows[0]?.n),
    );
    if (n !== GEN_ROWS) throw new Error(`psql \\copy loaded ${n} rows, expected ${GEN_ROWS}`);
    await target.drop();
    return ms;
  });
  ctx.log(`psql -1 (CREATE TABLE + \\copy csv): ${fmtSamples(ref)} ms (median ${round(median(ref))})`);
  return ref;
}

async function provisionGenerated(ctx: BenchContext, tdm: Tdm, scratchUrl: string): Promise<Result[]> {
  const { schemaVersionId, manifest } = await writeGeneratedDataset(ctx, tdm, scratchUrl);
  const { datasetVersionId } = manifest;
  const ref = await psqlCopySamples(ctx);

  let environmentNo = 0;
  /** One provision into a fresh environment database; with `keep`, the database is left for the caller (dropped with the module). */
  const provisionOnce = async (keep = false) => {
    const target = await benchDatabase(ctx, 'sp_prov');
    const environment = `bench-1m-${environmentNo++}`;
    await tdm.environments.create({ name: environment, connectionString: target.url, allowReset: true });
    const s = performance.now();
    const outcome = await runProvision(tdm, { datasetVersionId, environment, resetEnv: true, runSmokeTests: false });
    const ms = performance.now() - s;
    if (outcome.tables[0]?.rowCount !== GEN_ROWS) throw new Error(`provision loaded ${outcome.tables[0]?.rowCount} rows, expected ${GEN_ROWS}`);
    if (!keep) await target.drop();
    return { ms, target };
  };
  const engine = await samples(async () => (await provisionOnce()).ms);
  ctx.log(`runProvision (runSmokeTests: false): ${fmtSamples(engine)} ms (median ${round(median(engine))})`);

  // The smoke tests alone (what runSmokeTests: true adds inside the provisioning transaction), run on
  // a freshly provisioned copy: median of 3 after a warm-up.
  const { target } = await provisionOnce(true);
  const catalog = await loadCatalog(tdm.store.prisma, schemaVersionId);
  const objects = datasetObjects(catalog, manifest.tables);
  const smoke = await withClient(target.url, (c) =>
    samples(async () => {
      const report = await runSmokeTests(c, objects, manifest);
      if (!report.passed) throw new Error(`smoke tests failed on the provisioned copy: ${JSON.stringify(report)}`);
    }),
  );
  await target.drop();
  ctx.log(`smoke tests alone on the provisioned table: ${fmtSamples(smoke)} ms (median ${round(median(smoke))})`);
  ctx.note(
    'provision/1m-rows-6-cols is timed with runSmokeTests: false (DDL, COPY of the Parquet rows, the primary key built after the load, commit); ' +
      'the smoke tests that runSmokeTests: true adds are timed alone as …/smoke-tests',
  );
  return [
    result('provision/1m-rows-6-cols/postgres/no-smoke', median(engine), 'ms', '≥ 0.7×', { name: 'psql \\copy csv', value: median(ref) }),
    result('provision/1m-rows-6-cols/postgres/smoke-tests', median(smoke), 'ms', 'report only'),
  ];
}

// ── 3. peak RSS of subsetting a 1M-row table, in a child process ────────────────────────────────

interface ChildReport {
  ms: number;
  totalRows: number;
  tables: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

/** Runs the child once; `metadataUrl` null: PGlite metadata store in the child's data directory. */
async function subsetChild(ctx: BenchContext, sourceUrl: string, label: string, metadataUrl: string | null, dir = label): Promise<ChildReport> {
  const dataDir = join(ctx.tmpDir, `rss-child-${dir}`);
  await mkdir(dataDir, { recursive: true });
  const args = ['--import', 'tsx', CHILD, sourceUrl, dataDir, ...(metadataUrl ? [metadataUrl] : [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  ctx.defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  const line = stdout.trim().split('\n').pop();
  if (code !== 0 || !line) throw new Error(`subset child (${label}) exited ${code}:\n${stderr}${stdout}`);
  const report = JSON.parse(line) as ChildReport;
  if (sourceUrl === 'init') return report;
  if (report.totalRows !== GEN_ROWS) throw new Error(`subset child (${label}) copied ${report.totalRows} rows, expected ${GEN_ROWS}`);
  ctx.log(
    `child subset (${label} metadata) of ${report.totalRows.toLocaleString('en-US')} rows in ${round(report.ms / 1000, 1)} s: ` +
      `peak RSS ${report.peakRssMb} MB (RSS ${report.rssBeforeMb} MB with the engine up, before subsetting)`,
  );
  return report;
}

async function subsetRss(ctx: BenchContext, sourceUrl: string): Promise<Result[]> {
  const { ms: fillMs } = await timeOnce(() =>
    withClient(sourceUrl, async (c) => {
      await c.exec(
        `INSERT INTO public.${GEN_TABLE}
         SELECT g, 'label ' || (g % 1000) || ' ' || md5(g::text), (g % 100000) / 100.0, timestamptz '2024-01-01' + g * interval '1 second', g % 3 = 0, (g % 100000)::int4
         FROM generate_series(1, ${GEN_ROWS}) g`,
      );
      await c.exec(`ANALYZE public.${GEN_TABLE}`);
    }),
  );
  ctx.log(`source table of ${GEN_ROWS.toLocaleString('en-US')} rows filled with generate_series in ${round(fillMs / 1000, 1)} s`);
  // The subset's own memory: metadata on PostgreSQL (as the server runs), so the child holds no PGlite.
  const meta = await benchDatabase(ctx, 'sp_rss_meta');
  const onPostgres = await subsetChild(ctx, sourceUrl, 'PostgreSQL', meta.url);
  await meta.drop();
  // The CLI's default: metadata in PGlite, whose WebAssembly instance lives in the same process.
  // The data directory of a server that ran before: its first start (initdb, migrations) in a child of its own.
  const init = await subsetChild(ctx, 'init', 'PGlite first start', null, 'PGlite');
  ctx.log(`PGlite metadata store created by a first child: peak RSS ${init.peakRssMb} MB (initdb in the process)`);
  const onPglite = await subsetChild(ctx, sourceUrl, 'PGlite', null);
  ctx.note(
    `subset/1m-rows peak RSS is the child's whole peak (getrusage maxrss), engine included: with the metadata on PostgreSQL ` +
      `${onPostgres.rssBeforeMb} MB before subsetting (subset ${round(onPostgres.ms / 1000, 1)} s); with the metadata in PGlite ` +
      `${onPglite.rssBeforeMb} MB before subsetting (subset ${round(onPglite.ms / 1000, 1)} s)`,
  );
  return [
    result('subset/1m-rows-6-cols/postgres/peak-rss', onPostgres.peakRssMb, 'MB', '< 512 MB'),
    result('subset/1m-rows-6-cols/postgres/peak-rss-pglite-metadata', onPglite.peakRssMb, 'MB', '< 512 MB'),
  ];
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  if (!(await pgAvailable())) {
    ctx.note(`PostgreSQL not reachable at ${new URL(PG_ADMIN_URL).host}: subset-provision entries skipped`);
    return [];
  }
  const tools = await Promise.all(['pg_dump', 'pg_restore', 'psql'].map(toolVersion));
  if (tools.some((t) => t === null)) throw new Error('pg_dump, pg_restore and psql are needed for the references of subset-provision');
  ctx.log(`references: ${tools.join('; ')}`);

  const tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: ctx.tmpDir }), databaseUrl: `pglite://${join(ctx.tmpDir, 'meta')}` });
  ctx.defer(() => tdm.close());

  const results: Result[] = [];
  results.push(await fullCopy(ctx, tdm));

  const scratch = await benchDatabase(ctx, 'sp_gen_src');
  await withClient(scratch.url, (c) => c.exec(GEN_DDL));
  results.push(...(await provisionGenerated(ctx, tdm, scratch.url)));
  results.push(...(await subsetRss(ctx, scratch.url)));
  await scratch.drop();
  return results;
}
