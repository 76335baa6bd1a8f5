/**
 * `tdm` as a CI step runs it: the built command spawned as its own process against a TDM server
 * started here on a real port. Checks exit codes, that `--json` prints exactly one JSON object,
 * the plain progress lines of a non-TTY, and that no password reaches stdout or stderr.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@tdm/core/config';
import { openSqlClient } from '@tdm/core/db/open';
import { seedDemoSource } from '@tdm/core/demo/demo-source';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { type App, createApp } from '@tdm/server/app';
import { TdmClient } from '@tdm/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteUrl, type TestDatabase } from '../../core/test/support/databases.ts';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(CLI_DIR, 'bin/tdm.js');
const SECRET = 'Cli-Pw-9137';

let dataDir: string;
let tdm: Tdm;
let app: App;
let api: string;
let source: TestDatabase;
let target: TestDatabase;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tdmCli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    // As in a CI log: no colours, whatever the test runner asked for its own output.
    const { FORCE_COLOR: _color, ...inherited } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...inherited, NO_COLOR: '1', TDM_URL: api, TDM_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      expect(stdout + stderr).not.toContain(SECRET);
      resolve({ code, stdout, stderr });
    });
  });
}

/** stdout of a --json run: exactly one line, one JSON object. */
// biome-ignore lint/suspicious/noExplicitAny: the JSON answer is read field by field in the assertions.
function oneJson(r: Ran): Record<string, any> {
  const lines = r.stdout.trim().split('\n');
  expect(lines, r.stdout + r.stderr).toHaveLength(1);
  const value = JSON.parse(lines[0]!);
  expect(typeof value).toBe('object');
  return value;
}

