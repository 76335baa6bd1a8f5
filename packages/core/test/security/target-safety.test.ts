/**
 * The recipes: an environment pointing at a discovered source, or at the metadata database,
 * let provisioning replace their data. Now a target is judged by server identity (system identifier
 * and database oid) at registration and again at every provision, and a reset needs the environment
 * to allow it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoSource } from '../../src/demo/demo-source.ts';
import { TdmError } from '../../src/errors.ts';
import { runProvision } from '../../src/graphs/provision/graph.ts';
import { runSubset } from '../../src/graphs/subset/graph.ts';
import { pgAvailable } from '../support/databases.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';

const pgUp = await pgAvailable();

async function failure(p: Promise<unknown>): Promise<TdmError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TdmError);
  return err as TdmError;
}

async function customers(sql: { query<R>(q: string): Promise<{ rows: R[] }> }): Promise<string> {
  return (await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM customer')).rows[0]?.n ?? '';
}

describe.each([
  { kind: 'pglite' as const, skip: false },
  { kind: 'postgres' as const, skip: !pgUp },
])('target safety on $kind', ({ kind, skip }) => {
  let engine: TestEngine;
  let sourceUrl: string;
  let datasetVersionId: string;

  beforeAll(async () => {
    if (skip) return;
    engine = await createTestEngine(`safety-${kind}`);
    const src = await engine.database(kind, 'src');
    sourceUrl = src.url;
    const sql = await engine.client(src.url);
    await seedDemoSource(sql, { customers: 20, products: 5, orders: 30 });
    const subset = await runSubset(engine.tdm, { connectionString: src.url, maxRowsPerTable: { '*': 10 } });
    datasetVersionId = subset.datasetVersionId;
  });

  afterAll(async () => {
    await engine?.close();
  });

  it.skipIf(skip)('refuses an environment on a discovered source, whatever the URL text says (TARGET_IS_SOURCE)', async () => {
    const aliases = [sourceUrl];
    if (kind === 'postgres') {
      const u = new URL(sourceUrl);
      u.hostname = 'localhost';
      u.searchParams.set('application_name', 'not-the-source');
      aliases.push(u.toString());
    } else {
      aliases.push(`${sourceUrl}/`); // the same directory, spelled differently
    }
    for (const [i, connectionString] of aliases.entries()) {
      const err = await failure(engine.tdm.environments.create({ name: `alias-${i}`, connectionString, allowReset: true }));
      expect(err.code).toBe('TARGET_IS_SOURCE');
      expect(await engine.tdm.store.prisma.environment.count({ where: { name: `alias-${i}` } })).toBe(0);
    }
  });

  it.skipIf(skip)('refuses an environment on the metadata database (TARGET_IS_METADATA)', async () => {
    const metadataUrl = engine.tdm.config.databaseUrl;
    const err = await failure(engine.tdm.environments.create({ name: 'meta', connectionString: metadataUrl, allowReset: true }));
    expect(err.code).toBe('TARGET_IS_METADATA');
    // The metadata store still works.
    expect(await engine.tdm.store.prisma.job.count()).toBeGreaterThanOrEqual(0);
  });

  it.skipIf(skip)('checks again at provision: a target that became a source since is refused and left unchanged', async () => {
    const env = await engine.environment(kind, 'later-source');
    const sql = env.sql;
    await seedDemoSource(sql, { customers: 7, products: 5, orders: 30 });
    // Discovered (read as a source) after it was registered as a target.
    await engine.tdm.discoverSchema({ connectionString: env.url, schemas: ['public'] });
    const err = await failure(runProvision(engine.tdm, { datasetVersionId, environment: env.name, resetEnv: true }));
    expect(err.code).toBe('TARGET_IS_SOURCE');
    expect(await customers(sql)).toBe('7');
  });

  it.skipIf(skip)('resetting needs the environment to allow it (RESET_NOT_ALLOWED)', async () => {
    const db = await engine.database(kind, 'noreset');
    await engine.tdm.environments.create({ name: `noreset-${kind}`, connectionString: db.url });
    const err = await failure(runProvision(engine.tdm, { datasetVersionId, environment: `noreset-${kind}`, resetEnv: true }));
    expect(err.code).toBe('RESET_NOT_ALLOWED');
    // Without a reset the empty target is provisioned.
    const ok = await runProvision(engine.tdm, { datasetVersionId, environment: `noreset-${kind}` });
    expect(ok.tables.length).toBeGreaterThan(0);
  });
});
