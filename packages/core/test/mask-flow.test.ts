/**
 * Masking as a user runs it: a subset of a real PostgreSQL source (pagila when the shared fixtures
 * exist, else the demo source), classified for PII, masked with the classification's techniques and
 * provisioned into real PostgreSQL targets. What a user checks in the target: no masked value equals
 * the source's value for the same key, every FK still holds, unique emails stay unique, the same salt
 * gives the same values (in this process and in another one), another salt gives other values, the
 * PII gate finds nothing after masking and finds the real values when masking was skipped, and a
 * masked key keeps every FK pointing at it valid. Flow A with pii and mask as a job:
 * mask-flow-job.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent, quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { runMask } from '../src/graphs/mask/graph.ts';
import type { MaskOutcome } from '../src/graphs/mask/state.ts';
import { classifyPii } from '../src/graphs/pii/graph.ts';
import type { PiiColumn } from '../src/graphs/pii/state.ts';
import { runProvision } from '../src/graphs/provision/graph.ts';
import { scanTargetForPii } from '../src/graphs/provision/pii-gate.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import type { SubsetOutcome } from '../src/graphs/subset/state.ts';
import type { Tdm } from '../src/runtime.ts';
import { loadManifest } from '../src/store/datasets.ts';
import { PG_ADMIN_URL, pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';
import { fkCheck } from './support/fk-check.ts';
import { FIXTURES_DIR, fixturesAvailable } from './support/load-sql.ts';
import { CAPS, runJob, SALT, sourceDatabase } from './support/mask-flow.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the mask flow tests are SKIPPED`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: the pagila/chinook cases are SKIPPED; masking runs on the demo source`);

const OTHER_SALT = 'mask-flow-salt-2';
const CORE_SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Columns that must never keep a source value, per table with its key. */
const SENSITIVE: Record<'pagila' | 'demo', { table: string; key: string; columns: string[] }[]> = {
  pagila: [
    { table: 'customer', key: 'customer_id', columns: ['email', 'first_name', 'last_name'] },
    { table: 'address', key: 'address_id', columns: ['phone'] },
  ],
  demo: [{ table: 'customer', key: 'customer_id', columns: ['email', 'first_name', 'last_name', 'phone'] }],
};
const kind: 'pagila' | 'demo' = haveFixtures ? 'pagila' : 'demo';

let engine: TestEngine;
let tdm: Tdm;

beforeAll(async () => {
  if (!pgUp) return;
  engine = await createTestEngine('mask-flow', { work: true });
  tdm = engine.tdm;
});

afterAll(() => engine?.close());

/** A fresh, empty target database registered as an environment. */
const targetEnv = (label: string) => engine.environment('postgres', label);

/** Rows of the target whose (non-empty) value equals the source's value for the same key. */
async function sameAsSource(src: SqlClient, dst: SqlClient, table: string, key: string, column: string): Promise<{ compared: number; equal: number }> {
  const { rows } = await dst.query<{ k: string; v: string | null }>(
    `select ${quoteIdent(key)}::text as k, ${quoteIdent(column)}::text as v from ${quoteQualified('public', table)}`,
  );
  const { rows: srcRows } = await src.query<{ k: string; v: string | null }>(
    `select ${quoteIdent(key)}::text as k, ${quoteIdent(column)}::text as v from ${quoteQualified('public', table)} where ${quoteIdent(key)}::text = any($1::text[])`,
    [rows.map((r) => r.k)],
  );
  const real = new Map(srcRows.map((r) => [r.k, r.v]));
  let compared = 0;
  let equal = 0;
  for (const r of rows) {
    const v = real.get(r.k);
    if (v == null || v === '') continue;
    compared++;
    if (r.v === v) equal++;
  }
  return { compared, equal };
}

