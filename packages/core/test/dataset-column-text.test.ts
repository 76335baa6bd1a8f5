/**
 * The masked columns' reader (`rowGroupText` + `columnTextStrings`, parquet-pages.ts) gives the text
 * hyparquet's rows give (`readParquet`), value for value: escapes, NULLs, Unicode, a leading byte
 * order mark, dictionary and PLAIN chunks, every column type, several row groups.
 */
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { type AsyncBuffer, datasetColumns, writeParquet } from '../src/dataset/parquet.ts';
import { columnTextStrings, rowGroupText } from '../src/dataset/parquet-pages.ts';
import { readParquet } from '../src/dataset/parquet-read.ts';
import type { TableInput, TextRow } from '../src/dataset/types.ts';

const COLUMNS: TableInput['columns'] = [
  { name: 'id', pgType: 'bigint', nullable: false },
  { name: 'n', pgType: 'integer', nullable: true },
  { name: 'small', pgType: 'smallint', nullable: true },
  { name: 'flag', pgType: 'boolean', nullable: true },
  { name: 'x', pgType: 'double precision', nullable: true },
  { name: 'label', pgType: 'text', nullable: true },
  { name: 'code', pgType: 'text', nullable: true },
  { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
];

const AWKWARD = [
  '',
  'tab\there',
  'line\nbreak',
  'back\\slash',
  'cr\rlf',
  '\\N',
  'N',
  '\\',
  'ünïcödé ✓ 😀 日本',
  '\b\f\v',
  '\uFEFFbom first',
  'bom\uFEFF inside',
];

function row(i: number): TextRow {
  return [
    String(i % 613 === 0 ? 2n ** 62n - BigInt(i) : i),
    i % 7 ? String((i * 7919) % 2_000_000_000) : null,
    i % 5 ? String((i % 65536) - 32768) : null,
    i % 3 ? (i % 2 ? 't' : 'f') : null,
    i % 11 ? (['0', '2.5e-07', '1.5', 'NaN', 'Infinity', '-Infinity', '1e+300', '0.1'][i % 8] as string) : null,
    i % 13 ? `${AWKWARD[i % AWKWARD.length]} #${i}` : null, // distinct: PLAIN pages
    i % 17 ? (AWKWARD[i % AWKWARD.length] as string) : null, // few values: a dictionary
    `${(i % 100_000) / 100}`,
  ];
}

function bufferFile(bytes: Uint8Array): AsyncBuffer {
  const copy = new Uint8Array(bytes);
  return { byteLength: copy.length, slice: (start, end) => copy.buffer.slice(start, end ?? copy.length) };
}

describe('column text of a row group, as the masked columns are read', () => {
  it('equals hyparquet’s rows for every column and row group', async () => {
    const columns = datasetColumns(COLUMNS);
    const rows = Array.from({ length: 9000 }, (_, i) => row(i));
    const parts: Uint8Array[] = [];
    await writeParquet(
      columns,
      [rows],
      (chunk) => {
        parts.push(chunk);
      },
      { rowGroupRows: 4000 },
    );
    const file = bufferFile(Buffer.concat(parts));
    const expected: TextRow[] = [];
    for await (const batch of readParquet(file)) expected.push(...batch);
    const bytes = new Uint8Array(await file.slice(0));
    const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
    expect(metadata.row_groups.length).toBe(3);
    const actual: TextRow[] = [];
    let start = 0;
    for (const [g, group] of metadata.row_groups.entries()) {
      const n = Number(group.num_rows);
      const fields = await rowGroupText(
        file,
        metadata,
        g,
        columns.map((c) => c.name),
      );
      expect(fields).not.toBeNull();
      const texts = (fields ?? []).map((f, k) => columnTextStrings(f, n, columns[k]?.parquetType === 'STRING'));
      for (let r = 0; r < n; r++) actual.push(texts.map((t) => t[r] ?? null));
      start += n;
    }
    expect(start).toBe(rows.length);
    expect(actual).toEqual(expected);
    // What hyparquet's TextDecoder does to a leading byte order mark, the direct reader does too.
    expect(expected.some((r) => r[6] === 'bom first')).toBe(true);
    expect(expected.some((r) => r[6] === 'bom\uFEFF inside')).toBe(true);
  });
});
