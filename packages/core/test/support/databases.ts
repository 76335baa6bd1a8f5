/**
 * Throw-away databases for tests: a fresh database on the real PostgreSQL server (when one answers)
 * and a fresh PGlite data directory. Each comes with `drop()`; call it in `afterAll`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlClient } from '../../src/db/open.ts';
import { quoteIdent } from '../../src/db/quote.ts';

/** Superuser connection used to create and drop test databases. */
export const PG_ADMIN_URL = process.env.TDM_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  /** Removes the database (PostgreSQL: DROP DATABASE … WITH (FORCE); PGlite: deletes the directory). */
  drop(): Promise<void>;
}

let reachable: Promise<boolean> | undefined;

/** Whether the PostgreSQL server of `PG_ADMIN_URL` answers (checked once per process). */
export function pgAvailable(): Promise<boolean> {
  reachable ??= openSqlClient(PG_ADMIN_URL, { poolSize: 1, connectTimeoutMs: 2000 }).then(
    async (client) => {
      await client.close();
      return true;
    },
    () => false,
  );
  return reachable;
}

/** `PG_ADMIN_URL` pointed at another database. */
export function pgUrlFor(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function asAdmin(sql: string): Promise<void> {
  const admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
  try {
    await admin.exec(sql);
  } finally {
    await admin.close();
  }
}

/** Creates `tdm_t_<prefix>_<random>` on the test server. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const slug = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 40);
  const name = `tdm_t_${slug}_${randomBytes(4).toString('hex')}`;
  await asAdmin(`CREATE DATABASE ${quoteIdent(name)}`);
  return {
    url: pgUrlFor(name),
    name,
    drop: () => asAdmin(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  };
}

/**
 * A fresh PGlite database. By default a temporary data directory (`pglite:///tmp/…`), which every
 * client of the process opening the URL shares; with `{ memory: true }`, `pglite:memory`, which is
 * private to the one client that opens it. Close the clients before `drop()`.
 */
export async function createPgliteUrl(options: { memory?: boolean } = {}): Promise<TestDatabase> {
  if (options.memory) return { url: 'pglite:memory', name: 'memory', drop: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'tdm-pglite-'));
  return { url: `pglite://${encodeURI(dir)}`, name: dir, drop: () => rm(dir, { recursive: true, force: true }) };
}
