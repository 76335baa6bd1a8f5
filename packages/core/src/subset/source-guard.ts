/**
 * Reads from a source are bounded: every statement has a timeout (`TDM_SOURCE_STATEMENT_TIMEOUT_MS`,
 * default 15 minutes; 0 turns it off), and an aborted run (a cancelled job, a stopping worker)
 * cancels the statement running on the source instead of leaving it to run to its end with its
 * transaction open.
 */
import type { SqlClient } from '../db/sql-client.ts';

const DEFAULT_TIMEOUT_MS = 15 * 60 * 1000;

export function sourceStatementTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.TDM_SOURCE_STATEMENT_TIMEOUT_MS);
  return Number.isInteger(configured) && configured >= 0 && env.TDM_SOURCE_STATEMENT_TIMEOUT_MS !== '' && env.TDM_SOURCE_STATEMENT_TIMEOUT_MS !== undefined
    ? configured
    : DEFAULT_TIMEOUT_MS;
}

/** Runs `read` and, if `signal` aborts meanwhile, cancels what `source` is running; rethrows the abort reason. */
export async function guardSourceRead<T>(source: SqlClient, signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
  if (!signal) return read();
  signal.throwIfAborted();
  const onAbort = () => void source.cancelRunning?.().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await read();
  } catch (err) {
    // The statement failed because it was cancelled: report the cancellation, not "canceling statement".
    if (signal.aborted) throw signal.reason;
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
