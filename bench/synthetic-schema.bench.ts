/**
 * Schema mode's throughput: 1,000,000 rows of a 6-column table (id serial, name, email, price
 * numeric(10,2), created_at timestamp, status enum) generated from a catalog and written to Parquet
 * through the dataset store, on one core. Reference: Neosync's published figure for its generators
 * (~3,900 rows/s).
 */
import type { Catalog } from '../packages/core/src/catalog/types.ts';
import { syntheticCatalog } from '../packages/core/src/synthetic/catalog.ts';
import { LocalDatasetStore } from '../packages/core/src/dataset/local-store.ts';
import { generateFromSchema } from '../packages/core/src/synthetic/schema/index.ts';
import { type BenchContext, type Result, result, timeOnce } from './lib.ts';

const ROWS = 1_000_000;
const BATCH = 8192;

/** A 6-column table: serial key, name, email, price, timestamp and an enum status. */
export function benchCatalog(): Catalog {
  return syntheticCatalog(
    'bench',
    [
      {
        name: 'customer',
        columns: [
          { name: 'id', dataType: 'integer', identity: true },
          { name: 'name', dataType: 'character varying(80)', nullable: false },
          { name: 'email', dataType: 'text' },
          { name: 'price', dataType: 'numeric(10,2)', nullable: false },
          { name: 'created_at', dataType: 'timestamp without time zone', nullable: false },
          { name: 'status', dataType: 'public.customer_status', nullable: false },
        ],
        primaryKey: ['id'],
      },
    ],
    [{ schema: 'public', name: 'customer_status', labels: ['active', 'pending', 'inactive', 'suspended'] }],
  );
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  const store = new LocalDatasetStore(ctx.tmpDir);
  const generated = await generateFromSchema(benchCatalog(), { schemaVersionId: 'bench', rowCounts: { '*': ROWS }, seed: 42 });
  const t = generated.tables[0];
  if (!t) throw new Error('no table generated');
  // Generation alone, for the profile of where the time goes.
  const gen = await timeOnce(async () => {
    let n = 0;
    for await (const batch of t.rows(BATCH)) n += batch.length;
    return n;
  });
  ctx.log(`generate only: ${gen.value} rows in ${Math.round(gen.ms)} ms`);
  const writer = store.createWriter('bench-synthetic-schema');
  const written = await timeOnce(() => writer.writeTable(t.table, t.rows(BATCH)));
  await writer.abort();
  await generated.close();
  if (written.value.rowCount !== ROWS) throw new Error(`wrote ${written.value.rowCount} rows, expected ${ROWS}`);
  const rowsPerSec = ROWS / (written.ms / 1000);
  ctx.note(`generating alone ${Math.round(ROWS / (gen.ms / 1000))} rows/s; with Parquet ${Math.round(rowsPerSec)} rows/s`);
  return [
    result('synthetic-schema/1m/6-columns/parquet', rowsPerSec, 'rows/s', '>= 100000 rows/s', { name: 'Neosync (published)', value: 3900 }),
    result('synthetic-schema/1m/6-columns/generate-only', ROWS / (gen.ms / 1000), 'rows/s', '>= 100000 rows/s'),
  ];
}
