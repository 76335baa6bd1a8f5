/**
 * The untyped 500s: jobTrace("nope"), dataset.preview(table: "nope"), SCHEMA-mode
 * generateSynthetic with an unknown schemaVersionId, rowCounts of 1e12, and a workflow config
 * holding `password=`. Each now answers a typed error (a union member or a GraphQL error code).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';

let dataDir: string;
let tdm: Tdm;
let app: App;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-typed-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  app = createApp(tdm);
});

afterAll(async () => {
  await tdm?.close();
  await rm(dataDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: the tests read nested JSON answers
type Answer = { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await app.yoga.fetch('http://tdm.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as never;
}

const GENERATE = `mutation($input: GenerateSyntheticInput!) { generateSynthetic(input: $input) {
  __typename ... on Error { code message } ... on MutationGenerateSyntheticSuccess { data { datasetVersionId } } } }`;

describe('typed errors for bad input', () => {
  it('jobTrace of an unknown job is NOT_FOUND', async () => {
    const r = await gql('{ jobTrace(jobId: "nope") { status } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(r.errors?.[0]?.message).toContain('nope');
  });

  it('SCHEMA mode with an unknown schemaVersionId is a NotFoundError', async () => {
    const r = await gql(GENERATE, { input: { mode: 'SCHEMA', schemaVersionId: 'no-such-version' } });
    expect(r.data.generateSynthetic).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('rowCounts of 1e12 is a LimitExceededError naming the setting', async () => {
    const r = await gql(GENERATE, { input: { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 1e12 } } });
    expect(r.data.generateSynthetic).toMatchObject({ __typename: 'LimitExceededError', code: 'LIMIT_EXCEEDED' });
    expect(r.data.generateSynthetic.message).toContain('TDM_MAX_ROWS_PER_TABLE');
  });

  it('dataset.preview of an unknown table is NOT_FOUND', async () => {
    const made = await gql(GENERATE, { input: { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 3 } } });
    const id = made.data.generateSynthetic.data.datasetVersionId as string;
    const r = await gql('query($id: ID!) { dataset(id: $id) { preview(table: "nope") { rowCount } } }', { id });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a port of 99999 is an InvalidConnectionStringError saying the port is out of range', async () => {
    const r = await gql(`mutation($input: DiscoverSchemaInput!) { discoverSchema(input: $input) { __typename ... on Error { code message } } }`, {
      input: { connectionString: 'postgresql://app:s3cr3t@db.example:99999/shop' },
    });
    expect(r.data.discoverSchema).toMatchObject({ __typename: 'InvalidConnectionStringError', code: 'INVALID_CONNECTION_STRING' });
    expect(r.data.discoverSchema.message).toContain('bad port "99999": out of range (a port is 1 to 65535)');
    expect(r.data.discoverSchema.message).not.toContain('s3cr3t');
  });

  it('a workflow config holding password= is stored, redacted, as valid JSON', async () => {
    const r = await gql(
      `mutation($input: ExecuteWorkflowInput!) { executeWorkflow(input: $input) { __typename ... on Error { code message } ... on MutationExecuteWorkflowSuccess { data { jobId } } } }`,
      { input: { domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 2 }, config: { note: 'host=db password=s3cr3t user=x' } } },
    );
    expect(r.data.executeWorkflow.__typename, JSON.stringify(r)).toBe('MutationExecuteWorkflowSuccess');
    const job = await tdm.store.prisma.job.findUniqueOrThrow({ where: { id: r.data.executeWorkflow.data.jobId } });
    expect(job.config).toMatchObject({ note: 'host=db password=*** user=x' });
  });
});
