/**
 * Quality report of a 1,000,000-row dataset (one table, 6 columns: bigint PK, unique e-mail, a
 * CHECKed numeric(7,2), a char(2) code, a timestamptz and a boolean), scored in a child process
 * (`bench/quality-rss.child.ts`) so its peak RSS is the report's:
 * - `quality/1m-rows-6-cols/time` against a plain read of the same Parquet file (goal ≥ 0.2×:
 *   the report parses every value, counts keys, and has PostgreSQL evaluate the CHECK on every row);
 * - `quality/1m-rows-6-cols/peak-rss` (goal < 512 MB: streaming over row groups, keys past the
 *   64 MiB key budget spilled to disk).
 * With `TDM_BENCH_QUALITY_10M=1` the same for 10,000,000 rows (`quality/10m-rows-6-cols/…`, several
 * minutes): the peak RSS should stay about that of 1M rows.
 * No reference: the dataset is stored as an import, so drift is not measured here.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../packages/core/src/config.ts';
import type { TextRow } from '../packages/core/src/dataset/types.ts';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import { createTdm } from '../packages/core/src/runtime.ts';
import { saveDatasetVersion } from '../packages/core/src/store/datasets.ts';
import { loadCatalog } from '../packages/core/src/store/schema-store.ts';
import { type BenchContext, benchPglite, type Result, result, round, timeOnce } from './lib.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const CHILD = join(REPO_ROOT, 'bench', 'quality-rss.child.ts');
const DDL = `CREATE TABLE public.member (id bigint PRIMARY KEY, email text UNIQUE NOT NULL, balance numeric(7,2) CHECK (balance >= 0),
  country character(2), joined_at timestamptz, active boolean)`;
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'JP', 'IN', 'BR', 'MX'];

async function* rows(count: number): AsyncIterable<TextRow[]> {
  const base = Date.UTC(2020, 0, 1);
  for (let start = 1; start <= count; start += 10_000) {
    const batch: TextRow[] = [];
    for (let i = start; i < start + 10_000 && i <= count; i++) {
      batch.push([
        String(i),
        `member${i}@example.com`,
        (((i * 7919) % 1_000_000) / 100).toFixed(2),
        COUNTRIES[i % 8] as string,
        new Date(base + i * 60_000).toISOString().replace('T', ' ').replace('Z', '+00'),
        i % 3 ? 't' : 'f',
      ]);
    }
    yield batch;
  }
}

interface ChildReport {
  ms: number;
  score: number;
  rows: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

async function scoreInChild(ctx: BenchContext, dataDir: string, id: string): Promise<ChildReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, id], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
  if (code !== 0 || !line) throw new Error(`quality child exited ${code}:\n${stderr}${stdout}`);
  return JSON.parse(line) as ChildReport;
}

/** Writes a dataset of `count` rows, reads it back plainly, then scores it in a child process. */
async function measure(ctx: BenchContext, count: number, label: string): Promise<Result[]> {
  const dataDir = join(ctx.tmpDir, `engine-${label}`);
  const tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir, TDM_DEMO: 'off' }), databaseUrl: `pglite://${join(dataDir, 'meta')}` });
  let closed = false;
  ctx.defer(() => (closed ? undefined : tdm.close()));
  // The table's catalog: the empty table in a scratch PGlite, discovered.
  const scratch = benchPglite(ctx, `quality_src_${label}`);
  const c = await openSqlClient(scratch.url);
  await c.exec(DDL);
  await c.close();
  const sv = await tdm.discoverSchema({ connectionString: scratch.url });
  const catalog = await loadCatalog(tdm.store.prisma, sv.schemaVersionId);
  const columns = catalog.tables[0]?.columns.map((col) => ({ name: col.name, pgType: col.dataType, nullable: col.nullable })) ?? [];
  const writer = tdm.datasets.createWriter(randomUUID());
  ctx.log(`writing ${count.toLocaleString('en-US')} rows`);
  await writer.writeTable({ schema: 'public', name: 'member', columns }, rows(count));
  const manifest = await writer.finish({ name: 'bench members', kind: 'IMPORTED', schemaVersionId: sv.schemaVersionId, parentId: null, jobId: null, meta: {} });
  await saveDatasetVersion(tdm.store.prisma, manifest, tdm.datasets.uri);
  const table = manifest.tables[0];
  if (!table) throw new Error('no table written');
  const plain = await timeOnce(async () => {
    let n = 0;
    for await (const b of tdm.datasets.readTable(manifest.datasetVersionId, table)) n += b.length;
    return n;
  });
  await tdm.close();
  closed = true;
  const report = await scoreInChild(ctx, dataDir, manifest.datasetVersionId);
  if (report.rows !== count) throw new Error(`the report scanned ${report.rows} rows, expected ${count}`);
  ctx.log(
    `quality of ${count.toLocaleString('en-US')} rows: ${round(report.ms / 1000, 1)} s, score ${report.score}, peak RSS ${report.peakRssMb} MB ` +
      `(${report.rssBeforeMb} MB with the engine up); plain read ${round(plain.ms / 1000, 1)} s`,
  );
  return [
    result(`quality/${label}-rows-6-cols/time`, report.ms, 'ms', '≥ 0.2×', { name: 'plain Parquet read of the dataset', value: plain.ms }),
    result(`quality/${label}-rows-6-cols/peak-rss`, report.peakRssMb, 'MB', '< 512 MB'),
  ];
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  const results = await measure(ctx, 1_000_000, '1m');
  if (process.env.TDM_BENCH_QUALITY_10M === '1') results.push(...(await measure(ctx, 10_000_000, '10m')));
  else ctx.note('the 10,000,000-row report runs with TDM_BENCH_QUALITY_10M=1 (several minutes)');
  return results;
}
