/**
 * Full-schema fidelity: a full copy of a source — every shared sample database and the project's
 * own edge-case fixture (edge-shapes.sql plus edge-schema-objects.sql: composite and range types,
 * functions, a procedure, an aggregate, views on views, materialized views, triggers, a rule, RLS
 * policies, exclusion constraints, every index method, comments) — provisioned into an empty target
 * on PGlite and on the real PostgreSQL server must have the same schema objects as its source,
 * object for object, and the same row counts. Judged twice: by TDM's own catalog reader (every
 * field, definitions included) and by the shared acceptance check catalog-fingerprint.sql, which
 * reads pg_catalog independently of TDM.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog } from '../src/catalog/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import { quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { ExtensionUnavailableError } from '../src/provision/errors.ts';
import { provisionDataset } from '../src/provision/provision.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';
import { FIXTURES_DIR, type FixtureName, fixturesAvailable, loadFixture, loadSqlScript } from './support/load-sql.ts';
import { dumpDataset, MemoryStore } from './support/memory-dataset.ts';

const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');
const EDGE_OBJECTS = await readFile(new URL('./fixtures/edge-schema-objects.sql', import.meta.url), 'utf8');
const FINGERPRINT_SQL = await readFile(join(FIXTURES_DIR, '..', 'acceptance', 'catalog-fingerprint.sql'), 'utf8').catch(() => null);
if (!FINGERPRINT_SQL) console.warn('acceptance/catalog-fingerprint.sql not found: fidelity is judged by the catalog reader alone');

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: fidelity tests on PostgreSQL are SKIPPED`);
const fixtures = fixturesAvailable();
if (!fixtures) console.warn('shared sample databases not found: fidelity tests over pagila, chinook, sakila, world and neosync-edgecases are SKIPPED');

const engines = [
  { name: 'pglite', skip: false, create: () => createPgliteUrl() },
  { name: 'postgres', skip: !pgUp, create: (label: string) => createTestDatabase(`fid_${label}`) },
];

// PGlite (WASM) loads the larger samples slowly: there it runs the project's fixture, pagila (the
// richest sample) and neosync-edgecases (an extension); PostgreSQL runs every sample.
const sources: { label: string; fixture?: FixtureName; load?: (sql: SqlClient) => Promise<void>; serverOnly?: boolean }[] = [
  {
    label: 'edge',
    load: async (sql) => {
      await loadSqlScript(sql, EDGE_SHAPES);
      await loadSqlScript(sql, EDGE_OBJECTS);
    },
  },
  { label: 'pagila', fixture: 'pagila' },
  { label: 'chinook', fixture: 'chinook', serverOnly: true },
  { label: 'sakila', fixture: 'sakila', serverOnly: true },
  { label: 'world', fixture: 'world', serverOnly: true },
  { label: 'edgecases', fixture: 'edgecases' },
];

/** The user schemas of a database (what pg_dump --schema-only would cover). */
async function userSchemas(sql: SqlClient): Promise<string[]> {
  const { rows } = await sql.query<{ n: string }>(
    `select nspname as n from pg_namespace where nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
       and nspname not like 'pg_temp%' and nspname not like 'pg_toast_temp%' order by 1`,
  );
  return rows.map((r) => r.n);
}

/** The catalog minus what differs between two databases of equal structure and data (name, version, estimates). */
function structure(catalog: Catalog) {
  const { database: _d, serverVersion: _v, tables, sequences, ...rest } = catalog;
  return {
    ...rest,
    sequences: sequences.map(({ lastValue: _l, ...s }) => s),
    tables: tables.map(({ rowEstimate: _e, ...t }) => t),
  };
}

async function fingerprint(sql: SqlClient): Promise<string[]> {
  if (!FINGERPRINT_SQL) return [];
  const text = FINGERPRINT_SQL.replace(/^--.*$/gm, '')
    .trim()
    .replace(/;$/, '');
  // As psql runs it: default settings (a loaded dump may have left its session with search_path ''
  // or standard_conforming_strings off).
  return sql.transaction(async (tx) => {
    await tx.query(`select set_config('search_path', '"$user", public', true), set_config('standard_conforming_strings', 'on', true)`);
    const { rows } = await tx.query<{ line: string }>(text);
    return rows.map((r) => r.line);
  });
}

