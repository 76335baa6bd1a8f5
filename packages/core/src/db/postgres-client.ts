/**
 * `SqlClient` over node-postgres: a small pool, server-side cursors through pg-cursor and COPY
 * through pg-copy-streams. Values that JavaScript cannot hold exactly (int8, numeric) and dates
 * are returned as PostgreSQL's text so data is copied without drift.
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import Cursor from 'pg-cursor';
import { ConnectionError, InvalidConnectionStringError, QueryError, TdmError } from '../errors.ts';
import { guardClient, isConnectionLost } from './connection-faults.ts';
import { quoteIdent } from './quote.ts';
import { type CursorOptions, checkNotification, type QueryResult, type SqlClient, type SqlValue } from './sql-client.ts';
import { type ConnectionTarget, parseConnectionString, redactConnectionString, redactSecrets } from './url.ts';

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
}

type PostgresTarget = Extract<ConnectionTarget, { kind: 'postgres' }>;

/** What error messages may say about the connection: the redacted URL and the parsed target. */
export interface ConnectionContext {
  redactedUrl: string;
  target: PostgresTarget;
}

/** The connection a transaction runs on, shared by its nested savepoint scopes. */
interface TxState {
  client: pg.PoolClient;
  finished: boolean;
}

const DEFAULT_BATCH = 1000;
/** Backoff between attempts to re-establish a dropped LISTEN connection. */
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 10_000;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
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

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: { code?: unknown }[] };
  // Node reports a host with several addresses (localhost → ::1, 127.0.0.1) as an AggregateError.
  const code = e?.code ?? e?.errors?.find((x) => x?.code)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(messageOf).join('; ');
  return err instanceof Error ? err.message : String(err);
}

/** Redacts the password out of an error we keep as `cause`, so loggers that print causes cannot leak it. */
function scrubbed(err: unknown, secrets: (string | undefined)[]): unknown {
  if (err instanceof Error) {
    err.message = redactSecrets(err.message, secrets);
    if (err.stack) err.stack = redactSecrets(err.stack, secrets);
  }
  return err;
}

type ConnectionFailure = ConstructorParameters<typeof ConnectionError>[0];

function classify(code: string | undefined, detail: string, target: PostgresTarget): [ConnectionFailure, string] {
  const { host, port, database, user } = target;
  if (code && UNREACHABLE.has(code)) return ['HOST_UNREACHABLE', `host ${host}:${port} is unreachable (${code})`];
  // pg's own connect timeout has no code, only a message.
  if (!code && /timeout/i.test(detail)) return ['HOST_UNREACHABLE', `host ${host}:${port} did not answer in time`];
  if (code === '28P01' || code === '28000') return ['AUTHENTICATION_FAILED', `authentication failed for user "${user}": ${detail}`];
  if (code === '3D000') return ['DATABASE_NOT_FOUND', `database "${database}" does not exist`];
  if (code === '42501') return ['PERMISSION_DENIED', detail];
  return ['CONNECTION_FAILED', detail];
}

/** Maps a failure to connect (network, authentication, missing database, privilege) to a `ConnectionError`. */
export function connectionError(err: unknown, ctx: ConnectionContext): TdmError {
  if (err instanceof TdmError) return err;
  const { host, port, database, user, password } = ctx.target;
  const code = errorCode(err);
  const [kind, reason] = classify(code, messageOf(err), ctx.target);
  const message = redactSecrets(`cannot connect to ${ctx.redactedUrl}: ${reason}`, [password]);
  return new ConnectionError(kind, message, {
    cause: scrubbed(err, [password]),
    details: { url: ctx.redactedUrl, host, port, database, user, ...(code ? { errorCode: code } : {}) },
  });
}

function queryError(err: unknown, ctx: ConnectionContext): TdmError {
  if (err instanceof TdmError) return err;
  if (isConnectionLost(err)) {
    // CONNECTION_FAILED like a failure to connect: a step's retry policy treats both as transient.
    const message = redactSecrets(`the connection to ${ctx.redactedUrl} was lost while in use: ${messageOf(err)}`, [ctx.target.password]);
    return new ConnectionError('CONNECTION_FAILED', message, {
      cause: scrubbed(err, [ctx.target.password]),
      details: { url: ctx.redactedUrl, lost: true, ...(errorCode(err) ? { errorCode: errorCode(err) } : {}) },
    });
  }
  const sqlState = errorCode(err);
  const state = sqlState && /^[0-9A-Z]{5}$/.test(sqlState) ? sqlState : undefined;
  const text = `${messageOf(err)}${state ? ` (SQLSTATE ${state})` : ''}`;
  return new QueryError(redactSecrets(text, [ctx.target.password]), state, { cause: scrubbed(err, [ctx.target.password]) });
}

/** A connection whose statement failed may be reused; one that failed any other way, or lost its session, may not. */
function mustDiscard(err: unknown): boolean {
  return !(err instanceof pg.DatabaseError) || isConnectionLost(err);
}

function stripSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}

interface ListenerConfig {
  client: pg.ClientConfig;
  ctx: ConnectionContext;
  log: (message: string) => void;
}

type Handler = (payload: string) => void;

/**
 * The one connection that LISTENs for every channel of a `PostgresSqlClient`. A pooled connection
 * cannot listen: its LISTENs would go back to the pool with it. Opened by the first `listen`; when it
 * drops, it is re-opened with backoff and every channel is LISTENed again; `close()` ends it.
 */
class Listener {
  readonly #config: ListenerConfig;
  /** Subscribers by channel name, exactly as PostgreSQL reports it in a notification. */
  readonly #channels = new Map<string, Set<Handler>>();
  #client: pg.Client | null = null;
  #connecting: Promise<pg.Client> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #failures = 0;
  #closed = false;

  constructor(config: ListenerConfig) {
    this.#config = config;
  }

  async listen(channel: string, onMessage: Handler): Promise<() => Promise<void>> {
    if (this.#closed) throw new QueryError(`the client for ${this.#config.ctx.redactedUrl} is closed`, undefined);
    // A wrapper of our own, so one function subscribed twice is two independent subscriptions.
    const handler: Handler = (payload) => onMessage(payload);
    let handlers = this.#channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#channels.set(channel, handlers);
    }
    handlers.add(handler);
    try {
      const client = await this.#connect();
      // Issued by every subscriber, not only the first: LISTEN is idempotent, and the promise then
      // resolves only once the server has registered it, even when another subscriber raced us.
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (err) {
      await this.#remove(channel, handler);
      throw err instanceof pg.DatabaseError ? queryError(err, this.#config.ctx) : connectionError(err, this.#config.ctx);
    }
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      await this.#remove(channel, handler);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    this.#channels.clear();
    const client = this.#client;
    this.#client = null;
    await Promise.all([client?.end().catch(() => {}), this.#connecting?.then((c) => c.end()).catch(() => {})]);
  }

  async #remove(channel: string, handler: Handler): Promise<void> {
    const handlers = this.#channels.get(channel);
    if (!handlers?.delete(handler) || handlers.size > 0) return;
    this.#channels.delete(channel);
    // Sent synchronously, before any await, so a LISTEN for the same channel issued right after queues
    // behind it on the connection. A connection that is gone has forgotten the channel anyway.
    await this.#client?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
  }

  #connect(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client(this.#config.client);
    client.on('notification', (msg) => this.#dispatch(msg.channel, msg.payload ?? ''));
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, undefined));
    try {
      await client.connect();
      for (const channel of [...this.#channels.keys()]) {
        if (this.#channels.has(channel)) await client.query(`LISTEN ${quoteIdent(channel)}`);
      }
      if (this.#closed) throw new QueryError(`the client for ${this.#config.ctx.redactedUrl} is closed`, undefined);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.#client = client;
    return client;
  }

  #dispatch(channel: string, payload: string): void {
    const handlers = this.#channels.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(payload);
      } catch (err) {
        // One failing subscriber must not starve the others or kill the connection's event handler.
        this.#config.log(`a subscriber of channel "${channel}" threw: ${messageOf(err)}`);
      }
    }
  }

  #lost(client: pg.Client, err: Error | undefined): void {
    if (client !== this.#client) return; // an old connection, or one still opening (its caller handles it)
    this.#client = null;
    client.removeAllListeners('notification');
    client.end().catch(() => {});
    // Nobody listens: the next listen() opens a connection again.
    if (this.#closed || this.#channels.size === 0) return;
    const { ctx } = this.#config;
    const reason = err ? `: ${redactSecrets(messageOf(err), [ctx.target.password])}` : '';
    this.#config.log(`LISTEN connection to ${ctx.redactedUrl} lost${reason}; reconnecting (notifications sent meanwhile are lost)`);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#retry || this.#closed) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#failures);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#closed || this.#client || this.#channels.size === 0) return;
      this.#connect().then(
        () => {
          this.#failures = 0;
          this.#config.log(`LISTEN connection to ${this.#config.ctx.redactedUrl} re-established (${this.#channels.size} channel(s))`);
        },
        (error: unknown) => {
          this.#failures++;
          this.#config.log(`LISTEN connection: ${connectionError(error, this.#config.ctx).message}; retrying`);
          this.#scheduleReconnect();
        },
      );
    }, delay);
  }
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
    const source = conn.client.query(copyTo(sql));
    // Errors reach the reader as TdmErrors through a PassThrough; the connection goes back once the stream settles.
    const out = new PassThrough();
    let ended = false;
    source.on('end', () => {
      ended = true;
      conn.release();
    });
    source.on('error', (err) => {
      conn.release(mustDiscard(err));
      out.destroy(queryError(err, this.#ctx));
    });
    // A reader that gives up mid-stream leaves the connection inside COPY: do not reuse it.
    out.on('close', () => {
      if (!ended) conn.release(true);
    });
    source.pipe(out);
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
