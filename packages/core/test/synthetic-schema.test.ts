/**
 * Schema mode: synthetic rows for a discovered source's own tables. The CHECK parser is unit-tested
 * on pagila's, edgecases' and hand-written expressions; then each source (the project's edge-shapes
 * always, pagila and neosync-edgecases when the shared fixtures are present) is discovered, 1000 rows
 * per table are generated, written as a dataset and provisioned into fresh targets that carry every
 * constraint of the source: the database is the judge (provision succeeds, no FK violation, the
 * row counts asked for). Same seed → same rows (read back); another seed → other rows.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../src/catalog/types.ts';
import { quoteQualified } from '../src/db/quote.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { runProvision } from '../src/graphs/provision/graph.ts';
import type { Tdm } from '../src/runtime.ts';
import { loadCatalog } from '../src/store/schema-store.ts';
import { Rng } from '../src/synthetic/rng.ts';
import { type CheckConstraint, parseCheck } from '../src/synthetic/schema/checks.ts';
import { generateFromSchema, SyntheticConstraintError } from '../src/synthetic/schema/index.ts';
import { regexGenerator } from '../src/synthetic/schema/regex.ts';
import { writeGenerated } from '../src/synthetic/write.ts';
import { PG_ADMIN_URL, pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';
import { fkCheck } from './support/fk-check.ts';
import { FIXTURES_DIR, type FixtureName, fixturesAvailable, loadFixture, loadSqlScript } from './support/load-sql.ts';

const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');
const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: schema mode runs on PGlite only`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: schema mode on pagila and neosync-edgecases is SKIPPED`);

// ---------------------------------------------------------------------------------------------
// The CHECK parser

describe('parseCheck', () => {
  const cases: { expression: string; valueColumn?: string; exact: boolean; constraints: CheckConstraint[] }[] = [
    {
      expression: '(((VALUE >= 1901) AND (VALUE <= 2155)))',
      valueColumn: 'release_year',
      exact: true,
      constraints: [
        { kind: 'range', column: 'release_year', min: { value: '1901', inclusive: true } },
        { kind: 'range', column: 'release_year', max: { value: '2155', inclusive: true } },
      ],
    },
    {
      expression: 'CHECK ((transaction_type = ANY (ARRAY[1, 2])))',
      exact: true,
      constraints: [{ kind: 'in', column: 'transaction_type', values: ['1', '2'] }],
    },
    { expression: 'CHECK ((quantity > 0))', exact: true, constraints: [{ kind: 'range', column: 'quantity', min: { value: '0', inclusive: false } }] },
    {
      expression: "(VALUE ~ '^[0-9]{5}(-[0-9]{4})?$'::text)",
      valueColumn: 'zip',
      exact: true,
      constraints: [{ kind: 'regex', column: 'zip', pattern: '^[0-9]{5}(-[0-9]{4})?$', caseInsensitive: false }],
    },
    { expression: '((ends_on >= starts_on))', exact: true, constraints: [{ kind: 'compare', left: 'ends_on', op: '>=', right: 'starts_on' }] },
    { expression: "((message <> ''::text))", exact: true, constraints: [{ kind: 'notIn', column: 'message', values: [''] }] },
    {
      expression: '((price BETWEEN (0)::numeric AND 99.5))',
      exact: true,
      constraints: [{ kind: 'range', column: 'price', min: { value: '0', inclusive: true }, max: { value: '99.5', inclusive: true } }],
    },
    {
      expression: "((status)::text = ANY ((ARRAY['new'::character varying, 'done'::character varying])::text[]))",
      exact: true,
      constraints: [{ kind: 'in', column: 'status', values: ['new', 'done'] }],
    },
    { expression: "(status IN ('a', 'b'))", exact: true, constraints: [{ kind: 'in', column: 'status', values: ['a', 'b'] }] },
    { expression: '((length((code)::text) >= 3))', exact: true, constraints: [{ kind: 'length', column: 'code', min: 3 }] },
    { expression: '((char_length(code) < 9))', exact: true, constraints: [{ kind: 'length', column: 'code', max: 8 }] },
    { expression: '((0 < qty))', exact: true, constraints: [{ kind: 'range', column: 'qty', min: { value: '0', inclusive: false } }] },
    { expression: '((return_date >= rental_date))', exact: true, constraints: [{ kind: 'compare', left: 'return_date', op: '>=', right: 'rental_date' }] },
    { expression: '((email IS NOT NULL))', exact: true, constraints: [{ kind: 'notNull', column: 'email' }] },
    { expression: '((balance >= (-100)))', exact: true, constraints: [{ kind: 'range', column: 'balance', min: { value: '-100', inclusive: true } }] },
    {
      expression: "(((kind = 'a'::text) OR (kind ~ '^z[0-9]{2}$'::text)))",
      exact: true,
      constraints: [
        {
          kind: 'or',
          branches: [[{ kind: 'in', column: 'kind', values: ['a'] }], [{ kind: 'regex', column: 'kind', pattern: '^z[0-9]{2}$', caseInsensitive: false }]],
        },
      ],
    },
    // One understood branch of an OR is enough to generate inside it.
    { expression: '(((qty % 5) = 2) OR (qty > 10))', exact: true, constraints: [{ kind: 'range', column: 'qty', min: { value: '10', inclusive: false } }] },
    { expression: '((lower(code) = code))', exact: false, constraints: [] },
    { expression: '((qty > 0) AND ((qty % 5) = 2))', exact: false, constraints: [{ kind: 'range', column: 'qty', min: { value: '0', inclusive: false } }] },
  ];
  it.each(cases)('$expression', async ({ expression, valueColumn, exact, constraints }) => {
    const parsed = await parseCheck(expression, { valueColumn });
    expect(parsed.exact).toBe(exact);
    expect(parsed.constraints).toEqual(constraints);
  });

  it('generates strings matching simple regexes and refuses the others', () => {
    const rng = new Rng('regex');
    for (const pattern of ['^[0-9]{5}(-[0-9]{4})?$', '^[A-Z][a-z]+$', '^z[0-9]{2}$', '^(red|green|blue)-\\d{1,3}$']) {
      const gen = regexGenerator(pattern);
      expect(gen, pattern).not.toBeNull();
      for (let i = 0; i < 50; i++) expect(gen?.(rng)).toMatch(new RegExp(pattern));
    }
    expect(regexGenerator('^[^a]+$')).toBeNull();
    expect(regexGenerator('(a)\\1')).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Schema mode end to end

let engine: TestEngine;
let tdm: Tdm;

beforeAll(async () => {
  engine = await createTestEngine('synthetic-schema');
  tdm = engine.tdm;
});

afterAll(() => engine?.close());

type Engine = 'postgres' | 'pglite';

async function database(kind: Engine, label: string): Promise<{ url: string; sql: SqlClient }> {
  const db = await engine.database(kind, label);
  return { url: db.url, sql: await engine.client(db.url) };
}

/** A source loaded by `load` and discovered: its schema version and catalog. */
async function source(kind: Engine, label: string, load: (sql: SqlClient) => Promise<void>): Promise<{ schemaVersionId: string; catalog: Catalog }> {
  const { url, sql } = await database(kind, `${label}_src`);
  await load(sql);
  const { schemaVersionId } = await tdm.discoverSchema({ connectionString: url });
  return { schemaVersionId, catalog: await loadCatalog(tdm.store.prisma, schemaVersionId) };
}

