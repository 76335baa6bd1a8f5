/**
 * How node-postgres failures become TdmErrors: a failure to connect is classified (unreachable host,
 * authentication, missing database, privilege), a failing statement keeps its SQLSTATE, and the
 * password never survives in a message or in the kept `cause`.
 */
import pg from 'pg';
import { ConnectionError, QueryError, TdmError } from '../errors.ts';
import { isConnectionLost } from './connection-faults.ts';
import { type ConnectionTarget, redactSecrets } from './url.ts';

/** A parsed `postgresql://` connection string. */
export type PostgresTarget = Extract<ConnectionTarget, { kind: 'postgres' }>;

/** What error messages may say about the connection: the redacted URL and the parsed target. */
export interface ConnectionContext {
  redactedUrl: string;
  target: PostgresTarget;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: { code?: unknown }[] };
  // Node reports a host with several addresses (localhost → ::1, 127.0.0.1) as an AggregateError.
  const code = e?.code ?? e?.errors?.find((x) => x?.code)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The text of any thrown value; every address tried, for a host that resolved to several. */
export function messageOf(err: unknown): string {
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

/** Maps a failing statement, or a connection lost while in use, to a `QueryError` or a `ConnectionError`. */
export function queryError(err: unknown, ctx: ConnectionContext): TdmError {
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
export function mustDiscard(err: unknown): boolean {
  return !(err instanceof pg.DatabaseError) || isConnectionLost(err);
}
