/**
 * Child process of `bench/subset-provision.bench.ts` (not a bench module: the runner only picks up
 * `*.bench.ts`). Subsets one source database with a cap of 1,000,000 rows per table in a process of
 * its own, so the peak RSS it prints is the subset's (plus this process's engine: tsx, Prisma, the
 * PGlite metadata store), not the bench runner's.
 *
 * Usage: node --import tsx bench/subset-rss.child.ts <source url> <data dir> [metadata database url]
 * (the metadata store defaults to PGlite in `<data dir>/meta`; PGlite's WebAssembly heap then counts too).
 * With `init` as the source url, it only opens the metadata store and closes it: the bench runs that
 * first, so the measured child opens an existing PGlite directory, as a server that ran before does.
 * (A first open runs initdb inside the process — peak ~770 MB, ~390 MB left after it — which made the
 * PGlite figure that of a first start rather than of subsetting.)
 * Prints one JSON line on stdout: { ms, totalRows, tables, rssBeforeMb, peakRssMb }.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../packages/core/src/config.ts';
import { runSubset } from '../packages/core/src/graphs/subset/graph.ts';
import { createTdm } from '../packages/core/src/runtime.ts';

const [sourceUrl, dataDir, metadataUrl] = process.argv.slice(2);
if (!sourceUrl || !dataDir) {
  console.error('usage: subset-rss.child.ts <source url> <data dir> [metadata database url]');
  process.exit(2);
}

const tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir }), databaseUrl: metadataUrl || `pglite://${join(dataDir, 'meta')}` });
try {
  if (sourceUrl === 'init') {
    process.stdout.write(`${JSON.stringify({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  } else {
    // The engine is up (metadata store open, migrations run): what the process costs before subsetting.
    const rssBeforeMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
    const started = performance.now();
    const outcome = await runSubset(tdm, { connectionString: sourceUrl, schemas: ['public'], maxRowsPerTable: { '*': 1_000_000 } });
    const ms = performance.now() - started;
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(`${JSON.stringify({ ms, totalRows: outcome.totalRows, tables: outcome.tables.length, rssBeforeMb, peakRssMb })}\n`);
  }
} finally {
  await tdm.close();
}
