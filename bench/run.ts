/**
 * `npm run bench [-- <filter>…]`: runs every `bench/*.bench.ts` module (or those whose file name
 * contains one of the filters), prints a table and writes `bench/results.json`.
 *
 * A module exports `async function run(ctx: BenchContext): Promise<Result[]>` (see `bench/lib.ts`).
 * Each gets a private temporary directory and a `defer()` for its clean-up (dropping databases…),
 * which runs after the module even when it fails or the run is interrupted.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchContext, type BenchModule, formatTable, meetsGoal, peakRssMb, type Result, round, sweepStale, TMP_PREFIX, writeResults } from './lib.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const RESULTS_FILE = join(BENCH_DIR, 'results.json');

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (await readdir(BENCH_DIR)).filter((f) => f.endsWith('.bench.ts') && (!filters.length || filters.some((p) => f.includes(p)))).sort();
if (!files.length) {
  console.error(filters.length ? `no bench/*.bench.ts matches ${filters.join(', ')}` : 'no bench/*.bench.ts modules');
  process.exit(1);
}

const results: Result[] = [];
const notes: string[] = [];
const failures: string[] = [];
/** Clean-ups of the running module, last registered first. */
let cleanups: (() => Promise<unknown> | unknown)[] = [];

async function runCleanups(): Promise<void> {
  const pending = cleanups.reverse();
  cleanups = [];
  for (const cleanup of pending) {
    try {
      await cleanup();
    } catch (err) {
      console.error(`  clean-up failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

// Ctrl-C / kill: still drop what the running module created. A Ctrl-C reaches this process twice
// (from the terminal and relayed by tsx), so only a third signal gives up on the clean-up.
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (++signals >= 3) process.exit(130);
    if (signals > 1) return;
    console.error(`\n${signal}: cleaning up…`);
    void runCleanups().finally(() => process.exit(130));
  });
}

for (const leftover of await sweepStale()) console.error(`removed ${leftover} (left by an interrupted bench run)`);

const started = performance.now();
for (const file of files) {
  const label = file.replace(/\.bench\.ts$/, '');
  const tmpDir = await mkdtemp(join(tmpdir(), `${TMP_PREFIX}${label}-`));
  cleanups.push(() => rm(tmpDir, { recursive: true, force: true }));
  const ctx: BenchContext = {
    tmpDir,
    log: (message) => console.error(`[${label}] ${message}`),
    note: (message) => notes.push(`${label}: ${message}`),
    defer: (cleanup) => cleanups.push(cleanup),
  };
  const moduleStarted = performance.now();
  console.error(`[${label}] running…`);
  try {
    const mod = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as Partial<BenchModule>;
    if (typeof mod.run !== 'function') throw new Error(`${file} does not export run(ctx)`);
    results.push(...(await mod.run(ctx)));
  } catch (err) {
    failures.push(`${label}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    await runCleanups();
  }
  console.error(`[${label}] done in ${round((performance.now() - moduleStarted) / 1000, 1)} s`);
}

const names = new Set<string>();
for (const r of results) {
  if (names.has(r.name)) failures.push(`duplicate result name ${r.name}`);
  names.add(r.name);
}

console.log(results.length ? `\n${formatTable(results)}\n` : '\nno results\n');
// Timings are wall times: a busy machine (other test runs…) inflates them; say so next to the table.
const load = loadavg()[0] ?? 0;
const cpus = availableParallelism();
if (load > cpus) notes.push(`the machine was busy (load average ${load.toFixed(1)} on ${cpus} CPUs): timings are inflated`);
for (const note of notes) console.log(`note: ${note}`);
const missed = results.filter((r) => meetsGoal(r) === false);
console.log(
  `${results.length} results, ${missed.length} missed goal${missed.length === 1 ? '' : 's'}; ` +
    `total ${round((performance.now() - started) / 1000, 1)} s, peak RSS ${peakRssMb()} MB → ${RESULTS_FILE}`,
);
await writeResults(RESULTS_FILE, results);
for (const failure of failures) console.error(`FAILED ${failure}`);
// Missed goals are information, not failures; a module that throws fails the run.
process.exit(failures.length ? 1 : 0);
