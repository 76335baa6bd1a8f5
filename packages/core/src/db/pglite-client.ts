/**
 * `SqlClient` over PGlite, the embedded WASM PostgreSQL. PGlite is a single connection, and a data
 * directory may be opened by only one instance per process: instances are shared through a
 * reference-counted registry, and transactions are serialised by PGlite's own `transaction()`.
 */
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { type Extensions, PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import { ConnectionError, InvalidConnectionStringError, InvalidInputError, QueryError, TdmError } from '../errors.ts';
import { quoteIdent } from './quote.ts';
import { type CursorOptions, checkNotification, type QueryResult, type SqlClient, type SqlValue } from './sql-client.ts';
import { parseConnectionString } from './url.ts';

const DEFAULT_BATCH = 1000;
/** Text-format COPY input is handed to PGlite in pieces of about this size, cut at a row boundary. */
const COPY_FLUSH_BYTES = 8 * 1024 * 1024;

const asText = (value: string) => value;
/**
 * Same values as the node-postgres client: int8, numeric and date/time types stay PostgreSQL text.
 * PGlite derives array parsers from these element parsers, so `int8[]` etc. follow.
 */
const PARSERS = Object.fromEntries([20, 1700, 1082, 1083, 1114, 1184, 1186, 1266].map((oid) => [oid, asText]));

interface Shared {
  instance: Promise<PGlite>;
  refs: number;
}
/** Open data directories of this process, by absolute path. */
const registry = new Map<string, Shared>();
let sequence = 0;

/** How an embedded database is opened. */
export interface PgliteOptions {
  /**
   * PostgreSQL's `shared_buffers` (PGlite's default is 128MB, nearly all of it touched by the time the
   * database is open). Ignored when the directory is already open in this process.
   */
  sharedBuffers?: string;
  /**
   * Load the `uuid-ossp` and `pgcrypto` extensions (default true), which a source's or a target's
   * schema may use (`uuid_generate_v4()`, `gen_salt()` …). PGlite unpacks and compiles a loaded
   * extension's module at open whether or not `CREATE EXTENSION` ever runs: ≈ 30 MB of an idle
   * process for the metadata store, which needs neither. Ignored when the directory is already open.
   */
  extensions?: boolean;
}

function createInstance(dataDir: string | undefined, options: PgliteOptions): Promise<PGlite> {
  const postgresqlconf = options.sharedBuffers ? [`shared_buffers=${options.sharedBuffers}`] : undefined;
  const extensions: Extensions = options.extensions === false ? {} : { uuid_ossp, pgcrypto };
  return PGlite.create(dataDir, { extensions, parsers: PARSERS, postgresqlconf });
}

function queryError(err: unknown): TdmError {
  if (err instanceof TdmError) return err;
  const state = (err as { code?: unknown })?.code;
  const sqlState = typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state) ? state : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return new QueryError(`${message}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`, sqlState, { cause: err });
}

/** Errors raised by PostgreSQL itself carry a SQLSTATE; anything else thrown by a callback is the caller's. */
function isDatabaseError(err: unknown): boolean {
  return typeof (err as { severity?: unknown })?.severity === 'string';
}

function stripSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}

/** Points the last `TO STDOUT` / `FROM STDIN` of a COPY statement at PGlite's `/dev/blob` device. */
function toBlobDevice(sql: string, keyword: 'TO' | 'FROM', std: 'STDOUT' | 'STDIN'): string {
  const last = [...sql.matchAll(new RegExp(`\\b${keyword}\\s+${std}\\b`, 'gi'))].at(-1);
  if (last?.index === undefined) throw new InvalidInputError(`expected a COPY … ${keyword} ${std} statement`, { sql });
  return `${sql.slice(0, last.index)}${keyword} '/dev/blob'${sql.slice(last.index + last[0].length)}`;
}

/** Holds a PGlite transaction open across awaits made outside its callback (a stream's writes). */
function holdTransaction(db: PGlite): Promise<{ tx: Transaction; end(error?: unknown): Promise<void> }> {
  return new Promise((resolveHeld, rejectHeld) => {
    const outcome = db.transaction(
      (tx) =>
        new Promise<void>((finish, fail) => {
          resolveHeld({
            tx,
            async end(error) {
              if (error === undefined) finish();
              else fail(error);
              // On success, a failing COMMIT is the error to report; on failure the caller has its own.
              await outcome.catch((commitError: unknown) => {
                if (error === undefined) throw commitError;
              });
            },
          });
        }),
    );
    outcome.catch(rejectHeld);
  });
}

