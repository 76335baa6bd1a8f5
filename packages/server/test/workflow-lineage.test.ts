/**
 * What a workflow run leaves behind and how one is planned, on a real PostgreSQL metadata store:
 * lineage from the job to the schema version it discovered (and from a test case to its job), the
 * job's trace, and `classifyIntent`'s plan with a reason per choice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../core/test/support/databases.ts';
import { type TdmClient, TdmDomainError } from '../../sdk/src/index.ts';
import { type DoneJob, type JobRow, PG_SUITE, pgUp, pgWorkflowSuite, REGISTRATION_FEATURE } from './support/workflow.ts';

describe.skipIf(!pgUp)(PG_SUITE, () => {
  const suite = pgWorkflowSuite();
  const { jobs, gql } = suite;
  let source: TestDatabase;
  let sdk: TdmClient;
  let firstJob: DoneJob;

  beforeAll(async () => {
    ({ source, sdk } = suite);
    firstJob = await suite.discoverOnce();
  });

  it('lineage: job → schema version by discover, walked from both ends; a test case links to the job it asked for', async () => {
    const { jobId, schemaVersionId } = firstJob;
    const graph = await sdk.lineage.forJob(jobId);
    expect(graph.nodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: `JOB:${jobId}`, kind: 'JOB', label: 'job discover (COMPLETED)' }),
        expect.objectContaining({ id: `SCHEMA_VERSION:${schemaVersionId}`, kind: 'SCHEMA_VERSION', label: expect.stringMatching(/ v1$/) }),
      ]),
    );
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ from: `JOB:${jobId}`, to: `SCHEMA_VERSION:${schemaVersionId}`, operation: 'discover', jobId }),
    );

    // From the schema version back to every job that discovered it (the unchanged source gave the same version).
    const completedJobs = [...jobs].filter(([, s]) => s === 'COMPLETED').map(([id]) => id);
    const back = await gql<{ schemaVersion: { lineage: { nodes: { id: string; kind: string }[]; edges: { from: string; to: string; operation: string }[] } } }>(
      'query($id: ID!) { schemaVersion(id: $id) { lineage { nodes { id kind } edges { from to operation } } } }',
      { id: schemaVersionId },
    );
    for (const id of completedJobs) {
      expect(back.schemaVersion.lineage.edges).toContainEqual({ from: `JOB:${id}`, to: `SCHEMA_VERSION:${schemaVersionId}`, operation: 'discover' });
    }
    const around = await gql<{ lineage: { nodes: { id: string }[] } }>('query($id: ID!) { lineage(kind: SCHEMA_VERSION, id: $id) { nodes { id } } }', {
      id: schemaVersionId,
    });
    expect(around.lineage.nodes.map((n) => n.id).sort()).toEqual(back.schemaVersion.lineage.nodes.map((n) => n.id).sort());
    expect(around.lineage.nodes.map((n) => n.id)).toContain(`JOB:${jobId}`);

    // A run asked for by a test case.
    const run = await sdk.workflows.execute({
      connectionString: source.url,
      operations: ['discover'],
      testCaseContent: REGISTRATION_FEATURE,
      testCaseFileName: 'registration.feature',
    });
    jobs.set(run.jobId, 'COMPLETED');
    const done = await sdk.jobs.waitFor(run.jobId, { timeoutMs: 20_000 });
    expect(done.status).toBe('COMPLETED');
    const testCaseId = (done.context as JobRow['context']).testCaseId as string;
    expect(testCaseId).toEqual(expect.any(String));

    const withTestCase = await sdk.lineage.forJob(run.jobId);
    expect(withTestCase.nodes).toContainEqual(expect.objectContaining({ id: `TEST_CASE:${testCaseId}`, kind: 'TEST_CASE', label: 'registration.feature' }));
    expect(withTestCase.edges).toContainEqual(expect.objectContaining({ from: `TEST_CASE:${testCaseId}`, to: `JOB:${run.jobId}` }));
    expect(withTestCase.edges).toContainEqual(
      expect.objectContaining({ from: `JOB:${run.jobId}`, to: `SCHEMA_VERSION:${schemaVersionId}`, operation: 'discover' }),
    );

    const { testCase } = await gql<{
      testCase: { rawId: string; name: string; kind: string; content: string; jobs: { rawId: string; status: string }[] } | null;
    }>('query($id: ID!) { testCase(id: $id) { rawId name kind content jobs { rawId status } } }', { id: testCaseId });
    expect(testCase).toEqual({
      rawId: testCaseId,
      name: 'registration.feature',
      kind: 'GHERKIN',
      content: REGISTRATION_FEATURE,
      jobs: [{ rawId: run.jobId, status: 'COMPLETED' }],
    });

    const { jobTrace } = await gql<{ jobTrace: Record<string, unknown> }>(
      'query($id: ID!) { jobTrace(jobId: $id) { jobId workflowId testCaseId status operations schemaVersionIds datasetVersionIds provisionedTables { table } rowCounts { table rowCount } fallbacksUsed } }',
      { id: run.jobId },
    );
    expect(jobTrace).toEqual({
      jobId: run.jobId,
      workflowId: run.workflowId,
      testCaseId,
      status: 'COMPLETED',
      operations: ['discover'],
      schemaVersionIds: [schemaVersionId],
      datasetVersionIds: [],
      provisionedTables: [],
      rowCounts: [],
      fallbacksUsed: [],
    });
    expect(await sdk.jobs.trace(run.jobId)).toMatchObject({
      workflowId: run.workflowId,
      testCaseId,
      operations: ['discover'],
      datasetVersionIds: [],
      provisionedTables: [],
      rowCounts: [],
    });
    expect(await sdk.jobs.trace(jobId)).toMatchObject({
      workflowId: firstJob.workflowId,
      testCaseId: null,
      operations: ['discover'],
      schemaVersionIds: [schemaVersionId],
    });
  });

  it('classifyIntent plans from each kind of input, with a reason per choice (GraphQL and SDK agree)', async () => {
    const source = 'postgresql://app@db.internal:5432/shop';
    const cases: { input: Record<string, unknown>; operations: string[]; syntheticMode: string | null; inputKinds: string[] }[] = [
      { input: { connectionString: source }, operations: ['discover', 'pii', 'subset', 'mask'], syntheticMode: null, inputKinds: ['connection'] },
      {
        input: { connectionString: source, piiFound: false },
        operations: ['discover', 'pii', 'subset'],
        syntheticMode: null,
        inputKinds: ['connection', 'piiFound'],
      },
      { input: { testCaseUrls: ['https://shop.example.com/signup'] }, operations: ['synthetic'], syntheticMode: 'URL', inputKinds: ['testCaseUrls'] },
      { input: { domain: 'ecommerce' }, operations: ['synthetic'], syntheticMode: 'DOMAIN', inputKinds: ['domain'] },
      { input: { testCaseContent: REGISTRATION_FEATURE }, operations: ['synthetic'], syntheticMode: 'TEST_CASE', inputKinds: ['testCaseContent'] },
      {
        input: { connectionString: source, targetEnv: 'staging' },
        operations: ['discover', 'pii', 'subset', 'mask', 'provision'],
        syntheticMode: null,
        inputKinds: ['connection', 'targetEnv'],
      },
    ];
    const CLASSIFY = `query($input: ClassifyIntentInput!) {
      classifyIntent(input: $input) {
        __typename
        ... on Error { message code }
        ... on QueryClassifyIntentSuccess { data { operations syntheticMode fallbackModes inputKinds reasons { subject reason } } }
      }
    }`;
    type Plan = { operations: string[]; syntheticMode: string | null; inputKinds: string[]; reasons: { subject: string; reason: string }[] };
    for (const c of cases) {
      const label = JSON.stringify(c.input);
      const { classifyIntent } = await gql<{ classifyIntent: { __typename: string; message?: string; data?: Plan } }>(CLASSIFY, { input: c.input });
      expect(classifyIntent.__typename, `${label}: ${classifyIntent.message}`).toBe('QueryClassifyIntentSuccess');
      const plan = classifyIntent.data as Plan;
      expect(plan.operations, label).toEqual(c.operations);
      expect(plan.syntheticMode, label).toBe(c.syntheticMode);
      expect(plan.inputKinds, label).toEqual(c.inputKinds);
      // Every planned operation (and the synthetic mode) says why.
      for (const subject of [...c.operations, ...(c.syntheticMode ? ['syntheticMode'] : [])]) {
        expect(plan.reasons.find((r) => r.subject === subject)?.reason, `${label}: reason for ${subject}`).toMatch(/\w{3,}/);
      }
      const viaSdk = await sdk.workflows.classifyIntent(c.input);
      expect(viaSdk, label).toMatchObject({ operations: plan.operations, syntheticMode: plan.syntheticMode, reasons: plan.reasons });
    }
    const plan = await sdk.workflows.classifyIntent({ connectionString: source, targetEnv: 'staging' });
    expect(plan.reasons.find((r) => r.subject === 'provision')?.reason).toContain('"staging"');
    expect(
      (await sdk.workflows.classifyIntent({ testCaseUrls: ['https://shop.example.com/signup'] })).reasons.find((r) => r.subject === 'syntheticMode')?.reason,
    ).toMatch(/^URL: crawl the 1 given URL/);
    // Nothing that can run: a typed error, not a plan.
    const err = await sdk.workflows.classifyIntent({ targetEnv: 'staging' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TdmDomainError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
