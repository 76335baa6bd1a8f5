/**
 * Schema mode's throughput: 1,000,000 rows of a 6-column table (id serial, name, email, price
 * numeric(10,2), created_at timestamp, status enum) generated from a catalog and written to Parquet
 * through the dataset store, on one core. Reference: Neosync's published figure for its generators
 * (~3,900 rows/s).
 */
import type { Catalog, ColumnDef, TableDef } from '../packages/core/src/catalog/types.ts';
import { LocalDatasetStore } from '../packages/core/src/dataset/local-store.ts';
import { generateFromSchema } from '../packages/core/src/synthetic/schema/index.ts';
import { type BenchContext, type Result, result, timeOnce } from './lib.ts';

const ROWS = 1_000_000;
const BATCH = 8192;

function column(name: string, position: number, dataType: string, extra: Partial<ColumnDef> = {}): ColumnDef {
  return {
    name,
    position,
    dataType,
    typeSchema: 'pg_catalog',
    typeName: dataType,
    typeKind: 'base',
    elementType: null,
    nullable: true,
    default: null,
    maxLength: null,
    numericPrecision: null,
    numericScale: null,
    identity: null,
    generated: null,
    sequence: null,
    comment: null,
    ...extra,
  };
}

export function benchCatalog(): Catalog {
  const table: TableDef = {
    schema: 'public',
    name: 'customer',
    kind: 'TABLE',
    partitionOf: null,
    partitionKind: null,
    partitionBound: null,
    partitionKey: null,
    columns: [
      column('id', 1, 'integer', { nullable: false, sequence: 'public.customer_id_seq', default: "nextval('public.customer_id_seq'::regclass)" }),
      column('name', 2, 'character varying(80)', { nullable: false, maxLength: 80 }),
      column('email', 3, 'text'),
      column('price', 4, 'numeric(10,2)', { nullable: false, numericPrecision: 10, numericScale: 2 }),
      column('created_at', 5, 'timestamp without time zone', { nullable: false }),
      column('status', 6, 'public.customer_status', { nullable: false, typeSchema: 'public', typeName: 'customer_status', typeKind: 'enum' }),
    ],
    primaryKey: { name: 'customer_pkey', columns: ['id'] },
    foreignKeys: [],
    uniques: [],
    checks: [],
    exclusions: [],
    indexes: [],
    rowEstimate: null,
    rowCount: null,
    ownRowCount: null,
    comment: null,
  };
  return {
    database: 'bench',
    serverVersion: '17',
    schemas: ['public'],
    enums: [{ schema: 'public', name: 'customer_status', labels: ['active', 'pending', 'inactive', 'suspended'] }],
    domains: [],
    sequences: [],
    tables: [table],
  };
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