/** Rows of each generated table in the target (a partitioned table counts its partitions' rows). */
async function countsIn(sql: SqlClient, tables: { schema: string; name: string }[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const q = quoteQualified(t.schema, t.name);
    const { rows } = await sql.query<{ n: string }>(
      `select case when (select relkind from pg_class where oid = $1::regclass) = 'p' then (select count(*) from ${q}) else (select count(*) from only ${q}) end::text as n`,
      [q],
    );
    out[`${t.schema}.${t.name}`] = Number(rows[0]?.n);
  }
  return out;
}

/** Per table, a hash of its rows as read back from the dataset store (in order). */
async function rowHashes(datasetVersionId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of (await tdm.datasets.readManifest(datasetVersionId)).tables) {
    const hash = createHash('sha256');
    for await (const batch of tdm.datasets.readTable(datasetVersionId, t)) for (const row of batch) hash.update(`${JSON.stringify(row)}\n`);
    out[`${t.schema}.${t.name}`] = hash.digest('hex');
  }
  return out;
}

async function generateAndWrite(src: { schemaVersionId: string; catalog: Catalog }, seed: number) {
  const generated = await generateFromSchema(src.catalog, { schemaVersionId: src.schemaVersionId, rowCounts: { '*': 1000 }, seed });
  try {
    const written = await writeGenerated(tdm, generated);
    return { generated, written };
  } finally {
    await generated.close();
  }
}

