/**
 * Which failures a step retries, and how. A connection refused, reset or dropped before or during a
 * step's work is transient: the step runs again with backoff. Everything else (bad input, wrong
 * password, a missing database, a refused query) fails at once. Steps wrap their failures
 * (`StepFailedError`, `QueryError` around a socket error …), so the whole `cause` chain is read.
 */
import type { RetryPolicy } from '@langchain/langgraph';
import { z } from 'zod';
import { TdmError } from '../../errors.ts';

/** Socket-level codes of a connection that was refused, reset or dropped. */
const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENETRESET', 'EHOSTDOWN']);
/** SQLSTATEs of a server that dropped the session: connection exceptions (08…) and shutdowns. */
const TRANSIENT_SQLSTATE = /^(08...|57P01|57P02|57P03)$/;
/** node-postgres reports a connection closed under a query by message only. */
const TRANSIENT_MESSAGE = /connection terminated|server closed the connection|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE/i;

function* causes(err: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && !seen.has(e)) {
    seen.add(e);
    yield e;
    if (e instanceof AggregateError) for (const inner of e.errors) yield inner;
    e = (e as { cause?: unknown }).cause;
  }
}

/** True when `err` (or anything in its cause chain) is a connection that was refused, reset or dropped. */
export function isTransientConnectionError(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e instanceof TdmError) {
      if (e.code === 'CONNECTION_FAILED') return true;
      const errno = e.details.errorCode;
      if (typeof errno === 'string' && TRANSIENT_ERRNO.has(errno)) return true;
      const state = e.details.sqlState;
      if (typeof state === 'string' && TRANSIENT_SQLSTATE.test(state)) return true;
      // Input, credentials and permissions do not heal by waiting.
      if (
        ['INVALID_INPUT', 'INVALID_CONNECTION_STRING', 'AUTHENTICATION_FAILED', 'DATABASE_NOT_FOUND', 'PERMISSION_DENIED', 'NOT_FOUND', 'CONFLICT'].includes(
          e.code,
        )
      )
        return false;
    }
    const code = (e as { code?: unknown })?.code;
    if (typeof code === 'string' && (TRANSIENT_ERRNO.has(code) || TRANSIENT_SQLSTATE.test(code))) return true;
    if (e instanceof Error && !(e instanceof TdmError) && TRANSIENT_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/** Per-step retry settings (`config.<step>.retry` of a workflow, or the defaults). */
export const RetrySettings = z.object({
  /** Attempts in all, the first included. */
  maxAttempts: z.number().int().min(1).max(20).optional(),
  /** Wait before the first retry; each next wait doubles (with jitter), up to `maxIntervalMs`. */
  initialIntervalMs: z.number().int().min(0).max(60_000).optional(),
  maxIntervalMs: z.number().int().min(0).max(300_000).optional(),
});
export type RetrySettings = z.infer<typeof RetrySettings>;

export const DEFAULT_RETRY: Required<RetrySettings> = { maxAttempts: 3, initialIntervalMs: 300, maxIntervalMs: 5_000 };

/** The LangGraph retry policy of a step node for `settings` (defaults: 3 attempts, 300 ms doubling). */
export function stepRetryPolicy(settings: RetrySettings = {}): RetryPolicy & { maxAttempts: number } {
  const s = { ...DEFAULT_RETRY, ...settings };
  return {
    maxAttempts: s.maxAttempts,
    initialInterval: s.initialIntervalMs,
    backoffFactor: 2,
    maxInterval: s.maxIntervalMs,
    jitter: true,
    retryOn: isTransientConnectionError,
    logWarning: false,
  };
}

/** Reads `retry` out of a step's raw config; invalid settings are an input error of the run. */
export function retrySettingsOf(stepConfig: unknown): RetrySettings {
  const raw = (stepConfig as { retry?: unknown } | null | undefined)?.retry;
  if (raw === undefined || raw === null) return {};
  const parsed = RetrySettings.safeParse(raw);
  if (!parsed.success) {
    throw new TdmError('INVALID_INPUT', `retry settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
