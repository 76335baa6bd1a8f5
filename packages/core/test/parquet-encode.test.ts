import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCopyTextRow } from '../src/dataset/copy-text.ts';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import { parseFloat8 } from '../src/dataset/float8.ts';
import { type AsyncBuffer, datasetColumns, groupBounds, openParquetWriter, type ParquetWriteOptions, writeParquet } from '../src/dataset/parquet.ts';
import { readParquetCopyText } from '../src/dataset/parquet-copy-text.ts';
import { writeParquetFromCopyText } from '../src/dataset/parquet-from-copy-text.ts';
import { readParquet } from '../src/dataset/parquet-read.ts';
import type { DatasetColumn, TableInput, TextRow } from '../src/dataset/types.ts';
import { InvalidInputError } from '../src/errors.ts';

function bufferFile(bytes: Uint8Array): AsyncBuffer {
  const copy = new Uint8Array(bytes); // a copy with an ArrayBuffer of its own (a small Buffer shares the pool's)
  return { byteLength: copy.length, slice: (start, end) => copy.buffer.slice(start, end ?? copy.length) };
}

async function collect(write: (sink: (chunk: Uint8Array) => void) => Promise<{ rowCount: number; checksum: string }>) {
  const parts: Uint8Array[] = [];
  const result = await write((chunk) => {
    parts.push(chunk);
  });
  return { ...result, bytes: Buffer.concat(parts) };
}

