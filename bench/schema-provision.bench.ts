/**
 * Full-schema provision of pagila (types, domains, functions, an aggregate, tables, partitions,
 * keys, indexes, views, a materialized view, triggers, comments) into an empty database on the
 * test PostgreSQL server, rows left out, against `pg_dump --schema-only | psql` of the same source
 * into another empty database, in the same run (median of 3, a fresh target database per run,
 * created outside the timing). TDM's time includes opening the target and the conflict check;
 * the catalog is read once beforehand, as a provision reads it from the stored schema version.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readCatalog } from '../packages/core/src/catalog/read-catalog.ts';
import type { Catalog } from '../packages/core/src/catalog/types.ts';
import type { DatasetManifest } from '../packages/core/src/dataset/types.ts';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import { provisionDataset } from '../packages/core/src/provision/provision.ts';
import { pgAvailable } from '../packages/core/test/support/databases.ts';
import { fixturesAvailable, loadFixture } from '../packages/core/test/support/load-sql.ts';
import { MemoryStore, provisionable } from '../packages/core/test/support/memory-dataset.ts';
import { type BenchContext, benchDatabase, median, type Result, result, round, timeOnce } from './lib.ts';

const RUNS = 3;
const exec = promisify(execFile);

export async function run(ctx: BenchContext): Promise<Result[]> {
  if (!(await pgAvailable())) {
    ctx.note('schema-provision: PostgreSQL not reachable, skipped');
    return [];
  }
  if (!fixturesAvailable()) {
    ctx.note('schema-provision: shared fixtures missing, skipped');
    return [];
  }
  const sourceDb = await benchDatabase(ctx, 'schema_src');
  const source = await openSqlClient(sourceDb.url);
  ctx.defer(() => source.close());
  await loadFixture(source, 'pagila');
  const catalog = await readCatalog(source, ['public']);
  const { store, manifest } = schemaOnlyDataset(catalog);

  const tdm: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ours = await benchDatabase(ctx, `schema_tdm_${i}`);
    const { ms } = await timeOnce(async () => {
      const target = await openSqlClient(ours.url);
      try {
        await provisionDataset(target, { store, manifest, catalog, runSmokeTests: false });
      } finally {
        await target.close();
      }
    });
    tdm.push(ms);
    const theirs = await benchDatabase(ctx, `schema_ref_${i}`);
    reference.push((await timeOnce(() => dumpAndRestoreSchema(sourceDb.url, theirs.url))).ms);
  }
  ctx.log(
    `schema-provision pagila: TDM ${tdm.map((v) => round(v, 0)).join(', ')} ms; pg_dump --schema-only | psql ${reference.map((v) => round(v, 0)).join(', ')} ms`,
  );
  return [
    result('schema-provision/pagila/postgres/full-schema', median(tdm), 'ms', '≥ 0.5× pg_dump | psql', {
      name: 'pg_dump --schema-only | psql',
      value: median(reference),
    }),
  ];
}

/** Every table of the source, no rows: the whole schema and nothing else. */
function schemaOnlyDataset(catalog: Catalog): { store: MemoryStore; manifest: DatasetManifest } {
  const store = new MemoryStore(1000);
  const manifest: DatasetManifest = {
    formatVersion: 1,
    datasetVersionId: 'pagila-schema',
    name: 'pagila-schema',
    kind: 'SUBSET',
    schemaVersionId: null,
    parentId: null,
    jobId: null,
    createdAt: new Date(0).toISOString(),
    tables: provisionable(catalog).map((t) => ({
      schema: t.schema,
      name: t.name,
      file: '',
      rowCount: 0,
      bytes: 0,
      checksum: '',
      columns: t.columns.map((c) => ({ name: c.name, pgType: c.dataType, nullable: c.nullable, parquetType: 'STRING' as const })),
    })),
    meta: {},
  };
  store.put(manifest, new Map(manifest.tables.map((t) => [`${t.schema}.${t.name}`, { rows: [] }])));
  return { store, manifest };
}

/** The reference: `pg_dump --schema-only | psql` from the source into an empty database. */
function dumpAndRestoreSchema(sourceUrl: string, targetUrl: string) {
  return exec(
    'bash',
    [
      '-o',
      'pipefail',
      '-c',
      'pg_dump --schema-only --no-owner --no-privileges -d "$1" | psql -X -q -v ON_ERROR_STOP=1 -d "$2" >/dev/null',
      '--',
      sourceUrl,
      targetUrl,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
}
