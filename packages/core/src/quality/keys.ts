/**
 * Exact key checks in bounded memory: repeated values of a table's primary and unique keys, and
 * foreign-key values missing from the keys of the table they reference. Keys are counted in memory
 * (key text → occurrences) until the report's key budget is used; then the largest bag spills: its
 * keys are hash-partitioned into files and later keys are appended to them. A spilled bag is checked
 * one partition at a time — the same hash sends a parent key and a child value to partitions of the
 * same number — and a partition too large for the budget is split again with another hash. Keys are
 * compared as text, never by hash, so the counts are exact however many rows there are.
 */
import { appendFile, mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hash53 } from './sketch.ts';

export interface KeySpaceOptions {
  /** Estimated bytes every in-memory bag may hold together, and the most one partition check loads. */
  memoryBytes: number;
  /** Directory under which a spill directory is made (on the first spill) and removed by `close()`. */
  dir: string;
  /** Partition files per spilled bag. */
  partitions?: number;
}

/** Default key budget of a report. */
export const DEFAULT_KEY_MEMORY_BYTES = 64 * 1024 * 1024;
const DEFAULT_PARTITIONS = 64;
/** Rough V8 cost of a Map entry and its string's header; the characters come on top. */
const ENTRY_BYTES = 80;
/** Write buffer of one partition file. */
const CHUNK_BYTES = 16 * 1024;
const READ_BYTES = 1024 * 1024;
/** Beyond this depth a partition is loaded whatever its size: only identical-looking hashes could be left. */
const MAX_LEVEL = 6;

const entryBytes = (key: string) => ENTRY_BYTES + key.length;
const partitionOf = (key: string, level: number, partitions: number) => hash53(key, level * 0x51ed27) % partitions;

/** Buffered appends of `(count, key)` records to a set of partition files. */
class PartitionWriter {
  readonly paths: string[];
  #chunks: Buffer[][];
  #current: (Buffer | null)[];
  #offset: number[];

  constructor(
    base: string,
    readonly level: number,
    readonly partitions: number,
  ) {
    this.paths = Array.from({ length: partitions }, (_, i) => `${base}.${i}`);
    this.#chunks = this.paths.map(() => []);
    this.#current = this.paths.map(() => null);
    this.#offset = this.paths.map(() => 0);
  }

  add(key: string, count: number): void {
    const p = partitionOf(key, this.level, this.partitions);
    const worst = 8 + key.length * 3;
    let buf = this.#current[p] as Buffer | null;
    let off = this.#offset[p] as number;
    if (!buf || off + worst > buf.length) {
      if (buf && off > 0) (this.#chunks[p] as Buffer[]).push(buf.subarray(0, off));
      buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, worst));
      this.#current[p] = buf;
      off = 0;
    }
    const n = buf.write(key, off + 8, 'utf8');
    buf.writeUInt32LE(count, off);
    buf.writeUInt32LE(n, off + 4);
    this.#offset[p] = off + 8 + n;
  }

  /** Writes the full chunks (all buffered bytes with `all`); `all` also releases the buffers. */
  async flush(all: boolean): Promise<void> {
    for (let p = 0; p < this.partitions; p++) {
      const chunks = this.#chunks[p] as Buffer[];
      if (all) {
        const buf = this.#current[p];
        const off = this.#offset[p] as number;
        if (buf && off > 0) chunks.push(buf.subarray(0, off));
        this.#current[p] = null;
        this.#offset[p] = 0;
      }
      if (!chunks.length) continue;
      this.#chunks[p] = [];
      await appendFile(this.paths[p] as string, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    }
  }
}

/**
 * Streams the records of a partition file (a missing file has none); `afterRead` runs after each
 * buffer of records, where a caller writing what it reads can flush.
 */
