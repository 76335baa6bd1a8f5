/**
 * Several connections reading one snapshot, as `pg_dump -j` does: the transaction a caller holds
 * (REPEATABLE READ) exports its snapshot with `pg_export_snapshot()`, helper transactions on other
 * connections of the same client import it with `SET TRANSACTION SNAPSHOT`, so every scope sees
 * exactly the same rows — nothing committed after the snapshot, whichever connection reads it.
 * Work is then handed to whichever scope is free.
 *
 * PGlite is one connection, and a server that refuses to export (or has no connection to spare)
 * leaves the caller's transaction alone: the work then runs on it, one piece after another.
 */
import { quoteLiteral } from './quote.ts';
import type { SqlClient } from './sql-client.ts';

/** Scopes sharing one snapshot; `run` hands a task the next free one. */
export interface SnapshotScopes {
  /** How many scopes are meant to read at once (1: the caller's transaction alone); helpers still connecting count. */
  readonly size: number;
  /** Runs `task` on the next free scope; tasks waiting for a scope start in the order they were given. */
  run<T>(task: (scope: SqlClient) => Promise<T>): Promise<T>;
}

export interface SharedSnapshotOptions {
  /** Scopes wanted, the caller's transaction included (at most 4: the size of a client's pool). */
  connections: number;
  /** Run in every helper transaction once it has the snapshot (search_path, statement_timeout …). */
  setup?: (scope: SqlClient) => Promise<void>;
}

/** The most scopes a client's pool (4 connections) can hold at once. */
const MAX_CONNECTIONS = 4;

/** How many connections a copy reads with: `TDM_COPY_CONNECTIONS` (1–4), default 3. */
export function copyConnections(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.TDM_COPY_CONNECTIONS);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_CONNECTIONS) : 3;
}

interface Helper {
  scope: SqlClient;
  /** Ends the helper's transaction; resolves once its connection is back in the pool. */
  release(): Promise<void>;
}

/**
 * Runs `fn` with scopes that share `tx`'s snapshot. `tx` must be a REPEATABLE READ (or SERIALIZABLE)
 * transaction opened on `client`, before it changes anything the helpers should see. The helpers'
 * transactions end before this returns, whether `fn` succeeds or throws.
 */
export async function withSharedSnapshot<T>(
  client: SqlClient,
  tx: SqlClient,
  options: SharedSnapshotOptions,
  fn: (scopes: SnapshotScopes) => Promise<T>,
): Promise<T> {
  const wanted = Math.min(Math.max(1, Math.floor(options.connections)), MAX_CONNECTIONS);
  const pool = scopePool([tx]);
  if (wanted < 2 || client.kind !== 'postgres') return fn(pool.scopes);
  const snapshot = await exportSnapshot(tx);
  if (!snapshot) return fn(pool.scopes);
  // The work starts on tx at once; each helper joins as soon as it holds the snapshot.
  pool.expect(wanted);
  // A helper that cannot connect (no connection left on the server) is simply not there.
  const helpers = Array.from({ length: wanted - 1 }, () =>
    openHelper(client, snapshot, options.setup).then(
      (h) => {
        pool.add(h.scope);
        return h;
      },
      () => null,
    ),
  );
  try {
    return await fn(pool.scopes);
  } finally {
    pool.close();
    await Promise.all((await Promise.all(helpers)).map((h) => h?.release()));
  }
}

/** One scope used one task at a time: the same interface over a transaction that cannot share its snapshot. */
export function singleScope(scope: SqlClient): SnapshotScopes {
  return scopePool([scope]).scopes;
}

/**
 * The snapshot of `tx`; null where the server has no `pg_export_snapshot()` (a PostgreSQL-compatible
 * server). PostgreSQL exports from the top-level transaction only, so there is no savepoint to fall
 * back from: the function is looked up first, and an export that still fails fails the read.
 */
async function exportSnapshot(tx: SqlClient): Promise<string | null> {
  const { rows } = await tx.query<{ ok: boolean }>(`select to_regprocedure('pg_catalog.pg_export_snapshot()') is not null as ok`);
  if (!rows[0]?.ok) return null;
  return (await tx.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]?.id ?? null;
}

/** A transaction on a connection of its own, holding `snapshot` until released. */
function openHelper(client: SqlClient, snapshot: string, setup: SharedSnapshotOptions['setup']): Promise<Helper> {
  return new Promise<Helper>((resolve, reject) => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let ready = false;
    const done = client
      .transaction(async (scope) => {
        await scope.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        await scope.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`);
        await setup?.(scope);
        ready = true;
        resolve({
          scope,
          release: () => {
            release();
            return done.then(
              () => undefined,
              () => undefined,
            );
          },
        });
        await released;
      })
      .catch((err: unknown) => {
        if (!ready) reject(err);
      });
  });
}

/** Hands tasks to free scopes, first come first served; `add` brings in a scope that became ready, `close` stops that. */
function scopePool(initial: SqlClient[]): { scopes: SnapshotScopes; expect(n: number): void; add(scope: SqlClient): void; close(): void } {
  const free = [...initial];
  const waiting: ((scope: SqlClient) => void)[] = [];
  let size = initial.length;
  let closed = false;
  const acquire = () => new Promise<SqlClient>((resolve) => (free.length ? resolve(free.shift() as SqlClient) : waiting.push(resolve)));
  const giveBack = (scope: SqlClient) => {
    const next = waiting.shift();
    if (next) next(scope);
    else free.push(scope);
  };
  return {
    scopes: {
      get size() {
        return size;
      },
      async run(task) {
        const scope = await acquire();
        try {
          return await task(scope);
        } finally {
          giveBack(scope);
        }
      },
    },
    expect(n) {
      size = n;
    },
    add(scope) {
      if (!closed) giveBack(scope);
    },
    close() {
      closed = true;
    },
  };
}

/**
 * Runs `task` for every item on the scopes, items started in the given order. The first failure
 * aborts the signal the other tasks were given and is thrown once every task has settled, so no
 * scope is still reading when the caller's transaction ends. Results come back in `items` order.
 */
export async function runAll<I, R>(
  scopes: SnapshotScopes,
  items: I[],
  task: (scope: SqlClient, item: I, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  let failure: { error: unknown } | null = null;
  try {
    const settled = await Promise.allSettled(
      items.map((item) =>
        scopes.run(async (scope) => {
          controller.signal.throwIfAborted();
          try {
            return await task(scope, item, controller.signal);
          } catch (error) {
            failure ??= { error };
            controller.abort(error);
            throw error;
          }
        }),
      ),
    );
    const firstRejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure || firstRejected) throw failure ? (failure as { error: unknown }).error : firstRejected?.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
