/**
 * Schema evolution, migration scripts and provisioning with `migrate`, on PGlite and on the real
 * PostgreSQL server. A target provisioned from version 1 of the edge-case fixture meets version 2
 * (a column added, one dropped, one retyped, a default, a CHECK, an index added and one dropped, a
 * table added and one dropped, an enum label, a function and a view redefined, a trigger dropped, a
 * policy added). What a user checks: the report names each change and flags the destructive ones;
 * the script, applied as psql applies it, makes the target's schema equal version 2's (the shared
 * catalog fingerprint, object for object) and can run twice; provisioning refuses with the report,
 * refuses destructive changes unless allowed, and with both migrates and loads version 2's rows.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog } from '../src/catalog/types.ts';
import type { DatasetManifest } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import type { SchemaConflictError } from '../src/provision/errors.ts';
import { evolutionOf, writeMigration } from '../src/provision/migration.ts';
import { provisionDataset } from '../src/provision/provision.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable, type TestDatabase } from './support/databases.ts';
import { FIXTURES_DIR, loadSqlScript } from './support/load-sql.ts';
import { dumpDataset, MemoryStore } from './support/memory-dataset.ts';

const run = promisify(execFile);
const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');
const EDGE_OBJECTS = await readFile(new URL('./fixtures/edge-schema-objects.sql', import.meta.url), 'utf8');
const FINGERPRINT_SQL = await readFile(join(FIXTURES_DIR, '..', 'acceptance', 'catalog-fingerprint.sql'), 'utf8').catch(() => null);
const SCHEMAS = ['public', 'Other Schema'];
const psqlAvailable = await run('psql', ['--version']).then(
  () => true,
  () => false,
);

const VERSION_2 = `
ALTER TYPE public.mood ADD VALUE 'furious' AFTER 'sad';
ALTER TABLE public.booking ADD COLUMN guests integer NOT NULL DEFAULT 1;
ALTER TABLE public.booking DROP COLUMN spot;
ALTER TABLE public.booking ALTER COLUMN note TYPE varchar(200);
ALTER TABLE public.booking ALTER COLUMN room SET DEFAULT 100;
ALTER TABLE public.booking ADD CONSTRAINT booking_guests_positive CHECK (guests > 0);
CREATE INDEX booking_guests_idx ON public.booking (guests);
DROP INDEX public.booking_code_hash;
CREATE TABLE public.review (id int PRIMARY KEY, booking_id int REFERENCES public.booking(id), stars int CHECK (stars BETWEEN 1 AND 5));
INSERT INTO public.review VALUES (1, 1, 5), (2, 3, 4);
DROP TABLE public.audit_note;
CREATE OR REPLACE FUNCTION public.hours_of(r tstzrange) RETURNS numeric LANGUAGE sql IMMUTABLE
  AS $$ SELECT round((extract(epoch FROM upper(r) - lower(r)) / 60)::numeric, 2) $$;
CREATE OR REPLACE VIEW public.live_booking AS
  SELECT id, room, during, public.hours_of(during) AS hours, (price).amount AS amount, guests FROM public.booking WHERE NOT cancelled;
REFRESH MATERIALIZED VIEW public.room_summary;
DROP TRIGGER booking_audit ON public.booking;
CREATE POLICY booking_guest_limit ON public.booking FOR INSERT WITH CHECK (guests < 20);
`;

const pgUp = await pgAvailable();
const engines = [
  { name: 'pglite', skip: false, create: () => createPgliteUrl() },
  { name: 'postgres', skip: !pgUp, create: (label: string) => createTestDatabase(`evo_${label}`) },
];

async function fingerprint(sql: SqlClient): Promise<string[]> {
  if (!FINGERPRINT_SQL) return [];
  const text = FINGERPRINT_SQL.replace(/^--.*$/gm, '')
    .trim()
    .replace(/;$/, '');
  return sql.transaction(async (tx) => {
    await tx.query(`select set_config('search_path', '"$user", public', true), set_config('standard_conforming_strings', 'on', true)`);
    return (await tx.query<{ line: string }>(text)).rows.map((r) => r.line);
  });
}

const where = (c: { schema: string; table: string | null; name: string }) => `${c.schema}.${c.table ?? '-'}.${c.name}`;

for (const engine of engines) {
  describe.skipIf(engine.skip)(`schema evolution on ${engine.name}`, () => {
    const dbs: TestDatabase[] = [];
    const clients: SqlClient[] = [];
    const store = new MemoryStore(50);
    let source: SqlClient;
    let v1: Catalog;
    let v2: Catalog;
    let dataset1: DatasetManifest;
    let dataset2: DatasetManifest;
    let v2Fingerprint: string[];

    const open = async (label: string) => {
      const db = await engine.create(label);
      dbs.push(db);
      const sql = await openSqlClient(db.url);
      clients.push(sql);
      return { db, sql };
    };
    /** A target provisioned from version 1. */
    const targetAtV1 = async (label: string) => {
      const t = await open(label);
      await provisionDataset(t.sql, { store, manifest: dataset1, catalog: v1 });
      return t;
    };

    beforeAll(async () => {
      source = (await open('src')).sql;
      await loadSqlScript(source, EDGE_SHAPES);
      await loadSqlScript(source, EDGE_OBJECTS);
      v1 = await readCatalog(source, SCHEMAS);
      dataset1 = await dumpDataset(store, source, v1, 'v1');
      await loadSqlScript(source, VERSION_2);
      v2 = await readCatalog(source, SCHEMAS);
      dataset2 = await dumpDataset(store, source, v2, 'v2');
      v2Fingerprint = await fingerprint(source);
    }, 600_000);

    afterAll(async () => {
      for (const c of clients) await c.close().catch(() => {});
      for (const db of dbs) await db.drop().catch(() => {});
    });

    it('reports every change, flags the destructive ones, and nothing for an equal schema', async () => {
      const { sql: target } = await targetAtV1('report');
      expect((await evolutionOf(target, v1, dataset1.tables)).evolution).toMatchObject({ changes: [], compatible: true, destructive: false });

      const { evolution } = await evolutionOf(target, v2, dataset2.tables);
      const seen = evolution.changes.map((c) => `${c.kind} ${where(c)}${c.destructive ? ' DESTRUCTIVE' : ''}`);
      expect(seen).toEqual(
        expect.arrayContaining([
          'ALTER_TYPE public.-.mood',
          'ADD_COLUMN public.booking.guests',
          'DROP_COLUMN public.booking.spot DESTRUCTIVE',
          'ALTER_COLUMN_TYPE public.booking.note DESTRUCTIVE',
          'ALTER_DEFAULT public.booking.room',
          'ADD_CONSTRAINT public.booking.booking_guests_positive',
          'ADD_INDEX public.booking.booking_guests_idx',
          'DROP_INDEX public.booking.booking_code_hash',
          'ADD_TABLE public.review.review',
          'ADD_CONSTRAINT public.review.review_booking_id_fkey',
          'DROP_TABLE public.audit_note.audit_note DESTRUCTIVE',
          'ALTER_FUNCTION public.-.hours_of(r tstzrange)',
          'ALTER_VIEW public.live_booking.live_booking',
          'DROP_TRIGGER public.booking.booking_audit',
          'ADD_POLICY public.booking.booking_guest_limit',
        ]),
      );
      // Views reading what changed are recreated, and said so.
      expect(evolution.changes.find((c) => c.kind === 'ALTER_VIEW' && c.name === 'room_hours' && c.detail.includes('something it reads changed'))).toBeTruthy();
      expect(evolution).toMatchObject({ compatible: false, destructive: true });
      expect(new Set(evolution.changes.filter((c) => c.destructive).map((c) => c.kind))).toEqual(new Set(['DROP_COLUMN', 'ALTER_COLUMN_TYPE', 'DROP_TABLE']));
    });

    it('writes a migration script that, applied as psql applies it, makes the schema equal version 2, and can run twice', async () => {
      const target = await targetAtV1('script');
      const { evolution } = await evolutionOf(target.sql, v2, dataset2.tables);
      const script = writeMigration(evolution, 'edge v1 → v2');
      expect(script.sql).toMatch(/^BEGIN;$/m);
      expect(script.sql.trimEnd().endsWith('COMMIT;')).toBe(true);
      expect(script.sql).toMatch(/^-- DESTRUCTIVE DROP_TABLE public\.audit_note/m);
      expect(script).toMatchObject({ destructive: true, statements: evolution.changes.reduce((n, c) => n + c.sql.length, 0) });

      const apply = async () => {
        if (engine.name === 'postgres' && psqlAvailable) {
          const dir = await mkdtemp(join(tmpdir(), 'tdm-mig-'));
          try {
            await writeFile(join(dir, 'migration.sql'), script.sql);
            await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', target.db.url, '-f', join(dir, 'migration.sql')]);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        } else {
          await loadSqlScript(target.sql, script.sql);
        }
      };
      await apply();
      if (FINGERPRINT_SQL) expect(await fingerprint(target.sql)).toEqual(v2Fingerprint);
      expect((await evolutionOf(target.sql, v2, dataset2.tables)).evolution.changes.map((c) => `${c.kind} ${where(c)}`)).toEqual([]);
      await apply(); // idempotent where PostgreSQL allows: a second run changes nothing
      if (FINGERPRINT_SQL) expect(await fingerprint(target.sql)).toEqual(v2Fingerprint);
    }, 300_000);

    it('provision: refuses a differing target with the report, refuses destructive changes unless allowed, then migrates and loads', async () => {
      const { sql: target } = await targetAtV1('migrate');
      const before = await fingerprint(target);

      const refused = (await provisionDataset(target, { store, manifest: dataset2, catalog: v2 }).catch((e) => e)) as SchemaConflictError;
      expect(refused.name).toBe('SchemaConflictError');
      expect(refused.code).toBe('CONFLICT');
      expect(refused.message).toMatch(/its schema differs from the dataset's in \d+ ways \(DROP_TRIGGER public\.booking\.booking_audit, /);
      expect(refused.evolution.changes.map((c) => `${c.kind} ${where(c)}`)).toContain('ADD_COLUMN public.booking.guests');
      expect(refused.evolution.changes.map((c) => `${c.kind} ${where(c)}`)).toContain('DROP_TABLE public.audit_note.audit_note');
      expect(refused.details.tables).toEqual(expect.arrayContaining(['public.booking']));

      const destructive = (await provisionDataset(target, { store, manifest: dataset2, catalog: v2, migrate: true }).catch((e) => e)) as SchemaConflictError;
      expect(destructive.details.reason).toBe('DESTRUCTIVE');
      expect(destructive.message).toMatch(/DROP_COLUMN public\.booking\.spot/);
      if (FINGERPRINT_SQL) expect(await fingerprint(target)).toEqual(before);

      const result = await provisionDataset(target, { store, manifest: dataset2, catalog: v2, migrate: true, allowDestructive: true });
      expect(result.migration).toMatchObject({ destructive: true });
      expect(result.smoke?.passed).toBe(true);
      if (FINGERPRINT_SQL) expect(await fingerprint(target)).toEqual(v2Fingerprint);
      for (const m of dataset2.tables)
        expect(result.tables.find((t) => t.schema === m.schema && t.name === m.name)?.rowCount, `${m.schema}.${m.name}`).toBe(m.rowCount);
      // Triggers did not fire on the loaded rows, and work again afterwards.
      expect((await target.query('select id, note from public.booking order by id')).rows).toEqual([
        { id: 1, note: 'first' },
        { id: 2, note: null },
        { id: 3, note: 'third' },
      ]);
      expect((await target.query('select count(*)::int as n from public.review')).rows[0]).toEqual({ n: 2 });
      expect((await target.query('select room, hours::text from public.room_summary')).rows).toEqual([{ room: 101, hours: '180.00' }]);
    }, 300_000);
  });
}
