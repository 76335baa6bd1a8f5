/**
 * Discover time of the sample databases (pagila, chinook, sakila-jooq) through the engine
 * (`tdm.discoverSchema`), on the real PostgreSQL server and on PGlite:
 *  - cold: the first discovery of the database (reads the catalog, stores a new schema version);
 *  - warm: median of 5 rediscoveries, which find the catalog unchanged and return the same version.
 * On PostgreSQL the reference is `pg_dump --schema-only --schema=public` of the same database, timed
 * in the same run (median of 5 after a warm-up): a well-known tool reading the same catalog.
 * Each discovery opens the source by url, like the server does; on PGlite that includes booting the
 * instance on the data directory, measured on its own as `discover/pglite-open-close`.
 * Before the first cold discovery the engine discovers a throw-away demo source once (untimed), so
 * the first dataset's cold time does not include the process's own warm-up.
 * Without the shared fixtures, the demo source (`seedDemoSource`) is measured instead.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../packages/core/src/config.ts';
import { seedDemoSource } from '../packages/core/src/demo/demo-source.ts';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import type { SqlClient } from '../packages/core/src/db/sql-client.ts';
import { createTdm, type DiscoverResult, type Tdm } from '../packages/core/src/runtime.ts';
import { PG_ADMIN_URL, pgAvailable } from '../packages/core/test/support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture } from '../packages/core/test/support/load-sql.ts';
import { type BenchContext, benchDatabase, benchPglite, measure, type Result, result, round, timeOnce } from './lib.ts';

const WARM_RUNS = 5;
const GOAL_POSTGRES = '< 1000 ms';
const GOAL_PGLITE = 'report only';

interface Dataset {
  name: string;
  load(client: SqlClient): Promise<void>;
}

const exec = promisify(execFile);

/** Wall time of `pg_dump --schema-only` of `url` (the public schema), output discarded. */
async function pgDump(url: string): Promise<void> {
  await exec('pg_dump', ['--schema-only', '--schema=public', '--file=/dev/null', `--dbname=${url}`], { maxBuffer: 16 * 1024 * 1024 });
}

async function pgDumpUsable(): Promise<string | null> {
  try {
    const { stdout } = await exec('pg_dump', ['--version']);
    return stdout.trim();
  } catch {
    return null;
  }
}

async function loadInto(url: string, dataset: Dataset): Promise<void> {
  const client = await openSqlClient(url);
  try {
    await dataset.load(client);
  } finally {
    await client.close();
  }
}

