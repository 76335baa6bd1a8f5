/**
 * Step retries through a real TCP proxy that resets connections: a source and a target that drop
 * their first connections still end in a completed job, each retry is logged and lands in the
 * lineage's fallbacks, and a provision stays all-or-nothing across attempts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteQualified } from '../src/db/quote.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { PG_ADMIN_URL, pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';
import { type ResetProxy, startResetProxy } from './support/reset-proxy.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: the retry tests (TCP proxy) are SKIPPED`);

const TABLES = ['customer', 'order', 'product'];
let engine: TestEngine;
let sourceUrl: string;
let source: SqlClient;
const proxies: ResetProxy[] = [];

beforeAll(async () => {
  if (!pgUp) return;
  engine = await createTestEngine('retries', { work: true });
  const db = await engine.database('postgres', 'src');
  sourceUrl = db.url;
  source = await engine.client(db.url);
  await seedDemoSource(source, { customers: 30, products: 12, orders: 60 });
});

afterAll(async () => {
  for (const p of proxies) await p.close();
  await engine?.close();
});

async function proxy(rule: Parameters<typeof startResetProxy>[1]): Promise<ResetProxy> {
  const u = new URL(PG_ADMIN_URL);
  const p = await startResetProxy({ host: u.hostname, port: Number(u.port || 5432) }, rule);
  proxies.push(p);
  return p;
}

/** Resets the first connection that sends a COPY (once): a drop in the middle of the load. */
function resetFirstCopy(): (text: string) => boolean {
  let done = false;
  return (text) => {
    if (done || !/\bcopy\b/i.test(text)) return false;
    done = true;
    return true;
  };
}

async function finished(jobId: string) {
  const until = Date.now() + 90_000;
  for (;;) {
    const job = await engine.tdm.jobs.get(jobId);
    if (engine.tdm.jobs.isTerminal(job.status)) return job;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function counts(sql: SqlClient): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const { rows } = await sql.query<{ n: string }>(`select count(*)::text as n from ${quoteQualified('public', t)}`);
    out[t] = Number(rows[0]?.n);
  }
  return out;
}

async function tableCount(sql: SqlClient): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`select count(*)::text as n from pg_tables where schemaname = 'public'`);
  return Number(rows[0]?.n);
}

describe.skipIf(!pgUp)('step retries through a resetting TCP proxy', () => {
  it('a source that resets its first two connections: discover and subset retry, the job completes', async () => {
    const p = await proxy((n) => (n <= 2 ? 'reset' : 'pass'));
    const target = await engine.environment('postgres', 'src-reset');
    const { jobId } = await engine.tdm.jobs.execute({
      connectionString: p.via(sourceUrl),
      operations: ['discover', 'subset', 'provision'],
      config: { provision: { targetEnv: target.name } },
    });
    const job = await finished(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('COMPLETED');
    expect(p.resets).toBe(2);
    expect(await counts(target.sql)).toEqual(await counts(source));

    const logs = await engine.tdm.jobs.logs.history(jobId, 0);
    const retries = logs.filter((e) => e.level === 'warn' && e.message.includes('retrying'));
    expect(retries.map((e) => e.step)).toEqual(['discover', 'discover']);
    expect((job.result as { operations: { discover: { attempts: number } } }).operations.discover.attempts).toBe(3);
    const lineage = await engine.tdm.store.prisma.lineage.findMany({ where: { jobId, operation: 'discover' } });
    expect(lineage.length).toBeGreaterThan(0);
    for (const edge of lineage) expect(edge.fallbacks.filter((f) => f.startsWith('discover: attempt'))).toHaveLength(2);
    expect((job.context as { fallbacksUsed: string[] }).fallbacksUsed.some((f) => f.startsWith('discover: attempt 1 failed'))).toBe(true);
  });

  it('a target that resets at connect and again in the middle of the COPY: provision retries and loads every row once', async () => {
    const resetOn = resetFirstCopy();
    // Connection 1 is the target check of registering the environment; 2 is provision's first connect.
    const p = await proxy((n) => (n === 1 ? 'pass' : n === 2 ? 'reset' : { resetOn }));
    const db = await engine.database('postgres', 'tgt-reset');
    await engine.tdm.environments.create({ name: 'target-behind-proxy', connectionString: p.via(db.url) });
    const { jobId } = await engine.tdm.jobs.execute({
      connectionString: sourceUrl,
      operations: ['discover', 'subset', 'provision'],
      config: { provision: { targetEnv: 'target-behind-proxy' } },
    });
    const job = await finished(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('COMPLETED');
    expect(p.resets).toBe(2);
    const target = await engine.client(db.url);
    expect(await counts(target)).toEqual(await counts(source));
    expect((job.result as { operations: { provision: { attempts: number } } }).operations.provision.attempts).toBe(3);
    const provisioned = await engine.tdm.store.prisma.provisionedTable.findMany({ where: { jobId } });
    expect(provisioned.map((t) => t.tableName).sort()).toEqual(expect.arrayContaining(TABLES));
    expect(new Set(provisioned.map((t) => t.tableName)).size).toBe(provisioned.length);
    const edges = await engine.tdm.store.prisma.lineage.findMany({ where: { jobId, operation: 'provision' } });
    for (const edge of edges) expect(edge.fallbacks.filter((f) => f.startsWith('provision: attempt'))).toHaveLength(2);
  });

  it('retries are configurable per step; a target that keeps dropping fails the job and keeps nothing', async () => {
    const p = await proxy(() => ({ resetOn: (text) => /\bcopy\b/i.test(text) }));
    const db = await engine.database('postgres', 'tgt-down');
    await engine.tdm.environments.create({ name: 'target-always-dropping', connectionString: p.via(db.url) });
    const { jobId } = await engine.tdm.jobs.execute({
      connectionString: sourceUrl,
      operations: ['discover', 'subset', 'provision'],
      config: { provision: { targetEnv: 'target-always-dropping', retry: { maxAttempts: 2, initialIntervalMs: 50 } } },
    });
    const job = await finished(jobId);
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatchObject({ step: 'provision' });
    expect(p.resets).toBe(2);
    const target = await engine.client(db.url);
    expect(await tableCount(target)).toBe(0);
    expect(await engine.tdm.store.prisma.provisionedTable.count({ where: { jobId } })).toBe(0);
  });

  it('invalid retry settings are refused before a job exists', async () => {
    await expect(
      engine.tdm.jobs.execute({ connectionString: sourceUrl, operations: ['discover'], config: { discover: { retry: { maxAttempts: 0 } } } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
