/**
 * Faults of connections that are in use. node-postgres emits 'error' on a client whose socket dies
 * (a DBA's `pg_terminate_backend`, a failover, a network reset); a pooled client has a listener only
 * while idle, so the same event on a checked-out client would end the process. `guardClient` keeps a
 * listener on a client for as long as we hold it: the running query, cursor or COPY stream already
 * rejects with the fault, and the client is marked broken so it never returns to the pool.
 */
import type pg from 'pg';

/**
 * SQLSTATEs that mean the server ended the session: admin_shutdown (terminated by a DBA or a
 * failover), crash_shutdown, cannot_connect_now, and class 08 (connection exception).
 */
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03']);
const SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETRESET']);
const LOST_MESSAGES = /Connection terminated|not queryable|Client was closed|connection.*(closed|ended)|server closed the connection/i;

/** Whether `err` says the connection itself is gone (as opposed to a statement failing on it). */
export function isConnectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (SESSION_ENDED.has(code) || code.startsWith('08') || SOCKET_CODES.has(code))) return true;
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return LOST_MESSAGES.test(message);
}

/** SQLSTATE 57014: the statement was cancelled (by `pg_cancel_backend` or a statement timeout). */
export function isQueryCancelled(err: unknown): boolean {
  return (err as { code?: unknown })?.code === '57014';
}

export interface GuardedClient {
  /** Whether an 'error' event reached the client while it was held. */
  readonly faulted: boolean;
  /** The first such error. */
  readonly fault: Error | undefined;
  /** Removes the listener; call it right before giving the client back. */
  dispose(): void;
}

/** Listens for 'error' on a checked-out client until `dispose()`; see the module comment. */
export function guardClient(client: pg.ClientBase, onFault?: (err: Error) => void): GuardedClient {
  let fault: Error | undefined;
  const listener = (err: Error) => {
    fault ??= err;
    onFault?.(err);
  };
  client.on('error', listener);
  return {
    get faulted() {
      return fault !== undefined;
    },
    get fault() {
      return fault;
    },
    dispose() {
      client.removeListener('error', listener);
    },
  };
}
