/**
 * Masking and PII classification:
 * - mask 1,000,000 rows × 6 columns (4 of them masked: fake first/last name, hash email, partial
 *   phone) vs a plain Parquet read + write of the same dataset through the same store (goal ≥ 0.5×);
 * - PII classification of pagila with value sampling (goal < 2 s), or of the demo source when the
 *   shared fixtures are absent.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../packages/core/src/config.ts';
import type { TextRow } from '../packages/core/src/dataset/types.ts';
import { openSqlClient } from '../packages/core/src/db/open.ts';
import { seedDemoSource } from '../packages/core/src/demo/demo-source.ts';
import { maskTables } from '../packages/core/src/mask/executor.ts';
import { classifyPii } from '../packages/core/src/graphs/pii/graph.ts';
import { createTdm } from '../packages/core/src/runtime.ts';
import { saveDatasetVersion } from '../packages/core/src/store/datasets.ts';
import { loadCatalog } from '../packages/core/src/store/schema-store.ts';
import { pgAvailable } from '../packages/core/test/support/databases.ts';
import { fixturesAvailable, loadFixture } from '../packages/core/test/support/load-sql.ts';
import { type BenchContext, benchDatabase, type Result, result, round, timeOnce } from './lib.ts';

const ROWS = 1_000_000;
const DDL = `CREATE TABLE public.person (id bigint PRIMARY KEY, first_name text, last_name text, email text UNIQUE, phone text, created_at timestamptz)`;
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Backus'];

async function* rows(): AsyncIterable<TextRow[]> {
  const base = Date.UTC(2024, 0, 1);
  for (let start = 1; start <= ROWS; start += 10_000) {
    const batch: TextRow[] = [];
    for (let i = start; i < start + 10_000 && i <= ROWS; i++) {
      batch.push([
        String(i),
        FIRST[i % 10] as string,
        LAST[(i * 7) % 10] as string,
        `user${i}@example.com`,
        `+1 555 ${String(i).padStart(7, '0')}`,
        new Date(base + i * 1000).toISOString(),
      ]);
    }
    yield batch;
  }
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  if (!(await pgAvailable())) {
    ctx.note('PostgreSQL not reachable: mask entries skipped');
    return [];
  }
  const tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: ctx.tmpDir }), databaseUrl: `pglite://${join(ctx.tmpDir, 'meta')}` });
  ctx.defer(() => tdm.close());
  const out: Result[] = [];

  // A catalog for the generated table: the empty table in a scratch database, discovered.
  const scratch = await benchDatabase(ctx, 'mask_src');
  const c = await openSqlClient(scratch.url);
  await c.exec(DDL);
  await c.close();
  const sv = await tdm.discoverSchema({ connectionString: scratch.url });
  const catalog = await loadCatalog(tdm.store.prisma, sv.schemaVersionId);
  const columns = catalog.tables[0]?.columns.map((col) => ({ name: col.name, pgType: col.dataType, nullable: col.nullable })) ?? [];
  const source = tdm.datasets.createWriter(randomUUID());
  await source.writeTable({ schema: 'public', name: 'person', columns }, rows());
  const manifest = await source.finish({ name: 'bench people', kind: 'SYNTHETIC', schemaVersionId: sv.schemaVersionId, parentId: null, jobId: null, meta: {} });
  await saveDatasetVersion(tdm.store.prisma, manifest, tdm.datasets.uri);
  const table = manifest.tables[0];
  if (!table) throw new Error('no table written');

  const plain = await timeOnce(async () => {
    const w = tdm.datasets.createWriter(randomUUID());
    await w.writeTable({ schema: 'public', name: 'person', columns }, tdm.datasets.readTable(manifest.datasetVersionId, table));
    await w.abort();
  });
  const masked = await timeOnce(async () => {
    const w = tdm.datasets.createWriter(randomUUID());
    await maskTables(tdm.datasets, manifest, catalog, w, {
      salt: 'bench-salt-from-configuration',
      rules: {
        'person.first_name': { transformer: 'fake', params: { kind: 'firstName' } },
        'person.last_name': { transformer: 'fake', params: { kind: 'lastName' } },
        'person.email': { transformer: 'hash' },
        'person.phone': { transformer: 'partial' },
      },
    });
    await w.abort();
  });
  ctx.log(`plain read + write ${round(plain.ms / 1000, 1)} s, mask ${round(masked.ms / 1000, 1)} s`);
  out.push(result('mask/1m-rows-6-cols/4-masked', masked.ms, 'ms', '≥ 0.5×', { name: 'plain Parquet read + write', value: plain.ms }));

  // PII classification with value sampling.
  const pii = await benchDatabase(ctx, 'mask_pii');
  const s = await openSqlClient(pii.url);
  const fixture = fixturesAvailable() ? 'pagila' : 'demo';
  if (fixture === 'pagila') await loadFixture(s, 'pagila');
  else {
    await seedDemoSource(s);
    ctx.note('shared fixtures not found: PII classification measured on the demo source');
  }
  await s.close();
  const conn = await tdm.connections.create({ name: `bench-${fixture}`, connectionString: pii.url });
  const discovered = await tdm.discoverSchema({ connectionId: conn.id });
  await classifyPii(tdm, { schemaVersionId: discovered.schemaVersionId });
  const classify = await timeOnce(() => classifyPii(tdm, { schemaVersionId: discovered.schemaVersionId }));
  ctx.log(`classified ${classify.value.columns.length} columns of ${fixture}, ${classify.value.columns.filter((x) => x.piiType !== 'NONE').length} personal`);
  out.push(result(`pii/classify/${fixture}/postgres`, classify.ms, 'ms', '< 2000 ms'));
  return out;
}
