/**
 * The dataset store's Parquet codec and COPY text codec on 1,000,000 rows × 6 columns of our real
 * column types (int8, numeric(12,2) text, timestamptz text, text with escapes, bool, bytea hex text,
 * about 5 % NULLs), the case that decided the Parquet library:
 *  - `parquet/1m/hyparquet/*`: `writeParquet` / `readParquet` of `packages/core/src/dataset/parquet.ts`
 *    (hyparquet-writer + hyparquet, pure JS), the codec the store uses;
 *  - `parquet/1m/duckdb/*`: the same rows through @duckdb/node-api (native): data chunks appended to
 *    a table, `COPY … TO (FORMAT parquet)`, read back with a streaming `read_parquet` query.
 * Write includes generating the rows (identical for both, measured alone as `generate-only`); read
 * includes turning every value back into its PostgreSQL text. Each (library, phase) runs once in its own child process so its peak RSS
 * is its own; both round trips are checked against the generated rows (a sample of every 997th row).
 * `copy-text/1m/*`: parsing and formatting the same rows as COPY text (median of 3 after a warm-up).
 *
 * Figures that chose hyparquet (2 vCPU, Node 20, 2026-11-26; the machine was shared, so ±20 %):
 *
 * | 1M rows × 6 columns              | hyparquet-writer 0.17 + hyparquet 1.31 | @duckdb/node-api 1.5.6 |
 * |----------------------------------|-----------------------------------------|------------------------|
 * | write (incl. 1.3 s generating)   | 4.3 s, peak RSS 489 MB                  | 3.2 s, peak RSS 652 MB |
 * | read back to PostgreSQL text     | 1.5 s, peak RSS 342 MB                  | 3.6 s, peak RSS 236 MB |
 * | file                             | 53.2 MB                                 | 54.1 MB                |
 * | write 3M rows                    | 12.4 s, peak RSS 497 MB (flat)          | 9.2 s, peak RSS 1,575 MB (grows) |
 *
 * DuckDB writes faster but only through a table it holds whole (RSS grows with the table); the
 * hyparquet writer streams row group by row group (it also completes with a 100 MB heap cap), reads
 * 2.5× faster, reads a page range for previews, and is JavaScript (plus hysnappy's WebAssembly
 * snappy, which made it ~25 % faster), so no native binary to ship.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { batchesToCopyText, copyTextToBatches, formatCopyTextRow } from '../packages/core/src/dataset/copy-text.ts';
import { datasetColumns, writeParquet } from '../packages/core/src/dataset/parquet.ts';
import { openParquetFile, readParquet } from '../packages/core/src/dataset/parquet-read.ts';
import type { TextRow } from '../packages/core/src/dataset/types.ts';
import { type BenchContext, measure, type Result, result, round } from './lib.ts';

const ROWS = 1_000_000;
const BATCH = 10_000;
const SAMPLE_EVERY = 997;
const CHILD_FLAG = '--parquet-bench-child';
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const COLUMNS = datasetColumns([
  { name: 'id', pgType: 'bigint', nullable: false },
  { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
  { name: 'created_at', pgType: 'timestamp with time zone', nullable: false },
  { name: 'note', pgType: 'text', nullable: true },
  { name: 'active', pgType: 'boolean', nullable: true },
  { name: 'payload', pgType: 'bytea', nullable: true },
]);

const WORDS =
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega Zürich naïve 東京 🙂'.split(' ');

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Deterministic rows of our column types, as PostgreSQL prints them. Built from small pools and
 * arithmetic (no Date per row) so generating costs little next to the codecs being measured.
 */
