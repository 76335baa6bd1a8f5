/**
 * Shared helpers of `npm run bench`: the result shape, timing (warm-up + median of N), peak RSS,
 * the printed table and `bench/results.json`. Bench modules (`bench/*.bench.ts`) export
 * `run(ctx): Promise<Result[]>`; `bench/run.ts` runs them all.
 */
import { readFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import { quoteIdent } from '../packages/core/src/db/quote.ts';
import { createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../packages/core/test/support/databases.ts';

/** One line of `bench/results.json`. */
export interface Result {
  /** Unique, stable name (later runs are compared by name), e.g. `discover/pagila/postgres/cold`. */
  name: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run (e.g. a well-known tool doing the same work). */
  reference: { name: string; value: number } | null;
  /** > 1 means better than the reference: `reference.value / value` for times and sizes, `value / reference.value` for rates (units ending in `/s`). */
  ratio: number | null;
  /** The target, as a short human string: "< 1000 ms". */
  goal: string;
}

export interface BenchContext {
  /** Private temporary directory of the module, removed after it ran. */
  tmpDir: string;
  /** Progress line on stderr (the table goes to stdout). */
  log(message: string): void;
  /** A note printed under the table and kept in the run's summary (e.g. "fixtures missing: used the demo source"). */
  note(message: string): void;
  /** Registers clean-up work (dropping databases…); runs after the module, last registered first, even on failure or Ctrl-C. */
  defer(cleanup: () => Promise<unknown> | unknown): void;
}

export type BenchModule = { run(ctx: BenchContext): Promise<Result[]> };

/** Whether more is better for values in `unit` (rates: rows/s, MB/s). */
export const higherIsBetter = (unit: string): boolean => unit.endsWith('/s');

/**
 * Builds a result, computing `ratio` from the reference (rounded to 2 decimals; > 1 is better than the reference).
 * Values keep one decimal, shares (0..1) three, so that 0.87 is not shown as 0.9 against a ≥ 0.9 goal.
 */
export function result(name: string, value: number, unit: string, goal: string, reference: { name: string; value: number } | null = null): Result {
  const ratio = reference && value > 0 && reference.value > 0 ? round(higherIsBetter(unit) ? value / reference.value : reference.value / value, 2) : null;
  const digits = unit === 'share' ? 3 : 1;
  return { name, value: round(value, digits), unit, reference: reference && { name: reference.name, value: round(reference.value, digits) }, ratio, goal };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(values: number[]): number {
  if (!values.length) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wall time of one call, in ms, with its value. */
export async function timeOnce<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export interface Timing {
  /** Median of the measured runs, ms. */
  median: number;
  min: number;
  max: number;
  samples: number[];
}

/**
 * Runs `fn` `warmup` times unmeasured, then `runs` times measured; returns the median wall time in ms.
 * `check` sees every measured run's value (e.g. to assert a rediscovery reused the version).
 */
export async function measure<T>(fn: () => Promise<T>, options: { warmup?: number; runs?: number; check?: (value: T) => void } = {}): Promise<Timing> {
  const { warmup = 1, runs = 5, check } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { ms, value } = await timeOnce(fn);
    check?.(value);
    samples.push(ms);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples };
}

/** Peak resident set size of this process so far, in MB (`getrusage` maxrss). */
export function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024, 0);
}

/**
 * The node flags `npm run server` starts the engine with (the options before `scripts/run-built.mjs` in
 * the root package.json's `server` script), so a bench that starts the engine itself starts it the same way.
 */
export function engineNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { server: string } };
  const words = pkg.scripts.server.split(/\s+/);
  return words.slice(1, words.indexOf('scripts/run-built.mjs')).filter((w) => w.startsWith('--'));
}

const fmt = (n: number | null | undefined, unit = '') =>
  n === null || n === undefined ? '—' : `${n.toLocaleString('en-US', { maximumFractionDigits: unit.trim() === 'share' ? 3 : 1 })}${unit}`;

/** The results as an aligned text table. */
export function formatTable(results: Result[]): string {
  const header = ['name', 'value', 'reference', 'ratio', 'goal', ''];
  const rows = results.map((r) => [
    r.name,
    fmt(r.value, ` ${r.unit}`),
    r.reference ? `${r.reference.name} ${fmt(r.reference.value, ` ${r.unit}`)}` : '—',
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    r.goal,
    meetsGoal(r) === null ? '' : meetsGoal(r) ? 'ok' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const right = new Set([1, 3]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths
      .map((w) => '─'.repeat(w))
      .join('  ')
      .trimEnd(),
    ...rows.map(line),
  ].join('\n');
}

/**
 * Whether a result meets a goal of the form "< N unit" / "<= N unit" / "> N unit" / ">= N unit"
 * (≤ and ≥ too; same unit as the value, or none); null when the goal is not in that form.
 */
export function meetsGoal(r: Result): boolean | null {
  const m = /^\s*(<=?|>=?|≤|≥)\s*([\d.,_]+)\s*(\S*)/.exec(r.goal);
  if (!m) return null;
  const target = Number((m[2] as string).replace(/[,_]/g, ''));
  const unit = m[3] || r.unit;
  if (unit !== r.unit || Number.isNaN(target)) return null;
  switch (m[1]) {
    case '<':
      return r.value < target;
    case '<=':
    case '≤':
      return r.value <= target;
    case '>':
      return r.value > target;
    default:
      return r.value >= target;
  }
}

export async function writeResults(path: string, results: Result[]): Promise<void> {
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * Names of what a bench run leaves behind carry the process id, so a later run can remove what an
 * interrupted one left (tsx SIGKILLs a child that does not answer Ctrl-C at once, e.g. inside PGlite).
 */
export const TMP_PREFIX = `tdm-bench-${process.pid}-`;
const STALE_TMP = /^tdm-bench-(\d+)-/;
const STALE_DB = /^tdm_t_bench_(\d+)_/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh database `tdm_t_bench_<pid>_<name>_<random>` on the test PostgreSQL server, dropped after the module. */
export async function benchDatabase(ctx: BenchContext, name: string): Promise<TestDatabase> {
  const db = await createTestDatabase(`bench_${process.pid}_${name}`);
  ctx.defer(() => db.drop());
  return db;
}

/** A PGlite database on a fresh directory inside the module's temporary directory (removed with it, or by `drop()`). */
export function benchPglite(ctx: BenchContext, name: string): { url: string; dir: string; drop(): Promise<void> } {
  const dir = join(ctx.tmpDir, `pglite-${name}`);
  return { url: `pglite://${encodeURI(dir)}`, dir, drop: () => rm(dir, { recursive: true, force: true }) };
}

/** Removes temporary directories and databases of bench runs whose process is gone; returns what it removed. */
export async function sweepStale(): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(tmpdir())) {
    const pid = Number(STALE_TMP.exec(entry)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) {
      await rm(join(tmpdir(), entry), { recursive: true, force: true });
      removed.push(join(tmpdir(), entry));
    }
  }
  if (!(await pgAvailable())) return removed;
  const admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tdm\\_t\\_bench\\_%'`);
    for (const { datname } of rows) {
      const pid = Number(STALE_DB.exec(datname)?.[1]);
      if (pid && pid !== process.pid && !alive(pid)) {
        await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
        removed.push(`database ${datname}`);
      }
    }
  } finally {
    await admin.close();
  }
  return removed;
}
