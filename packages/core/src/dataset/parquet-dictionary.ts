/**
 * Dictionary encoding of one column of a row group held in `CopyTextColumns` buffers, decided the way
 * hyparquet-writer's `useDictionary` decides it (the same sample of at most 1,000 values spread over
 * the chunk, the same 90 % rejection ratio, the same "dictionary and indexes at most half the PLAIN
 * bytes" rule, entries in order of first use), so a column gets the dictionary the row path's writer
 * would give it, entry for entry.
 */
import type { ColumnBuffer } from './copy-text-columns.ts';
import { int64Words } from './copy-text-columns.ts';

/** A column's dictionary: its PLAIN-encoded entries and, per row, the entry index (-1 for NULL). */
export interface ColumnDictionary {
  count: number;
  plain: Uint8Array;
  indexes: Int32Array;
}

const SAMPLE = 1000;
const SAMPLE_REJECTION = 0.9;

/** FNV-1a over `bytes[from, to)`, as hyparquet-writer hashes byte arrays. */
function fnv(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

type Key = number | bigint | null;

/** The sampled verdict: false when the distinct bytes of the sample exceed 90 % of its bytes. */
function sampleAccepts(rows: number, keyOf: (row: number) => Key, sizeOf: (row: number) => number): boolean {
  const n = Math.min(rows, SAMPLE);
  const sizes = new Map<Key, number>();
  let distinct = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = n === 1 ? 0 : Math.floor((i * (rows - 1)) / (n - 1));
    const key = keyOf(row);
    let size = sizes.get(key);
    if (size === undefined) {
      size = sizeOf(row);
      sizes.set(key, size);
      distinct += size;
    }
    total += size;
  }
  return total > 0 && distinct / total <= SAMPLE_REJECTION;
}

/** Whether a dictionary of `count` entries pays: its entries and bit-packed indexes at most half the PLAIN bytes. */
function pays(count: number, nonNull: number, dictBytes: number, totalBytes: number, prefix: number): boolean {
  const bitWidth = Math.ceil(Math.log2(count));
  const indexSize = Math.ceil((nonNull * bitWidth) / 8);
  return 2 * (dictBytes + count * prefix + indexSize) <= totalBytes + nonNull * prefix;
}

/** The dictionary of a STRING column, or null when PLAIN pages are smaller. */
export function textDictionary(c: ColumnBuffer, rows: number): ColumnDictionary | null {
  const { bytes, offsets, defs } = c;
  const keyOf = (r: number): Key => (defs[r] ? fnv(bytes, offsets[r] as number, offsets[r + 1] as number) : null);
  const sizeOf = (r: number) => (defs[r] ? (offsets[r + 1] as number) - (offsets[r] as number) + 4 : 0);
  if (!sampleAccepts(rows, keyOf, sizeOf)) return null;
  let slots = 16;
  while (slots < 2 * rows) slots *= 2;
  const table = new Int32Array(slots).fill(-1);
  const firstRow: number[] = [];
  const hashes: number[] = [];
  const indexes = new Int32Array(rows);
  let dictBytes = 0;
  let totalBytes = 0;
  let nonNull = 0;
  for (let r = 0; r < rows; r++) {
    if (!defs[r]) {
      indexes[r] = -1;
      continue;
    }
    nonNull++;
    const from = offsets[r] as number;
    const to = offsets[r + 1] as number;
    totalBytes += to - from;
    const h = fnv(bytes, from, to);
    let slot = h & (slots - 1);
    let found = -1;
    for (let e = table[slot] as number; e !== -1; e = table[slot] as number) {
      if (hashes[e] === h && sameBytes(bytes, from, to, offsets[firstRow[e] as number] as number, offsets[(firstRow[e] as number) + 1] as number)) {
        found = e;
        break;
      }
      slot = (slot + 1) & (slots - 1);
    }
    if (found === -1) {
      found = firstRow.length;
      firstRow.push(r);
      hashes.push(h);
      table[slot] = found;
      dictBytes += to - from;
    }
    indexes[r] = found;
  }
  if (!pays(firstRow.length, nonNull, dictBytes, totalBytes, 4)) return null;
  const plain = new Uint8Array(dictBytes + 4 * firstRow.length);
  const view = new DataView(plain.buffer);
  let at = 0;
  for (const r of firstRow) {
    const from = offsets[r] as number;
    const to = offsets[r + 1] as number;
    view.setUint32(at, to - from, true);
    plain.set(bytes.subarray(from, to), at + 4);
    at += 4 + to - from;
  }
  return { count: firstRow.length, plain, indexes };
}

function sameBytes(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let k = 0; k < aEnd - a; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}

/** A row's value of an INT32 or INT64 column as a dictionary key (a bigint only beyond 2^53). */
function numberKey(c: ColumnBuffer, r: number): number | bigint {
  if (c.column.parquetType === 'INT32') return c.ints[r] as number;
  return c.big.get(r) ?? (c.nums[r] as number);
}

/** The dictionary of an INT32 or INT64 column, or null when PLAIN pages are smaller. */
export function numberDictionary(c: ColumnBuffer, rows: number): ColumnDictionary | null {
  const width = c.column.parquetType === 'INT32' ? 4 : 8;
  const { defs } = c;
  if (
    !sampleAccepts(
      rows,
      (r) => (defs[r] ? numberKey(c, r) : null),
      (r) => (defs[r] ? width : 0),
    )
  )
    return null;
  const index = new Map<number | bigint, number>();
  const entries: (number | bigint)[] = [];
  const indexes = new Int32Array(rows);
  let nonNull = 0;
  for (let r = 0; r < rows; r++) {
    if (!defs[r]) {
      indexes[r] = -1;
      continue;
    }
    nonNull++;
    const key = numberKey(c, r);
    let e = index.get(key);
    if (e === undefined) {
      e = entries.length;
      entries.push(key);
      index.set(key, e);
    }
    indexes[r] = e;
  }
  if (!pays(entries.length, nonNull, entries.length * width, nonNull * width, 0)) return null;
  const plain = new Uint8Array(entries.length * width);
  const view = new DataView(plain.buffer);
  for (const [e, key] of entries.entries()) {
    if (width === 4) view.setInt32(4 * e, key as number, true);
    else if (typeof key === 'bigint') view.setBigInt64(8 * e, key, true);
    else {
      const [lo, hi] = int64Words(key);
      view.setUint32(8 * e, lo, true);
      view.setInt32(8 * e + 4, hi, true);
    }
  }
  return { count: entries.length, plain, indexes };
}