/** Rows per table (own rows) and per materialized view. */
async function rowCounts(sql: SqlClient, schemas: string[]): Promise<Record<string, number>> {
  const { rows } = await sql.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1::text[]) and (c.relkind in ('r', 'p') or (c.relkind = 'm' and c.relispopulated)) order by 1, 2`,
    [schemas],
  );
  const out: Record<string, number> = {};
  for (const r of rows) {
    const { rows: n } = await sql.query<{ n: string }>(`select count(*)::int8::text as n from only ${quoteQualified(r.schema, r.name)}`);
    out[`${r.schema}.${r.name}`] = Number(n[0]?.n);
  }
  return out;
}

for (const engine of engines) {
  for (const src of sources) {
    if (src.serverOnly && engine.name === 'pglite') continue;
    const skip = engine.skip || (src.fixture !== undefined && !fixtures);
    describe.skipIf(skip)(`full-schema provision of ${src.label} on ${engine.name}`, () => {
      const dbs: TestDatabase[] = [];
      const clients: SqlClient[] = [];
      afterAll(async () => {
        for (const c of clients) await c.close().catch(() => {});
        for (const db of dbs) await db.drop().catch(() => {});
      });
      const open = async (label: string) => {
        const db = await engine.create(`${src.label}_${label}`);
        dbs.push(db);
        const sql = await openSqlClient(db.url);
        clients.push(sql);
        return sql;
      };

      it('recreates every schema object of the source, object for object, with the same row counts', async () => {
        const source = await open('src');
        if (src.fixture) await loadFixture(source, src.fixture);
        else await src.load?.(source);
        const schemas = await userSchemas(source);
        const catalog = await readCatalog(source, schemas);
        const store = new MemoryStore(1000);
        const dataset = await dumpDataset(store, source, catalog, `${src.label}-full`);
        const target = await open('target');

        const result = await provisionDataset(target, { store, manifest: dataset, catalog });
        expect(result.smoke?.passed).toBe(true);

        expect(structure(await readCatalog(target, schemas))).toEqual(structure(catalog));
        const [before, after] = [await fingerprint(source), await fingerprint(target)];
        expect(after).toEqual(before);
        expect(await rowCounts(target, schemas)).toEqual(await rowCounts(source, schemas));
      }, 600_000);
    });
  }
}

describe('what loading must not do (edge-case fixture on PGlite)', () => {
  const dbs: TestDatabase[] = [];
  const clients: SqlClient[] = [];
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    for (const db of dbs) await db.drop().catch(() => {});
  });

  it('fires no trigger while loading, refreshes populated materialized views, keeps disabled triggers disabled and RLS on', async () => {
    const dbSource = await createPgliteUrl();
    const dbTarget = await createPgliteUrl();
    dbs.push(dbSource, dbTarget);
    const source = await openSqlClient(dbSource.url);
    const target = await openSqlClient(dbTarget.url);
    clients.push(source, target);
    await loadSqlScript(source, EDGE_SHAPES);
    await loadSqlScript(source, EDGE_OBJECTS);
    const catalog = await readCatalog(source, ['public', 'Other Schema']);
    const store = new MemoryStore(100);
    await provisionDataset(target, { store, manifest: await dumpDataset(store, source, catalog, 'edge'), catalog });

    // booking_stamp rewrites `note` on every INSERT: the loaded rows keep the source's notes.
    const notes = await target.query<{ id: number; note: string | null }>('select id, note from public.booking order by id');
    expect(notes.rows).toEqual([
      { id: 1, note: 'first' },
      { id: 2, note: null },
      { id: 3, note: 'third' },
    ]);
    // …and it works afterwards, as in the source.
    const inserted = await target.query<{ note: string }>(
      `insert into public.booking (room, during, price) values (7, '[2030-01-01, 2030-01-02)', '(1,EUR)') returning note`,
    );
    expect(inserted.rows[0]?.note).toBe('written by trigger');

    const views = await target.query<{ name: string; populated: boolean }>('select matviewname as name, ispopulated as populated from pg_matviews order by 1');
    expect(views.rows).toEqual([
      { name: 'room_summary', populated: true },
      { name: 'room_summary_later', populated: false },
    ]);
    expect((await target.query('select room, hours::text, bookings from public.room_summary')).rows).toEqual([{ room: 101, hours: '3.00', bookings: '1,3' }]);
    const triggers = await target.query<{ name: string; enabled: string }>(
      `select tgname as name, tgenabled::text as enabled from pg_trigger where tgrelid = 'public.booking'::regclass and not tgisinternal order by 1`,
    );
    expect(triggers.rows).toEqual([
      { name: 'booking_audit', enabled: 'D' },
      { name: 'booking_stamp', enabled: 'O' },
    ]);
    const rls = await target.query<{ on: boolean; policies: string }>(
      `select relrowsecurity as on, (select string_agg(polname, ',' order by polname) from pg_policy where polrelid = c.oid) as policies
       from pg_class c where oid = 'public.booking'::regclass`,
    );
    expect(rls.rows[0]).toEqual({ on: true, policies: 'booking_no_cancelled_writes,booking_rooms' });
    expect((await target.query(`select obj_description('public.room_summary'::regclass, 'pg_class') as c`)).rows[0]).toEqual({ c: 'refreshed nightly' });
  }, 300_000);
});

describe('an extension the target cannot install', () => {
  it('is an ExtensionUnavailableError naming it, and the target is left as it was', async () => {
    const [a, b] = [await createPgliteUrl(), await createPgliteUrl()];
    const source = await openSqlClient(a.url);
    const target = await openSqlClient(b.url);
    try {
      await source.exec('create table public.thing (id int primary key, label text)');
      const catalog = await readCatalog(source, ['public']);
      catalog.extensions = [{ name: 'tdm_no_such_extension', schema: 'public', version: '1.0' }];
      const store = new MemoryStore(10);
      const err = await provisionDataset(target, { store, manifest: await dumpDataset(store, source, catalog, 'ext'), catalog }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExtensionUnavailableError);
      expect((err as ExtensionUnavailableError).extension).toBe('tdm_no_such_extension');
      expect((err as Error).message).toMatch(/extension tdm_no_such_extension is not available in the target/);
      expect((await target.query(`select to_regclass('public.thing') as t`)).rows[0]).toEqual({ t: null });
    } finally {
      await source.close();
      await target.close();
      await a.drop();
      await b.drop();
    }
  }, 300_000);
});
