/**
 * `TDM_AUTH=required`: every HTTP request and every WebSocket connection needs a live API token.
 * Without one, or with an unknown or revoked one, HTTP answers 401 (UNAUTHENTICATED) and the
 * WebSocket is closed (4403) — and nothing runs. With one, everything works and the audit trail
 * names the token. Tokens come from the API, from core's `createApiToken`, or from the CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '@tdm/core/auth/tokens';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { redactConnectionString } from '@tdm/core/db/url';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../../core/test/support/databases.ts';
import { TdmClient, type TdmError, TdmGraphQLError, TdmNetworkError } from '../../sdk/src/index.ts';
import { type App, createApp } from '../src/app.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the API token tests are SKIPPED`);

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Response<T> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; extensions?: { code?: string } }[] | undefined;
}

interface LogEvent {
  seq: number;
  step: string;
  level: string;
  message: string;
}

const EXECUTE = `mutation($input: ExecuteWorkflowInput!) {
  executeWorkflow(input: $input) { __typename ... on Error { message code } ... on MutationExecuteWorkflowSuccess { data { jobId status } } }
}`;
const LOGS = 'subscription($id: ID!) { jobLogs(jobId: $id) { seq step level message } }';

/** Subscribes to a job's log over graphql-ws without retries; resolves with the events, or rejects with what closed it. */
function subscribeOnce(client: Client, jobId: string): Promise<LogEvent[]> {
  return new Promise((resolve, reject) => {
    const events: LogEvent[] = [];
    client.subscribe<{ jobLogs: LogEvent }>(
      { query: LOGS, variables: { id: jobId } },
      {
        next: (result) => {
          if (result.errors) reject(new Error(JSON.stringify(result.errors)));
          else if (result.data) events.push(result.data.jobLogs);
        },
        error: reject,
        complete: () => resolve(events),
      },
    );
  });
}

/** A WebSocket that sends `Authorization: <value>` with its upgrade request. */
function webSocketWithHeader(value: string) {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { authorization: value } });
    }
  };
}

