/**
 * Subset and provision through the API, as a user sees them: GraphQL through `yoga.fetch` (no port)
 * and the SDK on a real port. Sources and targets on the real PostgreSQL; the metadata store on
 * PGlite (in-process jobs). The demo source always, pagila when the shared fixtures are present.
 * What a user notices: environments are registered (a duplicate name is a typed error), a subset is
 * a dataset version with its tables, row counts and plan, its rows can be previewed with the source's
 * values, provisioning passes its smoke tests and the target's tables are listed; Flow A runs as a
 * job whose log, trace and lineage tell what it provisioned.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { quoteIdent } from '@tdm/core/db/quote';
import type { SqlClient } from '@tdm/core/db/sql-client';
import { redactConnectionString } from '@tdm/core/db/url';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../../core/test/support/databases.ts';
import { FIXTURES_DIR, fixturesAvailable, loadFixture } from '../../core/test/support/load-sql.ts';
import { type JobLogEvent, TdmClient, TdmDomainError } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';
import { gqlData } from './support.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the subset/provision API tests are SKIPPED`);
const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: the pagila cases are SKIPPED (the demo source still runs)`);

interface Source {
  label: string;
  load: (sql: SqlClient) => Promise<void>;
  /** The table previewed, its key, and a cap small enough to cut it. */
  table: string;
  key: string;
  skip: boolean;
}

const SOURCES: Source[] = [
  { label: 'demo', load: (sql) => seedDemoSource(sql, { customers: 60, products: 20, orders: 120 }), table: 'customer', key: 'customer_id', skip: !pgUp },
  { label: 'pagila', load: (sql) => loadFixture(sql, 'pagila'), table: 'customer', key: 'customer_id', skip: !pgUp || !haveFixtures },
];
const CAPS = { '*': 50 };

// ---------------------------------------------------------------------------------------------
// One metadata store and one server for the file

let dataDir: string;
let tdm: Tdm;
let app: App;
let sdk: TdmClient;
const dbs: TestDatabase[] = [];
const clients: SqlClient[] = [];

beforeAll(async () => {
  if (!pgUp) return;
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-subset-provision-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  await tdm.jobs.startWorking();
  app = createApp(tdm);
  sdk = new TdmClient({ url: `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql` });
});

