/**
 * `SqlClient`: one way to talk to PostgreSQL, whether it is a server reached through node-postgres
 * (`postgresql://…`) or an embedded PGlite database (`pglite://<dir>`, `pglite:memory`).
 * Every failure is a `TdmError` (see `errors.ts`) with the password redacted.
 */
import type { Readable, Writable } from 'node:stream';
import { InvalidInputError } from '../errors.ts';

export type SqlValue = unknown;

export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
  fields: { name: string; dataTypeID: number }[];
}

export interface CursorOptions {
  /** Rows fetched per round trip. */
  batchSize?: number;
}

export interface SqlClient {
  /** `postgres` for a server, `pglite` for the embedded engine. */
  readonly kind: 'postgres' | 'pglite';
  /** The connection string with any password replaced by `***`. */
  readonly redactedUrl: string;
  /** Name of the database the client is connected to. */
  readonly database: string;
  /** One parameterised statement ($1, $2 …). */
  query<R = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<QueryResult<R>>;
  /** Several statements without parameters (DDL scripts). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in a transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Streams the rows of a query in batches without holding the whole result in memory. */
  cursor<R = Record<string, unknown>>(sql: string, params?: SqlValue[], options?: CursorOptions): AsyncIterable<R[]>;
  /** `COPY … TO STDOUT` as a byte stream. */
  copyOut(sql: string): Promise<Readable>;
  /** `COPY … FROM STDIN` fed from the returned writable; resolves with the row count once `done` resolves. */
  copyIn(sql: string): Promise<{ stream: Writable; done: Promise<number> }>;
  /**
   * Subscribes to a NOTIFY channel; resolves once LISTEN is active and returns the function that
   * unsubscribes. Messages arrive in the order they were committed. Not available on a transaction
   * scope: listening belongs to the client. LISTEN/NOTIFY is not durable: a message sent while a
   * PostgreSQL listener connection is being re-established is lost, so treat a message as a hint to
   * re-read state, never as the state itself.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** `pg_notify(channel, payload)`; inside a transaction it is delivered at commit, and not at all on rollback. */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Cancels the statements running on this client's connections (`pg_cancel_backend`), so a caller
   * that gave up does not leave a query running on the server; each fails with SQLSTATE 57014 and
   * its transaction rolls back. PGlite runs one statement at a time in this process: a no-op there.
   */
  cancelRunning?(): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL's limit on a NOTIFY payload: it must be shorter than this many bytes. */
export const NOTIFY_PAYLOAD_LIMIT = 8000;
/** Channel names are identifiers: PostgreSQL truncates longer ones in LISTEN but rejects them in pg_notify. */
const CHANNEL_NAME_LIMIT = 63;

/**
 * Rejects what PostgreSQL would reject, or silently mishandle, before it reaches the server: an empty
 * or over-long channel name, one holding `"` (PGlite's listener registry cannot match it back), and a
 * payload of 8000 bytes or more. Both clients call it so the engines fail the same way.
 */
export function checkNotification(channel: string, payload?: string): void {
  if (typeof channel !== 'string' || channel === '') throw new InvalidInputError('a notification channel name cannot be empty');
  const channelBytes = Buffer.byteLength(channel, 'utf8');
  if (channelBytes > CHANNEL_NAME_LIMIT) {
    throw new InvalidInputError(`notification channel name is ${channelBytes} bytes; PostgreSQL allows at most ${CHANNEL_NAME_LIMIT}`, { channel });
  }
  if (/["\0]/.test(channel)) throw new InvalidInputError('a notification channel name cannot contain `"` or a NUL byte', { channel });
  if (payload === undefined) return;
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes >= NOTIFY_PAYLOAD_LIMIT) {
    throw new InvalidInputError(
      `NOTIFY payload on channel "${channel}" is ${bytes} bytes; PostgreSQL accepts at most ${NOTIFY_PAYLOAD_LIMIT - 1}. Send an id and store the data in a table.`,
      { channel, bytes, limit: NOTIFY_PAYLOAD_LIMIT - 1 },
    );
  }
}
