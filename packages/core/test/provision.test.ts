/**
 * provisionDataset end to end, on PGlite and on the real PostgreSQL server: a source database is
 * dumped into an in-memory dataset (COPY text, parsed with the dataset codec) and provisioned into
 * fresh targets. What a user would check: the same rows table by table, the same structure (the
 * catalog of the target equals the source's), keys that hold, sequences ahead of the ids, a refusal
 * to overwrite, and a target left exactly as it was whenever provisioning fails.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogHash } from '../src/catalog/hash.ts';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog, TableDef } from '../src/catalog/types.ts';
import type { DatasetManifest, TextRow } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { redactConnectionString } from '../src/db/url.ts';
import type { TdmError } from '../src/errors.ts';
import type { StepEvent } from '../src/jobs/events.ts';
import { databaseIdentity, type ProvisionResult, provisionDataset } from '../src/provision/provision.ts';
import { dumpDataset, key, MemoryStore, type StoredTable } from './support/memory-dataset.ts';
import { acceptanceFkCheck, checksums, indexTree, provisionEngines, structureOf, watchCopyWrites } from './support/provision-checks.ts';
import { PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';
import { loadSqlScript } from './support/load-sql.ts';

const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');
const SCHEMAS = ['public', 'Other Schema'];

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: provisioning tests on PostgreSQL are SKIPPED`);

const engines = provisionEngines(pgUp);

/** A copy of a stored dataset under a new id, with `change` applied to one table's rows. */
function tamper(
  store: MemoryStore,
  from: DatasetManifest,
  id: string,
  table: string,
  change: (rows: TextRow[], t: DatasetManifest['tables'][number]) => TextRow[],
): DatasetManifest {
  const original = store.versions.get(from.datasetVersionId);
  if (!original) throw new Error('unknown dataset');
  const tables = new Map([...original.tables].map(([k, v]) => [k, { ...v }]));
  const mt = from.tables.find((t) => key(t) === table);
  const stored = tables.get(table);
  if (!mt || !stored?.rows) throw new Error(`no table ${table}`);
  stored.rows = change(
    stored.rows.map((r) => [...r]),
    mt,
  );
  return store.put({ ...from, datasetVersionId: id, tables: from.tables.map((t) => ({ ...t })) }, tables);
}

// ---------------------------------------------------------------------------------------------
// What a failed provisioning must leave untouched.

async function existingSchemas(sql: SqlClient, wanted: string[]): Promise<string[]> {
  const { rows } = await sql.query<{ n: string }>('select nspname as n from pg_namespace where nspname = any($1::text[])', [wanted]);
  return wanted.filter((s) => rows.some((r) => r.n === s));
}

/** Everything a failed provisioning must leave untouched: structure, sequence positions, rows. */
async function snapshot(sql: SqlClient) {
  const catalog = await readCatalog(sql, await existingSchemas(sql, SCHEMAS));
  return {
    tables: catalog.tables.map(({ rowEstimate: _e, ...t }) => t),
    enums: catalog.enums,
    domains: catalog.domains,
    sequences: catalog.sequences,
    rows: await checksums(sql, catalog),
  };
}

function errorOf(promise: Promise<unknown>): Promise<TdmError> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (err: TdmError) => err,
  );
}

// ---------------------------------------------------------------------------------------------