afterAll(async () => {
  await sdk?.close();
  await app?.stop();
  await tdm?.close();
  for (const c of clients) await c.close().catch(() => {});
  for (const db of dbs) await db.drop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function database(label: string): Promise<{ db: TestDatabase; sql: SqlClient }> {
  const db = await createTestDatabase(`subprov_${label}`);
  dbs.push(db);
  const sql = await openSqlClient(db.url, { poolSize: 2 });
  clients.push(sql);
  return { db, sql };
}

const gql = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => gqlData<T>(app, query, variables);

/** Rows of a source table by key, as the source's own JSON (ints are numbers there too). */
async function sourceRows(sql: SqlClient, table: string, key: string, ids: unknown[]): Promise<Map<number, Record<string, unknown>>> {
  const { rows } = await sql.query<{ j: Record<string, unknown> }>(
    `select to_jsonb(t) as j from public.${quoteIdent(table)} t where t.${quoteIdent(key)} = any($1::int[])`,
    [ids],
  );
  return new Map(rows.map((r) => [Number(r.j[key]), r.j]));
}

/** A preview row holds the source row's values: numbers and booleans as JSON values, the rest as their text. */
function expectSameValues(previewed: Record<string, unknown>, source: Record<string, unknown> | undefined): void {
  expect(source, JSON.stringify(previewed)).toBeDefined();
  for (const [column, value] of Object.entries(source ?? {})) {
    const got = previewed[column];
    if (value === null) expect(got, column).toBeNull();
    else if (typeof value === 'number' || typeof value === 'boolean') expect(got, column).toBe(value);
    else if (typeof value === 'string' && !/^\d{4}-\d\d-\d\dT/.test(value)) expect(got, column).toBe(value);
    else expect(got, column).toEqual(expect.any(String));
  }
}

async function counts(sql: SqlClient, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const [schema, name] = t.split('.') as [string, string];
    const { rows } = await sql.query<{ n: string }>(`select count(*)::text as n from ${quoteIdent(schema)}.${quoteIdent(name)}`);
    out[t] = Number(rows[0]?.n);
  }
  return out;
}

const ERROR_FIELDS = '__typename ... on Error { message code }';

interface DatasetNode {
  id: string;
  rawId: string;
  kind: string;
  totalRows: number;
  plan: { plan: { root: string; tables: { qualified: string; cap: number | null }[] }; cut: { table: string; wanted: number; kept: number }[] } | null;
  tables: { schema: string; name: string; rowCount: number }[];
}
const DATASET_FIELDS = 'id rawId kind totalRows plan { plan { root tables { qualified cap } } cut { table wanted kept } } tables { schema name rowCount }';

for (const src of SOURCES) {
  describe.skipIf(src.skip)(`subset and provision the ${src.label} source`, () => {
    let source: { db: TestDatabase; sql: SqlClient };

    beforeAll(async () => {
      source = await database(`${src.label}_src`);
      await src.load(source.sql);
    });

    describe('through GraphQL', () => {
      let dataset: DatasetNode;
      let env: { id: string; rawId: string; name: string };
      let target: { db: TestDatabase; sql: SqlClient };

      it('createEnvironment registers a target; the same name again is a typed CONFLICT error', async () => {
        target = await database(`${src.label}_gql_dst`);
        const CREATE = `mutation($input: CreateEnvironmentInput!) { createEnvironment(input: $input) {
          ${ERROR_FIELDS} ... on MutationCreateEnvironmentSuccess { data { id rawId name isDefault connection { url } } } } }`;
        const name = `${src.label}-gql`;
        const created = await gql<{ createEnvironment: { __typename: string; data: typeof env & { connection: { url: string } } } }>(CREATE, {
          input: { name, connectionString: target.db.url },
        });
        expect(created.createEnvironment.__typename).toBe('MutationCreateEnvironmentSuccess');
        expect(created.createEnvironment.data).toMatchObject({ name, isDefault: false, connection: { url: target.db.url } });
        env = created.createEnvironment.data;

        const again = await gql<{ createEnvironment: { __typename: string; code: string; message: string } }>(CREATE, {
          input: { name, connectionString: target.db.url },
        });
        expect(again.createEnvironment).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(name) });
        expect(again.createEnvironment.__typename).not.toBe('MutationCreateEnvironmentSuccess');
        const { environments } = await gql<{ environments: { name: string }[] }>('{ environments { name } }');
        expect(environments.filter((e) => e.name === name)).toHaveLength(1);
      });

      it('subsetDatabase returns a dataset version with its tables, row counts and plan; datasets lists it', async () => {
        const out = await gql<{ subsetDatabase: { __typename: string; message?: string; data: DatasetNode } }>(
          `mutation($input: SubsetDatabaseInput!) { subsetDatabase(input: $input) { ${ERROR_FIELDS} ... on MutationSubsetDatabaseSuccess { data { ${DATASET_FIELDS} } } } }`,
          { input: { connectionString: source.db.url, rootTable: src.table, maxRowsPerTable: CAPS } },
        );
        expect(out.subsetDatabase.__typename, out.subsetDatabase.message).toBe('MutationSubsetDatabaseSuccess');
        dataset = out.subsetDatabase.data;
        expect(dataset.kind).toBe('SUBSET');
        expect(dataset.tables.length).toBeGreaterThan(0);
        expect(dataset.totalRows).toBe(dataset.tables.reduce((n, t) => n + t.rowCount, 0));
        const root = dataset.tables.find((t) => t.name === src.table);
        expect(root?.rowCount).toBe(50);
        // The plan says where it started, the caps, and what they cut (the source has more customers than 50).
        expect(dataset.plan?.plan.root).toBe(`public.${src.table}`);
        expect(dataset.plan?.plan.tables.find((t) => t.qualified === `public.${src.table}`)?.cap).toBe(50);
        const { rows } = await source.sql.query<{ n: string }>(`select count(*)::text as n from public.${quoteIdent(src.table)}`);
        expect(dataset.plan?.cut).toContainEqual(expect.objectContaining({ table: `public.${src.table}`, wanted: Number(rows[0]?.n), kept: 50 }));

        const listed = await gql<{ datasets: { totalCount: number; edges: { cursor: string; node: { id: string; totalRows: number } }[] } }>(
          '{ datasets(first: 50) { totalCount edges { cursor node { id totalRows } } } }',
        );
        expect(listed.datasets.edges.map((e) => e.node)).toContainEqual({ id: dataset.id, totalRows: dataset.totalRows });
        expect(listed.datasets.totalCount).toBeGreaterThanOrEqual(1);
        const one = await gql<{ dataset: DatasetNode & { derivedFrom: unknown } }>(
          `query($id: ID!) { dataset(id: $id) { ${DATASET_FIELDS} derivedFrom { id } } }`,
          { id: dataset.id },
        );
        expect(one.dataset).toMatchObject({ id: dataset.id, tables: dataset.tables, derivedFrom: null });
      });

      it(`dataset(id).preview(table: "${src.table}", limit: 5) gives 5 plain objects with the source's values`, async () => {
        const out = await gql<{ dataset: { preview: { table: string; rowCount: number; rows: Record<string, unknown>[] } } }>(
          `query($id: ID!, $table: String!) { dataset(id: $id) { preview(table: $table, limit: 5) { table rowCount rows } } }`,
          { id: dataset.id, table: src.table },
        );
        const preview = out.dataset.preview;
        expect(preview).toMatchObject({ table: src.table, rowCount: 50 });
        expect(preview.rows).toHaveLength(5);
        for (const r of preview.rows) expect(typeof r[src.key]).toBe('number');
        const bySource = await sourceRows(
          source.sql,
          src.table,
          src.key,
          preview.rows.map((r) => r[src.key]),
        );
        for (const r of preview.rows) expectSameValues(r, bySource.get(r[src.key] as number));
      });

      it('provisionDataset passes its smoke tests; targetTables lists the tables with their row counts', async () => {
        const PROVISION = `mutation($input: ProvisionDatasetInput!) { provisionDataset(input: $input) {
          ${ERROR_FIELDS} ... on MutationProvisionDatasetSuccess { data { environment datasetVersionId tables { schema name rowCount } smoke { passed failures fkViolations { fk } } } } } }`;
        const out = await gql<{
          provisionDataset: {
            __typename: string;
            message?: string;
            data: {
              environment: string;
              datasetVersionId: string;
              tables: { schema: string; name: string; rowCount: number }[];
              smoke: { passed: boolean; failures: string[]; fkViolations: unknown[] };
            };
          };
        }>(PROVISION, { input: { datasetVersionId: dataset.id, environment: env.name } });
        expect(out.provisionDataset.__typename, out.provisionDataset.message).toBe('MutationProvisionDatasetSuccess');
        const result = out.provisionDataset.data;
        expect(result).toMatchObject({ environment: env.name, datasetVersionId: dataset.rawId, smoke: { passed: true, failures: [] } });
        const expected = Object.fromEntries(dataset.tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount]));
        expect(await counts(target.sql, Object.keys(expected))).toEqual(expected);

        const listed = await gql<{
          targetTables: { __typename: string; data: { schema: string; name: string; rowCount: number; datasetVersion: { id: string } }[] };
        }>(
          `query($envId: ID!) { targetTables(envId: $envId) { ${ERROR_FIELDS} ... on QueryTargetTablesSuccess { data { schema name rowCount datasetVersion { id } } } } }`,
          { envId: env.id },
        );
        expect(Object.fromEntries(listed.targetTables.data.map((t) => [`${t.schema}.${t.name}`, t.rowCount]))).toEqual(expected);
        expect(new Set(listed.targetTables.data.map((t) => t.datasetVersion.id))).toEqual(new Set([dataset.id]));

        // Again without resetEnv: the target is not empty, a typed CONFLICT, and nothing changed.
        const again = await gql<{ provisionDataset: { code: string } }>(PROVISION, { input: { datasetVersionId: dataset.id, environment: env.name } });
        expect(again.provisionDataset.code).toBe('CONFLICT');
        expect(await counts(target.sql, Object.keys(expected))).toEqual(expected);
        const unknown = await gql<{ targetTables: { __typename: string; code: string } }>(`query { targetTables(envId: "no-such-env") { ${ERROR_FIELDS} } }`);
        expect(unknown.targetTables).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      });
    });

    describe('through the SDK on a real port', () => {
      const envName = `${src.label}-sdk`;
      let target: { db: TestDatabase; sql: SqlClient };
      let datasetId: string;

      it('environments.create and list; a duplicate name throws a typed CONFLICT', async () => {
        target = await database(`${src.label}_sdk_dst`);
        const env = await sdk.environments.create({ name: envName, connectionString: target.db.url, description: 'sdk target', allowReset: true });
        expect(env).toMatchObject({ name: envName, description: 'sdk target', connection: { url: target.db.url } });
        const err = await sdk.environments.create({ name: envName, connectionString: target.db.url }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TdmDomainError);
        expect((err as TdmDomainError).code).toBe('CONFLICT');
        expect((await sdk.environments.list()).map((e) => e.name)).toContain(envName);
      });

      it('datasets.subset, list, get and preview', async () => {
        const dataset = await sdk.datasets.subset({ connectionString: source.db.url, maxRowsPerTable: CAPS, name: `${src.label} via sdk` });
        datasetId = dataset.id;
        expect(dataset).toMatchObject({ kind: 'SUBSET', name: `${src.label} via sdk` });
        expect(dataset.tables.length).toBeGreaterThan(0);
        expect(dataset.totalRows).toBe(dataset.tables.reduce((n, t) => n + t.rowCount, 0));
        expect(dataset.plan?.plan?.root).toMatch(/^public\./);
        expect((await sdk.datasets.list()).map((d) => d.id)).toContain(dataset.id);
        expect(await sdk.datasets.get(dataset.id)).toEqual(dataset);
        const missing = await sdk.datasets.get('no-such-dataset').catch((e: unknown) => e);
        expect((missing as TdmDomainError).code).toBe('NOT_FOUND');

        const rows = await sdk.datasets.preview(dataset.id, { table: src.table, limit: 5 });
        expect(rows).toHaveLength(5);
        const bySource = await sourceRows(
          source.sql,
          src.table,
          src.key,
          rows.map((r) => r[src.key]),
        );
        for (const r of rows) expectSameValues(r, bySource.get(r[src.key] as number));
      });

      it('datasets.provision passes its smoke tests and environments.tables lists what it loaded', async () => {
        const dataset = await sdk.datasets.get(datasetId);
        const result = await sdk.datasets.provision({ datasetVersionId: datasetId, environment: envName });
        expect(result.environment).toBe(envName);
        expect(result.smoke?.passed).toBe(true);
        const expected = Object.fromEntries(dataset.tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount]));
        expect(await counts(target.sql, Object.keys(expected))).toEqual(expected);
        const tables = await sdk.environments.tables(envName);
        expect(Object.fromEntries(tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount]))).toEqual(expected);

        // With resetEnv the same dataset again gives the same target.
        const again = await sdk.datasets.provision({ datasetVersionId: datasetId, environment: envName, resetEnv: true });
        expect(again.smoke?.passed).toBe(true);
        expect(await counts(target.sql, Object.keys(expected))).toEqual(expected);
        // The source itself cannot even be registered as a target.
        const refused = await sdk.environments
          .create({ name: `${src.label}-own-source`, connectionString: source.db.url, allowReset: true })
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(TdmDomainError);
        expect((refused as TdmDomainError).code).toBe('TARGET_IS_SOURCE');
      });

      it('runs Flow A (discover → subset → provision) as a job: logs stream to the end, trace and lineage show the provisioned tables', async () => {
        const flowTarget = await database(`${src.label}_flow_dst`);
        const flowEnv = `${src.label}-flow`;
        await sdk.environments.create({ name: flowEnv, connectionString: flowTarget.db.url, allowReset: true });
        const started = await sdk.workflows.execute({
          connectionString: source.db.url,
          operations: ['discover', 'subset', 'provision'],
          config: { subset: { maxRowsPerTable: CAPS }, provision: { targetEnv: flowEnv, resetEnv: true } },
        });
        expect(started.status).toBe('QUEUED');
        const events: JobLogEvent[] = [];
        for await (const e of sdk.jobs.logs(started.jobId)) events.push(e);
        expect(events.at(-1), JSON.stringify(events.filter((e) => e.level === 'failed'))).toMatchObject({ step: 'workflow', level: 'completed' });
        for (const step of ['discover', 'subset', 'provision']) {
          const levels = events.filter((e) => e.step === step).map((e) => e.level);
          expect(levels[0], step).toBe('started');
          expect(levels, step).toContain('progress');
          expect(levels.at(-1), step).toBe('completed');
        }

        const trace = await sdk.jobs.trace(started.jobId);
        expect(trace.status).toBe('COMPLETED');
        expect(trace.datasetVersionIds).toHaveLength(1);
        expect(trace.provisionedTables.length).toBeGreaterThan(0);
        const rowCounts = Object.fromEntries(trace.rowCounts.map((c) => [c.table, c.rowCount]));
        const actual = await counts(
          flowTarget.sql,
          trace.provisionedTables.map((t) => `${t.schema}.${t.table}`),
        );
        for (const t of trace.provisionedTables) {
          expect(t.environment).toBe(flowEnv);
          expect(t.rowCount, t.table).toBe(actual[`${t.schema}.${t.table}`]);
          expect(rowCounts[`${t.schema}.${t.table}`]).toBe(t.rowCount);
        }
        expect(trace.provisionedTables.find((t) => t.table === src.table)?.rowCount).toBeLessThanOrEqual(50);

        const lineage = await sdk.lineage.forJob(started.jobId);
        const tableNodes = lineage.nodes.filter((n) => n.kind === 'TABLE');
        expect(tableNodes.map((n) => n.label).sort()).toEqual(trace.provisionedTables.map((t) => `${flowEnv}: ${t.schema}.${t.table}`).sort());
        for (const k of ['JOB', 'SCHEMA_VERSION', 'DATASET_VERSION', 'ENVIRONMENT']) expect(lineage.nodes.map((n) => n.kind)).toContain(k);
      }, 120_000);
    });
  });
}
