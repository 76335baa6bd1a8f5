import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batchesToCopyText } from '../src/dataset/copy-text.ts';
import { formatFloat8, parseFloat8 } from '../src/dataset/float8.ts';
import { type AsyncBuffer, datasetColumns, parquetTypeFor, writeParquet } from '../src/dataset/parquet.ts';
import { readParquetCopyText } from '../src/dataset/parquet-copy-text.ts';
import { readParquet, readParquetMetadata } from '../src/dataset/parquet-read.ts';
import type { TextRow } from '../src/dataset/types.ts';
import { InvalidInputError } from '../src/errors.ts';
import { batchesOf, collect, failure } from './support/dataset.ts';

// ── Parquet codec (no database) ──────────────────────────────────────────────────────────────────

describe('Parquet codec', () => {
  it('maps PostgreSQL types to lossless Parquet types', () => {
    const cases: [string, string][] = [
      ['smallint', 'INT32'],
      ['integer', 'INT32'],
      ['bigint', 'INT64'],
      ['boolean', 'BOOLEAN'],
      ['double precision', 'DOUBLE'],
      ['real', 'STRING'],
      ['numeric(12,2)', 'STRING'],
      ['timestamp with time zone', 'STRING'],
      ['bytea', 'STRING'],
      ['integer[]', 'STRING'],
      ['public.positive_int', 'STRING'],
      ['money', 'STRING'],
    ];
    for (const [pgType, parquetType] of cases) expect([pgType, parquetTypeFor(pgType)]).toEqual([pgType, parquetType]);
  });

  it('prints float8 exactly as PostgreSQL does, including the values JavaScript shortens differently', () => {
    const cases = [
      '0',
      '-0',
      'NaN',
      'Infinity',
      '-Infinity',
      '0.1',
      '1e-05',
      '0.0001',
      '1e+15',
      '100000000000000',
      '123456789012345.6',
      '5e-324',
      '1.7976931348623157e+308',
      '2.1947186902425032e+16',
      '9.007199254740992e+15',
    ];
    for (const text of cases) expect(formatFloat8(parseFloat8(text))).toBe(text);
  });

  async function toBuffer(columns: ReturnType<typeof datasetColumns>, rows: TextRow[], rowGroupRows?: number): Promise<{ file: AsyncBuffer; bytes: Buffer }> {
    const chunks: Uint8Array[] = [];
    await writeParquet(columns, batchesOf(rows), (c) => void chunks.push(c), { rowGroupRows });
    const bytes = Buffer.concat(chunks);
    return {
      bytes,
      file: {
        byteLength: bytes.length,
        slice: async (s, e) => bytes.buffer.slice(bytes.byteOffset + s, bytes.byteOffset + (e ?? bytes.length)) as ArrayBuffer,
      },
    };
  }

  it('refuses rows of the wrong width and values that are not valid text for their Parquet type', async () => {
    const columns = datasetColumns([
      { name: 'i', pgType: 'integer', nullable: true },
      { name: 'b', pgType: 'boolean', nullable: true },
      { name: 'f', pgType: 'double precision', nullable: true },
    ]);
    const bad: [TextRow, RegExp][] = [
      [['1', 't'], /has 2 values; the table has 3 columns/],
      [['1.5', 't', '1'], /not valid integer text/],
      [['2147483648', 't', '1'], /not valid integer text/],
      [['1', 'true', '1'], /not valid boolean text/],
      [['0x1f', 't', '1'], /not valid integer text/],
      [['1', 't', '0.10000000000000001'], /not in PostgreSQL's shortest-exact form/],
    ];
    for (const [row, message] of bad) {
      const err = await failure(writeParquet(columns, batchesOf([row]), () => {}));
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toMatch(message);
    }
  });

  it('refuses bigint text outside int8 or not spelled as PostgreSQL spells it', async () => {
    const columns = datasetColumns([{ name: 'b', pgType: 'bigint', nullable: true }]);
    for (const text of ['9223372036854775808', '-9223372036854775809', ' 7', '007', '', '1e3']) {
      expect(await failure(writeParquet(columns, batchesOf([[text]]), () => {}))).toBeInstanceOf(InvalidInputError);
    }
  });

  it('writes an empty table that reads back as no rows', async () => {
    const columns = datasetColumns([{ name: 'a', pgType: 'text', nullable: true }]);
    const { file } = await toBuffer(columns, []);
    expect(await collect(readParquet(file))).toEqual([]);
  });

  it('streams a file as the same COPY text as its rows formatted one by one, any column subset in any order', async () => {
    const columns = datasetColumns([
      { name: 'i2', pgType: 'smallint', nullable: true },
      { name: 'i4', pgType: 'integer', nullable: true },
      { name: 'i8', pgType: 'bigint', nullable: true },
      { name: 'b', pgType: 'boolean', nullable: true },
      { name: 'f', pgType: 'double precision', nullable: true },
      { name: 't', pgType: 'text', nullable: true },
      { name: 'n', pgType: 'numeric(12,2)', nullable: true },
    ]);
    const texts = ['', 'plain', 'tab\there', 'new\nline\r\n', 'back\\slash', '\b\f\v', 'Zürich 東京 🎉', 'x'.repeat(5000), '\\N', 'caf\u00e9\t'];
    const ints = ['0', '-1', '7', '2147483647', '-2147483648', '-32768', '32767', '1000000', '-999999'];
    const bigs = ['0', '-1', '9223372036854775807', '-9223372036854775808', '9007199254740991', '-9007199254740992', '9007199254740993', '1234567890123'];
    const floats = ['0', '-0', 'NaN', 'Infinity', '-Infinity', '0.1', '1e-05', '1.7976931348623157e+308'];
    const pick = <T>(xs: T[], i: number) => xs[i % xs.length] as T;
    const rows: TextRow[] = Array.from({ length: 3000 }, (_, i) => [
      i % 11 === 0 ? null : pick(['0', '-32768', '32767', '12'], i),
      i % 7 === 0 ? null : pick(ints, i),
      i % 5 === 0 ? null : pick(bigs, i * 3),
      i % 3 === 0 ? null : i % 2 ? 't' : 'f',
      i % 13 === 0 ? null : pick(floats, i),
      i % 4 === 0 ? null : `${pick(texts, i)}${i % 9 ? '' : String(i)}`,
      i % 6 === 0 ? null : `${i}.${String(i % 100).padStart(2, '0')}`,
    ]);
    const { file } = await toBuffer(columns, rows, 700);
    const text = async (chunks: AsyncIterable<Uint8Array>) => {
      const parts: Buffer[] = [];
      for await (const c of chunks) parts.push(Buffer.from(c));
      return Buffer.concat(parts);
    };
    const expected = await text(batchesToCopyText(readParquet(file)));
    // The direct page decoder and hyparquet's (the fallback for layouts the direct one does not read).
    for (const direct of [true, false]) {
      expect((await text(readParquetCopyText(file, { direct }))).toString('utf8').split('\n')).toEqual(expected.toString('utf8').split('\n'));
    }
    const order = [6, 0, 5, 2];
    const picked = await text(batchesToCopyText(batchesOf(rows.map((r) => order.map((i) => r[i] ?? null)))));
    for (const direct of [true, false]) {
      let counted = 0;
      const got = await text(readParquetCopyText(file, { direct, columns: order.map((i) => columns[i]?.name as string), onRows: (n) => (counted += n) }));
      expect(got.toString('utf8')).toBe(picked.toString('utf8'));
      expect(counted).toBe(rows.length);
    }
    await expect(text(readParquetCopyText(file, { columns: ['nope'] }))).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('reads a page range for a preview, not the whole file', async () => {
    const columns = datasetColumns([
      { name: 'id', pgType: 'bigint', nullable: false },
      { name: 'v', pgType: 'text', nullable: true },
    ]);
    const rows: TextRow[] = Array.from({ length: 40_000 }, (_, i) => [String(i), randomBytes(24).toString('hex')]);
    const { file, bytes } = await toBuffer(columns, rows, 4000);
    let read = 0;
    const counting: AsyncBuffer = {
      byteLength: file.byteLength,
      slice: async (s, e) => {
        read += (e ?? file.byteLength) - s;
        return file.slice(s, e);
      },
    };
    const metadata = await readParquetMetadata(counting);
    expect(metadata.row_groups.length).toBe(10);
    read = 0;
    expect(await collect(readParquet(counting, { metadata, offset: 21_995, limit: 10 }))).toEqual(rows.slice(21_995, 22_005));
    expect(read).toBeLessThan(bytes.length / 4);
  });
});
