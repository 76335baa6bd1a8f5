import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SqlClient } from '../src/db/sql-client.ts';
import { TdmError } from '../src/errors.ts';
import { applyMigrations, defaultMigrationsDir, readMigrations } from '../src/store/migrate.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const migrationsDir = join(repoRoot, 'prisma/migrations');

/** The three SqlClient methods the runner uses, over an in-memory PGlite. */
function wrap(db: PGlite | Transaction): SqlClient {
  const client = {
    kind: 'pglite',
    redactedUrl: 'pglite:memory',
    database: 'postgres',
    async query(sql: string, params?: unknown[]) {
      const r = await db.query<Record<string, unknown>>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, fields: r.fields };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      if (!('transaction' in db)) throw new Error('nested transaction');
      return db.transaction((tx) => fn(wrap(tx)));
    },
  };
  return client as unknown as SqlClient;
}

const open: PGlite[] = [];
async function fresh(): Promise<SqlClient> {
  const db = new PGlite();
  open.push(db);
  await db.waitReady;
  return wrap(db);
}
const tmpDirs: string[] = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(open.splice(0).map((db) => db.close()));
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function modelNames(): Promise<string[]> {
  const schema = await readFile(join(repoRoot, 'prisma/schema.prisma'), 'utf8');
  return [...schema.matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1] as string);
}

describe('applyMigrations', () => {
  it('defaults to the repository prisma/migrations, overridable with TDM_MIGRATIONS_DIR', () => {
    vi.stubEnv('TDM_MIGRATIONS_DIR', '');
    expect(defaultMigrationsDir()).toBe(migrationsDir);
    vi.stubEnv('TDM_MIGRATIONS_DIR', '/somewhere/else');
    expect(defaultMigrationsDir()).toBe('/somewhere/else');
  });

  it("creates every model's table on a fresh database, then applies nothing the second time", async () => {
    const sql = await fresh();
    const names = (await readMigrations(migrationsDir)).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);

    const logged: string[] = [];
    const first = await applyMigrations(sql, { migrationsDir, log: (m) => logged.push(m) });
    expect(first.applied).toEqual(names);
    expect(logged).toHaveLength(names.length);

    const { rows } = await sql.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    const tables = new Set(rows.map((r) => r.table_name));
    const models = await modelNames();
    expect(models).toEqual(expect.arrayContaining(['Job', 'SchemaVersion', 'Lineage']));
    for (const model of models) expect(tables, `table of model ${model}`).toContain(model);
    expect(tables).toContain('_tdm_migrations');

    const recorded = await sql.query<{ name: string }>('SELECT name FROM _tdm_migrations ORDER BY name');
    expect(recorded.rows.map((r) => r.name)).toEqual(names);

    const second = await applyMigrations(sql, { migrationsDir });
    expect(second.applied).toEqual([]);
  });

  it('throws CONFLICT naming the migration when a recorded checksum does not match', async () => {
    const sql = await fresh();
    const { applied } = await applyMigrations(sql, { migrationsDir });
    const name = applied[0] as string;
    await sql.query("UPDATE _tdm_migrations SET checksum = 'tampered' WHERE name = $1", [name]);

    const err = await applyMigrations(sql, { migrationsDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TdmError);
    expect((err as TdmError).code).toBe('CONFLICT');
    expect((err as TdmError).message).toContain(name);
  });

  it('throws CONFLICT when an applied migration file was edited', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tdm-migrations-'));
    tmpDirs.push(dir);
    await cp(migrationsDir, dir, { recursive: true });
    const sql = await fresh();
    const { applied } = await applyMigrations(sql, { migrationsDir: dir });
    const name = applied.at(-1) as string;
    await appendFile(join(dir, name, 'migration.sql'), '\n-- edited by hand\n');

    await expect(applyMigrations(sql, { migrationsDir: dir })).rejects.toMatchObject({ code: 'CONFLICT', details: { migration: name } });
  });
});
