/**
 * The recipe at job level: a subset job whose source backends are killed while it reads
 * (a DBA's pg_terminate_backend) ends FAILED with a typed connection error instead of ending the
 * process and staying RUNNING until a restart; the engine keeps answering afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../../src/db/open.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import type { JobLogEvent } from '../../src/jobs/log-bus.ts';
import { jobLogStream } from '../../src/jobs/log-stream.ts';
import { PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../support/databases.ts';
import { createTestEngine, type TestEngine } from '../support/engine.ts';

const pgUp = await pgAvailable();

describe.skipIf(!pgUp)(`a subset job whose source is killed mid-read${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
  let engine: TestEngine;
  let source: TestDatabase;
  let admin: SqlClient;

  beforeAll(async () => {
    engine = await createTestEngine('jobfault', { work: true });
    source = await engine.database('postgres', 'src');
    const sql = await engine.client(source.url);
    await sql.exec(`CREATE TABLE big (id int PRIMARY KEY, pad text); INSERT INTO big SELECT g, repeat('x', 300) FROM generate_series(1, 300000) g`);
    admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
  });

  afterAll(async () => {
    await admin?.close();
    await engine?.close();
  });

  it('fails the job with CONNECTION_FAILED; the job does not stay RUNNING and the engine answers', async () => {
    const { tdm } = engine;
    const { jobId } = await tdm.jobs.execute({ connectionString: source.url, operations: ['discover', 'subset'] });
    const events: JobLogEvent[] = [];
    let killer: NodeJS.Timeout | undefined;
    let kills = 0;
    for await (const e of jobLogStream(tdm.jobs, jobId, AbortSignal.timeout(120_000))) {
      events.push(e);
      if (e.step === 'subset' && e.level === 'started' && !killer) {
        // Kill every backend of the source, over and over, for as long as the job reads from it.
        killer = setInterval(() => {
          void admin
            .query<{ n: string }>('SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
              source.name,
            ])
            .then((r) => {
              kills += Number(r.rows[0]?.n ?? 0);
            });
        }, 20);
      }
    }
    clearInterval(killer);
    const job = await tdm.jobs.get(jobId);
    expect(kills).toBeGreaterThan(0);
    expect(job.status, JSON.stringify(job.error)).toBe('FAILED');
    expect(job.error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(events.at(-1)).toMatchObject({ step: 'workflow', level: 'failed' });
    // Still serving: a new job on the same source runs to its end.
    const again = await tdm.jobs.execute({ connectionString: source.url, operations: ['discover'] });
    for await (const _ of jobLogStream(tdm.jobs, again.jobId, AbortSignal.timeout(60_000))) {
      // drain
    }
    expect((await tdm.jobs.get(again.jobId)).status).toBe('COMPLETED');
  });
});