for (const engine of engines) {
  describe.skipIf(engine.skip)(`provisionDataset on ${engine.name}${engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
    const databases: TestDatabase[] = [];
    const clients: SqlClient[] = [];
    const store = new MemoryStore();
    let source: SqlClient;
    let sourceCatalog: Catalog;
    let dataset: DatasetManifest;
    let target: SqlClient;

    async function database(label: string): Promise<SqlClient> {
      const db = await engine.create(label);
      databases.push(db);
      const sql = await openSqlClient(db.url);
      clients.push(sql);
      return sql;
    }

    beforeAll(async () => {
      source = await database('src');
      await loadSqlScript(source, EDGE_SHAPES);
      // An index on a partitioned table that backs no constraint: each partition gets its own, attached.
      // Children whose columns say something their parent's do not.
      await source.exec(`CREATE INDEX reading_value_idx ON public.reading (value);
        ALTER TABLE ONLY public.reading_2025 ALTER COLUMN value SET DEFAULT 1.5;
        ALTER TABLE ONLY public.event_log_archive ALTER COLUMN message SET DEFAULT 'archived';`);
      sourceCatalog = await readCatalog(source, SCHEMAS);
      dataset = await dumpDataset(store, source, sourceCatalog, 'edge-v1');
      target = await database('target');
    });

    afterAll(async () => {
      for (const c of clients) await c.close().catch(() => {});
      for (const db of databases) await db.drop().catch(() => {});
    });

    const provision = (into: SqlClient, manifest: DatasetManifest, options: Partial<Parameters<typeof provisionDataset>[1]> = {}) =>
      provisionDataset(into, { store, manifest, catalog: sourceCatalog, ...options });

    it('provisions edge-shapes into an empty target: same rows, same structure, every key holds', async () => {
      const events: StepEvent[] = [];
      const result = await provision(target, dataset, { emit: (e) => events.push(e) });

      expect(result.tables.map((t) => [key(t), t.rowCount]).sort()).toEqual(dataset.tables.map((t) => [key(t), t.rowCount]).sort());
      expect(result.smoke?.passed).toBe(true);
      expect(result.smoke?.rowCounts.every((c) => c.actual === c.expected)).toBe(true);
      expect(result.smoke?.fkViolations.map((f) => f.fk).sort()).toEqual(
        sourceCatalog.tables.flatMap((t) => t.foreignKeys.map((fk) => `${key(t)}.${fk.name}`)).sort(),
      );
      expect(result.smoke?.fkViolations.every((f) => f.violations === 0)).toBe(true);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);

      const targetCatalog = await readCatalog(target, SCHEMAS);
      // Columns (types, defaults, identity, generated), keys, foreign keys, uniques, checks, indexes,
      // enums, domains, sequences, partitions and INHERITS children: all as in the source.
      expect(structureOf(targetCatalog)).toEqual(structureOf(sourceCatalog));
      expect(catalogHash(targetCatalog)).toBe(catalogHash(sourceCatalog));
      expect(await indexTree(target, SCHEMAS)).toEqual(await indexTree(source, SCHEMAS));
      expect(await checksums(target, targetCatalog)).toEqual(await checksums(source, sourceCatalog));
      const [sourceFk, targetFk] = [await acceptanceFkCheck(source), await acceptanceFkCheck(target)];
      if (sourceFk !== null) expect(targetFk).toBe(`0 ${sourceFk.split(' ')[1]}`);

      const progress = events.filter((e) => e.level === 'progress');
      expect(new Set(progress.map((e) => e.data?.table))).toEqual(new Set(dataset.tables.map(key)));
      for (const e of progress) {
        expect(e.step).toBe('provision');
        expect(e.data).toEqual({ table: expect.any(String), rows: expect.any(Number), rowsPerSec: expect.any(Number) });
      }
      expect(progress.find((e) => e.data?.table === 'public.audit_note')?.data?.rows).toBe(4);
    });

    it('loads rows in foreign-key order, parents first', async () => {
      const events: StepEvent[] = [];
      await provision(target, dataset, { resetEnv: true, emit: (e) => events.push(e) });
      const order = events.filter((e) => e.level === 'progress').map((e) => String(e.data?.table));
      const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
      before('public.country', 'public.employee');
      before('public.employee', 'Other Schema.ticket');
      before('public.gadget', 'public.promotion');
      before('public.order_line', 'public.shipment_item');
      before('public.Bad Name 123!@#', 'public.MixedCase');
    });

    it('gives the same target when the same dataset is provisioned again with resetEnv', async () => {
      const before = await snapshot(target);
      const result = await provision(target, dataset, { resetEnv: true, runSmokeTests: false });
      expect(result.smoke).toBeNull();
      expect(await snapshot(target)).toEqual(before);
      expect(structureOf(await readCatalog(target, SCHEMAS))).toEqual(structureOf(sourceCatalog));
    });

    it('refuses a non-empty target without resetEnv: CONFLICT naming the tables, nothing changed', async () => {
      const before = await snapshot(target);
      const err = await errorOf(provision(target, dataset));
      expect(err.code).toBe('CONFLICT');
      expect(err.details.tables).toEqual(expect.arrayContaining(['public.employee', 'Other Schema.ticket', 'public.Bad Name 123!@#']));
      expect(err.message).toContain('public.employee');
      expect(await snapshot(target)).toEqual(before);
    });

    it('rolls back everything when a foreign key fails after every table was recreated and loaded', async () => {
      const before = await snapshot(target);
      const broken = tamper(store, dataset, 'edge-broken-fk', 'Other Schema.ticket', (rows, t) => {
        const i = t.columns.findIndex((c) => c.name === 'employee_id');
        (rows[0] as TextRow)[i] = '999';
        return rows;
      });
      const events: StepEvent[] = [];
      const err = await errorOf(provision(target, broken, { resetEnv: true, emit: (e) => events.push(e) }));
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.message).toMatch(/ticket_employee_fk/);
      // It got as far as loading every table.
      expect(new Set(events.filter((e) => e.level === 'progress').map((e) => e.data?.table)).size).toBe(dataset.tables.length);
      expect(await snapshot(target)).toEqual(before);
    });

    it('rolls back everything when a CHECK refuses a row in the middle of the load', async () => {
      const before = await snapshot(target);
      const broken = tamper(store, dataset, 'edge-broken-check', 'public.order_line', (rows, t) => {
        const i = t.columns.findIndex((c) => c.name === 'quantity');
        (rows[1] as TextRow)[i] = '0';
        return rows;
      });
      const events: StepEvent[] = [];
      const err = await errorOf(provision(target, broken, { resetEnv: true, emit: (e) => events.push(e) }));
      expect(err.message).toMatch(/order_line_quantity_check/);
      const loaded = new Set(events.filter((e) => e.level === 'progress').map((e) => e.data?.table));
      expect(loaded.size).toBeGreaterThan(0);
      expect(loaded.has('public.order_line')).toBe(false);
      expect(await snapshot(target)).toEqual(before);
    });

    it('fails the smoke test (STEP_FAILED, report in details) and rolls back when the rows do not match the manifest', async () => {
      const before = await snapshot(target);
      const wrong: DatasetManifest = {
        ...dataset,
        datasetVersionId: 'edge-wrong-count',
        tables: dataset.tables.map((t) => (key(t) === 'public.team' ? { ...t, rowCount: t.rowCount + 1 } : t)),
      };
      store.put(wrong, (store.versions.get(dataset.datasetVersionId) as { tables: Map<string, StoredTable> }).tables);
      const err = await errorOf(provision(target, wrong, { resetEnv: true }));
      expect(err.code).toBe('STEP_FAILED');
      const smoke = err.details.smoke as NonNullable<ProvisionResult['smoke']>;
      expect(smoke.passed).toBe(false);
      expect(smoke.rowCounts.find((c) => c.table === 'public.team')).toEqual({ table: 'public.team', expected: 3, actual: 2 });
      expect(err.message).toContain('public.team has 2 rows, expected 3');
      expect(await snapshot(target)).toEqual(before);
    });

    it('rolls back when aborted mid-load', async () => {
      const before = await snapshot(target);
      const controller = new AbortController();
      const err = await errorOf(
        provision(target, dataset, {
          resetEnv: true,
          signal: controller.signal,
          emit: (e) => {
            if (e.level === 'progress') controller.abort();
          },
        }),
      );
      expect((err as Error).name).toBe('AbortError');
      expect(await snapshot(target)).toEqual(before);
    });

    it('refuses a target holding one of the tables, and a reset that would break a table outside the dataset leaves it as it was', async () => {
      const other = await database('other');
      await other.exec(`create type public.mood as enum ('meh');
        create table public.keep_me (id int primary key, m public.mood); insert into public.keep_me values (1, 'meh');
        create table public.team (x int); insert into public.team values (42);`);
      const before = await snapshot(other);
      const conflict = await errorOf(provision(other, dataset));
      expect(conflict.code).toBe('CONFLICT');
      expect(conflict.details.tables).toEqual(['public.team']);
      expect(conflict.details.objects).toEqual(['public.mood', 'public.team']);
      expect(await snapshot(other)).toEqual(before);

      // resetEnv drops the dataset's tables, then cannot drop the enum keep_me still uses: all undone.
      const reset = await errorOf(provision(other, dataset, { resetEnv: true }));
      expect(reset.code).toBe('QUERY_FAILED');
      expect(reset.message).toMatch(/DROP TYPE IF EXISTS "public"."mood"/);
      expect(await snapshot(other)).toEqual(before);
    });

    it('provisions part of a source: children without their parents become plain tables, and nothing else is created', async () => {
      const partial = await database('partial');
      const chosen = ['public.event_log_archive', 'public.reading_2024', 'public.gadget'];
      const manifest = { ...dataset, datasetVersionId: 'edge-partial', tables: dataset.tables.filter((t) => chosen.includes(key(t))) };
      store.put(manifest, (store.versions.get(dataset.datasetVersionId) as { tables: Map<string, StoredTable> }).tables);
      const result = await provision(partial, manifest);
      expect(result.smoke?.passed).toBe(true);
      expect(result.smoke?.fkViolations).toEqual([]);

      const got = await readCatalog(partial, ['public']);
      expect(got.tables.map(key)).toEqual(chosen.slice().sort());
      expect(got.enums.map((e) => e.name)).toEqual(['mood']);
      expect(got.domains.map((d) => d.name)).toEqual(['us_zip']);
      expect(got.sequences).toEqual([]);
      const archive = got.tables.find((t) => t.name === 'event_log_archive') as TableDef;
      expect(archive).toMatchObject({ partitionOf: null, kind: 'TABLE' });
      expect(archive.columns.map((c) => c.name)).toEqual(['id', 'message', 'logged_at', 'archived_at']);
      expect(archive.checks).toEqual([expect.objectContaining({ name: 'event_log_message_not_blank', inherited: false })]);
      const part = got.tables.find((t) => t.name === 'reading_2024') as TableDef;
      expect(part).toMatchObject({ partitionOf: null, primaryKey: { name: 'reading_2024_pkey', columns: ['gadget_id', 'taken_on'] } });
      const sourceRows = await checksums(source, sourceCatalog);
      const targetRows = await checksums(partial, got);
      for (const t of chosen) expect(targetRows[t], t).toBe(sourceRows[t]);
    });

    it('keeps identity values and moves every sequence past the loaded ids', async () => {
      const ids = await target.query<{ id: number }>('select id from public.employee order by id');
      expect(ids.rows.map((r) => r.id)).toEqual([1, 2, 3]);
      const next = async (sql: string) => Number((await target.query<{ v: unknown }>(sql)).rows[0]?.v);
      // Identity ALWAYS and BY DEFAULT, serial, a non-owned sequence, sequences in another schema.
      expect(await next(`insert into public.employee (full_name) values ('New Hire') returning id as v`)).toBe(4);
      expect(await next(`insert into public."MixedCase" ("select") values ('fourth') returning "Id" as v`)).toBe(4);
      expect(await next(`insert into public.country (iso_code, name) values ('DE', 'Germany') returning id as v`)).toBe(4);
      expect(await next(`insert into public.invoice (order_no, issued_at) values (502, now()) returning invoice_no as v`)).toBe(1002);
      const ticket = await target.query<{ id: number; ref_no: string }>(
        `insert into "Other Schema".ticket (employee_id, title) values (1, 'new') returning id, ref_no`,
      );
      expect(ticket.rows[0]).toEqual({ id: 3, ref_no: '7002' });
      // Identity ALWAYS is still enforced for plain INSERTs.
      await expect(target.query(`insert into public.employee (id, full_name) values (99, 'x')`)).rejects.toThrow(/GENERATED ALWAYS|cannot insert/i);
    });

    it("identifies a database stably, and tells a dataset's source from the target", async () => {
      const again = await database('unused');
      const sourceId = await databaseIdentity(source);
      expect(sourceId).toMatch(/^pg:\d+\//);
      expect(await databaseIdentity(source)).toBe(sourceId);
      expect(await databaseIdentity(target)).not.toBe(sourceId);
      expect(await databaseIdentity(again)).not.toBe(await databaseIdentity(target));
      // Another client of the same database sees the same identity.
      const url = (databases[0] as TestDatabase).url;
      const second = await openSqlClient(url);
      try {
        expect(await databaseIdentity(second)).toBe(sourceId);
      } finally {
        await second.close();
      }
    });

    it('streams a table larger than any one COPY piece without holding it', async () => {
      const big = await database('big');
      await big.exec(`create table public.big (id bigint generated always as identity primary key, label text not null, payload text, n numeric(12,3))`);
      const bigCatalog = await readCatalog(big, ['public']);
      const rows = 60_000;
      const bigStore = new MemoryStore(1000);
      let produced = 0;
      let producedAtFirstWrite = -1;
      const manifest = bigStore.put(
        {
          ...dataset,
          datasetVersionId: 'big-v1',
          tables: [
            {
              schema: 'public',
              name: 'big',
              file: '',
              rowCount: rows,
              bytes: 0,
              checksum: '',
              columns: (bigCatalog.tables[0] as TableDef).columns.map((c) => ({
                name: c.name,
                pgType: c.dataType,
                nullable: c.nullable,
                parquetType: 'STRING' as const,
              })),
            },
          ],
        },
        new Map([
          [
            'public.big',
            {
              *generate() {
                for (let i = 1; i <= rows; i++) {
                  produced = i;
                  yield [String(i), `label\t${i}\\`, i % 10 === 0 ? null : 'x'.repeat(150), `${i}.125`];
                }
              },
            },
          ],
        ]),
      );
      const into = await database('bigtarget');
      const watched = watchCopyWrites(into, () => {
        if (producedAtFirstWrite < 0) producedAtFirstWrite = produced;
      });
      // Read-ahead bounded to 256 KiB (the default, 16 MiB, would hold this 10 MB table whole before the load).
      const result = await provisionDataset(watched, { store: bigStore, manifest, catalog: bigCatalog, readAheadBytes: 256 * 1024 });
      // COPY received data long before the store had produced every row: nothing read the table whole.
      expect(producedAtFirstWrite).toBeGreaterThan(0);
      expect(producedAtFirstWrite).toBeLessThan(rows / 4);
      expect(result.tables).toEqual([{ schema: 'public', name: 'big', rowCount: rows }]);
      const check = await into.query<{ n: string; nulls: string; last: string; tab: string; next: string }>(
        `select count(*)::text as n, count(*) filter (where payload is null)::text as nulls, max(id)::text as last,
           (select label from public.big where id = 7) as tab, (select last_value::text from public.big_id_seq) as next from public.big`,
      );
      expect(check.rows[0]).toEqual({ n: String(rows), nulls: String(rows / 10), last: String(rows), tab: 'label\t7\\', next: String(rows) });
    });
  });
}
