/**
 * The recipes for tokens: any token minted more tokens; a token minted by a later-revoked
 * token kept working; a revoked token's open subscription kept streaming. Now tokens carry scopes
 * (read, write, admin), only admin manages tokens, revocation cascades to the tokens a token minted,
 * and their open WebSockets are closed within a second.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '@tdm/core/auth/tokens';
import { loadConfig } from '@tdm/core/config';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type App, createApp } from '../../src/app.ts';

let dataDir: string;
let tdm: Tdm;
let app: App;
let port: number;
let admin: string;
const previousAuth = process.env.TDM_AUTH;

beforeAll(async () => {
  process.env.TDM_AUTH = 'required';
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-scopes-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  app = createApp(tdm);
  port = await app.start(0, '127.0.0.1');
  admin = (await createApiToken(tdm.store.prisma, 'root')).token;
});

afterAll(async () => {
  if (previousAuth === undefined) delete process.env.TDM_AUTH;
  else process.env.TDM_AUTH = previousAuth;
  await app?.stop();
  await tdm?.close();
  await rm(dataDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: the tests read nested JSON answers
type Result = { status: number; data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] };

async function gql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Result> {
  const response = await app.yoga.fetch('http://tdm.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

const MINT = `mutation($name: String!, $scopes: [String!]) { createApiToken(name: $name, scopes: $scopes) {
  __typename ... on Error { code message } ... on MutationCreateApiTokenSuccess { data { token apiToken { id scopes mintedBy { name } } } } } }`;
const REVOKE = 'mutation($id: ID!) { revokeApiToken(id: $id) { __typename ... on Error { code } ... on MutationRevokeApiTokenSuccess { data { name } } } }';

async function mint(by: string, name: string, scopes?: string[]): Promise<{ token: string; id: string }> {
  const r = await gql(by, MINT, { name, scopes });
  expect(r.data?.createApiToken.__typename, JSON.stringify(r)).toBe('MutationCreateApiTokenSuccess');
  return { token: r.data?.createApiToken.data.token, id: r.data?.createApiToken.data.apiToken.id };
}

describe('token scopes', () => {
  it('a token without admin cannot mint or list tokens; minted tokens default to read and write', async () => {
    const r = await gql(admin, MINT, { name: 'worker' });
    expect(r.data?.createApiToken.data.apiToken).toMatchObject({ scopes: ['read', 'write'], mintedBy: { name: 'root' } });
    const worker = r.data?.createApiToken.data.token as string;
    const again = await gql(worker, MINT, { name: 'sneaky', scopes: ['read'] });
    expect(again.data?.createApiToken).toMatchObject({ __typename: 'BaseError', code: 'FORBIDDEN' });
    const list = await gql(worker, '{ apiTokens { name } }');
    expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await gql(worker, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('a read token runs queries but no mutation', async () => {
    const reader = await mint(admin, 'reader', ['read']);
    expect((await gql(reader.token, '{ environments { name } }')).errors).toBeUndefined();
    const r = await gql(reader.token, 'mutation { cancelJob(id: "nope") { __typename } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a token cannot grant scopes it does not hold', async () => {
    const sub = await mint(admin, 'sub-admin', ['write', 'admin']);
    const r = await gql(sub.token, MINT, { name: 'escalated', scopes: ['read', 'write'] });
    expect(r.data?.createApiToken, JSON.stringify(r)).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('revoking a token revokes the tokens it minted, transitively', async () => {
    const mid = await mint(admin, 'mid', ['read', 'write', 'admin']);
    const leaf = await mint(mid.token, 'leaf', ['read']);
    expect((await gql(leaf.token, '{ __typename }')).status).toBe(200);
    await gql(admin, REVOKE, { id: mid.id });
    expect((await gql(leaf.token, '{ __typename }')).status).toBe(401);
    expect((await gql(mid.token, '{ __typename }')).status).toBe(401);
  });

  it("a revoked token's open subscription is closed within a second", async () => {
    const mid = await mint(admin, 'streamer-parent', ['read', 'write', 'admin']);
    const streamer = await mint(mid.token, 'streamer', ['read', 'write']);
    // A queued job nobody works: its log stream stays open.
    const { jobId } = await tdm.jobs.execute({ connectionString: 'pglite:memory', operations: ['discover'] });
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: { authorization: `Bearer ${streamer.token}` },
    });
    let errored: unknown = null;
    const closed = new Promise<number>((resolve) => client.on('closed', (e) => resolve((e as { code: number }).code)));
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe(
      { query: 'subscription($id: ID!) { jobLogs(jobId: $id) { seq } }', variables: { id: jobId } },
      {
        next: () => {},
        error: (e) => {
          errored = e;
        },
        complete: () => {},
      },
    );
    await connected;
    await new Promise((r) => setTimeout(r, 300)); // the subscription is running
    expect(errored).toBeNull();
    await gql(admin, REVOKE, { id: mid.id });
    const code = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open'), 1000))]);
    expect(code).toBe(4403);
    await client.dispose();
  });
});