interface Case {
  name: string;
  skip: boolean;
  sourceEngine: Engine;
  targets: Engine[];
  load: (sql: SqlClient) => Promise<void>;
}

const fixture = (name: FixtureName) => (sql: SqlClient) => loadFixture(sql, name);
const cases: Case[] = [
  {
    name: 'edge-shapes',
    skip: false,
    sourceEngine: pgUp ? 'postgres' : 'pglite',
    targets: pgUp ? ['postgres', 'pglite'] : ['pglite'],
    load: (sql) => loadSqlScript(sql, EDGE_SHAPES),
  },
  { name: 'pagila', skip: !haveFixtures || !pgUp, sourceEngine: 'postgres', targets: ['postgres', 'pglite'], load: fixture('pagila') },
  // uuid-ossp (its column defaults) exists on PostgreSQL only.
  { name: 'edgecases', skip: !haveFixtures || !pgUp, sourceEngine: 'postgres', targets: ['postgres'], load: fixture('edgecases') },
];

for (const c of cases) {
  describe.skipIf(c.skip)(`schema mode on ${c.name}`, () => {
    let src: { schemaVersionId: string; catalog: Catalog };
    let first: Awaited<ReturnType<typeof generateAndWrite>>;

    beforeAll(async () => {
      src = await source(c.sourceEngine, c.name.replace(/-/g, '_'), c.load);
      first = await generateAndWrite(src, 7);
    }, 120_000);

    it('generates every table with the rows asked for, capped only where keys run out', () => {
      const caps = (first.generated.meta.caps ?? []) as { table: string; rows: number }[];
      expect(first.written.tables.length).toBeGreaterThan(3);
      for (const t of first.written.tables) {
        const capped = caps.find((x) => x.table === `${t.schema}.${t.name}`);
        expect(t.rowCount, `${t.schema}.${t.name}`).toBe(capped ? capped.rows : 1000);
      }
    });

    for (const kind of c.targets) {
      it(`provisions into an empty ${kind} target with all the source's constraints`, async () => {
        const { name, sql } = await engine.environment(kind, `${c.name.replace(/-/g, '_')}_dst`);
        const outcome = await runProvision(tdm, { datasetVersionId: first.written.datasetVersionId, environment: name });
        expect(outcome.smoke?.passed).toBe(true);
        const fk = await fkCheck(sql);
        expect(fk.fks).toBeGreaterThan(0);
        expect(fk.violations).toBe(0);
        const expected = Object.fromEntries(first.written.tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount]));
        expect(await countsIn(sql, first.written.tables)).toEqual(expected);
      }, 120_000);
    }

    it('gives the same rows for the same seed and other rows for another seed', async () => {
      const again = await generateAndWrite(src, 7);
      const other = await generateAndWrite(src, 8);
      const a = await rowHashes(first.written.datasetVersionId);
      expect(await rowHashes(again.written.datasetVersionId)).toEqual(a);
      const b = await rowHashes(other.written.datasetVersionId);
      const changed = Object.keys(a).filter((k) => a[k] !== b[k]);
      expect(changed.length).toBeGreaterThan(Object.keys(a).length / 2);
    }, 120_000);
  });
}

