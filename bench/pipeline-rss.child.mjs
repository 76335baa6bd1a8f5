/**
 * Child process of `bench/pipeline-rss.bench.ts` (not a bench module: the runner only picks up
 * `*.bench.ts`). The engine as `npm run server` runs it — the built JavaScript of packages/core/dist,
 * plain node, no TypeScript loader — running subset → mask → provision of one table through the same
 * graph runners the server's jobs call (`runSubset`, `runMask`, `runProvision`). Its peak RSS is the
 * whole process's: Prisma, the metadata store (PGlite's WebAssembly heap when the metadata is in
 * PGlite) and the rows.
 *
 * Usage: node bench/pipeline-rss.child.mjs '<json>' with
 *   { sourceUrl, targetUrl, dataDir, metadataUrl (null: PGlite in <dataDir>/meta), table, rows,
 *     maskColumn, initOnly? (open the metadata store and close it: the data directory of a server that ran before) }
 * Prints one JSON line on stdout: { rssBeforeMb, peakRssMb, totalMs, phases: [{ name, ms, peak: {rss, heapUsed, …} }], … }.
 * Every 250 ms `process.memoryUsage()` is sampled; the maxima per phase come back in MB.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const DIST = new URL('../packages/core/dist/', import.meta.url);
const load = (path) => import(new URL(path, DIST).href);

// First, as the server's and `tdm worker`'s entry points: WebAssembly flags set before anything compiles.
await load('wasm-tiering.js');
const args = JSON.parse(process.argv[2] ?? '{}');
const { loadConfig } = await load('config.js');
const { createTdm } = await load('runtime.js');

const mb = (bytes) => Math.round(bytes / 1024 / 1024);
const tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: args.dataDir }), databaseUrl: args.metadataUrl || `pglite://${join(args.dataDir, 'meta')}` });
try {
  if (args.initOnly) {
    process.stdout.write(`${JSON.stringify({ rssMb: mb(process.memoryUsage().rss), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  } else {
    const { runSubset } = await load('graphs/subset/graph.js');
    const { runMask } = await load('graphs/mask/graph.js');
    const { runProvision } = await load('graphs/provision/graph.js');
    await tdm.environments.create({ name: 'bench-pipeline', connectionString: args.targetUrl, allowReset: true });

    // TDM_BENCH_PIPELINE_TRACE=1: every sample on stderr.
    const trace = process.env.TDM_BENCH_PIPELINE_TRACE === '1';
    const keys = ['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers'];
    const phases = [];
    let current = null;
    const sample = () => {
      if (!current) return;
      const usage = process.memoryUsage();
      for (const k of keys) current.peak[k] = Math.max(current.peak[k] ?? 0, mb(usage[k]));
      if (trace) process.stderr.write(`${current.name} ${keys.map((k) => `${k} ${mb(usage[k])}`).join(' ')}\n`);
    };
    const timer = setInterval(sample, 250);
    const phase = async (name, fn) => {
      current = { name, ms: 0, peak: {} };
      sample();
      const started = performance.now();
      const value = await fn();
      current.ms = Math.round(performance.now() - started);
      sample();
      phases.push(current);
      current = null;
      return value;
    };
    const rssBeforeMb = mb(process.memoryUsage().rss);
    const started = performance.now();
    const subset = await phase('subset', () =>
      runSubset(tdm, { connectionString: args.sourceUrl, schemas: ['public'], maxRowsPerTable: { '*': args.rows }, name: 'bench pipeline' }),
    );
    const masked = await phase('mask', () =>
      runMask(tdm, {
        datasetVersionId: subset.datasetVersionId,
        rules: { [`public.${args.table}.${args.maskColumn}`]: { transformer: 'hash' } },
        salt: 'bench',
      }),
    );
    const provision = await phase('provision', () =>
      runProvision(tdm, { datasetVersionId: masked.datasetVersionId, environment: 'bench-pipeline', resetEnv: true }),
    );
    const totalMs = Math.round(performance.now() - started);
    clearInterval(timer);
    const loaded = provision.tables.reduce((n, t) => n + t.rowCount, 0);
    process.stdout.write(
      `${JSON.stringify({
        rssBeforeMb,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        totalMs,
        subsetRows: subset.totalRows,
        maskedRows: masked.totalRows,
        provisionedRows: loaded,
        smokePassed: provision.smoke?.passed ?? null,
        phases,
      })}\n`,
    );
  }
} finally {
  await tdm.close();
}
