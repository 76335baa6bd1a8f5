/**
 * Applies the committed migrations of the metadata store (prisma/migrations/<folder>/migration.sql,
 * written by `npm run migration:new`) on every start of TDM. Applied migrations are recorded in
 * `_tdm_migrations` with the sha256 of their file; a recorded migration whose file changed since is a
 * CONFLICT (migrations are immutable: change the schema and write a new one instead).
 *
 * Every step runs in a transaction that first takes a transaction-level advisory lock, so processes
 * starting together against one server apply each migration exactly once: the second one waits,
 * then sees it recorded. Each migration is applied and recorded in its own transaction; when one
 * fails, the ones before it stay applied and the error is thrown.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlClient } from '../db/sql-client.ts';
import { NotFoundError, TdmError } from '../errors.ts';

export interface ApplyMigrationsOptions {
  /** Folder holding `<name>/migration.sql`. Default: env TDM_MIGRATIONS_DIR, else the repository's prisma/migrations. */
  migrationsDir?: string;
  log?: (msg: string) => void;
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** Arbitrary fixed key of the advisory lock that serialises migrations ("TDM_MIGR" as ASCII). */
const LOCK_KEY = '6072285519553595730';

const createTable = `CREATE TABLE IF NOT EXISTS _tdm_migrations (
  name text PRIMARY KEY,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export function defaultMigrationsDir(): string {
  return process.env.TDM_MIGRATIONS_DIR || fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));
}

/** The migrations in `dir`, sorted by folder name, with the sha256 (hex) of each file. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  if (!existsSync(dir)) throw new NotFoundError('migrations directory', dir);
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

function changedError(name: string, recorded: string, actual: string): TdmError {
  return new TdmError(
    'CONFLICT',
    `migration ${name} was changed after it was applied (recorded checksum ${recorded.slice(0, 12)}…, file ${actual.slice(0, 12)}…); ` +
      'restore the file and put the change in a new migration',
    { details: { migration: name, recordedChecksum: recorded, fileChecksum: actual } },
  );
}

async function lock(tx: SqlClient): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
}

export async function applyMigrations(sql: SqlClient, options: ApplyMigrationsOptions = {}): Promise<{ applied: string[] }> {
  const dir = options.migrationsDir ?? defaultMigrationsDir();
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(dir);

  // Create the bookkeeping table and compare checksums before touching anything else.
  const recorded = await sql.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(createTable);
    const { rows } = await tx.query<{ name: string; checksum: string }>('SELECT name, checksum FROM _tdm_migrations');
    return new Map(rows.map((r) => [r.name, r.checksum]));
  });
  for (const m of migrations) {
    const checksum = recorded.get(m.name);
    if (checksum !== undefined && checksum !== m.checksum) throw changedError(m.name, checksum, m.checksum);
  }
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...recorded.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) log(`the database has ${unknown.length} migration(s) this TDM does not know (newer TDM?): ${unknown.sort().join(', ')}`);

  const applied: string[] = [];
  for (const m of migrations) {
    if (recorded.has(m.name)) continue;
    const done = await sql.transaction(async (tx) => {
      await lock(tx);
      // Another process may have applied it while we waited for the lock.
      const { rows } = await tx.query<{ checksum: string }>('SELECT checksum FROM _tdm_migrations WHERE name = $1', [m.name]);
      const other = rows[0];
      if (other) {
        if (other.checksum !== m.checksum) throw changedError(m.name, other.checksum, m.checksum);
        return false;
      }
      try {
        await tx.exec(m.sql);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new TdmError('QUERY_FAILED', `migration ${m.name} failed: ${reason}`, { cause: err, details: { migration: m.name } });
      }
      await tx.query('INSERT INTO _tdm_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
      return true;
    });
    if (done) {
      applied.push(m.name);
      log(`applied migration ${m.name}`);
    }
  }
  return { applied };
}