async function readRecords(path: string, onRecord: (key: string, count: number) => void, afterRead?: () => Promise<void>): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    let buf = Buffer.allocUnsafe(Math.max(8, Math.min(READ_BYTES, size)));
    let end = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, end, buf.length - end, null);
      end += bytesRead;
      let at = 0;
      while (end - at >= 8) {
        const count = buf.readUInt32LE(at);
        const length = buf.readUInt32LE(at + 4);
        if (end - at - 8 < length) break;
        onRecord(buf.toString('utf8', at + 8, at + 8 + length), count);
        at += 8 + length;
      }
      await afterRead?.();
      if (bytesRead === 0) {
        if (at !== end) throw new Error(`truncated key partition file ${path}`);
        return;
      }
      // Keep the partial record; grow the buffer when one record is larger than it.
      buf.copy(buf, 0, at, end);
      end -= at;
      if (end >= 8) {
        const need = 8 + buf.readUInt32LE(4);
        if (need > buf.length) {
          const bigger = Buffer.allocUnsafe(need);
          buf.copy(bigger, 0, 0, end);
          buf = bigger;
        }
      }
    }
  } finally {
    await handle.close();
  }
}

/**
 * The keys of one partition file counted in memory, or null when they would not fit the budget
 * (a single key larger than the budget is loaded anyway: splitting cannot make it smaller).
 */
async function loadPartition(path: string, limit: number, level: number): Promise<Map<string, number> | null> {
  const counts = new Map<string, number>();
  let bytes = 0;
  let over = false;
  await readRecords(path, (key, count) => {
    if (over) return;
    const n = counts.get(key);
    if (n !== undefined) counts.set(key, n + count);
    else {
      counts.set(key, count);
      bytes += entryBytes(key);
      if (bytes > limit && counts.size > 1 && level < MAX_LEVEL) over = true;
    }
  });
  return over ? null : counts;
}

/**
 * How many parts a partition that did not fit is split into: enough for each to fit (records of
 * ~16-byte keys take ~4× their file bytes in memory), at most the space's partition count.
 */
async function fanout(path: string, limit: number, partitions: number): Promise<number> {
  const { size } = await stat(path);
  return Math.min(partitions, Math.max(2, Math.ceil((6 * size) / limit)));
}

async function split(path: string, level: number, partitions: number): Promise<string[]> {
  const writer = new PartitionWriter(path, level, partitions);
  await readRecords(
    path,
    (key, count) => writer.add(key, count),
    () => writer.flush(false),
  );
  await writer.flush(true);
  return writer.paths;
}

const removeAll = (paths: string[]) => Promise.all(paths.map((p) => rm(p, { force: true })));

/**
 * The keys of one check (a PK, a unique constraint, an FK's values, or the column set FKs point
 * at), fed row by row. Sealed when its table has been read; then counted.
 */
export class KeyBag {
  #counts: Map<string, number> | null = new Map();
  #bytes = 0;
  #writer: PartitionWriter | null = null;
  /** Occurrences added, NULL keys excluded. */
  size = 0;

  constructor(
    private readonly space: KeySpace,
    readonly id: number,
  ) {}

