/**
 * Child process of `bench/quality.bench.ts` (not a bench module: the runner only picks up
 * `*.bench.ts`). Scores one dataset version in a process of its own, so the peak RSS it prints is
 * the quality report's (plus the engine: tsx, Prisma, the PGlite metadata store), not the bench
 * runner's nor that of writing the dataset.
 *
 * Usage: node --import tsx bench/quality-rss.child.ts <data dir> <dataset version id>
 * Prints one JSON line on stdout: { ms, score, rows, rssBeforeMb, peakRssMb }.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../packages/core/src/config.ts';
import { scoreDataset } from '../packages/core/src/graphs/quality/graph.ts';
import { createTdm } from '../packages/core/src/runtime.ts';

const [dataDir, datasetVersionId] = process.argv.slice(2);
if (!dataDir || !datasetVersionId) {
  console.error('usage: quality-rss.child.ts <data dir> <dataset version id>');
  process.exit(2);
}

const tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir, TDM_DEMO: 'off' }), databaseUrl: `pglite://${join(dataDir, 'meta')}` });
try {
  const rssBeforeMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const started = performance.now();
  const { report } = await scoreDataset(tdm, datasetVersionId);
  const ms = performance.now() - started;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ ms, score: report.score, rows: report.rowsScanned, rssBeforeMb, peakRssMb }));
} finally {
  await tdm.close();
}
