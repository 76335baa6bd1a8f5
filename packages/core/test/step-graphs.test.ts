/**
 * One step path: the direct entries (what the mutations call) run the same step graphs as a
 * workflow — classification after an inline discovery (sampled, or by names and types when no
 * connection is available), lineage for every artifact a direct call makes, and one planner for
 * executeWorkflow and classifyIntent. On PGlite always, on PostgreSQL when it answers.
 */
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactConnectionString } from '../src/db/url.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { decide } from '../src/graphs/decision/graph.ts';
import { runMask } from '../src/graphs/mask/graph.ts';
import { classifyPii } from '../src/graphs/pii/graph.ts';
import { runProvision } from '../src/graphs/provision/graph.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import { runSynthetic } from '../src/graphs/synthetic/graph.ts';
import { lineageAround } from '../src/lineage/graph.ts';
import type { Tdm } from '../src/runtime.ts';
import { PG_ADMIN_URL, pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the PostgreSQL cases are SKIPPED (PGlite runs)`);

const GHERKIN = `Feature: sign up
  Scenario: a new user registers
    Given I am on the registration page
    When I enter "email" as "ann@example.test"
    And I enter "first name" as "Ann"
    Then I see a welcome message
`;

const kinds = (['pglite', 'postgres'] as const).filter((k) => k === 'pglite' || pgUp);

describe.each(kinds)('step graphs on %s', (kind) => {
  let engine: TestEngine;
  let tdm: Tdm;
  let sourceUrl: string;

  beforeAll(async () => {
    engine = await createTestEngine(`steps-${kind}`);
    tdm = engine.tdm;
    const db = await engine.database(kind, 'src');
    sourceUrl = db.url;
    const sql = await engine.client(db.url);
    await seedDemoSource(sql, { customers: 25, products: 10, orders: 40 });
  });
  afterAll(() => engine?.close());

  const edgesTo = async (kindOf: 'DATASET_VERSION' | 'ENVIRONMENT' | 'TABLE', id: string) =>
    (await lineageAround(tdm.store.prisma, { kind: kindOf, id }, 1)).edges.filter((e) => e.to === `${kindOf}:${id}`);

  it('classifies a schema version discovered from an inline connection string, sampling its values', async () => {
    const discovered = await tdm.discoverSchema({ connectionString: sourceUrl });
    const viaOwnSource = await classifyPii(tdm, { schemaVersionId: discovered.schemaVersionId, sampleSize: 50 });
    expect(viaOwnSource.valuesSampled).toBe(true);
    expect(viaOwnSource.columns.every((c) => c.valuesSampled === true)).toBe(true);
    const email = viaOwnSource.columns.find((c) => c.table === 'customer' && c.column === 'email');
    expect(email?.piiType).toBe('EMAIL');
    // The value detector read sampled values: its signal is in the evidence, beside the name rule's.
    expect(((email?.evidence ?? []) as { detector: string }[]).map((e) => e.detector)).toContain('value-rules');

    const viaExplicit = await classifyPii(tdm, { schemaVersionId: discovered.schemaVersionId, connectionString: sourceUrl });
    expect(viaExplicit.valuesSampled).toBe(true);
    await expect(classifyPii(tdm, { schemaVersionId: discovered.schemaVersionId, connectionString: sourceUrl, connectionId: 'x' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('classifies by names and types, and says so, when no connection to the source is available', async () => {
    const discovered = await tdm.discoverSchema({ connectionString: sourceUrl });
    // The schema's link to its connection is gone (the connection was removed).
    await tdm.store.prisma.schema.update({ where: { id: discovered.schemaId }, data: { connectionId: null } });
    const out = await classifyPii(tdm, { schemaVersionId: discovered.schemaVersionId });
    expect(out.valuesSampled).toBe(false);
    expect(out.columns.length).toBeGreaterThan(10);
    expect(out.columns.every((c) => c.valuesSampled === false)).toBe(true);
    const email = out.columns.find((c) => c.table === 'customer' && c.column === 'email');
    expect(email?.piiType).toBe('EMAIL');
    expect(((email?.evidence ?? []) as { detector: string }[]).map((e) => e.detector)).not.toContain('value-rules');
    const stored = await tdm.store.prisma.pIIClassification.count({ where: { schemaVersionId: discovered.schemaVersionId } });
    expect(stored).toBe(out.columns.length);

    // A synthetic source never has a connection: classification still runs.
    const synthetic = await runSynthetic(tdm, { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 5 } });
    const onSynthetic = await classifyPii(tdm, { schemaVersionId: synthetic.schemaVersionId });
    expect(onSynthetic.valuesSampled).toBe(false);
    expect(onSynthetic.columns.length).toBeGreaterThan(0);
  });

  it('records lineage for every direct mutation: subset → schema version, mask → parent, provision → dataset and tables', async () => {
    const subset = await runSubset(tdm, { connectionString: sourceUrl, maxRowsPerTable: { '*': 10 } });
    const fromSchema = await edgesTo('DATASET_VERSION', subset.datasetVersionId);
    expect(fromSchema.map((e) => [e.from, e.operation, e.jobId])).toEqual([[`SCHEMA_VERSION:${subset.schemaVersionId}`, 'subset', null]]);
    expect(fromSchema[0]?.configHash).toMatch(/^[0-9a-f]{64}$/);

    await classifyPii(tdm, { schemaVersionId: subset.schemaVersionId, connectionString: sourceUrl });
    const masked = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: 'lineage-test-salt' });
    expect((await edgesTo('DATASET_VERSION', masked.datasetVersionId)).map((e) => [e.from, e.operation])).toEqual([
      [`DATASET_VERSION:${subset.datasetVersionId}`, 'mask'],
    ]);

    const target = await engine.environment(kind, 'tgt');
    const provisioned = await runProvision(tdm, { datasetVersionId: masked.datasetVersionId, environment: target.name });
    const env = await edgesTo('ENVIRONMENT', provisioned.environmentId);
    expect(env.map((e) => e.from)).toEqual([`DATASET_VERSION:${masked.datasetVersionId}`]);
    expect(provisioned.provisionedTableIds.length).toBe(provisioned.tables.length);
    for (const id of provisioned.provisionedTableIds) {
      expect((await edgesTo('TABLE', id)).map((e) => e.from)).toEqual([`DATASET_VERSION:${masked.datasetVersionId}`]);
    }
    // From a provisioned table the graph reaches back to the schema version the subset was cut from.
    const around = await lineageAround(tdm.store.prisma, { kind: 'TABLE', id: provisioned.provisionedTableIds[0] as string }, 4);
    expect(around.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining([`SCHEMA_VERSION:${subset.schemaVersionId}`, `DATASET_VERSION:${subset.datasetVersionId}`]),
    );
  });

  it('records lineage for direct synthetic generation: from the test case, or from the schema version of a domain pack', async () => {
    const fromTest = await runSynthetic(tdm, { mode: 'TEST_CASE', testCaseContent: GHERKIN, testCaseFileName: 'signup.feature', rowCounts: { '*': 5 } });
    const edges = await edgesTo('DATASET_VERSION', fromTest.datasetVersionId);
    expect(edges).toHaveLength(1);
    const testCaseId = edges[0]?.from.replace('TEST_CASE:', '') as string;
    expect(edges[0]?.from).toMatch(/^TEST_CASE:/);
    expect((await tdm.store.prisma.testCase.findUniqueOrThrow({ where: { id: testCaseId } })).name).toBe('signup.feature');
    const fields = (await lineageAround(tdm.store.prisma, { kind: 'DATASET_VERSION', id: fromTest.datasetVersionId }, 1)).fields;
    const email = fields.find((f) => f.columnName === 'email');
    expect(email).toMatchObject({ originKind: 'TEST_CASE_FIELD', originId: testCaseId, transform: 'test-case generator' });
    expect(email?.origin).toMatch(/\.email$/);

    const fromPack = await runSynthetic(tdm, { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 5 } });
    expect((await edgesTo('DATASET_VERSION', fromPack.datasetVersionId)).map((e) => e.from)).toEqual([`SCHEMA_VERSION:${fromPack.schemaVersionId}`]);
    const packFields = (await lineageAround(tdm.store.prisma, { kind: 'DATASET_VERSION', id: fromPack.datasetVersionId }, 1)).fields;
    expect(packFields.length).toBeGreaterThan(5);
    expect(packFields.every((f) => f.originKind === 'PACK_FIELD' && f.origin.startsWith('ecommerce@'))).toBe(true);
  });
});

describe('one planner', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await createTestEngine('planner');
  });
  afterAll(() => engine?.close());

  it('executeWorkflow and classifyIntent both plan through the decision graph, with the LLM refinement when a model is configured', async () => {
    const answer = { operations: ['synthetic', 'provision'], syntheticMode: 'DOMAIN', fallbackModes: [], reason: 'the pack describes the data better' };
    const llm = () => new FakeListChatModel({ responses: [JSON.stringify(answer)] });
    const request = { testCaseContent: GHERKIN, domain: 'ecommerce', config: { provision: { targetEnv: 'default' } } };

    const asQuery = await decide({ testCaseContent: GHERKIN, domain: 'ecommerce', targetEnv: 'default' }, { llm: llm() });
    expect(asQuery).toMatchObject({ refinedBy: 'llm', syntheticMode: 'DOMAIN', fallbackModes: [] });

    // The engine's configured model (TDM_LLM_PROVIDER) is what the job service plans with.
    (engine.tdm as { llm: unknown }).llm = llm();
    const { jobId, operations } = await engine.tdm.jobs.execute(request);
    expect(operations).toEqual(asQuery.operations);
    const job = await engine.tdm.jobs.get(jobId);
    expect(job.plan).toMatchObject({ refinedBy: 'llm', syntheticMode: 'DOMAIN', fallbackModes: [] });
    expect(job.config).toMatchObject({ synthetic: { mode: 'DOMAIN', fallbackModes: [] } });

    // Without a model both give the rules' plan: test-case text first, the domain as fallback.
    (engine.tdm as { llm: unknown }).llm = null;
    const rules = await engine.tdm.jobs.execute(request);
    expect((await engine.tdm.jobs.get(rules.jobId)).plan).toMatchObject({ refinedBy: 'rules', syntheticMode: 'TEST_CASE', fallbackModes: ['DOMAIN'] });
  });
});