/** Cold first discovery, then the median of the warm rediscoveries (which must return the same version). */
async function discoverTimes(ctx: BenchContext, tdm: Tdm, url: string, label: string): Promise<{ cold: number; warm: number; first: DiscoverResult }> {
  const discover = () => tdm.discoverSchema({ connectionString: url, schemas: ['public'] });
  const { ms: cold, value: first } = await timeOnce(discover);
  if (first.summary.reused) throw new Error(`${label}: the first discovery reused an existing schema version`);
  const warm = await measure(discover, {
    warmup: 0, // the cold discovery was the warm-up
    runs: WARM_RUNS,
    check: (r) => {
      if (!r.summary.reused || r.schemaVersionId !== first.schemaVersionId) throw new Error(`${label}: a rediscovery did not return the unchanged version`);
    },
  });
  const s = first.summary;
  ctx.log(
    `${label}: ${s.tables} tables, ${s.columns} columns, ${s.foreignKeys} foreign keys; cold ${round(cold)} ms, ` +
      `warm median ${round(warm.median)} ms (${warm.samples.map((v) => round(v, 0)).join(', ')})`,
  );
  return { cold, warm: warm.median, first };
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  let datasets: Dataset[];
  if (fixturesAvailable()) {
    datasets = [
      { name: 'pagila', load: (c) => loadFixture(c, 'pagila') },
      { name: 'chinook', load: (c) => loadFixture(c, 'chinook') },
      { name: 'sakila-jooq', load: (c) => loadFixture(c, 'sakila') },
    ];
  } else {
    ctx.note(`shared fixtures not found in ${FIXTURES_DIR}: measured the demo source (seedDemoSource) instead of pagila, chinook and sakila-jooq`);
    datasets = [{ name: 'demo', load: (c) => seedDemoSource(c) }];
  }

  const postgres = await pgAvailable();
  if (!postgres) ctx.note(`PostgreSQL not reachable at ${new URL(PG_ADMIN_URL).host}: PostgreSQL entries skipped`);
  const pgDumpVersion = postgres ? await pgDumpUsable() : null;
  if (postgres && !pgDumpVersion) ctx.note('pg_dump not found: PostgreSQL entries have no reference');
  if (pgDumpVersion) ctx.log(`reference: ${pgDumpVersion}`);

  const tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: ctx.tmpDir }), databaseUrl: `pglite://${join(ctx.tmpDir, 'meta')}` });
  ctx.defer(() => tdm.close());

  // Untimed warm-up of the engine (JIT, metadata store queries, source client) on a throw-away source.
  const warmup = postgres ? await benchDatabase(ctx, 'warmup') : null;
  const warmupUrl = warmup?.url ?? benchPglite(ctx, 'warmup').url;
  const { ms: warmupMs } = await timeOnce(async () => {
    await loadInto(warmupUrl, { name: 'demo', load: (c) => seedDemoSource(c) });
    await tdm.discoverSchema({ connectionString: warmupUrl, schemas: ['public'] });
  });
  await warmup?.drop();
  ctx.log(`engine warmed up on the demo source in ${round(warmupMs / 1000, 1)} s`);

  const results: Result[] = [];
  let openClose: Result | null = null;
  for (const dataset of datasets) {
    if (postgres) {
      const db = await benchDatabase(ctx, dataset.name);
      const { ms: loadMs } = await timeOnce(() => loadInto(db.url, dataset));
      ctx.log(`${dataset.name}: loaded into PostgreSQL database ${db.name} in ${round(loadMs / 1000, 1)} s`);

      // The reference first: pg_dump gets the same warmed-up server caches as the rediscoveries.
      const ref = pgDumpVersion ? await measure(() => pgDump(db.url), { warmup: 1, runs: WARM_RUNS }) : null;
      if (ref) ctx.log(`${dataset.name}: pg_dump --schema-only median ${round(ref.median)} ms`);
      const t = await discoverTimes(ctx, tdm, db.url, `${dataset.name} on PostgreSQL`);
      const reference = ref && { name: 'pg_dump --schema-only', value: ref.median };
      results.push(result(`discover/${dataset.name}/postgres/cold`, t.cold, 'ms', GOAL_POSTGRES, reference));
      results.push(result(`discover/${dataset.name}/postgres/warm`, t.warm, 'ms', GOAL_POSTGRES, reference));
      await db.drop(); // early, to keep the server tidy; the deferred drop is then a no-op
    }

    // A fresh PGlite directory, inside the module's temporary directory (removed with it).
    const lite = benchPglite(ctx, dataset.name);
    const { ms: loadMs } = await timeOnce(() => loadInto(lite.url, dataset));
    ctx.log(`${dataset.name}: loaded into PGlite in ${round(loadMs / 1000, 1)} s`);
    // The loading client is closed: each discovery opens the directory itself, as a server would.
    const t = await discoverTimes(ctx, tdm, lite.url, `${dataset.name} on PGlite`);
    results.push(result(`discover/${dataset.name}/pglite/cold`, t.cold, 'ms', GOAL_PGLITE));
    results.push(result(`discover/${dataset.name}/pglite/warm`, t.warm, 'ms', GOAL_PGLITE));
    if (!openClose) {
      // What every PGlite discovery pays before reading the catalog: booting PGlite on the directory.
      const oc = await measure(
        async () => {
          const client = await openSqlClient(lite.url);
          await client.query('select 1');
          await client.close();
        },
        { warmup: 1, runs: WARM_RUNS },
      );
      ctx.log(`PGlite open + close of the ${dataset.name} directory: median ${round(oc.median)} ms`);
      openClose = result('discover/pglite-open-close', oc.median, 'ms', GOAL_PGLITE);
    }
    await lite.drop();
  }
  if (openClose) results.push(openClose);
  return results;
}
