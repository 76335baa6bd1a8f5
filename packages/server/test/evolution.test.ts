/**
 * Schema evolution through the API, as a user meets it with the SDK on a real port: a target
 * provisioned from a full copy of the demo source drifts (a column and an index added by hand, a
 * default changed); `environments.evolution` says what differs, `environments.migrationScript`
 * gives the SQL that, applied with psql, makes it equal again; provisioning into a target that
 * holds the dataset refuses with a SchemaConflictError carrying the report, refuses destructive
 * changes unless allowed, and with `migrate` + `allowDestructive` migrates and loads. Every report
 * is audited and recorded in lineage (environment ← dataset version). Sources and targets on the
 * real PostgreSQL; the metadata store on PGlite.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, pgAvailable, type TestDatabase } from '../../core/test/support/databases.ts';
import { SchemaConflictError, TdmClient } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn('PostgreSQL is not reachable: the schema evolution API tests are SKIPPED');
const run = promisify(execFile);

describe.skipIf(!pgUp)('schema evolution through the SDK', () => {
  let dataDir: string;
  let tdm: Tdm;
  let app: App;
  let sdk: TdmClient;
  const dbs: TestDatabase[] = [];
  const clients: SqlClient[] = [];
  let target: { db: TestDatabase; sql: SqlClient };
  let datasetVersionId: string;
  const environment = 'evolving';

  const database = async (label: string) => {
    const db = await createTestDatabase(`evoapi_${label}`);
    dbs.push(db);
    const sql = await openSqlClient(db.url, { poolSize: 2 });
    clients.push(sql);
    return { db, sql };
  };

  beforeAll(async () => {
    if (!pgUp) return;
    dataDir = await mkdtemp(join(tmpdir(), 'tdm-evolution-'));
    tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
    app = createApp(tdm);
    sdk = new TdmClient({ url: `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql` });
    const source = await database('src');
    await seedDemoSource(source.sql, { customers: 40, products: 10, orders: 60 });
    target = await database('dst');
    await sdk.environments.create({ name: environment, connectionString: target.db.url });
    const dataset = await sdk.datasets.subset({ connectionString: source.db.url, name: 'demo full copy' });
    datasetVersionId = dataset.rawId;
    await sdk.datasets.provision({ datasetVersionId, environment });
  }, 300_000);

  afterAll(async () => {
    await sdk?.close();
    await app?.stop();
    await tdm?.close();
    for (const c of clients) await c.close().catch(() => {});
    for (const db of dbs) await db.drop().catch(() => {});
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('reports what drifted, writes the script that repairs it, and records both', async () => {
    expect(await sdk.environments.evolution({ environment, datasetVersionId })).toMatchObject({ changes: [], compatible: true, destructive: false });

    await target.sql.exec(`alter table public.customer add column nickname text;
      create index customer_nickname_idx on public.customer (nickname);
      alter table public.product alter column name set default 'unnamed'`);
    const evolution = await sdk.environments.evolution({ environment, datasetVersionId });
    expect(evolution.changes.map((c) => `${c.kind} ${c.table}.${c.name} ${c.destructive}`).sort()).toEqual([
      'ALTER_DEFAULT product.name false',
      'DROP_COLUMN customer.nickname true',
      'DROP_INDEX customer.customer_nickname_idx false',
    ]);
    // COPY leaves an extra nullable column alone: the rows can still be loaded.
    expect(evolution).toMatchObject({ compatible: true, destructive: true, environment });

    const script = await sdk.environments.migrationScript({ environment, datasetVersionId });
    expect(script).toMatchObject({ destructive: true, statements: 3 });
    expect(script.sql).toMatch(/^-- DESTRUCTIVE DROP_COLUMN public\.customer\.nickname: /m);
    const dir = await mkdtemp(join(tmpdir(), 'tdm-mig-'));
    try {
      await writeFile(join(dir, 'm.sql'), script.sql);
      await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', target.db.url, '-f', join(dir, 'm.sql')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await sdk.environments.evolution({ environment, datasetVersionId })).toMatchObject({ changes: [], compatible: true });

    const audits = await tdm.store.prisma.auditLog.findMany({ where: { action: { in: ['schemaEvolution', 'migrationScript'] } } });
    expect(audits.map((a) => a.action).sort()).toEqual(['migrationScript', 'schemaEvolution', 'schemaEvolution', 'schemaEvolution']);
    const lineage = await tdm.store.prisma.lineage.findMany({ where: { operation: { in: ['schemaEvolution', 'migrationScript'] } } });
    expect(lineage).toHaveLength(4);
    for (const l of lineage) expect(l).toMatchObject({ fromKind: 'DATASET_VERSION', fromId: datasetVersionId, toKind: 'ENVIRONMENT' });
  });

  it('provision refuses with the report, refuses destructive changes unless allowed, and migrates', async () => {
    const equal = await sdk.datasets.provision({ datasetVersionId, environment }).catch((e: unknown) => e);
    expect(equal).toBeInstanceOf(SchemaConflictError);
    expect((equal as SchemaConflictError).changes).toEqual([]);
    expect((equal as SchemaConflictError).message).toMatch(/its schema equals the dataset's; provision with migrate/);

    await target.sql.exec('alter table public.customer add column loyalty int not null default 0');
    const refused = (await sdk.datasets.provision({ datasetVersionId, environment, migrate: true }).catch((e: unknown) => e)) as SchemaConflictError;
    expect(refused).toBeInstanceOf(SchemaConflictError);
    expect(refused.changes.map((c) => `${c.kind} ${c.table}.${c.name}`)).toEqual(['DROP_COLUMN customer.loyalty']);
    expect(refused.destructive).toBe(true);

    const result = await sdk.datasets.provision({ datasetVersionId, environment, migrate: true, allowDestructive: true });
    expect(result.smoke?.passed).toBe(true);
    expect(await sdk.environments.evolution({ environment, datasetVersionId })).toMatchObject({ changes: [] });
    const migrated = await tdm.store.prisma.lineage.findMany({ where: { operation: 'migrate' } });
    expect(migrated).toEqual([expect.objectContaining({ fromId: datasetVersionId, toKind: 'ENVIRONMENT' })]);
  });
});
