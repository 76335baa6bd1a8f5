/**
 * A run opens each source once: `runSources()` hands every step the same client (leases on one
 * pool), so a subset that discovers its source first connects and records the source once, reuses the
 * discovery's connections for the copy, and leaves no connection behind when it returns.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import type { Tdm } from '../src/runtime.ts';
import { pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

const pgUp = await pgAvailable();
const kinds = (['pglite', 'postgres'] as const).filter((k) => k === 'pglite' || pgUp);

describe.each(kinds)('sources of a run on %s', (kind) => {
  let engine: TestEngine;
  let tdm: Tdm;
  let sourceUrl: string;
  let admin: SqlClient;
  let database: string;

  beforeAll(async () => {
    engine = await createTestEngine(`run-sources-${kind}`);
    tdm = engine.tdm;
    const db = await engine.database(kind, 'src');
    sourceUrl = db.url;
    admin = await engine.client(db.url);
    database = admin.database;
    await seedDemoSource(admin, { customers: 20, products: 8, orders: 30 });
  });
  afterAll(() => engine?.close());

  /** Connections of the engine (application_name tdm) to the source, other than the test's own. */
  const engineConnections = async () =>
    Number(
      (
        await admin.query<{ n: string }>(
          `select count(*)::text as n from pg_stat_activity where datname = $1 and application_name = 'tdm' and pid <> pg_backend_pid()`,
          [database],
        )
      ).rows[0]?.n,
    );

  /**
   * Engine connections left once the backends of closed ones have exited: a backend stays in
   * pg_stat_activity for a moment after its client closed the socket, a leaked one stays for good.
   */
  const connectionsLeft = async () => {
    for (let waited = 0; ; waited += 50) {
      const n = await engineConnections();
      if (n === 0 || waited >= 5000) return n;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** Counts the opens of every source the store resolves from now on. */
  const countOpens = () => {
    const counter = { opens: 0 };
    const resolve = tdm.connections.resolve.bind(tdm.connections);
    const spy = vi.spyOn(tdm.connections, 'resolve').mockImplementation(async (ref) => {
      const resolved = await resolve(ref);
      return {
        ...resolved,
        open: (options) => {
          counter.opens++;
          return resolved.open(options);
        },
      };
    });
    return { counter, restore: () => spy.mockRestore() };
  };

  it('a subset that discovers its source first opens it once and closes it when it returns', async () => {
    const { counter, restore } = countOpens();
    try {
      const out = await runSubset(tdm, { connectionString: sourceUrl, schemas: ['public'] });
      expect(out.totalRows).toBeGreaterThan(0);
    } finally {
      restore();
    }
    expect(counter.opens).toBe(1);
    if (kind === 'postgres') expect(await connectionsLeft()).toBe(0);
  });

  it('gives every open of a run a lease on one client, which the run closes', async () => {
    const sources = tdm.connections.runSources();
    const ref = await tdm.connections.refFor({ connectionString: sourceUrl });
    if (!ref) throw new Error('no reference');
    const first = await (await sources(ref)).open();
    const pid = async (c: SqlClient) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
    const firstPid = await pid(first);
    await first.close();
    await expect(first.query('select 1')).rejects.toMatchObject({ code: 'QUERY_FAILED' });
    const second = await (await sources(ref)).open();
    // The same pool: the idle connection the first lease used serves the second.
    expect(await pid(second)).toBe(firstPid);
    await sources.close();
    await expect(second.query('select 1')).rejects.toBeTruthy();
    await expect((await sources(ref)).open()).rejects.toBeTruthy();
    if (kind === 'postgres') expect(await connectionsLeft()).toBe(0);
  });
});
