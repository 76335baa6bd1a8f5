/**
 * An engine for a test suite: metadata store on a fresh PGlite directory, the demo source off, and
 * the throw-away databases and clients the suite makes, all released by `close()` (call it in
 * `afterAll`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { openSqlClient } from '../../src/db/open.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { createTdm, type Tdm } from '../../src/runtime.ts';
import { createPgliteUrl, createTestDatabase, type TestDatabase } from './databases.ts';

export interface TestEnvironment {
  /** The environment's name (what provisioning takes). */
  name: string;
  url: string;
  /** One open connection to the target, closed with the engine. */
  sql: SqlClient;
}

export interface TestEngine {
  tdm: Tdm;
  dataDir: string;
  /** A fresh empty database registered as the environment `<label>-<kind>-<n>`. */
  environment(kind: 'postgres' | 'pglite', label: string): Promise<TestEnvironment>;
  /** A fresh empty database of the given kind, dropped with the engine. */
  database(kind: 'postgres' | 'pglite', label: string): Promise<TestDatabase>;
  /** A connection closed with the engine. */
  client(url: string): Promise<SqlClient>;
  close(): Promise<void>;
}

export async function createTestEngine(label: string, options: { work?: boolean } = {}): Promise<TestEngine> {
  const dataDir = await mkdtemp(join(tmpdir(), `tdm-${label}-`));
  const dbs: TestDatabase[] = [];
  const clients: SqlClient[] = [];
  const meta = await createPgliteUrl();
  dbs.push(meta);
  const tdm = await createTdm(
    { ...loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), databaseUrl: meta.url },
    { log: () => {} },
  );
  if (options.work) await tdm.jobs.startWorking();
  let count = 0;
  const engine: TestEngine = {
    tdm,
    dataDir,
    async database(kind, name) {
      const db = kind === 'postgres' ? await createTestDatabase(`${label}_${name}`) : await createPgliteUrl();
      dbs.push(db);
      return db;
    },
    async client(url) {
      const sql = await openSqlClient(url, { poolSize: 1 });
      clients.push(sql);
      return sql;
    },
    async environment(kind, name) {
      const db = await engine.database(kind, name);
      const envName = `${name}-${kind}-${++count}`;
      await tdm.environments.create({ name: envName, connectionString: db.url, allowReset: true });
      return { name: envName, url: db.url, sql: await engine.client(db.url) };
    },
    async close() {
      await tdm.close().catch(() => {});
      for (const c of clients) await c.close().catch(() => {});
      for (const db of dbs.reverse()) await db.drop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return engine;
}
