/**
 * The recipes for subset filters: lo_import/lo_unlink wrote to the source, `true) --` escaped
 * its brackets, a filter without rootTable was silently ignored (even on an unknown column), and
 * pg_sleep kept running after cancelJob with its transaction open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../../src/db/open.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { seedDemoSource } from '../../src/demo/demo-source.ts';
import { InvalidInputError, TdmError } from '../../src/errors.ts';
import { runSubset } from '../../src/graphs/subset/graph.ts';
import { loadManifest } from '../../src/store/datasets.ts';
import { PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../support/databases.ts';
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

describe.skipIf(!pgUp)(`subset filters on PostgreSQL${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
  let engine: TestEngine;
  let source: TestDatabase;
  let sql: SqlClient;
  let admin: SqlClient;

  beforeAll(async () => {
    engine = await createTestEngine('filters', { work: true });
    source = await engine.database('postgres', 'src');
    sql = await engine.client(source.url);
    await seedDemoSource(sql, { customers: 20, products: 5, orders: 30 });
    await sql.exec('CREATE TABLE big (id int PRIMARY KEY); INSERT INTO big SELECT generate_series(1, 40000)');
    admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
  });

  afterAll(async () => {
    await admin?.close();
    await engine?.close();
  });

  const largeObjects = async () => (await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_largeobject_metadata')).rows[0]?.n;

  it.each([
    ["lo_import('/etc/hostname') > 0", /lo_import\(\) is not allowed/],
    ['lo_unlink(customer_id::oid) = 1', /lo_unlink\(\) is not allowed/],
    ['pg_sleep(900) IS NULL', /pg_sleep\(\) is not allowed/],
    ["nextval('customer_customer_id_seq') > 0", /nextval\(\) is not allowed/],
    ['true) --', /comments are not allowed|not a valid SQL expression/],
    ['true /* x */', /comments are not allowed/],
    ['true; DELETE FROM customer', /";"/],
    ['customer_id IN (WITH d AS (DELETE FROM orders RETURNING customer_id) SELECT customer_id FROM d)', /with is not allowed|not allowed/],
    ['customer_id IN (SELECT customer_id FROM orders FOR UPDATE)', /locking is not allowed/],
    ['1 FROM pg_authid', /exactly one boolean expression/],
    ['nope_column = 1', /unknown column "nope_column"/],
    ['customer_id IN (SELECT usesysid FROM pg_user)', /unknown table "pg_user"/],
    ['public.evil(customer_id)', /not a built-in/],
  ])('refuses %s with a typed error and writes nothing', async (filter, message) => {
    const before = await largeObjects();
    const err = await failure(runSubset(engine.tdm, { connectionString: source.url, where: { customer: filter } }));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(message);
    expect(await largeObjects()).toBe(before);
  });

  it('a filter without rootTable applies to its own table, with sub-selects and immutable built-ins', async () => {
    const out = await runSubset(engine.tdm, {
      connectionString: source.url,
      where: { customer: "customer_id <= 3 AND lower(first_name) LIKE '%' AND customer_id IN (SELECT c.customer_id FROM customer c WHERE c.customer_id > 0)" },
    });
    expect(out.plan.root).toBe('public.customer');
    const manifest = await loadManifest(engine.tdm.store.prisma, out.datasetVersionId);
    expect(manifest?.tables.find((t) => t.name === 'customer')?.rowCount).toBe(3);
  });

  it('cancelJob cancels the running source query and ends its transaction', async () => {
    // Allowed, but slow: a nested loop over 40,000 × 40,000 rows.
    const slow = 'id IN (SELECT a.id FROM big a, big b WHERE a.id * b.id = -1)';
    const { jobId } = await engine.tdm.jobs.execute({
      connectionString: source.url,
      operations: ['discover', 'subset'],
      config: { subset: { where: { big: slow } } },
    });
    const running = async () =>
      (
        await admin.query<{ state: string }>(
          "SELECT state FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%a.id * b.id%' AND pid <> pg_backend_pid()",
          [source.name],
        )
      ).rows;
    let seen = false;
    for (let i = 0; i < 600 && !seen; i++) {
      seen = (await running()).some((r) => r.state === 'active');
      if (!seen) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe(true);
    await engine.tdm.jobs.cancel(jobId);
    let left: { state: string }[] = [];
    for (let i = 0; i < 50; i++) {
      left = (await running()).filter((r) => r.state === 'active' || r.state.startsWith('idle in transaction'));
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toEqual([]);
    expect((await engine.tdm.jobs.get(jobId)).status).toBe('CANCELLED');
  });
});
