import { setImmediate as nextMacrotask, setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { InvalidInputError, QueryError } from '../src/errors.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: PostgreSQL LISTEN/NOTIFY tests are SKIPPED`);

/** Messages received on one subscription, with a way to wait for the next ones. */
function inbox() {
  const messages: string[] = [];
  let waiters: (() => void)[] = [];
  return {
    messages,
    receive: (payload: string) => {
      messages.push(payload);
      for (const wake of waiters) wake();
      waiters = [];
    },
    /** Resolves once `count` messages have arrived; fails with what did arrive after `timeoutMs`. */
    async waitFor(count: number, timeoutMs = 5000): Promise<string[]> {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} message(s) within ${timeoutMs} ms, got ${JSON.stringify(messages)}`);
        await Promise.race([new Promise<void>((wake) => waiters.push(wake)), sleep(left)]);
      }
      return messages;
    },
  };
}

let sequence = 0;
/** A channel name of its own per test, mixed case and a space: it only works when quoted. */
const channel = (what: string) => `Tdm ${what} ${++sequence}`;

const engines: { name: 'postgres' | 'pglite'; skip: boolean; create: () => Promise<TestDatabase> }[] = [
  { name: 'postgres', skip: !pgUp, create: () => createTestDatabase('notify') },
  { name: 'pglite', skip: false, create: () => createPgliteUrl() },
];

for (const engine of engines) {
  describe.skipIf(engine.skip)(`LISTEN/NOTIFY on ${engine.name}${engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
    let db: TestDatabase;
    let client: SqlClient;
    beforeAll(async () => {
      db = await engine.create();
      client = await openSqlClient(db.url);
    });
    afterAll(async () => {
      await client?.close();
      await db?.drop();
    });

    /**
     * Proves that nothing more is on its way to `box`: everything NOTIFYed before `barrierChannel` got
     * its message has been delivered. PostgreSQL delivers one listening connection's notifications in
     * commit order; PGlite dispatches them in microtasks while the statement's results are parsed.
     */
    async function drained(): Promise<void> {
      if (engine.name === 'pglite') return void (await nextMacrotask());
      const barrier = inbox();
      const name = channel('barrier');
      const unlisten = await client.listen(name, barrier.receive);
      await client.notify(name, 'barrier');
      await barrier.waitFor(1);
      await unlisten();
    }

    it('delivers messages in the order they were sent, payload intact', async () => {
      const name = channel('order');
      const box = inbox();
      const unlisten = await client.listen(name, box.receive);
      const sent = Array.from({ length: 50 }, (_, i) => `message ${i} ✓ "quoted" 'single' \\ newline\n`);
      for (const payload of sent) await client.notify(name, payload);
      expect(await box.waitFor(sent.length)).toEqual(sent);
      await unlisten();
    });

    it('keeps two channels apart', async () => {
      const [a, b] = [channel('a'), channel('b')];
      const [boxA, boxB] = [inbox(), inbox()];
      const unlistenA = await client.listen(a, boxA.receive);
      const unlistenB = await client.listen(b, boxB.receive);
      await client.notify(a, 'a1');
      await client.notify(b, 'b1');
      await client.notify(a, 'a2');
      expect(await boxA.waitFor(2)).toEqual(['a1', 'a2']);
      expect(await boxB.waitFor(1)).toEqual(['b1']);
      await drained();
      expect(boxB.messages).toEqual(['b1']);
      await unlistenA();
      await unlistenB();
    });

    it('stops delivering to a subscriber once it unlistens, and only to that subscriber', async () => {
      const name = channel('unlisten');
      const [gone, stays] = [inbox(), inbox()];
      const unlistenGone = await client.listen(name, gone.receive);
      const unlistenStays = await client.listen(name, stays.receive);
      await client.notify(name, 'both');
      await gone.waitFor(1);
      await stays.waitFor(1);

      await unlistenGone();
      await unlistenGone(); // a second call is harmless
      await client.notify(name, 'only the other one');
      expect(await stays.waitFor(2)).toEqual(['both', 'only the other one']);
      await drained();
      expect(gone.messages).toEqual(['both']);

      // The last subscriber leaving UNLISTENs the channel; subscribing again works.
      await unlistenStays();
      await client.notify(name, 'nobody');
      const again = inbox();
      const unlistenAgain = await client.listen(name, again.receive);
      await client.notify(name, 'back');
      expect(await again.waitFor(1)).toEqual(['back']);
      await drained();
      expect(stays.messages).toEqual(['both', 'only the other one']);
      await unlistenAgain();
    });

    it('delivers a notification sent inside a transaction only after COMMIT', async () => {
      const name = channel('commit');
      const box = inbox();
      const unlisten = await client.listen(name, box.receive);
      await client.transaction(async (tx) => {
        await tx.notify(name, 'committed');
        await tx.query('SELECT 1');
        if (engine.name === 'pglite') await nextMacrotask();
        else {
          // Another connection's notification gets through while ours is still held back.
          const barrier = inbox();
          const other = channel('barrier');
          const unlistenOther = await client.listen(other, barrier.receive);
          await client.notify(other, 'outside');
          await barrier.waitFor(1);
          await unlistenOther();
        }
        expect(box.messages).toEqual([]);
      });
      expect(await box.waitFor(1)).toEqual(['committed']);
      await unlisten();
    });

    it('never delivers a notification of a transaction that rolled back', async () => {
      const name = channel('rollback');
      const box = inbox();
      const unlisten = await client.listen(name, box.receive);
      await expect(
        client.transaction(async (tx) => {
          await tx.notify(name, 'rolled back');
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await client.notify(name, 'after');
      // 'after' was committed later: had the rolled-back message been sent, it would have arrived first.
      expect(await box.waitFor(1)).toEqual(['after']);
      await drained();
      expect(box.messages).toEqual(['after']);
      await unlisten();
    });

    it('reports a payload of 8000 bytes or more as a clear error; 7999 bytes go through', async () => {
      const name = channel('limit');
      const box = inbox();
      const unlisten = await client.listen(name, box.receive);
      const largest = 'x'.repeat(7999);
      await client.notify(name, largest);
      expect((await box.waitFor(1))[0]).toBe(largest);

      for (const payload of ['x'.repeat(8000), 'é'.repeat(4000)]) {
        const err = await client.notify(name, payload).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidInputError);
        expect((err as Error).message).toMatch(/payload on channel "Tdm limit \d+" is 8000 bytes; PostgreSQL accepts at most 7999/);
      }
      await drained();
      expect(box.messages).toHaveLength(1);
      await unlisten();
    });

    it('rejects channel names PostgreSQL would truncate or reject', async () => {
      await expect(client.listen('', () => {})).rejects.toThrow(InvalidInputError);
      await expect(client.notify('c'.repeat(64), 'x')).rejects.toThrow(/64 bytes; PostgreSQL allows at most 63/);
      await expect(client.listen('a"b', () => {})).rejects.toThrow(InvalidInputError);
    });

    it('refuses to listen on a transaction scope', async () => {
      await client.transaction(async (tx) => {
        await expect(tx.listen(channel('tx'), () => {})).rejects.toThrow(QueryError);
      });
    });

    it('keeps delivering to the other subscribers when one throws', async () => {
      const name = channel('throws');
      const box = inbox();
      const logged: string[] = [];
      const own = await openSqlClient(db.url, { log: (m) => logged.push(m) });
      try {
        const unlistenBad = await own.listen(name, () => {
          throw new Error('subscriber bug');
        });
        const unlisten = await own.listen(name, box.receive);
        await own.notify(name, 'one');
        await own.notify(name, 'two');
        expect(await box.waitFor(2)).toEqual(['one', 'two']);
        if (engine.name === 'postgres') expect(logged.join('\n')).toContain('subscriber bug');
        await unlistenBad();
        await unlisten();
      } finally {
        await own.close();
      }
    });

    it('stops calling the subscribers of a closed client, while other clients of the database still hear', async () => {
      const name = channel('closing');
      const [closed, open] = [inbox(), inbox()];
      // On PGlite both clients share one instance (same data directory): closing one must not leave its callbacks behind.
      const own = await openSqlClient(db.url);
      await own.listen(name, closed.receive);
      const unlisten = await client.listen(name, open.receive);
      await client.notify(name, 'first');
      await closed.waitFor(1);
      await own.close();
      await client.notify(name, 'second');
      expect(await open.waitFor(2)).toEqual(['first', 'second']);
      await drained();
      expect(closed.messages).toEqual(['first']);
      await unlisten();
    });

    it('rejects listen once the client is closed', async () => {
      const own = await openSqlClient(db.url);
      await own.close();
      await expect(own.listen(channel('closed'), () => {})).rejects.toThrow(/closed/);
    });
  });
}

describe.skipIf(!pgUp)(`LISTEN/NOTIFY across PostgreSQL clients${pgUp ? '' : ' (SKIPPED: PostgreSQL not reachable)'}`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('notify_x');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('receives what another SqlClient (another pool, as another process would) sends', async () => {
    const [listener, sender] = [await openSqlClient(db.url), await openSqlClient(db.url)];
    try {
      const name = channel('cross');
      const box = inbox();
      await listener.listen(name, box.receive);
      await sender.notify(name, 'from afar');
      await sender.transaction((tx) => tx.notify(name, 'from afar, committed'));
      expect(await box.waitFor(2)).toEqual(['from afar', 'from afar, committed']);
    } finally {
      await sender.close();
      await listener.close(); // closing with an active subscription releases the listening connection
    }
    const { rows } = await (async () => {
      const admin = await openSqlClient(PG_ADMIN_URL, { poolSize: 1 });
      try {
        return await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE '%-listen'`, [db.name]);
      } finally {
        await admin.close();
      }
    })();
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('re-establishes a dropped listening connection and LISTENs again, logging no password', async () => {
    const url = new URL(db.url);
    // The test server trusts local connections: a password in the URL is never checked, only carried.
    if (!url.password) url.password = 'listen-s3cret';
    const logged: string[] = [];
    const client = await openSqlClient(url.toString(), { log: (m) => logged.push(m) });
    try {
      const [a, b] = [channel('reconnect a'), channel('reconnect b')];
      const [boxA, boxB] = [inbox(), inbox()];
      await client.listen(a, boxA.receive);
      await client.listen(b, boxB.receive);
      await client.notify(a, 'before');
      await boxA.waitFor(1);

      const { rows } = await client.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%-listen'`,
      );
      expect(rows).toEqual([{ killed: true }]);

      // Messages sent while the connection is down are lost (NOTIFY is not durable): keep sending until
      // the new connection hears one, on both channels.
      const deadline = Date.now() + 15_000;
      for (let i = 0; boxA.messages.length < 2 || boxB.messages.length < 1; i++) {
        if (Date.now() > deadline) throw new Error(`no delivery after the reconnect; log: ${logged.join(' | ')}`);
        await client.notify(a, `after ${i}`);
        await client.notify(b, `after ${i}`);
        await sleep(50);
      }
      expect(boxA.messages[1]).toMatch(/^after \d+$/);
      const log = logged.join('\n');
      expect(log).toMatch(/LISTEN connection to .* lost/);
      expect(log).toMatch(/re-established \(2 channel\(s\)\)/);
      expect(log).not.toContain('listen-s3cret');
    } finally {
      await client.close();
    }
  });
});
