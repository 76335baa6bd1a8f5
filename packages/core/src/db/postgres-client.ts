/**
 * `SqlClient` over node-postgres: a small pool, server-side cursors through pg-cursor and COPY
 * through pg-copy-streams. Values that JavaScript cannot hold exactly (int8, numeric) and dates
 * are returned as PostgreSQL's text so data is copied without drift.
 */
import type { Readable, Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import Cursor from 'pg-cursor';
import { InvalidConnectionStringError, QueryError } from '../errors.ts';
import { guardClient } from './connection-faults.ts';
import { CopyOutStream } from './copy-out-stream.ts';
import { type ConnectionContext, connectionError, mustDiscard, queryError } from './postgres-errors.ts';
import { Listener } from './postgres-listener.ts';
import { type CursorOptions, checkNotification, type QueryResult, type SqlClient, type SqlValue } from './sql-client.ts';
import { parseConnectionString, redactConnectionString } from './url.ts';

// A loaded server can take seconds to accept a connection; an unreachable host still fails at once (ECONNREFUSED).
const DEFAULT_CONNECT_TIMEOUT_MS = Number(process.env.TDM_CONNECT_TIMEOUT_MS) || 10_000;

export interface SqlClientOptions {
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /** How long to wait for a connection, DNS included (default 10 s, `TDM_CONNECT_TIMEOUT_MS`). */
  connectTimeoutMs?: number;
  /** `application_name` seen in `pg_stat_activity` (default `tdm`; a URL parameter wins). */
  applicationName?: string;
  /**
   * Operational warnings: the LISTEN connection dropping, failing to come back, a subscriber throwing.
   * Messages name the redacted URL only. Default `console.warn`.
   */
  log?: (message: string) => void;
  /** PGlite only: PostgreSQL's `shared_buffers` of the embedded database (default PGlite's 128MB). */
  pgliteSharedBuffers?: string;
  /** PGlite only: load the uuid-ossp and pgcrypto extensions (default true). */
  pgliteExtensions?: boolean;
}

/** The connection a transaction runs on, shared by its nested savepoint scopes. */
interface TxState {
  client: pg.PoolClient;
  finished: boolean;
}

const DEFAULT_BATCH = 1000;
/** Socket chunks (up to 64 KiB each) of COPY output buffered ahead of the reader (`copyOut`). */
const COPY_OUT_BUFFER_CHUNKS = 64;
let sequence = 0;

/** Per-client type parsers; the global `pg.types` stays untouched for other users of `pg`. */
function textTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  const asText = (value: string) => value;
  // The text[] parser keeps elements as strings (1009 is missing from the TypeId enum of the typings).
  const textArray = pg.types.getTypeParser(1009 as Parameters<typeof pg.types.getTypeParser>[0], 'text') as (value: string) => unknown;
  // date, time, timestamp, timestamptz, interval, timetz (int8 and numeric are text by default)
  for (const oid of [1082, 1083, 1114, 1184, 1186, 1266]) types.setTypeParser(oid, 'text', asText);
  // their arrays, and numeric[] which pg would turn into floats
  for (const oid of [1182, 1183, 1115, 1185, 1187, 1270, 1231]) types.setTypeParser(oid, 'text', textArray);
  return types;
}

function sslFor(sslmode: string | undefined): pg.PoolConfig['ssl'] {
  // No fallback between plain and TLS in node-postgres, so only the modes that demand TLS enable it.
  if (sslmode === 'require') return { rejectUnauthorized: false };
  if (sslmode === 'verify-ca' || sslmode === 'verify-full') return true;
  return undefined;
}

function stripSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}

/** A pooled PostgreSQL connection string as a `SqlClient`; also the scope of a transaction opened on it. */
export class PostgresSqlClient implements SqlClient {
  readonly kind = 'postgres' as const;
  readonly redactedUrl: string;
  readonly database: string;
  readonly #pool: pg.Pool;
  readonly #ctx: ConnectionContext;
  readonly #tx: TxState | null;
  /** Shared with the transaction scopes opened on this client. */
  readonly #listener: Listener;
  /** Connections checked out right now (shared with transaction scopes): what `cancelRunning` cancels. */
  readonly #held: Set<pg.PoolClient>;
  #closed = false;

  private constructor(pool: pg.Pool, ctx: ConnectionContext, tx: TxState | null, listener: Listener, held: Set<pg.PoolClient>) {
    this.#pool = pool;
    this.#ctx = ctx;
    this.#tx = tx;
    this.#listener = listener;
    this.#held = held;
    this.redactedUrl = ctx.redactedUrl;
    this.database = ctx.target.database;
  }