export function* generateBatches(rows = ROWS, batchSize = BATCH): Generator<TextRow[]> {
  let seed = 0x9e3779b9;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const notes: string[] = [];
  for (let n = 0; n < 4096; n++) {
    const r = next();
    let note = '';
    for (let w = 0; w < 3 + (r % 6); w++) note += `${w ? ' ' : ''}${WORDS[(r >>> (w * 3)) % WORDS.length]}`;
    notes.push(n % 97 === 0 ? `${note}\twith a tab,\na newline and a \\ backslash` : note);
  }
  const hex: string[] = [];
  for (let n = 0; n < 65_536; n++) hex.push(next().toString(16).padStart(8, '0'));
  const days: string[] = [];
  for (let d = 0; d < 366; d++) days.push(new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10));
  for (let start = 0; start < rows; start += batchSize) {
    const batch: TextRow[] = [];
    for (let i = start; i < Math.min(rows, start + batchSize); i++) {
      const r = next();
      const second = i % 86_400;
      const micros = String(r % 1_000_000).padStart(6, '0');
      const time = `${pad2((second / 3600) | 0)}:${pad2(((second / 60) | 0) % 60)}:${pad2(second % 60)}.${micros}`;
      batch.push([
        String(4_000_000_000_000 + i),
        r % 20 === 1 ? null : `${(r % 100_000_000) + 1}.${pad2(r % 100)}`,
        `${days[((i / 86_400) | 0) % 366]} ${time}+00`,
        r % 20 === 2 ? null : (notes[r % 4096] as string),
        r % 20 === 3 ? null : r & 1 ? 't' : 'f',
        r % 20 === 4 ? null : `\\x${hex[r & 0xffff]}${hex[(r >>> 16) & 0xffff]}${hex[(r >>> 5) & 0xffff]}${hex[(i * 7) & 0xffff]}`,
      ]);
    }
    yield batch;
  }
}

/** Hash of every SAMPLE_EVERY-th row: the round-trip check without hashing all rows inside the timing. */
class Sample {
  readonly #hash = createHash('sha256');
  #index = 0;
  add(batch: TextRow[]): void {
    for (const row of batch) {
      if (this.#index++ % SAMPLE_EVERY === 0) this.#hash.update(formatCopyTextRow(row));
    }
  }
  get rows(): number {
    return this.#index;
  }
  digest(): string {
    return this.#hash.digest('hex');
  }
}

interface ChildReport {
  ms: number;
  peakRssMb: number;
  rows: number;
  sample: string;
}

// ── child side: one library, one phase, in a process of its own ─────────────────────────────────

async function hyparquetWrite(file: string, sample: Sample): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const batches = function* () {
      for (const batch of generateBatches()) {
        sample.add(batch);
        yield batch;
      }
    };
    await writeParquet(COLUMNS, batches(), async (chunk) => {
      await handle.write(chunk);
    });
  } finally {
    await handle.close();
  }
}

async function hyparquetRead(file: string, sample: Sample): Promise<void> {
  const source = await openParquetFile(file);
  try {
    for await (const batch of readParquet(source, { batchSize: BATCH })) sample.add(batch);
  } finally {
    await source.close();
  }
}

type DuckDb = typeof import('@duckdb/node-api');

