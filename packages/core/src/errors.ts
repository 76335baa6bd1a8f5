/**
 * The one error hierarchy of TDM's engine. Every expected failure is a `TdmError` with a typed
 * `code`; the server maps them to typed GraphQL errors and the SDK back to classes. Messages never
 * hold a password: build them from redacted connection strings only (see `db/url.ts`).
 */
/**
 * Every code a `TdmError` can carry. The GraphQL `ErrorCode` enum is built from this list, and the
 * SDK's codes from that enum, so a new code is added here and nowhere else.
 */
export const TDM_ERROR_CODES = [
  'INVALID_CONNECTION_STRING',
  'HOST_UNREACHABLE',
  'AUTHENTICATION_FAILED',
  'DATABASE_NOT_FOUND',
  'PERMISSION_DENIED',
  'CONNECTION_FAILED',
  'SCHEMA_NOT_FOUND',
  'NOT_FOUND',
  'INVALID_INPUT',
  'CONFLICT',
  'QUERY_FAILED',
  'STEP_FAILED',
  'CRAWL_FAILED',
  'QUALITY_BELOW_THRESHOLD',
  'TARGET_IS_SOURCE',
  'TARGET_IS_METADATA',
  'RESET_NOT_ALLOWED',
  'FORBIDDEN',
  'LIMIT_EXCEEDED',
  'PATH_NOT_ALLOWED',
] as const;

export type TdmErrorCode = (typeof TDM_ERROR_CODES)[number];

export class TdmError extends Error {
  readonly code: TdmErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: TdmErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details ?? {};
  }
}

/** A connection string that cannot be parsed or names an unsupported scheme. */
export class InvalidConnectionStringError extends TdmError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_CONNECTION_STRING', message, { details });
  }
}

/** Connecting to a database failed; `code` says why (unreachable, auth, missing database, permission). */
export class ConnectionError extends TdmError {
  constructor(
    code: Extract<TdmErrorCode, 'HOST_UNREACHABLE' | 'AUTHENTICATION_FAILED' | 'DATABASE_NOT_FOUND' | 'PERMISSION_DENIED' | 'CONNECTION_FAILED'>,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(code, message, options);
  }
}

/** A SQL statement failed on an established connection. */
export class QueryError extends TdmError {
  readonly sqlState: string | undefined;
  constructor(message: string, sqlState: string | undefined, options?: { cause?: unknown }) {
    super(sqlState === '42501' ? 'PERMISSION_DENIED' : 'QUERY_FAILED', message, { ...options, details: { sqlState } });
    this.sqlState = sqlState;
  }
}

export class NotFoundError extends TdmError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${JSON.stringify(id)} was not found`, { details: { what, id } });
  }
}

export class InvalidInputError extends TdmError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_INPUT', message, { details });
  }
}

export class SchemaNotFoundError extends TdmError {
  constructor(missing: string[], database: string) {
    super('SCHEMA_NOT_FOUND', `schema${missing.length > 1 ? 's' : ''} ${missing.map((s) => JSON.stringify(s)).join(', ')} not found in ${database}`, {
      details: { missing, database },
    });
  }
}

/**
 * A PII rules document (the `TDM_PII_RULES` file or a connection's own rules) that does not
 * validate: `path` is the offending field (`columns.0.pattern`), `line` its line in a YAML or JSON
 * text (null for a document given as an object); both are in the message too.
 */
export class InvalidPiiRulesError extends InvalidInputError {
  readonly path: string;
  readonly line: number | null;
  constructor(message: string, path: string, line: number | null, details?: Record<string, unknown>) {
    super(message, { ...details, path, line });
    this.path = path;
    this.line = line;
  }
}

/** A workflow step failed; `cause` holds the underlying TdmError when there is one. */
export class StepFailedError extends TdmError {
  readonly step: string;
  readonly jobId: string | undefined;
  constructor(step: string, jobId: string | undefined, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('STEP_FAILED', `step ${step} failed: ${reason}`, { cause, details: { step, jobId } });
    this.step = step;
    this.jobId = jobId;
  }
}

/** Why a page could not be crawled for its forms. */
export type CrawlFailure = 'UNREACHABLE' | 'TIMEOUT' | 'HTTP_STATUS' | 'NOT_HTML' | 'NO_FORMS' | 'INVALID_URL' | 'BROWSER_UNAVAILABLE';

/** A web page could not be read for its forms; `reason` says why, `url` which page (no credentials). */
export class CrawlError extends TdmError {
  readonly reason: CrawlFailure;
  readonly url: string;
  constructor(reason: CrawlFailure, url: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('CRAWL_FAILED', message, { cause: options?.cause, details: { ...options?.details, reason, url } });
    this.reason = reason;
    this.url = url;
  }
}

/**
 * A database may not be written as a target: it is TDM's own metadata store, a database TDM knows
 * as a source (judged by server identity, not URL text), or an environment that does not allow a reset.
 */
export class TargetSafetyError extends TdmError {
  constructor(
    code: Extract<TdmErrorCode, 'TARGET_IS_SOURCE' | 'TARGET_IS_METADATA' | 'RESET_NOT_ALLOWED'>,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, { details });
  }
}

/** A size or count past a configured limit (rows to generate, query cost …); `details.limit` says which. */
export class LimitExceededError extends TdmError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('LIMIT_EXCEEDED', message, { details });
  }
}

/**
 * A `pglite://` directory outside the directories TDM may create or open embedded databases in
 * (`TDM_DATA_DIR`, the roots of `TDM_PGLITE_ROOTS`), or in TDM's dataset store.
 */
export class PathNotAllowedError extends TdmError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('PATH_NOT_ALLOWED', message, { details });
  }
}