  add(key: string): void {
    this.size++;
    const counts = this.#counts;
    if (!counts) {
      (this.#writer as PartitionWriter).add(key, 1);
      return;
    }
    const n = counts.get(key);
    if (n !== undefined) counts.set(key, n + 1);
    else {
      counts.set(key, 1);
      const b = entryBytes(key);
      this.#bytes += b;
      this.space.used += b;
    }
  }

  get spilled(): boolean {
    return this.#counts === null;
  }

  get memoryBytes(): number {
    return this.#bytes;
  }

  /** Moves every key to partition files; later keys go there too. */
  async spill(): Promise<void> {
    if (!this.#counts) return;
    const dir = await this.space.directory();
    const writer = new PartitionWriter(join(dir, `bag${this.id}`), 0, this.space.partitions);
    let n = 0;
    for (const [key, count] of this.#counts) {
      writer.add(key, count);
      if (++n % 8192 === 0) await writer.flush(false);
    }
    this.#counts = null;
    this.space.used -= this.#bytes;
    this.#bytes = 0;
    this.#writer = writer;
    await writer.flush(false);
  }

  /** Writes what is buffered once enough is; with `all`, everything, releasing the buffers. */
  async flush(all = false): Promise<void> {
    await this.#writer?.flush(all);
  }

  /** Keys equal to an earlier key of the bag. */
  async duplicates(): Promise<number> {
    if (this.#counts) {
      let n = 0;
      for (const c of this.#counts.values()) n += c - 1;
      return n;
    }
    await this.flush(true);
    return this.#duplicatesIn((this.#writer as PartitionWriter).paths, 0, false);
  }

  async #duplicatesIn(paths: string[], level: number, owned: boolean): Promise<number> {
    let n = 0;
    for (const path of paths) {
      const counts = await loadPartition(path, this.space.memoryBytes, level);
      if (counts) {
        for (const c of counts.values()) n += c - 1;
        continue;
      }
      const parts = await split(path, level + 1, await fanout(path, this.space.memoryBytes, this.space.partitions));
      n += await this.#duplicatesIn(parts, level + 1, true);
    }
    if (owned) await removeAll(paths);
    return n;
  }

  /** Occurrences of `child`'s keys that are not keys of this bag (FK values without a parent row). */
  async missingFrom(child: KeyBag): Promise<number> {
    if (this.#counts && child.#counts) {
      let n = 0;
      for (const [key, c] of child.#counts) if (!this.#counts.has(key)) n += c;
      return n;
    }
    if (this.#counts) {
      // The parent's keys are in memory: stream the child's values past them.
      const mine = this.#counts;
      let n = 0;
      await child.flush(true);
      for (const path of (child.#writer as PartitionWriter).paths)
        await readRecords(path, (key, c) => {
          if (!mine.has(key)) n += c;
        });
      return n;
    }
    // Both partitioned the same way: partition p of the child can only match partition p here.
    await child.spill();
    await child.flush(true);
    await this.flush(true);
    return missingIn((this.#writer as PartitionWriter).paths, (child.#writer as PartitionWriter).paths, 0, this.space, false);
  }
}

async function missingIn(parents: string[], children: string[], level: number, space: KeySpace, owned: boolean): Promise<number> {
  let n = 0;
  for (let p = 0; p < parents.length; p++) {
    const parent = parents[p] as string;
    const child = children[p] as string;
    const keys = await loadPartition(parent, space.memoryBytes, level);
    if (keys) {
      await readRecords(child, (key, c) => {
        if (!keys.has(key)) n += c;
      });
      continue;
    }
    const parts = await fanout(parent, space.memoryBytes, space.partitions);
    const subParents = await split(parent, level + 1, parts);
    const subChildren = await split(child, level + 1, parts);
    n += await missingIn(subParents, subChildren, level + 1, space, true);
  }
  if (owned) await removeAll([...parents, ...children]);
  return n;
}

/**
 * The key bags of one report and their shared memory budget. `settle()` between row batches
 * spills the largest bags while the budget is exceeded and writes buffered partitions;
 * `close()` removes the spill files.
 */
export class KeySpace {
  readonly memoryBytes: number;
  readonly partitions: number;
  /** Estimated bytes held by the in-memory bags. */
  used = 0;
  readonly #bags: KeyBag[] = [];
  #dir: Promise<string> | null = null;

  constructor(private readonly options: KeySpaceOptions) {
    this.memoryBytes = Math.max(1, options.memoryBytes);
    this.partitions = Math.max(2, options.partitions ?? DEFAULT_PARTITIONS);
  }

  bag(): KeyBag {
    const bag = new KeyBag(this, this.#bags.length);
    this.#bags.push(bag);
    return bag;
  }

  /** The spill directory, made on first use. */
  directory(): Promise<string> {
    this.#dir ??= mkdir(this.options.dir, { recursive: true }).then(() => mkdtemp(join(this.options.dir, 'tdm-quality-keys-')));
    return this.#dir;
  }

  /** Whether any bag went to disk. */
  get spilled(): boolean {
    return this.#bags.some((b) => b.spilled);
  }

  async settle(): Promise<void> {
    while (this.used > this.memoryBytes) {
      let largest: KeyBag | null = null;
      for (const b of this.#bags) if (!b.spilled && (!largest || b.memoryBytes > largest.memoryBytes)) largest = b;
      if (!largest) break;
      await largest.spill();
    }
    for (const b of this.#bags) await b.flush();
  }

  async close(): Promise<void> {
    if (!this.#dir) return;
    const dir = await this.#dir.catch(() => null);
    this.#dir = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
