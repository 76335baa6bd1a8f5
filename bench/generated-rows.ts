/**
 * The generated table of `subset-provision.bench.ts`: its DDL (int8 id primary key, text,
 * numeric(12,2), timestamptz, bool, int4), its 1,000,000 deterministic rows as PostgreSQL prints
 * them, and the same rows as a CSV file for `psql \copy`.
 */
import { createWriteStream } from 'node:fs';
import type { TextRow } from '../packages/core/src/dataset/types.ts';

export const GEN_ROWS = 1_000_000;
const BATCH = 10_000;
export const GEN_TABLE = 'bench_rows';
export const GEN_DDL = `CREATE TABLE public.${GEN_TABLE} (
  id int8 NOT NULL,
  label text,
  amount numeric(12,2),
  created_at timestamptz NOT NULL,
  active bool,
  qty int4,
  CONSTRAINT ${GEN_TABLE}_pkey PRIMARY KEY (id)
)`;

/** The generated table's columns as the dataset store takes them. */
export const GEN_COLUMNS = [
  { name: 'id', pgType: 'bigint', nullable: false },
  { name: 'label', pgType: 'text', nullable: true },
  { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
  { name: 'created_at', pgType: 'timestamp with time zone', nullable: false },
  { name: 'active', pgType: 'boolean', nullable: true },
  { name: 'qty', pgType: 'integer', nullable: true },
];

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Deterministic rows of the generated table, as PostgreSQL prints them (about 5 % NULLs in the nullable columns). */
export function* generateRows(rows = GEN_ROWS, batchSize = BATCH): Generator<TextRow[]> {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau Zürich naïve 東京'.split(' ');
  const labels: string[] = [];
  for (let n = 0; n < 1024; n++) {
    const r = next();
    let label = '';
    for (let w = 0; w < 2 + (r % 5); w++) label += `${w ? ' ' : ''}${words[(r >>> (w * 3)) % words.length]}`;
    // A few values CSV must quote and COPY text must escape.
    labels.push(n % 61 === 0 ? `${label}, "quoted"\tand tabbed` : label);
  }
  const days: string[] = [];
  for (let d = 0; d < 366; d++) days.push(new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10));
  for (let start = 0; start < rows; start += batchSize) {
    const batch: TextRow[] = [];
    for (let i = start; i < Math.min(rows, start + batchSize); i++) {
      const r = next();
      const second = i % 86_400;
      const time = `${pad2((second / 3600) | 0)}:${pad2(((second / 60) | 0) % 60)}:${pad2(second % 60)}.${String(r % 1_000_000).padStart(6, '0')}`;
      batch.push([
        String(i + 1),
        r % 20 === 1 ? null : (labels[r & 1023] as string),
        r % 20 === 2 ? null : `${r % 10_000_000}.${pad2(r % 100)}`,
        `${days[((i / 86_400) | 0) % 366]} ${time}+00`,
        r % 20 === 3 ? null : r & 1 ? 't' : 'f',
        r % 20 === 4 ? null : String((r % 100_000) - 50_000),
      ]);
    }
    yield batch;
  }
}

function csvValue(v: string | null): string {
  if (v === null) return '';
  return /[",\n\r]/.test(v) || v === '' ? `"${v.replaceAll('"', '""')}"` : v;
}

/** The generated rows as CSV (`format csv`: empty for NULL, quoted where needed) at `path`. */
export async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  for (const batch of generateRows()) {
    let text = '';
    for (const row of batch) text += `${row.map(csvValue).join(',')}\n`;
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished;
}
