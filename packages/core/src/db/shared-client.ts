/**
 * One client shared by the steps of a run: the first `lease()` opens it, every lease after that
 * borrows the same pool, so connections a step left idle (the discovery's three catalog readers)
 * serve the next step (the copy that follows) without a new backend start and handshake each.
 * Closing a lease gives nothing back to the server; `close()` of the shared client, at the end of
 * the run, does.
 */
import type { Readable, Writable } from 'node:stream';
import { QueryError } from '../errors.ts';
import type { CursorOptions, QueryResult, SqlClient, SqlValue } from './sql-client.ts';

export class SharedClient {
  readonly #open: () => Promise<SqlClient>;
  #client: Promise<SqlClient> | null = null;
  #closed = false;

  constructor(open: () => Promise<SqlClient>) {
    this.#open = open;
  }

  /** A lease on the client, opened now if this is the first. */
  async lease(): Promise<SqlClient> {
    if (this.#closed) throw new QueryError('the run that shared this client has ended', undefined);
    if (!this.#client) {
      const opening = this.#open();
      this.#client = opening;
      // A failed open (source down for a moment) is not remembered: a retried step opens again.
      opening.catch(() => {
        if (this.#client === opening) this.#client = null;
      });
    }
    return new Lease(await this.#client);
  }

  /** Closes the client; leases still held fail from now on. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = await this.#client?.catch(() => null);
    this.#client = null;
    await client?.close();
  }
}

/** A borrowed client: every call goes to the shared one; `close()` only ends the borrowing. */
class Lease implements SqlClient {
  readonly #client: SqlClient;
  #closed = false;

  constructor(client: SqlClient) {
    this.#client = client;
  }

  get kind() {
    return this.#client.kind;
  }

  get redactedUrl() {
    return this.#client.redactedUrl;
  }

  get database() {
    return this.#client.database;
  }

  #live(): SqlClient {
    if (this.#closed) throw new QueryError(`the client for ${this.#client.redactedUrl} is closed`, undefined);
    return this.#client;
  }

  async query<R = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<QueryResult<R>> {
    return this.#live().query<R>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    return this.#live().exec(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.#live().transaction(fn);
  }

  async *cursor<R = Record<string, unknown>>(sql: string, params?: SqlValue[], options?: CursorOptions): AsyncIterable<R[]> {
    yield* this.#live().cursor<R>(sql, params, options);
  }

  async copyOut(sql: string): Promise<Readable> {
    return this.#live().copyOut(sql);
  }

  async copyIn(sql: string): Promise<{ stream: Writable; done: Promise<number> }> {
    return this.#live().copyIn(sql);
  }

  async listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
    return this.#live().listen(channel, onMessage);
  }

  async notify(channel: string, payload: string): Promise<void> {
    return this.#live().notify(channel, payload);
  }

  async cancelRunning(): Promise<void> {
    await this.#client.cancelRunning?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
