/**
 * One error hierarchy for every SDK call: `TdmNetworkError` (the server could not be reached or
 * answered badly), `TdmGraphQLError` (the server rejected the operation; partial data kept) and
 * `TdmDomainError` subclasses for the API's typed errors (`code` from the schema's ErrorCode).
 * Messages pass through `redact` so credentials in connection strings never surface.
 */
import type { ErrorMember } from './error-fields.ts';
import type { SchemaChange } from './resources/environments.ts';
import type { EnumValues, ErrorTypeName } from './schema-types.ts';

/** The schema's `ErrorCode` enum. */
export type ErrorCode = EnumValues<'ErrorCode'>;

/** Replaces the password of any `scheme://user:password@` in `text` with `***`. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, '$1***@');
}

export class TdmError extends Error {
  readonly code: ErrorCode | 'NETWORK' | 'GRAPHQL' | 'TIMEOUT';
  constructor(code: TdmError['code'], message: string, options?: { cause?: unknown }) {
    super(redact(message), options?.cause === undefined ? options : { ...options, cause: redactCause(options.cause) });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Redacts messages and stacks along a cause chain, in place: `console.error(err)` and `util.inspect`
 * print causes too, and fetch's own errors quote the request URL with its credentials.
 */
function redactCause(cause: unknown, depth = 0): unknown {
  if (cause instanceof Error && depth < 5) {
    for (const key of ['message', 'stack'] as const) {
      const text = cause[key];
      if (typeof text === 'string' && redact(text) !== text) Object.defineProperty(cause, key, { value: redact(text) });
    }
    redactCause(cause.cause, depth + 1);
  }
  return cause;
}

/** The request did not complete: connection refused, timeout, or a non-GraphQL answer. */
export class TdmNetworkError extends TdmError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super('NETWORK', message, options);
    this.status = status;
  }
}

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** The server answered with GraphQL errors (invalid query, masked unexpected error, auth). */
export class TdmGraphQLError extends TdmError {
  readonly errors: GraphQLErrorEntry[];
  /** Whatever data the server returned alongside the errors. */
  readonly data: unknown;
  constructor(errors: GraphQLErrorEntry[], data: unknown) {
    super('GRAPHQL', errors.map((e) => e.message).join('; ') || 'GraphQL error');
    this.errors = errors.map((e) => ({ ...e, message: redact(e.message) }));
    this.data = data;
  }
}

/** The fields an error type adds to `message` and `code`, as selected by the `ErrorFields` fragment. */
export type ErrorDetails<Name extends ErrorTypeName> = Omit<Extract<ErrorMember, { __typename: Name }>, '__typename' | 'message' | 'code'>;

/**
 * A typed error of the API (a member of a result union). `details` holds the fields of its type;
 * they are partial because an error built without a server answer (a REST download, a missing id) has none.
 */
export class TdmDomainError<Details extends object = Record<string, unknown>> extends TdmError {
  /** The GraphQL type name, e.g. "ConnectionError". */
  readonly typename: string;
  readonly details: Partial<Details>;
  constructor(typename: string, code: ErrorCode, message: string, details: Partial<Details> = {}) {
    super(code, message);
    this.typename = typename;
    this.details = details;
  }
}

export class ConnectionError extends TdmDomainError {}
export class InvalidConnectionStringError extends TdmDomainError {}
export class SchemaNotFoundError extends TdmDomainError<ErrorDetails<'SchemaNotFoundError'>> {
  get missing(): string[] {
    return this.details.missing ?? [];
  }
}
export class InvalidInputError<Details extends object = Record<string, unknown>> extends TdmDomainError<Details> {}
/** A PII rules document that does not validate: the offending field and, for YAML or JSON text, its line. */
export class InvalidPiiRulesError extends InvalidInputError<ErrorDetails<'InvalidPiiRulesError'>> {
  get path(): string {
    return this.details.path ?? '';
  }
  get line(): number | null {
    return this.details.line ?? null;
  }
}
export class NotFoundError extends TdmDomainError {}
/** A statement failed on the database; `sqlState` is PostgreSQL's error code when there is one. */
export class QueryError extends TdmDomainError<ErrorDetails<'QueryError'>> {
  get sqlState(): string | null {
    return this.details.sqlState ?? null;
  }
}
/** A web page could not be read for its forms (`reason`: UNREACHABLE, TIMEOUT, HTTP_STATUS, NOT_HTML, NO_FORMS…). */
export class CrawlError extends TdmDomainError<ErrorDetails<'CrawlError'>> {
  get reason(): string {
    return this.details.reason ?? '';
  }
  get url(): string {
    return this.details.url ?? '';
  }
}

/** The target already holds the dataset's objects; `changes` is the evolution report (what differs). */
export class SchemaConflictError extends TdmDomainError<ErrorDetails<'SchemaConflictError'>> {
  get changes(): SchemaChange[] {
    return this.details.changes ?? [];
  }
  get destructive(): boolean {
    return this.details.destructive ?? false;
  }
  /** Whether the dataset could still be loaded over what the target holds. */
  get compatible(): boolean {
    return this.details.compatible ?? false;
  }
  /** The tables of the target that conflict. */
  get tables(): string[] {
    return this.details.tables ?? [];
  }
}
/** An extension the dataset's schema uses cannot be created in the target. */
export class ExtensionUnavailableError extends TdmDomainError<ErrorDetails<'ExtensionUnavailableError'>> {
  get extension(): string {
    return this.details.extension ?? '';
  }
}

/** A database may not be a target: TARGET_IS_SOURCE, TARGET_IS_METADATA or RESET_NOT_ALLOWED. */
export class TargetSafetyError extends TdmDomainError {}
/** A request went past a configured limit (rows to generate …). */
export class LimitExceededError extends TdmDomainError {}
/** A `pglite://` directory outside `TDM_DATA_DIR` and `TDM_PGLITE_ROOTS` (or inside TDM's dataset store). */
export class PathNotAllowedError extends TdmDomainError<ErrorDetails<'PathNotAllowedError'>> {
  get path(): string {
    return this.details.path ?? '';
  }
}

// One class per error type of the schema (BaseError is the generic TdmDomainError): a new error type
// on the server without its class here fails the SDK's typecheck.
const CLASSES = {
  TargetSafetyError,
  LimitExceededError,
  PathNotAllowedError,
  ConnectionError,
  InvalidConnectionStringError,
  SchemaNotFoundError,
  InvalidInputError,
  InvalidPiiRulesError,
  NotFoundError,
  QueryError,
  CrawlError,
  SchemaConflictError,
  ExtensionUnavailableError,
} satisfies Record<Exclude<ErrorTypeName, 'BaseError'>, typeof TdmDomainError<object>>;

/**
 * Builds the SDK error for a result-union member that implements the API's Error interface (selected
 * with the `ErrorFields` fragment); a member of an unknown type becomes a plain `TdmDomainError`.
 */
export function domainError(result: ErrorMember | { __typename: string; message: string; code: ErrorCode }): TdmDomainError<object> {
  const { __typename, message, code, ...details } = result;
  const Cls = (CLASSES as Record<string, typeof TdmDomainError<object>>)[__typename] ?? TdmDomainError;
  return new Cls(__typename, code, message, details);
}