// ---------------------------------------------------------------------------------------------
// CHECKs the generator does not understand: PostgreSQL judges them

const ODD_CHECKS = `
CREATE TYPE public.shade AS ENUM ('light', 'dark');
CREATE TABLE public.widget (
  id serial PRIMARY KEY,
  label text NOT NULL CONSTRAINT widget_label_lower CHECK (lower(label) = label),
  qty integer NOT NULL CONSTRAINT widget_qty_mod CHECK ((qty % 5) = 2),
  rating numeric(3,1) CHECK (rating BETWEEN 0 AND 5),
  kind text CHECK (kind IN ('a', 'b') OR kind ~ '^z[0-9]{2}$'),
  shade public.shade NOT NULL,
  sku varchar(12) NOT NULL UNIQUE,
  email varchar(80) UNIQUE,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz,
  CONSTRAINT widget_period CHECK (ends_at > starts_at)
);
CREATE TABLE public.widget_pair (
  a integer NOT NULL REFERENCES public.widget (id),
  b integer NOT NULL REFERENCES public.widget (id),
  PRIMARY KEY (a, b)
);`;

describe('schema mode with CHECKs beyond the parser', () => {
  let src: { schemaVersionId: string; catalog: Catalog };
  beforeAll(async () => {
    src = await source('pglite', 'odd', (sql) => loadSqlScript(sql, ODD_CHECKS));
  }, 60_000);

  it('keeps only rows PostgreSQL accepts, and caps a junction at its distinct pairs', async () => {
    const generated = await generateFromSchema(src.catalog, {
      schemaVersionId: src.schemaVersionId,
      rowCounts: { widget: 100, widget_pair: 1_000_000 },
      seed: 3,
    });
    try {
      expect(generated.meta.checkedInPostgres).toEqual([{ table: 'public.widget', checks: expect.arrayContaining(['widget_label_lower', 'widget_qty_mod']) }]);
      expect(generated.meta.caps).toEqual([expect.objectContaining({ table: 'public.widget_pair', requested: 1_000_000, rows: 10_000 })]);
      const written = await writeGenerated(tdm, generated);
      const { name, sql } = await engine.environment('pglite', 'odd_dst');
      await runProvision(tdm, { datasetVersionId: written.datasetVersionId, environment: name });
      const { rows } = await sql.query<{ n: string; mod: string }>(
        `select count(*)::text as n, count(*) filter (where qty % 5 = 2 and lower(label) = label)::text as mod from public.widget`,
      );
      expect(rows[0]).toEqual({ n: '100', mod: '100' });
      expect((await fkCheck(sql)).violations).toBe(0);
    } finally {
      await generated.close();
    }
  }, 120_000);

  it('names the table and constraint when a CHECK cannot be met', async () => {
    const impossible = structuredClone(src.catalog);
    const widget = impossible.tables.find((t) => t.name === 'widget');
    widget?.checks.push({ name: 'widget_never', expression: 'CHECK (((qty * 0) = 1))', columns: ['qty'], inherited: false, noInherit: false });
    const generated = await generateFromSchema(impossible, { schemaVersionId: src.schemaVersionId, rowCounts: { '*': 20 }, seed: 1 });
    try {
      const table = generated.tables.find((t) => t.table.name === 'widget');
      const drain = async () => {
        for await (const _ of table?.rows(100) ?? []) void _;
      };
      const err = await drain().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SyntheticConstraintError);
      expect((err as SyntheticConstraintError).details).toMatchObject({ table: 'public.widget', constraint: 'widget_never' });
    } finally {
      await generated.close();
    }
  }, 60_000);
});