beforeAll(async () => {
  // The command under test is the built one, as `npx tdm` runs it.
  execFileSync(process.execPath, [join(CLI_DIR, '../../node_modules/typescript/bin/tsc'), '-p', join(CLI_DIR, 'tsconfig.build.json')]);
  dataDir = await mkdtemp(join(tmpdir(), 'tdm-cli-test-'));
  tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_PGLITE_ROOTS: tmpdir(), TDM_DEMO: 'off' }));
  await tdm.jobs.startWorking({ concurrency: 1 });
  app = createApp(tdm);
  api = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql`;
  source = await createPgliteUrl();
  target = await createPgliteUrl();
  const sql = await openSqlClient(source.url);
  await seedDemoSource(sql, { customers: 30, products: 15, orders: 40 });
  await sql.close();
  const client = new TdmClient({ url: api });
  await client.connections.create({ name: 'shop', connectionString: source.url });
});

afterAll(async () => {
  await app?.stop();
  await tdm?.close();
  await source?.drop();
  await target?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('tdm run', () => {
  let datasetVersionId: string;

  it('--json: discovers, subsets and provisions into a new environment; exit 0 and one JSON object', async () => {
    const r = await tdmCli([
      'run',
      '--connection',
      'shop',
      '--operations',
      'discover,subset,provision',
      '--rows',
      '*=20',
      '--target-env',
      'ci',
      '--create-env',
      target.url,
      '--reset',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = oneJson(r);
    expect(Object.keys(result).sort()).toEqual(
      ['jobId', 'workflowId', 'status', 'datasetVersionIds', 'provisionedTables', 'rowCounts', 'qualityScore', 'fallbacksUsed', 'durationMs', 'error'].sort(),
    );
    expect(result).toMatchObject({ status: 'COMPLETED', error: null, fallbacksUsed: [] });
    // Every job that makes a dataset ends with its quality report.
    expect(result.qualityScore).toBeGreaterThan(0);
    expect(result.datasetVersionIds).toHaveLength(1);
    expect(result.rowCounts['public.customer']).toBe(20);
    expect(result.provisionedTables).toContainEqual(expect.objectContaining({ environment: 'ci', schema: 'public', table: 'customer', rowCount: 20 }));
    // Progress went to stderr as plain lines, one set per step.
    for (const step of ['discover', 'subset', 'provision']) expect(r.stderr).toContain(`[COMPLETED] ${step}`);
    expect(r.stderr).toContain('registered environment ci');
    datasetVersionId = result.datasetVersionIds[0];
  });

  it('without --json: plain progress lines and a summary on stdout', async () => {
    const r = await tdmCli(['run', '--connection-string', source.url, '--operations', 'discover', '--api', api]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[STARTED\] discover/);
    expect(r.stdout).toMatch(/\[COMPLETED\] discover/);
    expect(r.stdout).toMatch(/COMPLETED in [\d.]+ s — job /);
  });

  it('a failing job exits 1 with the typed error, the password redacted', async () => {
    const r = await tdmCli(['run', '--connection-string', `postgresql://app:${SECRET}@127.0.0.1:1/shop`, '--operations', 'discover', '--json']);
    expect(r.code).toBe(1);
    const result = oneJson(r);
    expect(result.status).toBe('FAILED');
    expect(result.error.code).toBe('HOST_UNREACHABLE');
    expect(result.error.message).toContain('127.0.0.1:1');
  });

  it('--min-quality fails a completed run that has no score with exit 5', async () => {
    const r = await tdmCli(['run', '--connection', 'shop', '--operations', 'discover', '--min-quality', '0.8', '--json']);
    expect(r.code).toBe(5);
    expect(oneJson(r)).toMatchObject({ status: 'COMPLETED', error: { code: 'QUALITY_BELOW_MINIMUM' } });
  });

  it('usage errors exit 2 with one line; an unreachable API exits 4; an unknown id exits 3', async () => {
    const bad = await tdmCli(['run', '--rows', 'orders=lots', '--domain', 'ecommerce']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('error USAGE: --rows');
    expect((await tdmCli(['run', '--frobnicate'])).code).toBe(2);
    expect((await tdmCli(['run'])).code).toBe(2);

    const down = await tdmCli(['jobs', 'list', '--api', `http://u:${SECRET}@127.0.0.1:1/graphql`, '--json']);
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/^tdm jobs: error NETWORK: cannot reach the TDM API/);
    expect(oneJson(down).error.code).toBe('NETWORK');

    const missing = await tdmCli(['datasets', 'show', '00000000-0000-0000-0000-000000000000', '--json']);
    expect(missing.code).toBe(3);
    expect(oneJson(missing).error.code).toBe('NOT_FOUND');
  });

  it('quality: the report of the dataset the run made; --min-score fails below it', async () => {
    const report = oneJson(await tdmCli(['quality', datasetVersionId, '--json']));
    expect(report.score).toBeGreaterThan(0);
    expect(report.metrics.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['nullRatio', 'uniqueness', 'referentialIntegrity']));
    const strict = await tdmCli(['quality', datasetVersionId, '--min-score', '100.1']);
    expect(strict.code).toBe(5);
    expect(strict.stdout).toMatch(/quality [\d.]+ of 100/);
  });

  it('datasets list/show/export: one file per table, CSV and Parquet', async () => {
    const listed = oneJson(await tdmCli(['datasets', 'list', '--json']));
    expect(listed.datasets.map((d: { rawId: string }) => d.rawId)).toContain(datasetVersionId);
    const out = await mkdtemp(join(tmpdir(), 'tdm-cli-export-'));
    try {
      const csv = await tdmCli(['datasets', 'export', datasetVersionId, '--format', 'csv', '--out', out]);
      expect(csv.code, csv.stderr).toBe(0);
      const files = (await readdir(out)).sort();
      expect(files).toHaveLength(9);
      expect(files).toContain('public.customer.csv');
      const customers = (await readFile(join(out, 'public.customer.csv'), 'utf8')).trimEnd().split('\n');
      expect(customers[0]).toContain('customer_id');
      expect(customers).toHaveLength(21);
      const pq = await tdmCli(['datasets', 'export', datasetVersionId, '--format', 'parquet', '--out', out, '--table', 'public.order']);
      expect(pq.code, pq.stderr).toBe(0);
      expect((await readFile(join(out, 'public.order.parquet'))).subarray(0, 4).toString()).toBe('PAR1');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('jobs list/logs/trace, env list and lineage answer --json', async () => {
    const jobs = oneJson(await tdmCli(['jobs', 'list', '--status', 'COMPLETED', '--json'])).jobs;
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    const id = jobs.find((j: { operations: string[] }) => j.operations.includes('provision')).id;
    const logs = oneJson(await tdmCli(['jobs', 'logs', id, '--json']));
    expect(logs.events.map((e: { step: string; level: string }) => `${e.step}:${e.level}`)).toContain('provision:completed');
    const trace = oneJson(await tdmCli(['jobs', 'trace', id, '--json']));
    expect(trace.provisionedTables.length).toBe(9);
    const envs = oneJson(await tdmCli(['env', 'list', '--json'])).environments;
    expect(envs.map((e: { name: string }) => e.name)).toContain('ci');
    const lineage = oneJson(await tdmCli(['lineage', 'job', id, '--json']));
    expect(lineage.nodes.map((n: { kind: string }) => n.kind)).toEqual(expect.arrayContaining(['JOB', 'DATASET_VERSION']));
  });

  it('--help of every command shows examples', async () => {
    for (const cmd of ['run', 'datasets', 'jobs', 'discover', 'pii', 'testcase', 'env', 'lineage']) {
      const r = await tdmCli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain('Example');
    }
  });

  it('tdm token, the engine command, still works through the same bin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tdm-cli-token-'));
    try {
      const r = await tdmCli(['token', 'create', 'ci'], { TDM_DATA_DIR: dir, DATABASE_URL: '' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toMatch(/^tdm_[\w-]+$/);
      expect(r.stderr).toContain('token "ci"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