/** The COPY text of `rows` cut into chunks of `chunkSize` bytes (lines and UTF-8 characters split anywhere). */
function copyChunks(rows: TextRow[], chunkSize: number, lineEnd = '\n'): Buffer[] {
  const text = Buffer.from(rows.map((r) => formatCopyTextRow(r).replace(/\n$/, lineEnd)).join(''), 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(text.subarray(i, i + chunkSize));
  return out;
}

const REFERENCE_VALUE: Record<DatasetColumn['parquetType'], (text: string) => unknown> = {
  INT32: Number,
  INT64: BigInt,
  BOOLEAN: (t) => t === 't',
  DOUBLE: parseFloat8,
  STRING: (t) => Buffer.from(t, 'utf8'),
  BYTES: (t) => t,
};

/** hyparquet-writer's own encoding of the rows (its `write` per row group, same bounds): what the dataset files must equal. */
async function referenceParquet(columns: DatasetColumn[], rows: TextRow[], options: ParquetWriteOptions) {
  return collect(async (sink) => {
    const { groupRows, groupChars, valueOverhead } = groupBounds(options);
    const { pq, writer } = openParquetWriter(columns, sink, options);
    let group: TextRow[] = [];
    let chars = 0;
    const flush = async () => {
      if (!group.length) return;
      const columnData = columns.map((c, i) => ({
        name: c.name,
        data: group.map((r) => (r[i] === null ? null : REFERENCE_VALUE[c.parquetType](r[i] as string))),
        statistics: c.parquetType !== 'STRING',
      }));
      // biome-ignore lint/suspicious/noExplicitAny: hyparquet's DecodedArray
      await pq.write({ columnData: columnData as any, rowGroupSize: group.length });
      group = [];
      chars = 0;
    };
    for (const row of rows) {
      group.push(row);
      for (const v of row) chars += v === null ? 0 : v.length;
      chars += valueOverhead * columns.length;
      if (group.length >= groupRows || chars >= groupChars) await flush();
    }
    await flush();
    await pq.finish();
    return { rowCount: rows.length, checksum: writer.checksum() };
  });
}

/** Both writers on the same rows: the files must be hyparquet-writer's bytes for them, and read back as the rows. */
async function bothWays(table: TableInput['columns'], rows: TextRow[], options: ParquetWriteOptions & { chunkSize?: number; lineEnd?: string } = {}) {
  const columns = datasetColumns(table);
  const byRows = await collect((sink) => writeParquet(columns, [rows], sink, options));
  const byCopy = await collect((sink) => writeParquetFromCopyText(columns, copyChunks(rows, options.chunkSize ?? 65536, options.lineEnd), sink, options));
  const reference = await referenceParquet(columns, rows, options);
  expect(byRows.checksum).toBe(reference.checksum);
  expect(byCopy.rowCount).toBe(rows.length);
  expect(byCopy.bytes.length).toBe(byRows.bytes.length);
  expect(byCopy.checksum).toBe(createHash('sha256').update(byCopy.bytes).digest('hex'));
  expect(byCopy.checksum).toBe(byRows.checksum);
  const back: TextRow[] = [];
  for await (const batch of readParquet(bufferFile(byCopy.bytes))) back.push(...batch);
  expect(back).toEqual(rows);
  const copyText: Buffer[] = [];
  for await (const chunk of readParquetCopyText(bufferFile(byCopy.bytes))) copyText.push(chunk);
  expect(Buffer.concat(copyText).toString('utf8')).toBe(rows.map(formatCopyTextRow).join(''));
  return byCopy.bytes;
}

const ALL_TYPES: TableInput['columns'] = [
  { name: 'id', pgType: 'bigint', nullable: false },
  { name: 'small', pgType: 'smallint', nullable: true },
  { name: 'n', pgType: 'integer', nullable: true },
  { name: 'flag', pgType: 'boolean', nullable: true },
  { name: 'x', pgType: 'double precision', nullable: true },
  { name: 'label', pgType: 'text', nullable: true },
  { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
  { name: 'at', pgType: 'timestamp with time zone', nullable: true },
  { name: 'tags', pgType: 'text[]', nullable: true },
  { name: 'doc', pgType: 'jsonb', nullable: true },
  { name: 'raw', pgType: 'bytea', nullable: true },
];

const AWKWARD = ['', 'tab\there', 'line\nbreak', 'back\\slash', 'cr\rlf', '\\N', 'N', '\\', 'ünïcödé ✓ 😀 日本', '\b\f\v', ' lead and trail '];

function allTypesRow(i: number): TextRow {
  const nul = (k: number) => i % k === 0;
  return [
    String(i * 7919 - 500_000),
    nul(5) ? null : String((i % 65536) - 32768),
    nul(7) ? null : String(i % 2 ? -2147483648 + i : 2147483647 - i),
    nul(3) ? null : i % 2 ? 't' : 'f',
    nul(11) ? null : (['0', '2.5e-07', '1.5', 'NaN', 'Infinity', '-Infinity', '1e+300', '0.1'][i % 8] as string),
    nul(4) ? null : `${AWKWARD[i % AWKWARD.length]}#${i % 13}`,
    nul(9) ? null : `${(i % 100000) / 100}`,
    nul(13) ? null : `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}+00`,
    nul(6) ? null : `{a,"b c","d\\"e",NULL,${i}}`,
    nul(8) ? null : `{"k": "v\\n${i}", "u": "é"}`,
    nul(10) ? null : `\\x${(i % 4096).toString(16).padStart(4, '0')}`,
  ];
}

describe('Parquet from COPY text', () => {
  it('writes the bytes writeParquet writes, for every column type, NULLs, escapes and unicode', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => allTypesRow(i));
    await bothWays(ALL_TYPES, rows);
  });

  it('matches over several row groups, chunks cut at every few bytes and \\r\\n line ends', async () => {
    const rows = Array.from({ length: 700 }, (_, i) => allTypesRow(i + 3));
    await bothWays(ALL_TYPES, rows, { rowGroupRows: 128, chunkSize: 7 });
    await bothWays(ALL_TYPES, rows, { rowGroupChars: 4000, chunkSize: 1, lineEnd: '\r\n' });
  });

  it('chooses the same dictionaries: repeated text, integers and bigints beyond 2^53', async () => {
    const table = [
      { name: 'status', pgType: 'text', nullable: true },
      { name: 'code', pgType: 'integer', nullable: true },
      { name: 'big', pgType: 'int8', nullable: true },
      { name: 'half', pgType: 'text', nullable: true },
    ];
    const rows: TextRow[] = Array.from({ length: 20000 }, (_, i) => [
      i % 17 === 0 ? null : (['new', 'paid', 'shipped', 'cancelled — ✗', ''][i % 5] as string),
      i % 19 === 0 ? null : String((i % 40) * 1000),
      i % 23 === 0 ? null : (['9223372036854775807', '-9223372036854775808', '9007199254740993', '42'][i % 4] as string),
      // about half distinct: the sample keeps it, the full check decides
      String(i % 2 ? i : 7),
    ]);
    await bothWays(table, rows);
  });

  it('splits long columns into pages (offset index) as writeParquet does', async () => {
    const table = [
      { name: 'id', pgType: 'integer', nullable: false },
      { name: 'body', pgType: 'text', nullable: true },
    ];
    const rows: TextRow[] = Array.from({ length: 3000 }, (_, i) => [String(i), i % 31 === 0 ? null : `${'x'.repeat(700)}${i}`]);
    await bothWays(table, rows, { rowGroupChars: 64 * 1024 * 1024 });
  });

  it('reads one column of one empty string, a missing last newline and stops at \\.', async () => {
    const columns = datasetColumns([{ name: 'v', pgType: 'text', nullable: true }]);
    const out = await collect((sink) => writeParquetFromCopyText(columns, [Buffer.from('a\n\n\\N\nlast\\.x\n\\.\nafter\n')], sink));
    const back: TextRow[] = [];
    for await (const batch of readParquet(bufferFile(out.bytes))) back.push(...batch);
    expect(back).toEqual([['a'], [''], [null], ['last.x']]);
    const noNewline = await collect((sink) => writeParquetFromCopyText(columns, [Buffer.from('a\nb')], sink));
    expect(noNewline.rowCount).toBe(2);
  });

  it('writes an empty table as writeParquet does', async () => {
    await bothWays([{ name: 'v', pgType: 'int4', nullable: true }], []);
  });

  it('refuses rows of the wrong width and invalid values with the errors of the row path', async () => {
    const columns = datasetColumns([
      { name: 'id', pgType: 'int4', nullable: false },
      { name: 'big', pgType: 'int8', nullable: true },
      { name: 'ok', pgType: 'bool', nullable: true },
      { name: 'x', pgType: 'float8', nullable: true },
    ]);
    const cases = [
      '1\t2\tt\n3\n',
      '1\t2\tt\t1.5\textra\n',
      '01\t2\tt\t1\n',
      '2147483648\t2\tt\t1\n',
      '1\t-0\tt\t1\n',
      '1\t 7\tt\t1\n',
      '1\t2\tyes\t1\n',
      '1\t2\tt\t1.50\n',
    ];
    for (const text of cases) {
      const lines = text.split('\n').filter(Boolean);
      const rows = lines.map((l) => l.split('\t'));
      const expected = await writeParquet(columns, [rows], () => {}).then(
        () => null,
        (err: unknown) => err,
      );
      const actual = await writeParquetFromCopyText(columns, [Buffer.from(text)], () => {}).then(
        () => null,
        (err: unknown) => err,
      );
      expect(expected).toBeInstanceOf(InvalidInputError);
      expect(actual).toBeInstanceOf(InvalidInputError);
      expect((actual as Error).message).toBe((expected as Error).message);
    }
  });

  it('a dataset writer stores COPY text as the same file as the rows, and reports the rows per row group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tdm-parquet-encode-'));
    try {
      const store = new LocalDatasetStore(dir);
      const table = { schema: 'public', name: 'all types', columns: ALL_TYPES };
      const rows = Array.from({ length: 40_000 }, (_, i) => allTypesRow(i));
      const byRows = store.createWriter('by-rows');
      const a = await byRows.writeTable(
        table,
        (async function* () {
          yield rows;
        })(),
      );
      const byCopy = store.createWriter('by-copy');
      expect(byCopy.writeTableCopyText).toBeTypeOf('function');
      const counts: number[] = [];
      const b = await byCopy.writeTableCopyText?.(table, {
        copyText: (async function* () {
          yield* copyChunks(rows, 100_000);
        })(),
        onRows: (n) => counts.push(n),
      });
      expect(b).toEqual(a);
      expect(counts).toEqual([16384, 16384, 7232]);
      await byCopy.finish({ name: 'x', kind: 'SUBSET', schemaVersionId: null, parentId: null, jobId: null, meta: {} });
      const back: TextRow[] = [];
      for await (const batch of store.readTable('by-copy', table)) back.push(...batch);
      expect(back).toEqual(rows);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
