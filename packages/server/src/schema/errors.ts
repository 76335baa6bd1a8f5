import {
  ConnectionError,
  CrawlError,
  InvalidConnectionStringError,
  InvalidInputError,
  NotFoundError,
  QueryError,
  SchemaNotFoundError,
  TdmError,
  type TdmErrorCode,
} from '@tdm/core/errors';
import { builder } from '../builder.ts';

const CODES: TdmErrorCode[] = [
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
];

export const ErrorCode = builder.enumType('ErrorCode', { values: CODES });

export const ErrorInterface = builder.interfaceRef<TdmError>('Error').implement({
  description: 'An expected failure: every typed error of the API implements it',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.field({ type: ErrorCode, resolve: (e) => e.code }),
  }),
});

const SPECIFIC = [InvalidConnectionStringError, ConnectionError, SchemaNotFoundError, InvalidInputError, NotFoundError, QueryError, CrawlError];

// Any TdmError without a GraphQL type of its own is reported as BaseError.
builder.objectType(TdmError, {
  name: 'BaseError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof TdmError && !SPECIFIC.some((cls) => e instanceof cls),
});

builder.objectType(InvalidConnectionStringError, {
  name: 'InvalidConnectionStringError',
  description: 'The connection string cannot be parsed or uses an unsupported scheme',
  interfaces: [ErrorInterface],
});

builder.objectType(ConnectionError, {
  name: 'ConnectionError',
  description: 'The database could not be reached or refused the connection; `code` says why',
  interfaces: [ErrorInterface],
});

builder.objectType(SchemaNotFoundError, {
  name: 'SchemaNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ missing: t.stringList({ resolve: (e) => (e.details.missing as string[]) ?? [] }) }),
});

builder.objectType(InvalidInputError, { name: 'InvalidInputError', interfaces: [ErrorInterface] });
builder.objectType(NotFoundError, { name: 'NotFoundError', interfaces: [ErrorInterface] });
builder.objectType(QueryError, {
  name: 'QueryError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ sqlState: t.string({ nullable: true, resolve: (e) => e.sqlState ?? null }) }),
});

builder.objectType(CrawlError, {
  name: 'CrawlError',
  description:
    'A web page could not be read for its forms; `reason` says why (UNREACHABLE, TIMEOUT, HTTP_STATUS, NOT_HTML, NO_FORMS, INVALID_URL, BROWSER_UNAVAILABLE)',
  interfaces: [ErrorInterface],
  fields: (t) => ({ reason: t.exposeString('reason'), url: t.exposeString('url') }),
});

/** The errors a call that connects to a source database can end with. */
export const SOURCE_ERRORS = [...SPECIFIC, TdmError];