/** A PGlite database as a `SqlClient`; `pglite` is the underlying instance (e.g. for a Prisma adapter). */
export class PgliteSqlClient implements SqlClient {
  readonly kind = 'pglite' as const;
  readonly database = 'postgres';
  readonly redactedUrl: string;
  readonly pglite: PGlite;
  /** Set on the scope of a transaction: statements go through it instead of the instance. */
  readonly #tx: Transaction | null;
  #release: (() => Promise<void>) | null;
  /** Unsubscribe functions of this client's listeners: the instance may outlive the client (shared directory). */
  readonly #subscriptions = new Set<() => Promise<void>>();

  private constructor(pglite: PGlite, url: string, tx: Transaction | null, release: (() => Promise<void>) | null) {
    this.pglite = pglite;
    this.redactedUrl = url;
    this.#tx = tx;
    this.#release = release;
  }

  /**
   * Opens `pglite://<dir>` (created when missing; shared with other clients of this process on the
   * same directory) or `pglite:memory` (a fresh private database).
   */
  static async open(url: string, options: PgliteOptions = {}): Promise<PgliteSqlClient> {
    const target = parseConnectionString(url);
    if (target.kind !== 'pglite') throw new InvalidConnectionStringError(`not a PGlite connection string: ${url}`);
    try {
      if (target.dataDir === null) {
        const pglite = await createInstance(undefined, options);
        return new PgliteSqlClient(pglite, url, null, () => pglite.close());
      }
      const key = resolve(target.dataDir);
      let shared = registry.get(key);
      if (!shared) {
        shared = { instance: createInstance(key, options), refs: 0 };
        registry.set(key, shared);
        // A failed open must not poison the registry for the next attempt.
        shared.instance.catch(() => registry.get(key) === shared && registry.delete(key));
      }
      shared.refs++;
      const entry = shared;
      let pglite: PGlite;
      try {
        pglite = await entry.instance;
      } catch (err) {
        entry.refs--;
        throw err;
      }
      return new PgliteSqlClient(pglite, url, null, async () => {
        if (--entry.refs > 0) return;
        registry.delete(key);
        await pglite.close();
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConnectionError('CONNECTION_FAILED', `cannot open ${url}: ${reason}`, { cause: err, details: { url } });
    }
  }

  get #db(): PGlite | Transaction {
    if (!this.#tx && !this.#release) throw new QueryError(`the client for ${this.redactedUrl} is closed`, undefined);
    return this.#tx ?? this.pglite;
  }

  async #run<R>(sql: string, params: SqlValue[] = [], options?: QueryOptions): Promise<Results<R>> {
    const db = this.#db;
    try {
      return await db.query<R>(sql, params, options);
    } catch (err) {
      throw queryError(err);
    }
  }

  async query<R = Record<string, unknown>>(sql: string, params: SqlValue[] = []): Promise<QueryResult<R>> {
    const r = await this.#run<R>(sql, params);
    return { rows: r.rows, rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length, fields: r.fields };
  }

  async exec(sql: string): Promise<void> {
    const db = this.#db;
    try {
      await db.exec(sql);
    } catch (err) {
      throw queryError(err);
    }
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.#tx) return this.#savepoint(fn);
    const db = this.#db as PGlite; // outside a transaction: the instance itself
    try {
      // PGlite's transaction() holds its lock: other callers of this instance wait for the commit.
      // Calling the outer client (not `tx`) inside `fn` would therefore wait forever.
      return await db.transaction((tx) => fn(new PgliteSqlClient(this.pglite, this.redactedUrl, tx, null)));
    } catch (err) {
      throw isDatabaseError(err) ? queryError(err) : err;
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

  /**
   * A SQL cursor fetched `batchSize` rows at a time. Outside a transaction it is declared WITH HOLD:
   * PostgreSQL materialises the result server-side (spilling to temporary files), and the instance stays
   * free for the caller's own queries between batches; holding a transaction open for the whole
   * iteration would block them forever on this single connection.
   */
  async *cursor<R = Record<string, unknown>>(sql: string, params: SqlValue[] = [], options: CursorOptions = {}): AsyncIterable<R[]> {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
    const name = `tdm_cursor_${++sequence}`;
    await this.query(`DECLARE ${name} NO SCROLL CURSOR ${this.#tx ? '' : 'WITH HOLD '}FOR ${stripSemicolon(sql)}`, params);
    try {
      for (;;) {
        const { rows } = await this.query<R>(`FETCH ${batchSize} FROM ${name}`);
        if (rows.length) yield rows;
        if (rows.length < batchSize) return;
      }
    } finally {
      if (!this.#tx?.closed) await this.exec(`CLOSE ${name}`).catch(() => {});
    }
  }

  /** `COPY … TO STDOUT`, run as `COPY … TO '/dev/blob'`: PGlite returns the whole output as one blob. */
  async copyOut(sql: string): Promise<Readable> {
    const result = await this.#run(toBlobDevice(sql, 'TO', 'STDOUT'));
    const blob = result.blob ?? new Blob([]);
    // The blob is already in memory: hand it out as one chunk (no web-stream typing across lib sets).
    return Readable.from([Buffer.from(await blob.arrayBuffer())]);
  }

  /**
   * `COPY … FROM STDIN`, run as `COPY … FROM '/dev/blob'`. Text-format input is flushed at row
   * boundaries every ~8 MB; when that takes several COPY statements they share one transaction so
   * a failure loads nothing, as a single COPY would. CSV and binary input is accumulated.
   */
  async copyIn(sql: string): Promise<{ stream: Writable; done: Promise<number> }> {
    const statement = toBlobDevice(sql, 'FROM', 'STDIN');
    // Only text format can be cut at newlines: a CSV value may span lines and a header is read once.
    const splittable = !/\b(csv|binary)\b/i.test(sql.slice(sql.search(/\bFROM\s+STDIN\b/i)));
    const db = this.#db;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let rows = 0;
    let loads = 0;
    let held: Awaited<ReturnType<typeof holdTransaction>> | null = null;

    const load = async (data: Buffer, last: boolean): Promise<void> => {
      if (!data.length && loads > 0) return;
      if (!last && !this.#tx && !held) held = await holdTransaction(this.pglite);
      loads++;
      try {
        const r = await (held?.tx ?? db).query(statement, [], {
          blob: new Blob([new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength)]),
        });
        rows += r.affectedRows ?? 0;
      } catch (err) {
        throw queryError(err);
      }
    };

    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (!splittable || pendingBytes < COPY_FLUSH_BYTES) return callback();
        const all = Buffer.concat(pending);
        const cut = all.lastIndexOf(0x0a) + 1;
        pending = [all.subarray(cut)];
        pendingBytes = all.length - cut;
        if (cut === 0) return callback(); // one huge row so far: keep reading until it ends
        load(all.subarray(0, cut), false).then(() => callback(), callback);
      },
      final(callback) {
        load(Buffer.concat(pending), true)
          .then(() => held?.end())
          .then(
            () => callback(),
            (err: unknown) => callback(queryError(err)),
          );
      },
      destroy(error, callback) {
        // Roll back the pieces already loaded when the writer fails or gives up.
        const reason = error ?? new QueryError('COPY FROM STDIN was aborted before the end of its data', undefined);
        if (!held || stream.writableFinished) return callback(error);
        held.end(reason).then(
          () => callback(error),
          () => callback(error),
        );
      },
    });
    const done = new Promise<number>((resolveRows, reject) => {
      stream.on('finish', () => resolveRows(rows));
      stream.on('error', (err) => reject(queryError(err)));
      stream.on('close', () => {
        if (!stream.writableFinished) reject(new QueryError('COPY FROM STDIN was aborted before the end of its data', undefined));
      });
    });
    // Callers that only watch the stream must not get an unhandled rejection.
    done.catch(() => {});
    return { stream, done };
  }

  /**
   * PGlite's own `listen`, which keeps one callback set per channel on the instance, so clients sharing
   * a data directory share it too. The name is passed quoted: PGlite interpolates it into LISTEN as is.
   */
  async listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
    checkNotification(channel);
    // Outside the transaction's scope the instance waits for the transaction's lock: it would never LISTEN.
    if (this.#tx) throw new QueryError('listen() is not available inside a transaction; call it on the client the transaction was opened on', undefined);
    const db = this.#db as PGlite;
    // A wrapper of our own, so one function subscribed twice is two independent subscriptions. PGlite
    // calls it from a microtask, where a throw would be an uncaught exception.
    const handler = (payload: string) => {
      try {
        onMessage(payload);
      } catch (err) {
        console.warn(`a subscriber of channel "${channel}" threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    try {
      await db.listen(quoteIdent(channel), handler);
    } catch (err) {
      throw queryError(err);
    }
    let subscribed = true;
    const unlisten = async () => {
      if (!subscribed) return;
      subscribed = false;
      this.#subscriptions.delete(unlisten);
      // Not the function PGlite returned: it UNLISTENs the unquoted name, which breaks on mixed case or spaces.
      if (db.closed) return;
      try {
        await db.unlisten(quoteIdent(channel), handler);
      } catch (err) {
        throw queryError(err);
      }
    };
    this.#subscriptions.add(unlisten);
    return unlisten;
  }

  async notify(channel: string, payload: string): Promise<void> {
    checkNotification(channel, payload);
    await this.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async close(): Promise<void> {
    // A transaction scope does not own the instance.
    const release = this.#release;
    if (this.#tx || !release) return;
    this.#release = null;
    // Another client of the same data directory keeps the instance open: stop calling our subscribers.
    for (const unlisten of [...this.#subscriptions]) await unlisten().catch(() => {});
    await release();
  }
}