/** All rows of one table of a dataset version, keyed by the first column. */
async function datasetRows(datasetVersionId: string, table: string): Promise<{ columns: string[]; rows: Map<string, (string | null)[]> }> {
  const manifest = await loadManifest(tdm.store.prisma, datasetVersionId);
  const mt = manifest?.tables.find((t) => t.name === table && t.schema === 'public');
  if (!mt) throw new Error(`${table} is not in dataset ${datasetVersionId}`);
  const rows = new Map<string, (string | null)[]>();
  for await (const batch of tdm.datasets.readTable(datasetVersionId, mt)) for (const r of batch) rows.set(String(r[0]), r);
  return { columns: mt.columns.map((c) => c.name), rows };
}

async function checksumsOf(datasetVersionId: string): Promise<Record<string, string>> {
  const manifest = await loadManifest(tdm.store.prisma, datasetVersionId);
  return Object.fromEntries((manifest?.tables ?? []).map((t) => [`${t.schema}.${t.name}`, t.checksum]));
}
// ---------------------------------------------------------------------------------------------

describe.skipIf(!pgUp)(`masking a ${kind} subset`, () => {
  let src: { url: string; sql: SqlClient };
  let subset: SubsetOutcome;
  let pii: PiiColumn[];
  let masked: MaskOutcome;
  let target: { name: string; sql: SqlClient };

  beforeAll(async () => {
    src = await sourceDatabase(engine, kind, haveFixtures ? 'pagila' : 'demo');
    subset = await runSubset(tdm, { connectionString: src.url, schemas: ['public'], maxRowsPerTable: CAPS });
    pii = (await classifyPii(tdm, { schemaVersionId: subset.schemaVersionId })).columns;
    masked = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: SALT });
    target = await targetEnv(`${kind}-masked`);
    const result = await runProvision(tdm, { datasetVersionId: masked.datasetVersionId, environment: target.name });
    expect(result.smoke?.passed).toBe(true);
  }, 180_000);

  it('masks every named PII column: no target value equals the source value of the same key', async () => {
    const maskedCols = masked.columns.map((c) => c.column);
    for (const { table, key, columns } of SENSITIVE[kind]) {
      for (const column of columns) {
        expect(pii.find((p) => p.table === table && p.column === column)?.piiType, `${table}.${column} classified`).not.toBe('NONE');
        expect(
          maskedCols.some((c) => c.endsWith(`${table}.${column}`)),
          `${table}.${column} masked`,
        ).toBe(true);
        const { compared, equal } = await sameAsSource(src.sql, target.sql, table, key, column);
        expect(compared, `${table}.${column} rows compared`).toBeGreaterThan(0);
        expect(equal, `${table}.${column}: masked values equal to the source`).toBe(0);
      }
    }
  });

  it('keeps every FK of the target valid and unique emails unique', async () => {
    const fk = await fkCheck(target.sql);
    expect(fk.fks).toBeGreaterThan(0);
    expect(fk.violations).toBe(0);
    const { rows } = await target.sql.query<{ n: string; d: string }>('select count(email)::text as n, count(distinct email)::text as d from public.customer');
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    expect(rows[0]?.d).toBe(rows[0]?.n);
  });

  it('is deterministic: the same salt gives the same dataset, another salt other values', async () => {
    const again = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: SALT });
    expect(again.datasetVersionId).not.toBe(masked.datasetVersionId);
    expect(again.rulesHash).toBe(masked.rulesHash);
    const a = await datasetRows(masked.datasetVersionId, 'customer');
    const b = await datasetRows(again.datasetVersionId, 'customer');
    expect([...b.rows.entries()]).toEqual([...a.rows.entries()]);
    // Every table, row by row, and byte for byte: the same files, though the process wrote others in between.
    const sums = await checksumsOf(masked.datasetVersionId);
    expect(await checksumsOf(again.datasetVersionId)).toEqual(sums);
    for (const table of Object.keys(sums)) {
      const name = table.replace(/^public\./, '');
      const x = await datasetRows(masked.datasetVersionId, name);
      const y = await datasetRows(again.datasetVersionId, name);
      expect([...y.rows.entries()], table).toEqual([...x.rows.entries()]);
    }

    const other = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: OTHER_SALT });
    const c = await datasetRows(other.datasetVersionId, 'customer');
    const email = a.columns.indexOf('email');
    let differ = 0;
    for (const [k, row] of a.rows) if (c.rows.get(k)?.[email] !== row[email]) differ++;
    expect(differ, 'emails that differ under another salt').toBe(a.rows.size);
  }, 120_000);

  it('is deterministic across processes: runMask in a child process with the same salt gives the same values', async () => {
    const script = join(engine.dataDir, 'mask-child.mts');
    const imp = (p: string) => JSON.stringify(join(CORE_SRC, p));
    await writeFile(
      script,
      `import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig } from ${imp('config.ts')};
import { createTdm } from ${imp('runtime.ts')};
import { runSubset } from ${imp('graphs/subset/graph.ts')};
import { classifyPii } from ${imp('graphs/pii/graph.ts')};
import { runMask } from ${imp('graphs/mask/graph.ts')};
import { loadManifest } from ${imp('store/datasets.ts')};
const dir = await mkdtemp(join(tmpdir(), 'tdm-mask-child-'));
const tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), databaseUrl: 'pglite://' + join(dir, 'meta') }, { log: () => {} });
const s = await runSubset(tdm, { connectionString: process.env.SRC_URL, schemas: ['public'], maxRowsPerTable: { '*': 50 } });
await classifyPii(tdm, { schemaVersionId: s.schemaVersionId });
const m = await runMask(tdm, { datasetVersionId: s.datasetVersionId });
const manifest = await loadManifest(tdm.store.prisma, m.datasetVersionId);
const mt = manifest.tables.find((t) => t.name === 'customer');
const rows = [];
for await (const batch of tdm.datasets.readTable(m.datasetVersionId, mt)) rows.push(...batch);
await tdm.close();
await rm(dir, { recursive: true, force: true });
process.stdout.write('ROWS' + JSON.stringify({ columns: mt.columns.map((c) => c.name), rows }) + '\\n');
process.exit(0);
`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, SRC_URL: src.url, TDM_MASK_SALT: SALT },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const line = child.stdout.split('\n').find((l) => l.startsWith('ROWS')) as string;
    const theirs = JSON.parse(line.slice(4)) as { columns: string[]; rows: (string | null)[][] };
    const ours = await datasetRows(masked.datasetVersionId, 'customer');
    expect(theirs.columns).toEqual(ours.columns);
    let compared = 0;
    for (const row of theirs.rows) {
      const mine = ours.rows.get(String(row[0]));
      if (!mine) continue;
      compared++;
      for (const column of ['email', 'first_name', 'last_name']) {
        const i = ours.columns.indexOf(column);
        expect(row[i], `${column} of customer ${row[0]}`).toBe(mine[i]);
      }
    }
    expect(compared, 'customers masked in both processes').toBeGreaterThan(0);
  }, 150_000);

  it('PII gate: no leaks after masking; the unmasked subset leaks its PII columns', async () => {
    const clean = await scanTargetForPii(tdm, { environment: target.name, datasetVersionId: masked.datasetVersionId });
    expect(clean.checkedColumns).toBeGreaterThan(0);
    expect(clean.leaks).toEqual([]);

    const raw = await targetEnv(`${kind}-raw`);
    await runProvision(tdm, { datasetVersionId: subset.datasetVersionId, environment: raw.name });
    const dirty = await scanTargetForPii(tdm, { environment: raw.name, datasetVersionId: subset.datasetVersionId });
    for (const { table, columns } of SENSITIVE[kind]) {
      for (const column of columns) {
        const leak = dirty.leaks.find((l) => l.table === table && l.column === column);
        expect(leak?.matches ?? 0, `${table}.${column} leaks`).toBeGreaterThan(0);
      }
    }
    // The report names columns and counts only, never a value.
    const anEmail = (await src.sql.query<{ e: string }>('select email::text as e from public.customer limit 1')).rows[0]?.e as string;
    expect(JSON.stringify(dirty)).not.toContain(anEmail);
  }, 120_000);

  it('a masked key column (hash → integer) keeps every FK pointing at it valid, and the ids change', async () => {
    const keyed = await runMask(tdm, {
      datasetVersionId: subset.datasetVersionId,
      salt: SALT,
      rules: { 'customer.customer_id': { transformer: 'hash', params: { format: 'integer' } } },
    });
    const propagated = keyed.columns.filter((c) => c.propagatedFrom?.endsWith('customer.customer_id')).map((c) => c.column);
    expect(
      propagated.some((c) => /rental\.customer_id$|order\.customer_id$/.test(c)),
      propagated.join(', '),
    ).toBe(true);
    const env = await targetEnv(`${kind}-keys`);
    const result = await runProvision(tdm, { datasetVersionId: keyed.datasetVersionId, environment: env.name });
    expect(result.smoke?.passed).toBe(true);
    expect((await fkCheck(env.sql)).violations).toBe(0);

    // Every table referencing customer has rows, each pointing at a (masked) customer of the target.
    const { rows: refs } = await env.sql.query<{ child: string; col: string }>(
      `select k.conrelid::regclass::text as child, a.attname::text as col from pg_constraint k
       join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
       where k.contype = 'f' and k.confrelid = 'public.customer'::regclass and cardinality(k.conkey) = 1`,
    );
    const children = refs.map((r) => r.child.replace(/^public\./, ''));
    // pagila: rental and payment's partitions (payment_p2022_01 …) reference customer.
    if (kind === 'pagila') expect(children).toEqual(expect.arrayContaining(['rental', expect.stringMatching(/^payment_p2022_/)]));
    let referencing = 0;
    for (const r of refs) {
      const { rows } = await env.sql.query<{ n: string; orphans: string }>(
        `select count(c.${quoteIdent(r.col)})::text as n,
           count(*) filter (where c.${quoteIdent(r.col)} is not null and not exists (select 1 from public.customer p where p.customer_id = c.${quoteIdent(r.col)}))::text as orphans
         from ${r.child} c`,
      );
      expect(rows[0]?.orphans, `${r.child}.${r.col} orphans`).toBe('0');
      referencing += Number(rows[0]?.n);
    }
    expect(referencing, 'rows referencing customer').toBeGreaterThan(0);

    const { rows: ids } = await env.sql.query<{ id: string }>('select customer_id::text as id from public.customer');
    const before = new Set((await datasetRows(subset.datasetVersionId, 'customer')).rows.keys());
    expect(ids.length).toBe(before.size);
    expect(
      ids.filter((r) => before.has(r.id)),
      'ids kept from the source',
    ).toEqual([]);
  }, 150_000);

  it('workflow piiGate: the job FAILS when masking is skipped and COMPLETES when mask runs', async () => {
    const unmasked = await targetEnv(`${kind}-gate-fail`);
    const failed = await runJob(tdm, {
      connectionString: src.url,
      operations: ['discover', 'pii', 'subset', 'provision'],
      config: { subset: { maxRowsPerTable: CAPS }, provision: { targetEnv: unmasked.name, resetEnv: true, piiGate: true } },
    });
    expect(failed.job.status).toBe('FAILED');
    expect(JSON.stringify(failed.job.error)).toMatch(/PII gate/);

    const ok = await targetEnv(`${kind}-gate-ok`);
    const passed = await runJob(tdm, {
      connectionString: src.url,
      operations: ['discover', 'pii', 'subset', 'mask', 'provision'],
      config: { subset: { maxRowsPerTable: CAPS }, mask: { salt: SALT }, provision: { targetEnv: ok.name, resetEnv: true, piiGate: true } },
    });
    expect(passed.job.status, JSON.stringify(passed.job.error)).toBe('COMPLETED');
    expect(passed.events.some((e) => e.step === 'provision' && /PII gate: 0 leaking/.test(e.message))).toBe(true);
  }, 180_000);
});
