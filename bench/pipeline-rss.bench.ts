/**
 * Subset → mask → provision of one big table by the engine as the server runs it, against
 * `pg_dump -Fc -t <table> | pg_restore` of the same table into a fresh database, in the same run.
 *
 * The source table (`people`: int8 primary key, a unique-looking e-mail, numeric, timestamptz,
 * bool, int4) is filled with generate_series. A child process (`bench/pipeline-rss.child.mjs`: plain
 * node on packages/core/dist, built by turbo first, as `npm run server` runs) subsets it with a cap
 * of every row, masks the e-mail column (`hash`), and provisions the masked version into a fresh
 * database registered as an environment (reset, smoke tests on: the defaults). The child's peak RSS
 * (getrusage maxrss) is the whole process's; it also reports the maxima of `process.memoryUsage()`
 * per phase. Both metadata stores: PostgreSQL (its own database) and PGlite (the CLI and server
 * default), whose data directory is created by a first child beforehand — the directory of a
 * server that ran before, not a first start paying initdb inside the measured process.
 *
 * Rows: 1,000,000 by default; `TDM_BENCH_PIPELINE_10M=1` measures 10,000,000 (about 10 minutes per
 * metadata store on a loaded 2-core machine, so not in the default run; figures in bench/README.md).
 * Goals: peak RSS < 400 MB; time ratio ≥ 0.5× (not checked by the table: read the ratio column).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import type { SqlClient } from '../packages/core/src/db/sql-client.ts';
import { PG_ADMIN_URL, pgAvailable } from '../packages/core/test/support/databases.ts';
import { type BenchContext, benchDatabase, engineNodeFlags, type Result, result, round, timeOnce } from './lib.ts';

const exec = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(REPO_ROOT, 'bench', 'pipeline-rss.child.mjs');
const TABLE = 'people';
const ROWS = process.env.TDM_BENCH_PIPELINE_10M === '1' ? 10_000_000 : 1_000_000;
const LABEL = ROWS >= 10_000_000 ? '10m' : `${ROWS / 1_000_000}m`;

async function withClient<T>(url: string, fn: (c: SqlClient) => Promise<T>): Promise<T> {
  const client = await openSqlClient(url);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

interface Peak {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

interface ChildReport {
  rssBeforeMb: number;
  peakRssMb: number;
  totalMs: number;
  subsetRows: number;
  maskedRows: number;
  provisionedRows: number;
  smokePassed: boolean | null;
  phases: { name: string; ms: number; peak: Peak }[];
}

async function runChild(ctx: BenchContext, input: Record<string, unknown>, label: string): Promise<string> {
  // The node flags of `npm run server`, then TDM_BENCH_PIPELINE_NODE_FLAGS (later flags win).
  const execArgv = [...engineNodeFlags(), ...(process.env.TDM_BENCH_PIPELINE_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean)];
  const child = spawn(process.execPath, [...execArgv, CHILD, JSON.stringify(input)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
  if (code !== 0 || !line) throw new Error(`pipeline child (${label}) exited ${code}:\n${stderr.slice(-4000)}${stdout.slice(-2000)}`);
  if (stderr.trim()) ctx.log(`pipeline child (${label}) stderr: ${stderr.trim().slice(-2000)}`);
  return line;
}

const fmtPhases = (r: ChildReport) =>
  r.phases
    .map(
      (p) =>
        `${p.name} ${round(p.ms / 1000, 1)} s (rss ${p.peak.rss}, heap ${p.peak.heapUsed}/${p.peak.heapTotal}, external ${p.peak.external}, arrayBuffers ${p.peak.arrayBuffers} MB)`,
    )
    .join('; ');

async function pipeline(ctx: BenchContext, sourceUrl: string, label: string, metadataUrl: string | null): Promise<ChildReport> {
  const dataDir = join(ctx.tmpDir, `pipeline-${label}`);
  await mkdir(dataDir, { recursive: true });
  if (!metadataUrl) {
    // The PGlite metadata store of a server that started before: initdb and migrations in a process of their own.
    const init = JSON.parse(await runChild(ctx, { dataDir, metadataUrl: null, initOnly: true }, `${label} init`)) as { rssMb: number; peakRssMb: number };
    ctx.log(`PGlite metadata store created (first start): RSS ${init.rssMb} MB, peak ${init.peakRssMb} MB`);
  }
  const target = await benchDatabase(ctx, `pl_target_${label}`);
  const report = JSON.parse(
    await runChild(ctx, { sourceUrl, targetUrl: target.url, dataDir, metadataUrl, table: TABLE, rows: ROWS, maskColumn: 'email' }, label),
  ) as ChildReport;
  for (const [what, n] of [
    ['subset', report.subsetRows],
    ['masked', report.maskedRows],
    ['provisioned', report.provisionedRows],
  ] as const) {
    if (n !== ROWS) throw new Error(`pipeline (${label}): ${what} ${n} rows, expected ${ROWS}`);
  }
  if (report.smokePassed !== true) throw new Error(`pipeline (${label}): smoke tests did not pass`);
  // The e-mail column is masked: no target row keeps its source value (checked on a sample of ids).
  const sample = await withClient(target.url, (c) =>
    c.query<{ id: string; email: string | null }>(`SELECT id::text AS id, email FROM public.${TABLE} WHERE id % 100003 = 1 ORDER BY id`),
  );
  const originals = await withClient(sourceUrl, (c) =>
    c.query<{ id: string; email: string | null }>(`SELECT id::text AS id, email FROM public.${TABLE} WHERE id % 100003 = 1 ORDER BY id`),
  );
  const kept = sample.rows.filter((r, i) => r.email !== null && r.email === originals.rows[i]?.email).length;
  if (!sample.rows.length || kept > 0) throw new Error(`pipeline (${label}): ${kept} of ${sample.rows.length} sampled e-mails kept their source value`);
  await target.drop();
  ctx.log(
    `pipeline (${label} metadata) of ${ROWS.toLocaleString('en-US')} rows in ${round(report.totalMs / 1000, 1)} s: peak RSS ${report.peakRssMb} MB ` +
      `(${report.rssBeforeMb} MB with the engine up); ${fmtPhases(report)}`,
  );
  return report;
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  if (!(await pgAvailable())) {
    ctx.note(`PostgreSQL not reachable at ${new URL(PG_ADMIN_URL).host}: pipeline-rss entries skipped`);
    return [];
  }
  const built = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@tdm/core', '--output-logs=errors-only'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (built.status !== 0) throw new Error(`building the engine failed:\n${built.stdout}${built.stderr}`);

  const source = await benchDatabase(ctx, 'pl_source');
  const { ms: fillMs } = await timeOnce(() =>
    withClient(source.url, async (c) => {
      await c.exec(`CREATE TABLE public.${TABLE} (
        id int8 NOT NULL,
        email text,
        amount numeric(12,2),
        created_at timestamptz NOT NULL,
        active bool,
        qty int4,
        CONSTRAINT ${TABLE}_pkey PRIMARY KEY (id)
      )`);
      await c.exec(
        `INSERT INTO public.${TABLE}
         SELECT g, CASE WHEN g % 50 = 0 THEN NULL ELSE 'user' || g || '.' || substr(md5(g::text), 1, 6) || '@corp' || (g % 97) || '.example' END,
                (g % 1000000) / 100.0, timestamptz '2024-01-01' + g * interval '1 second', g % 3 = 0, (g % 100000)::int4
         FROM generate_series(1, ${ROWS}) g`,
      );
      await c.exec(`VACUUM ANALYZE public.${TABLE}`);
    }),
  );
  ctx.log(`source table of ${ROWS.toLocaleString('en-US')} rows filled in ${round(fillMs / 1000, 1)} s`);

  // Reference: pg_dump -Fc of the table piped into pg_restore of a fresh database (creation untimed).
  const restored = await benchDatabase(ctx, 'pl_restore');
  const s = performance.now();
  await exec(
    'bash',
    [
      '-c',
      'set -o pipefail; pg_dump -Fc --no-owner --no-acl -t "$3" --dbname="$1" | pg_restore --no-owner --no-acl --exit-on-error --dbname="$2"',
      'sh',
      source.url,
      restored.url,
      `public.${TABLE}`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const refMs = performance.now() - s;
  await restored.drop();
  ctx.log(`pg_dump -Fc -t public.${TABLE} | pg_restore: ${round(refMs / 1000, 1)} s`);
  const reference = { name: 'pg_dump -Fc -t | pg_restore', value: refMs };

  const meta = await benchDatabase(ctx, 'pl_meta');
  const onPostgres = await pipeline(ctx, source.url, 'PostgreSQL', meta.url);
  await meta.drop();
  const onPglite = await pipeline(ctx, source.url, 'PGlite', null);
  await source.drop();
  ctx.note(
    `pipeline/${LABEL}-rows: subset → mask (hash of the e-mail) → provision (reset, smoke tests) in a child process on packages/core/dist; ` +
      `engine up before the rows: ${onPostgres.rssBeforeMb} MB (PostgreSQL metadata), ${onPglite.rssBeforeMb} MB (PGlite metadata). ` +
      `Phases, PostgreSQL metadata: ${fmtPhases(onPostgres)}. PGlite metadata: ${fmtPhases(onPglite)}`,
  );
  const name = `pipeline/${LABEL}-rows-6-cols`;
  return [
    result(`${name}/postgres-metadata/peak-rss`, onPostgres.peakRssMb, 'MB', '< 400 MB'),
    result(`${name}/postgres-metadata/time`, onPostgres.totalMs, 'ms', '≥ 0.5×', reference),
    result(`${name}/pglite-metadata/peak-rss`, onPglite.peakRssMb, 'MB', '< 400 MB'),
    result(`${name}/pglite-metadata/time`, onPglite.totalMs, 'ms', '≥ 0.5×', reference),
  ];
}
