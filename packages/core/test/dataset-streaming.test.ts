import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LocalDatasetStore } from '../src/dataset/local-store.ts';
import type { TableInput, TextRow } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { createTestDatabase, pgAvailable } from './support/databases.ts';
import { copyInBatches, copyOutBatches, count, FINISH } from './support/dataset.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn('PostgreSQL is not reachable: the 300k-row dataset test streams generated rows, not COPY output from the server');

/** Heap (with array buffers) sampled after forced collections: what the process really holds. */
function heapSampler(intervalMs = 100): { stop(): { baseline: number; peak: number } } {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  gc();
  const baseline = used();
  let peak = baseline;
  const timer = setInterval(() => {
    gc();
    peak = Math.max(peak, used());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { baseline, peak };
    },
  };
}

// ── bounded memory ───────────────────────────────────────────────────────────────────────────────

describe('streaming a 300k-row table', () => {
  const ROWS = 300_000;
  const payload = (i: number) => `${i.toString(36)}:${'x'.repeat(800)}:${(i * 2654435761) % 1000003}`;

  it('keeps memory well under the data size through COPY, Parquet and back', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tdm-dataset-big-'));
    const store = new LocalDatasetStore(root);
    const table: TableInput = {
      schema: 'public',
      name: 'big',
      columns: [
        { name: 'id', pgType: 'bigint', nullable: false },
        { name: 'payload', pgType: 'text', nullable: false },
        { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
      ],
    };
    let db: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
    let client: SqlClient | null = null;
    try {
      // The real server streams COPY; PGlite hands COPY output over as one blob, so there the rows come from a generator.
      let source: AsyncIterable<TextRow[]>;
      if (pgUp) {
        db = await createTestDatabase('dataset_big');
        client = await openSqlClient(db.url);
        await client.exec(`CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL, amount numeric(12,2));
          INSERT INTO big SELECT g, to_hex(g) || ':' || repeat('x', 800) || ':' || ((g::bigint * 2654435761) % 1000003), g / 100.0 FROM generate_series(0, ${ROWS - 1}) g;
          CREATE TABLE big_back (LIKE big);`);
        source = await copyOutBatches(client, 'SELECT * FROM big ORDER BY id');
      } else {
        source = (async function* () {
          for (let i = 0; i < ROWS; i += 5000) yield Array.from({ length: 5000 }, (_, k) => [String(i + k), payload(i + k), String((i + k) / 100)]);
        })();
      }
      const dataBytes = ROWS * 830;

      const writeSampler = heapSampler();
      const id = randomUUID();
      const writer = store.createWriter(id);
      const entry = await writer.writeTable(table, source);
      await writer.finish(FINISH);
      const written = writeSampler.stop();
      expect(entry.rowCount).toBe(ROWS);

      const readSampler = heapSampler();
      let rows = 0;
      if (client) {
        expect(await copyInBatches(client, 'big_back', store.readTable(id, table))).toBe(ROWS);
        expect(await count(client, 'SELECT * FROM big EXCEPT ALL SELECT * FROM big_back')).toBe(0);
      } else {
        for await (const batch of store.readTable(id, table)) rows += batch.length;
        expect(rows).toBe(ROWS);
      }
      const read = readSampler.stop();

      const growth = Math.max(written.peak - written.baseline, read.peak - read.baseline);
      console.info(
        `300k rows (~${Math.round(dataBytes / 1e6)} MB of text): heap growth write ${Math.round((written.peak - written.baseline) / 1e6)} MB, read ${Math.round((read.peak - read.baseline) / 1e6)} MB`,
      );
      // Holding the table would take more than the text's size (strings plus row arrays); streaming
      // holds about one row group (8 Mi characters) and its encoding, whatever the table's size
      // (measured: 40–70 MB here). Half the data size leaves room both ways.
      expect(growth).toBeLessThan(dataBytes / 2);
    } finally {
      await client?.close();
      await db?.drop();
      await rm(root, { recursive: true, force: true });
    }
  }, 180_000);
});