  /** Opens a pool and runs `SELECT 1`, so a wrong host, password or database fails here. */
  static async open(url: string, options: SqlClientOptions = {}): Promise<PostgresSqlClient> {
    const target = parseConnectionString(url);
    if (target.kind !== 'postgres') throw new InvalidConnectionStringError(`not a PostgreSQL connection string: ${redactConnectionString(url)}`);
    const { params } = target;
    const timeoutParam = Number(params.connect_timeout) * 1000;
    const applicationName = params.application_name ?? options.applicationName ?? 'tdm';
    const connection: pg.ClientConfig = {
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      password: target.password,
      connectionTimeoutMillis: options.connectTimeoutMs ?? (timeoutParam > 0 ? timeoutParam : DEFAULT_CONNECT_TIMEOUT_MS),
      application_name: applicationName,
      ssl: sslFor(params.sslmode),
      ...(params.options ? { options: params.options } : {}),
      types: textTypes(),
    };
    const pool = new pg.Pool({
      ...connection,
      max: options.poolSize ?? 4,
      // A forgotten client must not keep a CLI process alive.
      allowExitOnIdle: true,
    });
    // Idle connections die when the server restarts or a database is dropped WITH (FORCE); without a
    // listener that 'error' event would crash the process. The next checkout simply reconnects.
    pool.on('error', () => {});
    // A new connection is handed out from inside the parser loop of its startup reply: an error in the
    // same network packet would be emitted before the borrower can listen. This listener lives as
    // long as the connection; the borrower's guard (connection-faults.ts) decides whether to discard it.
    pool.on('connect', (client) => client.on('error', () => {}));
    const ctx: ConnectionContext = { redactedUrl: redactConnectionString(url), target };
    const listener = new Listener({
      // Keepalive: an idle listener is the connection most likely to sit on a silently dead socket.
      client: { ...connection, application_name: `${applicationName}-listen`, keepAlive: true },
      ctx,
      log: options.log ?? ((message) => console.warn(message)),
    });
    const client = new PostgresSqlClient(pool, ctx, null, listener, new Set());
    try {
      await client.query('SELECT 1');
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return client;
  }

  async #acquire(): Promise<{ client: pg.PoolClient; readonly faulted: boolean; release(destroy?: boolean): void }> {
    if (this.#tx) {
      if (this.#tx.finished) throw new QueryError('the transaction is already finished; use the client it was opened on', undefined);
      return { client: this.#tx.client, faulted: false, release: () => {} };
    }
    if (this.#closed) throw new QueryError(`the client for ${this.redactedUrl} is closed`, undefined);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw connectionError(err, this.#ctx);
    }
    // Held clients get an 'error' listener of their own: see connection-faults.ts.
    const guard = guardClient(client);
    const held = this.#held;
    held.add(client);
    let released = false;
    return {
      client,
      get faulted() {
        return guard.faulted;
      },
      release(destroy) {
        if (released) return;
        released = true;
        held.delete(client);
        guard.dispose();
        client.release(destroy || guard.faulted);
      },
    };
  }

  async query<R = Record<string, unknown>>(sql: string, params: SqlValue[] = []): Promise<QueryResult<R>> {
    const conn = await this.#acquire();
    let broken = false;
    try {
      // Extended protocol even without parameters: one statement, as on PGlite.
      const r = await conn.client.query({ text: sql, values: params, queryMode: 'extended' } as pg.QueryConfig);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length, fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) };
    } catch (err) {
      broken = mustDiscard(err);
      throw queryError(err, this.#ctx);
    } finally {
      conn.release(broken);
    }
  }

  async exec(sql: string): Promise<void> {
    const conn = await this.#acquire();
    let broken = false;
    try {
      await conn.client.query(sql);
    } catch (err) {
      broken = mustDiscard(err);
      throw queryError(err, this.#ctx);
    } finally {
      conn.release(broken);
    }
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.#tx) return this.#savepoint(fn);
    const conn = await this.#acquire();
    const state: TxState = { client: conn.client, finished: false };
    const tx = new PostgresSqlClient(this.#pool, this.#ctx, state, this.#listener, this.#held);
    let broken = false;
    try {
      await tx.exec('BEGIN');
      const result = await fn(tx);
      await tx.exec('COMMIT');
      return result;
    } catch (err) {
      // A connection that cannot even roll back is not given back to the pool.
      await conn.client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      state.finished = true;
      conn.release(broken);
    }
  }

  async #savepoint<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const name = `tdm_sp_${++sequence}`;
    await this.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      await this.exec(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.exec(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {});
      throw err;
    }
  }

  cursor<R = Record<string, unknown>>(sql: string, params: SqlValue[] = [], options: CursorOptions = {}): AsyncIterable<R[]> {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
    return this.#tx ? this.#declaredCursor<R>(sql, params, batchSize) : this.#portalCursor<R>(sql, params, batchSize);
  }

  /** A pg-cursor portal on a connection of its own, so the caller can keep querying while iterating. */
  async *#portalCursor<R>(sql: string, params: SqlValue[], batchSize: number): AsyncGenerator<R[]> {
    const conn = await this.#acquire();
    const cursor = conn.client.query(new Cursor<R>(sql, params));
    let broken = false;
    try {
      for (;;) {
        let rows: R[];
        try {
          rows = await cursor.read(batchSize);
        } catch (err) {
          broken = mustDiscard(err);
          throw queryError(err, this.#ctx);
        }
        if (rows.length) yield rows;
        if (rows.length < batchSize) return;
      }
    } finally {
      // Closing a portal on a dead connection waits for an answer that never comes.
      if (!broken && !conn.faulted) {
        await cursor.close().catch(() => {
          broken = true;
        });
      }
      conn.release(broken || conn.faulted);
    }
  }

  /**
   * Inside a transaction: a SQL cursor (DECLARE/FETCH). A pg-cursor portal would occupy the shared
   * connection until it is exhausted, so a query issued while iterating would wait forever.
   */
  async *#declaredCursor<R>(sql: string, params: SqlValue[], batchSize: number): AsyncGenerator<R[]> {
    const name = `tdm_cursor_${++sequence}`;
    await this.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${stripSemicolon(sql)}`, params);
    try {
      for (;;) {
        const { rows } = await this.query<R>(`FETCH ${batchSize} FROM ${name}`);
        if (rows.length) yield rows;
        if (rows.length < batchSize) return;
      }
    } finally {
      if (!this.#tx?.finished) await this.exec(`CLOSE ${name}`).catch(() => {});
    }
  }

  async copyOut(sql: string): Promise<Readable> {
    const conn = await this.#acquire();
    // A few MiB of room (socket chunks of up to 64 KiB): the server keeps sending while the reader
    // encodes what it has (a row group). Errors reach the reader as TdmErrors.
    const out = conn.client.query(new CopyOutStream(sql, COPY_OUT_BUFFER_CHUNKS, (err) => queryError(err, this.#ctx)));
    let settled = false;
    const release = (destroy: boolean) => {
      if (settled) return;
      settled = true;
      conn.release(destroy);
    };
    // A reader that has already stopped (its own error, a cancelled job) must not turn a server-side
    // kill of this COPY into an uncaught 'error' that ends the process: readers still get the error.
    out.on('error', () => {});
    out.on('end', () => release(false));
    // The connection goes back once the stream settles; a reader that gave up mid-stream leaves it inside COPY: not reused.
    out.on('close', () => release(out.failure ? mustDiscard(out.failure) : true));
    return out;
  }

  async copyIn(sql: string): Promise<{ stream: Writable; done: Promise<number> }> {
    const conn = await this.#acquire();
    const stream = conn.client.query(copyFrom(sql));
    const done = new Promise<number>((resolve, reject) => {
      stream.on('finish', () => {
        conn.release();
        resolve(stream.rowCount);
      });
      stream.on('error', (err) => {
        conn.release(mustDiscard(err));
        reject(queryError(err, this.#ctx));
      });
      stream.on('close', () => {
        if (stream.writableFinished) return;
        conn.release(true);
        reject(new QueryError('COPY FROM STDIN was aborted before the end of its data', undefined));
      });
    });
    // Callers that only watch the stream must not get an unhandled rejection.
    done.catch(() => {});
    return { stream, done };
  }

  /**
   * Subscribes on the client's one listening connection (see `Listener`), not on a pooled one. While
   * any channel is subscribed that connection keeps the process alive, until `close()`.
   */
  async listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
    checkNotification(channel);
    if (this.#tx) throw new QueryError('listen() is not available inside a transaction; call it on the client the transaction was opened on', undefined);
    if (this.#closed) throw new QueryError(`the client for ${this.redactedUrl} is closed`, undefined);
    return this.#listener.listen(channel, onMessage);
  }

  async notify(channel: string, payload: string): Promise<void> {
    checkNotification(channel, payload);
    await this.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async cancelRunning(): Promise<void> {
    const pids = [...this.#held].map((c) => (c as unknown as { processID?: number }).processID).filter((p): p is number => typeof p === 'number');
    if (pids.length === 0) return;
    // A connection of its own: the pool may be exhausted by the very statements being cancelled.
    const options = (this.#pool as unknown as { options: pg.ClientConfig }).options;
    const client = new pg.Client({ ...options, application_name: 'tdm-cancel' });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    } catch (err) {
      throw connectionError(err, this.#ctx);
    } finally {
      await client.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    // A transaction scope does not own its connection; the transaction releases it.
    if (this.#tx || this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#listener.close(), this.#pool.end()]);
  }
}
