/**
 * Helpers shared by the mask flow tests: the caps and salt they run with, a source database
 * (a shared sample database or the demo source) on the test engine, and a job run to its end with
 * its log events.
 */
import { seedDemoSource } from '../../src/demo/demo-source.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import type { JobLogEvent } from '../../src/jobs/log-bus.ts';
import { jobLogStream } from '../../src/jobs/log-stream.ts';
import type { Tdm } from '../../src/runtime.ts';
import type { TestEngine } from './engine.ts';
import { type FixtureName, loadFixture } from './load-sql.ts';

export const CAPS = { '*': 50 };
export const SALT = 'mask-flow-salt-1';

/** A source database on the real PostgreSQL, loaded with a sample database or seeded as the demo source. */
export async function sourceDatabase(engine: TestEngine, label: string, fixture: FixtureName | 'demo'): Promise<{ url: string; sql: SqlClient }> {
  // One connection: the acceptance query creates its function in pg_temp of the session.
  const db = await engine.database('postgres', `${label}_src`);
  const sql = await engine.client(db.url);
  if (fixture === 'demo') await seedDemoSource(sql, { customers: 80, products: 25, orders: 150 });
  else await loadFixture(sql, fixture);
  return { url: db.url, sql };
}

/** Executes a job and follows its log to the end. */
export async function runJob(
  tdm: Tdm,
  input: Parameters<Tdm['jobs']['execute']>[0],
): Promise<{ jobId: string; events: JobLogEvent[]; job: Awaited<ReturnType<Tdm['jobs']['get']>> }> {
  const { jobId } = await tdm.jobs.execute(input);
  const events: JobLogEvent[] = [];
  for await (const e of jobLogStream(tdm.jobs, jobId, AbortSignal.timeout(150_000))) events.push(e);
  return { jobId, events, job: await tdm.jobs.get(jobId) };
}
