/**
 * Domain mode at scale: the ecommerce pack's b2c scenario with 1,000,000 rows in total (customer,
 * product, order, order_item, payment in the scenario's default proportions) generated and written
 * to Parquet with the dataset store's codec, in a child process of its own so its peak RSS is its
 * own. The generator derives every row from (seed, entity, row number) — an order's total from its
 * items, a payment from its order — so memory must stay flat whatever the row count.
 *
 * Reference: the same Parquet codec writing 1,000,000 pre-shaped rows of 6 columns (the rows of
 * `parquet.bench.ts`, generated from small pools): the cost of the write alone, against which the
 * domain figure shows what realistic, rule-abiding generation adds. Our rows are wider on average
 * (8.8 columns), so the comparison is an upper bound on the generator's overhead rather than a
 * like-for-like race.
 */
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { datasetColumns, writeParquet } from '../packages/core/src/dataset/parquet.ts';
import { generateFromDomain } from '../packages/core/src/synthetic/domain/generate.ts';
import { loadDomainPack, resolveScenario } from '../packages/core/src/synthetic/domain/packs.ts';
import { generateBatches } from './parquet.bench.ts';
import { type BenchContext, type Result, result, round } from './lib.ts';

const TOTAL = 1_000_000;
const CHILD_FLAG = '--synthetic-domain-bench-child';
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The scenario's default counts scaled to `TOTAL` rows in all. */
function counts(): Record<string, number> {
  const defaults = resolveScenario(loadDomainPack('ecommerce'), 'b2c').rows;
  const sum = Object.values(defaults).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  let given = 0;
  const names = Object.keys(defaults);
  for (const [i, name] of names.entries()) {
    out[name] = i === names.length - 1 ? TOTAL - given : Math.round(((defaults[name] as number) * TOTAL) / sum);
    given += out[name] as number;
  }
  return out;
}

interface ChildReport {
  ms: number;
  peakRssMb: number;
  rows: number;
  columns: number;
}

async function child(kind: string, dir: string): Promise<void> {
  const started = performance.now();
  let rows = 0;
  let columns = 0;
  if (kind === 'domain') {
    const generated = await generateFromDomain({ domain: 'ecommerce', scenario: 'b2c', rowCounts: counts(), seed: 'bench' });
    for (const t of generated.tables) {
      const handle = await open(join(dir, `${t.table.name}.parquet`), 'w');
      try {
        const written = await writeParquet(datasetColumns(t.table.columns), t.rows(8192), async (chunk) => {
          await handle.write(chunk);
        });
        rows += written.rowCount;
        columns += t.table.columns.length * written.rowCount;
      } finally {
        await handle.close();
      }
    }
  } else {
    const cols = datasetColumns([
      { name: 'id', pgType: 'bigint', nullable: false },
      { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
      { name: 'created_at', pgType: 'timestamp with time zone', nullable: false },
      { name: 'note', pgType: 'text', nullable: true },
      { name: 'active', pgType: 'boolean', nullable: true },
      { name: 'payload', pgType: 'bytea', nullable: true },
    ]);
    const handle = await open(join(dir, 'plain.parquet'), 'w');
    try {
      const written = await writeParquet(cols, generateBatches(TOTAL, 8192), async (chunk) => {
        await handle.write(chunk);
      });
      rows = written.rowCount;
      columns = 6 * rows;
    } finally {
      await handle.close();
    }
  }
  const report: ChildReport = {
    ms: performance.now() - started,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 0),
    rows,
    columns: columns / Math.max(rows, 1),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const execFileAsync = promisify(execFile);

async function runChild(kind: string, dir: string): Promise<ChildReport> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, kind, dir], {
    cwd: REPO_ROOT,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildReport;
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  ctx.log(`ecommerce/b2c: ${JSON.stringify(counts())}`);
  const domain = await runChild('domain', ctx.tmpDir);
  if (domain.rows !== TOTAL) throw new Error(`domain mode wrote ${domain.rows} rows, not ${TOTAL}`);
  const plain = await runChild('plain', ctx.tmpDir);
  const rate = (r: ChildReport) => (r.rows / r.ms) * 1000;
  ctx.log(
    `domain: ${round(domain.ms / 1000, 2)} s (${Math.round(rate(domain))} rows/s, ${round(domain.columns, 1)} columns/row), peak RSS ${domain.peakRssMb} MB; ` +
      `plain write: ${round(plain.ms / 1000, 2)} s, peak RSS ${plain.peakRssMb} MB`,
  );
  ctx.note(
    'synthetic-domain reference: the Parquet codec writing 1M pre-shaped 6-column rows (domain rows average ~9 columns): an upper bound on generator overhead',
  );
  return [
    // Rows per second: higher is better, so the ratio is inverted by comparing seconds per million rows.
    result('synthetic-domain/ecommerce-b2c/1m/write', domain.ms, 'ms', '< 30000 ms', { name: 'plain parquet write 1M×6', value: plain.ms }),
    result('synthetic-domain/ecommerce-b2c/1m/rows-per-second', rate(domain), 'rows/s', '> 50000 rows/s'),
    result('synthetic-domain/ecommerce-b2c/1m/peak-rss', domain.peakRssMb, 'MB', '< 600 MB', { name: 'plain parquet write 1M×6', value: plain.peakRssMb }),
  ];
}

if (process.argv[2] === CHILD_FLAG) {
  const [kind = '', dir = ''] = process.argv.slice(3);
  await child(kind, dir);
}
