/**
 * The recipes for the open server: a 1 KB query nested through referencedBy/foreignKeys eight
 * or nine times exhausted the heap, 50,000 aliases of __typename were executed, and a form-encoded
 * POST from any web page ran mutations (createApiToken). Now query limits refuse such documents
 * before they run, and only requests a cross-site form cannot make are executed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tdm/core/config';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type App, createApp } from '../../src/app.ts';
import { DEFAULT_LIMITS, queryLimits } from '../../src/limits.ts';

let dataDir: string;
let tdm: Tdm;
let app: App;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-limits-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }), { log: () => {} });
  app = createApp(tdm);
});

afterAll(async () => {
  await app?.stop();
  await tdm?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function post(body: string, headers: Record<string, string>) {
  const response = await app.yoga.fetch('http://tdm.test/graphql', { method: 'POST', headers: { accept: 'application/json', ...headers }, body });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: (() => {
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    })(),
  };
}

function nested(levels: number): string {
  let inner = 'name';
  for (let i = 0; i < levels; i++) inner = `name referencedBy { table { foreignKeys { target { ${inner} } } } }`;
  return `query { schemaVersion(id: "x") { tables { ${inner} } } }`;
}

describe('query limits', () => {
  it('refuses the nested referencedBy/foreignKeys bomb with QUERY_LIMIT_EXCEEDED, before it runs', async () => {
    const query = nested(9);
    expect(query.length).toBeLessThan(1200);
    const r = await post(JSON.stringify({ query }), { 'content-type': 'application/json' });
    expect(r.json.data).toBeUndefined();
    expect(r.json.errors[0].extensions.code).toBe('QUERY_LIMIT_EXCEEDED');
    expect(r.json.errors[0].message).toMatch(/depth/i);
  });

  it('refuses 50,000 aliases of __typename', async () => {
    const query = `{ ${Array.from({ length: 50_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const r = await post(JSON.stringify({ query }), { 'content-type': 'application/json' });
    expect(r.json.data).toBeUndefined();
    expect(r.json.errors[0].extensions.code).toBe('QUERY_LIMIT_EXCEEDED');
  });

  it('refuses too many aliases and too many directives, each with the setting named', async () => {
    const aliases = `{ ${Array.from({ length: DEFAULT_LIMITS.aliases + 1 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const a = await post(JSON.stringify({ query: aliases }), { 'content-type': 'application/json' });
    expect(a.json.errors[0].extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', setting: 'TDM_GRAPHQL_MAX_ALIASES' });
    const directives = `{ __typename ${'@include(if: true) '.repeat(DEFAULT_LIMITS.directives + 1)} }`;
    const d = await post(JSON.stringify({ query: directives }), { 'content-type': 'application/json' });
    expect(d.json.errors[0].extensions).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', setting: 'TDM_GRAPHQL_MAX_DIRECTIVES' });
  });

  it('keeps ordinary nesting working: a schema version with tables, columns and foreign keys', async () => {
    const r = await post(JSON.stringify({ query: nested(1) }), { 'content-type': 'application/json' });
    expect(r.json.errors).toBeUndefined();
    expect(r.json.data).toEqual({ schemaVersion: null });
  });

  it('reads its limits from the environment', () => {
    expect(queryLimits({ TDM_GRAPHQL_MAX_DEPTH: '20', TDM_GRAPHQL_MAX_COST: 'lots' })).toMatchObject({ depth: 20, cost: DEFAULT_LIMITS.cost });
  });
});

describe('cross-site requests', () => {
  const mutation = 'mutation { createApiToken(name: "from-evil-page") { __typename } }';

  it('a form-encoded POST (what any web page can send) runs nothing', async () => {
    const before = await tdm.store.prisma.apiToken.count();
    const r = await post(new URLSearchParams({ query: mutation }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
    });
    expect(r.status).toBe(403);
    const plain = await post(JSON.stringify({ query: mutation }), { 'content-type': 'text/plain', origin: 'https://evil.example' });
    expect(plain.status).toBe(403);
    expect(await tdm.store.prisma.apiToken.count()).toBe(before);
  });

  it('a GET needs the x-tdm-csrf header; a JSON POST needs nothing more', async () => {
    const url = `http://tdm.test/graphql?query=${encodeURIComponent('{ __typename }')}`;
    expect((await app.yoga.fetch(url, { headers: { accept: 'application/json' } })).status).toBe(403);
    expect((await app.yoga.fetch(url, { headers: { accept: 'application/json', 'x-tdm-csrf': '1' } })).status).toBe(200);
    const r = await post(JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'application/json' });
    expect(r.json).toEqual({ data: { __typename: 'Query' } });
  });

  it('CORS answers only the configured origins (the studio by default)', async () => {
    const preflight = (origin: string) =>
      app.yoga.fetch('http://tdm.test/graphql', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
  });

  it('a WebSocket opened by a page of another origin is refused; one without an Origin (SDK, CLI) works', async () => {
    const port = await app.start(0, '127.0.0.1');
    const run = (origin?: string) =>
      new Promise<unknown>((resolve, reject) => {
        class WithOrigin extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, origin ? { headers: { origin } } : {});
          }
        }
        const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WithOrigin, retryAttempts: 0, lazy: true });
        client.subscribe({ query: '{ __typename }' }, { next: (v) => resolve(v), error: (e) => reject(e), complete: () => void client.dispose() });
      });
    await expect(run('https://evil.example')).rejects.toBeDefined();
    await expect(run()).resolves.toEqual({ data: { __typename: 'Query' } });
  });
});
