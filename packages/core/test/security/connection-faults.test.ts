/**
 * A source connection killed while in use (a DBA's pg_terminate_backend, a failover) fails the call
 * that was using it with a typed ConnectionError; the process lives on and the client reconnects.
 * Before the fix the 'error' event of the checked-out connection had no listener and ended the
 * process, which vitest reports as an unhandled error failing this file.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../../src/db/open.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { ConnectionError } from '../../src/errors.ts';
import { createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from '../support/databases.ts';

const pgUp = await pgAvailable();

describe.skipIf(!pgUp)(`in-use connections killed on PostgreSQL${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
  let db: TestDatabase;
  let admin: SqlClient;
  let sql: SqlClient;
  const app = `tdm-fault-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase('faults');
    admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
    const setup = await openSqlClient(db.url, { poolSize: 1 });
    await setup.exec(`CREATE TABLE big AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 200000) g`);
    await setup.close();
    sql = await openSqlClient(db.url, { poolSize: 2, applicationName: app });
  });

  afterAll(async () => {
    await sql?.close();
    await admin?.close();
    await db?.drop();
  });

  /** Kills every backend of the client under test, as a DBA would. */
  async function killBackends(): Promise<number> {
    const { rows } = await admin.query<{ n: string }>('SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE application_name = $1', [
      app,
    ]);
    return Number(rows[0]?.n);
  }

  async function waitForActive(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'", [app]);
      if (rows.length) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the query under test never became active');
  }

  it('a running query rejects with a connection error', async () => {
    const running = sql.query('SELECT pg_sleep(30)');
    const outcome = running.then(
      () => null,
      (e: unknown) => e,
    );
    await waitForActive();
    expect(await killBackends()).toBeGreaterThan(0);
    const err = await outcome;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'CONNECTION_FAILED', details: { lost: true } });
    // The pool replaces the dead connection.
    expect((await sql.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });

  it('a COPY stream killed mid-way errors the stream, not the process', async () => {
    const stream = await sql.copyOut('COPY big TO STDOUT');
    const chunks: Buffer[] = [];
    const ended = new Promise<unknown>((resolve) => {
      stream.on('error', resolve);
      stream.on('end', () => resolve(null));
    });
    let killed = false;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!killed) {
        killed = true;
        stream.pause();
        void killBackends().then(() => setTimeout(() => stream.resume(), 100));
      }
    });
    const err = await ended;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(chunks.length).toBeGreaterThan(0);
    expect((await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM big')).rows[0]?.n).toBe('200000');
  });

  it('a cursor whose connection dies between batches rejects its next read', async () => {
    const iterate = async () => {
      let batches = 0;
      for await (const _rows of sql.cursor('SELECT * FROM big', [], { batchSize: 1000 })) {
        if (++batches === 1) {
          await killBackends();
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return batches;
    };
    await expect(iterate()).rejects.toBeInstanceOf(ConnectionError);
  });

  it('a transaction whose idle connection dies fails its next statement and rolls back', async () => {
    const run = sql.transaction(async (tx) => {
      await tx.query('CREATE TEMP TABLE t_fault (id int)');
      await killBackends();
      await new Promise((r) => setTimeout(r, 100));
      await tx.query('INSERT INTO t_fault VALUES (1)');
    });
    await expect(run).rejects.toBeInstanceOf(ConnectionError);
    expect((await sql.query('SELECT 1 AS one')).rows).toHaveLength(1);
  });
});