/** The environment of the test process without vitest's own variables, for a child process. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  return { ...env, ...extra };
}

const pgSkip = pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)';
describe.skipIf(!pgUp)(`TDM_AUTH=required${pgSkip}`, () => {
  let meta: TestDatabase;
  let source: TestDatabase;
  let dataDir: string;
  let tdm: Tdm;
  let app: App;
  let httpUrl: string;
  let wsUrl: string;
  /** The token made with core's createApiToken for "ci". */
  let token: string;
  let jobId: string;
  const clients: { close(): Promise<void> | void }[] = [];

  async function post<T>(query: string, variables: Record<string, unknown> = {}, authorization?: string): Promise<Response<T>> {
    const response = await app.yoga.fetch('http://tdm.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: Response<T>['errors'] };
    return { status: response.status, data: body.data, errors: body.errors };
  }
  /** An operation that must succeed with `token`. */
  async function gql<T>(query: string, variables: Record<string, unknown> = {}, bearer = token): Promise<T> {
    const r = await post<T>(query, variables, `Bearer ${bearer}`);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.status).toBe(200);
    return r.data as T;
  }
  function wsClient(options: Partial<Parameters<typeof createClient>[0]> = {}): Client {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...options });
    clients.push({ close: () => client.dispose() });
    return client;
  }
  async function waitEnded(id: string): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = await tdm.jobs.get(id);
      if (tdm.jobs.isTerminal(job.status)) return job.status;
      if (Date.now() > deadline) throw new Error(`job ${id} is still ${job.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    [meta, source] = await Promise.all([createTestDatabase('auth_meta'), createTestDatabase('auth_source')]);
    const sql = await openSqlClient(source.url, { poolSize: 1 });
    try {
      await seedDemoSource(sql, { customers: 10, products: 5, orders: 10 });
    } finally {
      await sql.close();
    }
    dataDir = await mkdtemp(join(tmpdir(), 'tdm-auth-'));
    tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), databaseUrl: meta.url });
    await tdm.jobs.startWorking();
    const previous = process.env.TDM_AUTH;
    process.env.TDM_AUTH = 'required';
    try {
      app = createApp(tdm);
    } finally {
      // createApp reads the setting once; nothing else in this process should see it.
      if (previous === undefined) delete process.env.TDM_AUTH;
      else process.env.TDM_AUTH = previous;
    }
    const port = await app.start(0, '127.0.0.1');
    httpUrl = `http://127.0.0.1:${port}/graphql`;
    wsUrl = `ws://127.0.0.1:${port}/graphql`;
    token = (await createApiToken(tdm.store.prisma, 'ci')).token;
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.stop();
    await tdm?.close();
    await Promise.all([meta?.drop(), source?.drop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('HTTP without a token, with an unknown one or with a non-Bearer header → 401 UNAUTHENTICATED, and nothing runs', async () => {
    const input = { connectionString: source.url, operations: ['discover'] };
    const cases: [string | undefined, RegExp][] = [
      [undefined, /an API token is required: send Authorization: Bearer <token>/],
      ['Bearer tdm_this-is-not-a-token', /the API token is invalid or revoked/],
      [`Bearer ${token}x`, /the API token is invalid or revoked/],
      [`Basic ${Buffer.from('ci:secret').toString('base64')}`, /an API token is required/],
      [token, /an API token is required/],
    ];
    for (const [authorization, message] of cases) {
      const r = await post<unknown>(EXECUTE, { input }, authorization);
      expect(r.status, String(authorization)).toBe(401);
      expect(r.data ?? null).toBeNull();
      expect(r.errors).toEqual([
        expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
      ]);
    }
    // Reads are refused too.
    const read = await post<unknown>('{ jobs(first: 1) { totalCount } }');
    expect(read.status).toBe(401);
    expect(read.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await tdm.store.prisma.job.count()).toBe(0);
    expect(await tdm.store.prisma.auditLog.count()).toBe(0);
  });

  it('a token from createApiToken → 200; the job runs and the audit trail names token:ci', async () => {
    const { executeWorkflow } = await gql<{ executeWorkflow: { __typename: string; message?: string; data?: { jobId: string; status: string } } }>(EXECUTE, {
      input: { connectionString: source.url, operations: ['discover'] },
    });
    expect(executeWorkflow.__typename, executeWorkflow.message).toBe('MutationExecuteWorkflowSuccess');
    expect(executeWorkflow.data?.status).toBe('QUEUED');
    jobId = executeWorkflow.data?.jobId as string;
    expect(await waitEnded(jobId)).toBe('COMPLETED');

    const { auditLogs } = await gql<{ auditLogs: { edges: { node: { actor: string; action: string; targetId: string } }[] } }>(
      '{ auditLogs(action: "executeWorkflow", first: 10) { edges { node { actor action targetId } } } }',
    );
    expect(auditLogs.edges.map((e) => e.node)).toEqual([{ actor: 'token:ci', action: 'executeWorkflow', targetId: jobId }]);
    const { apiTokens } = await gql<{ apiTokens: { name: string; prefix: string; lastUsedAt: string | null; revokedAt: string | null }[] }>(
      '{ apiTokens { name prefix lastUsedAt revokedAt } }',
    );
    expect(apiTokens).toEqual([{ name: 'ci', prefix: token.slice(0, 10), lastUsedAt: expect.any(String), revokedAt: null }]);
    // Only the token's hash is stored.
    const row = await tdm.store.prisma.apiToken.findFirstOrThrow({ where: { name: 'ci' } });
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('a token made through the API works until it is revoked; then 401', async () => {
    const { createApiToken: created } = await gql<{ createApiToken: { __typename: string; data: { token: string; apiToken: { id: string; name: string } } } }>(
      'mutation { createApiToken(name: "temporary") { __typename ... on MutationCreateApiTokenSuccess { data { token apiToken { id name } } } } }',
    );
    expect(created.__typename).toBe('MutationCreateApiTokenSuccess');
    const temporary = created.data.token;
    expect(temporary).toMatch(/^tdm_[A-Za-z0-9_-]{43}$/);
    expect((await post('{ workflowTemplates { name } }', {}, `Bearer ${temporary}`)).status).toBe(200);

    const { revokeApiToken } = await gql<{ revokeApiToken: { __typename: string; data: { name: string; revokedAt: string | null } } }>(
      'mutation($id: ID!) { revokeApiToken(id: $id) { __typename ... on MutationRevokeApiTokenSuccess { data { name revokedAt } } } }',
      { id: created.data.apiToken.id },
    );
    expect(revokeApiToken).toEqual({ __typename: 'MutationRevokeApiTokenSuccess', data: { name: 'temporary', revokedAt: expect.any(String) } });

    const refused = await post('{ workflowTemplates { name } }', {}, `Bearer ${temporary}`);
    expect(refused.status).toBe(401);
    expect(refused.errors).toEqual([
      expect.objectContaining({ message: 'the API token is invalid or revoked', extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    ]);
    await expect(subscribeOnce(wsClient({ connectionParams: { authorization: `Bearer ${temporary}` } }), jobId)).rejects.toMatchObject({ code: 4403 });

    const { auditLogs } = await gql<{ auditLogs: { edges: { node: { actor: string; action: string; severity: string } }[] } }>(
      '{ auditLogs(first: 10) { edges { node { actor action severity } } } }',
    );
    expect(auditLogs.edges.map((e) => e.node)).toEqual(
      expect.arrayContaining([
        { actor: 'token:ci', action: 'createApiToken', severity: 'INFO' },
        { actor: 'token:ci', action: 'revokeApiToken', severity: 'WARNING' },
      ]),
    );
  });

  it('WebSocket: without a token, or with a bad one, the connection is closed with 4403; with a token the subscription streams the log', async () => {
    for (const options of [{}, { connectionParams: { authorization: 'Bearer tdm_nope' } }, { connectionParams: { authorization: token } }]) {
      const refused = await subscribeOnce(wsClient(options), jobId).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused, JSON.stringify(options)).toMatchObject({ code: 4403, reason: 'Forbidden' });
    }

    const events = await subscribeOnce(wsClient({ connectionParams: { authorization: `Bearer ${token}` } }), jobId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ step: 'workflow', level: 'started' });
    expect(events.at(-1)).toMatchObject({ step: 'workflow', level: 'completed' });

    // The token may also come as the upgrade request's Authorization header.
    const viaHeader = await subscribeOnce(wsClient({ webSocketImpl: webSocketWithHeader(`Bearer ${token}`) }), jobId);
    expect(viaHeader).toEqual(events);
    const badHeader = await subscribeOnce(wsClient({ webSocketImpl: webSocketWithHeader('Bearer tdm_nope') }), jobId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(badHeader).toMatchObject({ code: 4403 });
  });

  it('the SDK with a token: execute, follow the log, waitFor; without one every call fails with UNAUTHENTICATED', async () => {
    const sdk = new TdmClient({ url: httpUrl, token });
    clients.push(sdk);
    const started = await sdk.workflows.execute({ connectionString: source.url, operations: ['discover'] });
    expect(started.status).toBe('QUEUED');
    const events = [];
    for await (const event of sdk.jobs.logs(started.jobId)) events.push(event);
    expect(events[0]).toMatchObject({ step: 'workflow', level: 'started' });
    expect(events.at(-1)).toMatchObject({ step: 'workflow', level: 'completed' });
    const done = await sdk.jobs.waitFor(started.jobId, { timeoutMs: 20_000 });
    expect(done).toMatchObject({ status: 'COMPLETED', rawId: started.jobId });

    const anonymous = new TdmClient({ url: httpUrl });
    clients.push(anonymous);
    const refused = await anonymous.workflows.execute({ connectionString: source.url, operations: ['discover'] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TdmGraphQLError);
    expect((refused as TdmGraphQLError).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // The log stream is refused on the first connection: a refused token is not retried (with seconds of backoff).
    const upgrades = vi.spyOn(WebSocketServer.prototype, 'handleUpgrade');
    try {
      const closed = await (async () => {
        for await (const _ of anonymous.jobs.logs(started.jobId)) throw new Error('an event reached a client without a token');
      })().then(
        () => null,
        (e: unknown) => e,
      );
      expect(closed).toBeInstanceOf(TdmNetworkError);
      expect((closed as TdmError).message).toBe('job log stream failed: connection closed (4403 Forbidden)');
      expect(upgrades).toHaveBeenCalledTimes(1);
    } finally {
      upgrades.mockRestore();
    }
    expect(await tdm.store.prisma.job.count()).toBe(2);
  });

  it('the CLI: `tdm token create ci-cli` prints a token that authenticates', async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        'npx',
        ['tsx', 'packages/core/src/bin/tdm.ts', 'token', 'create', 'ci-cli'],
        { cwd: REPO_ROOT, env: childEnv({ DATABASE_URL: meta.url, TDM_DATA_DIR: dataDir, TDM_DEMO: 'off' }), timeout: 60_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve({ stdout: out, stderr: err })),
      );
    });
    const printed = stdout.trim();
    expect(printed).toMatch(/^tdm_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toContain('token "ci-cli"');
    expect(stderr).toContain('shown only once');

    const r = await post<{ apiTokens: { name: string }[] }>('{ apiTokens { name } }', {}, `Bearer ${printed}`);
    expect(r.status).toBe(200);
    expect(r.data?.apiTokens.map((t) => t.name)).toEqual(['ci', 'temporary', 'ci-cli']);
    const { auditLogs } = await gql<{ auditLogs: { edges: { node: { actor: string } }[] } }>(
      '{ auditLogs(action: "createApiToken", first: 10) { edges { node { actor } } } }',
      {},
      printed,
    );
    expect(auditLogs.edges.map((e) => e.node.actor).sort()).toEqual(['cli', 'token:ci']);
    const sdk = new TdmClient({ url: httpUrl, token: printed });
    clients.push(sdk);
    expect((await sdk.jobs.get(jobId)).status).toBe('COMPLETED');
  });
});