async function duckdbWrite(duck: DuckDb, file: string, sample: Sample): Promise<void> {
  const instance = await duck.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run('CREATE TABLE t (id BIGINT, amount VARCHAR, created_at VARCHAR, note VARCHAR, active BOOLEAN, payload VARCHAR)');
    const appender = await connection.createAppender('t');
    const types = [duck.BIGINT, duck.VARCHAR, duck.VARCHAR, duck.VARCHAR, duck.BOOLEAN, duck.VARCHAR];
    for (const batch of generateBatches(ROWS, 2048)) {
      sample.add(batch);
      const columns: (string | bigint | boolean | null)[][] = types.map(() => []);
      for (const row of batch) {
        const [id, amount, createdAt, note, active, payload] = row;
        columns[0]?.push(id === null || id === undefined ? null : BigInt(id));
        columns[1]?.push(amount ?? null);
        columns[2]?.push(createdAt ?? null);
        columns[3]?.push(note ?? null);
        columns[4]?.push(active === null || active === undefined ? null : active === 't');
        columns[5]?.push(payload ?? null);
      }
      const chunk = duck.DuckDBDataChunk.create(types);
      chunk.setColumns(columns);
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    const meta = JSON.stringify(COLUMNS).replaceAll("'", "''");
    await connection.run(
      `COPY t TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 65536, KV_METADATA {'tdm.columns': '${meta}'})`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function duckdbRead(duck: DuckDb, file: string, sample: Sample): Promise<void> {
  const instance = await duck.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const result = await connection.stream(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const rows = chunk.getRows() as unknown[][];
      const batch: TextRow[] = rows.map(([id, amount, createdAt, note, active, payload]) => [
        id === null ? null : String(id),
        amount as string | null,
        createdAt as string | null,
        note as string | null,
        active === null ? null : active ? 't' : 'f',
        payload as string | null,
      ]);
      sample.add(batch);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function child(lib: string, phase: string, file: string): Promise<void> {
  const sample = new Sample();
  const started = performance.now();
  if (phase === 'generate') {
    for (const batch of generateBatches()) sample.add(batch);
  } else if (lib === 'hyparquet') {
    await (phase === 'write' ? hyparquetWrite(file, sample) : hyparquetRead(file, sample));
  } else {
    const duck = await import('@duckdb/node-api');
    await (phase === 'write' ? duckdbWrite(duck, file, sample) : duckdbRead(duck, file, sample));
  }
  const ms = performance.now() - started;
  const report: ChildReport = { ms, peakRssMb: round(process.resourceUsage().maxRSS / 1024, 0), rows: sample.rows, sample: sample.digest() };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ── parent side ──────────────────────────────────────────────────────────────────────────────────

const execFileAsync = promisify(execFile);

async function runChild(lib: string, phase: string, file: string): Promise<ChildReport> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, lib, phase, file], {
    cwd: REPO_ROOT,
    maxBuffer: 1 << 20,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as ChildReport;
}

async function duckdbAvailable(): Promise<boolean> {
  try {
    await import('@duckdb/node-api');
    return true;
  } catch {
    return false;
  }
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  const expected = new Sample();
  for (const batch of generateBatches()) expected.add(batch);
  const expectedDigest = expected.digest();
  return [...(await measureParquet(ctx, expectedDigest)), ...(await measureCopyText(ctx, expectedDigest))];
}

interface ParquetFigures {
  write: ChildReport;
  read: ChildReport;
  mb: number;
}

/** Generating alone, then a write and a read child per library; hyparquet's figures carry DuckDB's as the reference. */
async function measureParquet(ctx: BenchContext, expectedDigest: string): Promise<Result[]> {
  // What generating the rows alone costs (time and RSS): part of every write figure below.
  const generated = await runChild('none', 'generate', '');
  if (generated.sample !== expectedDigest) throw new Error('generator is not deterministic');
  ctx.log(`generating 1M rows alone: ${round(generated.ms / 1000, 2)} s, peak RSS ${generated.peakRssMb} MB`);

  const libs = ['hyparquet', ...((await duckdbAvailable()) ? ['duckdb'] : [])];
  if (libs.length === 1) ctx.note('@duckdb/node-api is not installed: no DuckDB reference');
  const figures = new Map<string, ParquetFigures>();
  for (const lib of libs) figures.set(lib, await parquetRoundTrip(ctx, lib, expectedDigest));

  const results: Result[] = [
    result('parquet/1m/generate-only', generated.ms, 'ms', 'report only'),
    result('parquet/1m/generate-only-peak-rss', generated.peakRssMb, 'MB', 'report only'),
  ];
  const duck = figures.get('duckdb');
  for (const [lib, f] of figures) {
    const ref = lib === 'duckdb' || !duck ? null : duck;
    const refName = '@duckdb/node-api';
    results.push(result(`parquet/1m/${lib}/write`, f.write.ms, 'ms', '< 8000 ms', ref && { name: refName, value: ref.write.ms }));
    results.push(result(`parquet/1m/${lib}/write-peak-rss`, f.write.peakRssMb, 'MB', '< 600 MB', ref && { name: refName, value: ref.write.peakRssMb }));
    results.push(result(`parquet/1m/${lib}/read`, f.read.ms, 'ms', '< 5000 ms', ref && { name: refName, value: ref.read.ms }));
    results.push(result(`parquet/1m/${lib}/read-peak-rss`, f.read.peakRssMb, 'MB', '< 600 MB', ref && { name: refName, value: ref.read.peakRssMb }));
    results.push(result(`parquet/1m/${lib}/file-size`, f.mb, 'MB', 'report only', ref && { name: refName, value: ref.mb }));
  }
  return results;
}

/** One library's write and read, each in its own child process, both checked against the generated rows. */
async function parquetRoundTrip(ctx: BenchContext, lib: string, expectedDigest: string): Promise<ParquetFigures> {
  const file = join(ctx.tmpDir, `${lib}.parquet`);
  const write = await runChild(lib, 'write', file);
  const read = await runChild(lib, 'read', file);
  for (const [phase, report] of [
    ['write', write],
    ['read', read],
  ] as const) {
    if (report.rows !== ROWS || report.sample !== expectedDigest)
      throw new Error(`${lib} ${phase}: the rows differ from the generated ones (${report.rows} rows)`);
  }
  const mb = (await stat(file)).size / 1024 / 1024;
  ctx.log(
    `${lib}: write ${round(write.ms / 1000, 2)} s (peak RSS ${write.peakRssMb} MB), read ${round(read.ms / 1000, 2)} s ` +
      `(peak RSS ${read.peakRssMb} MB), file ${round(mb, 1)} MB`,
  );
  return { write, read, mb };
}

/**
 * COPY text codec. Streaming keeps only a batch or two alive, so the timed runs do too: format
 * cycles over 100k pre-built rows (10 batches) to make 1M, parse reads the formatted bytes.
 */
async function measureCopyText(ctx: BenchContext, expectedDigest: string): Promise<Result[]> {
  const toText = async (batches: AsyncIterable<TextRow[]>) => {
    const chunks: Buffer[] = [];
    for await (const chunk of batchesToCopyText(batches)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const text = await toText(
    (async function* () {
      yield* generateBatches();
    })(),
  );
  const pool: TextRow[][] = [];
  for (const batch of generateBatches(100_000)) pool.push(batch);
  const formatted = await measure(
    async () => {
      let bytes = 0;
      const batches = (async function* () {
        for (let i = 0; i < ROWS / BATCH; i++) yield pool[i % pool.length] as TextRow[];
      })();
      for await (const chunk of batchesToCopyText(batches)) bytes += (chunk as Buffer).length;
      return bytes;
    },
    { warmup: 1, runs: 3 },
  );
  const parse = async () => {
    const sample = new Sample();
    // 64 KiB chunks, as a socket delivers them, so lines and characters are cut at random places.
    const chunks = (function* () {
      for (let i = 0; i < text.length; i += 65_536) yield text.subarray(i, i + 65_536);
    })();
    for await (const batch of copyTextToBatches(chunks, BATCH)) sample.add(batch);
    return sample;
  };
  const parsed = await measure(parse, {
    warmup: 1,
    runs: 3,
    check: (s) => {
      if (s.rows !== ROWS || s.digest() !== expectedDigest) throw new Error('copy-text: parsed rows differ from the generated ones');
    },
  });
  ctx.log(`copy-text: format ${round(formatted.median)} ms, parse ${round(parsed.median)} ms for ${round(text.length / 1024 / 1024, 1)} MB`);
  return [result('copy-text/1m/format', formatted.median, 'ms', '< 1500 ms'), result('copy-text/1m/parse', parsed.median, 'ms', '< 1500 ms')];
}

if (process.argv[2] === CHILD_FLAG) {
  const [lib = '', phase = '', file = ''] = process.argv.slice(3);
  await child(lib, phase, file);
}
