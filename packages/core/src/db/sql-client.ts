/**
 * `SqlClient`: one way to talk to PostgreSQL, whether it is a server reached through node-postgres
 * (`postgresql://…`) or an embedded PGlite database (`pglite://<dir>`, `pglite:memory`).
 * Every failure is a `TdmError` (see `errors.ts`) with the password redacted.
 */
import type { Readable, Writable } from 'node:stream';

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
  close(): Promise<void>;
}
