import {
  ConnectionError,
  CrawlError,
  InvalidConnectionStringError,
  InvalidInputError,
  InvalidPiiRulesError,
  LimitExceededError,
  NotFoundError,
  PathNotAllowedError,
  QueryError,
  SchemaNotFoundError,
  TargetSafetyError,
  TDM_ERROR_CODES,
  TdmError,
} from '@tdm/core/errors';
import { ExtensionUnavailableError, type EvolutionReport, SchemaConflictError } from '@tdm/core/provision/errors';
import { SCHEMA_CHANGE_KINDS } from '@tdm/core/provision/evolution-types';
import { builder } from '../builder.ts';

// The engine's own list of codes (core/errors.ts), not a copy.
export const ErrorCode = builder.enumType('ErrorCode', { values: TDM_ERROR_CODES });

export const ErrorInterface = builder.interfaceRef<TdmError>('Error').implement({
  description: 'An expected failure: every typed error of the API implements it',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.field({ type: ErrorCode, resolve: (e) => e.code }),
  }),
});

const SPECIFIC = [
  InvalidConnectionStringError,
  ConnectionError,
  SchemaNotFoundError,
  InvalidInputError,
  InvalidPiiRulesError,
  NotFoundError,
  QueryError,
  CrawlError,
  TargetSafetyError,
  LimitExceededError,
  PathNotAllowedError,
];
// Only provisioning ends with these: they are members of its result union alone.
const PROVISION_SPECIFIC = [SchemaConflictError, ExtensionUnavailableError];

// Any TdmError without a GraphQL type of its own is reported as BaseError.
builder.objectType(TdmError, {
  name: 'BaseError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof TdmError && ![...SPECIFIC, ...PROVISION_SPECIFIC].some((cls) => e instanceof cls),
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

builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  interfaces: [ErrorInterface],
  // Its subclass has a type of its own.
  isTypeOf: (e) => e instanceof InvalidInputError && !(e instanceof InvalidPiiRulesError),
});
builder.objectType(InvalidPiiRulesError, {
  name: 'InvalidPiiRulesError',
  description: 'A PII rules document that does not validate: `path` is the offending field, `line` its line in YAML or JSON text (null for a JSON value)',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString('path'), line: t.exposeInt('line', { nullable: true }) }),
});
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

builder.objectType(TargetSafetyError, {
  name: 'TargetSafetyError',
  description:
    "A database may not be written as a target: TARGET_IS_METADATA (TDM's own store), TARGET_IS_SOURCE (a database TDM reads as a source, judged by server identity), RESET_NOT_ALLOWED (the environment does not allow a reset)",
  interfaces: [ErrorInterface],
});

builder.objectType(LimitExceededError, {
  name: 'LimitExceededError',
  description: 'A request went past a configured limit; the message names the limit and its setting',
  interfaces: [ErrorInterface],
});

builder.objectType(PathNotAllowedError, {
  name: 'PathNotAllowedError',
  description: 'A pglite:// directory outside TDM_DATA_DIR and the roots of TDM_PGLITE_ROOTS, with a ".." segment, or inside TDM\'s dataset store',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.string({ resolve: (e) => String(e.details.path ?? '') }) }),
});

// SchemaChange lives here, beside the error that carries it; evolution.ts returns it too.
export const SchemaChangeKind = builder.enumType('SchemaChangeKind', { values: [...SCHEMA_CHANGE_KINDS] });

export const SchemaChangeRef = builder.objectRef<EvolutionReport['changes'][number]>('SchemaChange').implement({
  description: "One difference between an environment's live schema and a dataset version's schema",
  fields: (t) => ({
    kind: t.field({ type: SchemaChangeKind, resolve: (c) => c.kind }),
    schema: t.exposeString('schema'),
    table: t.exposeString('table', { nullable: true }),
    name: t.exposeString('name', { description: 'The object: table, column, constraint, index, type, routine with its arguments …' }),
    detail: t.exposeString('detail'),
    destructive: t.exposeBoolean('destructive', { description: 'Applying it loses data or objects the environment holds' }),
  }),
});

builder.objectType(SchemaConflictError, {
  name: 'SchemaConflictError',
  description:
    "The target already holds the dataset's objects and provisioning may not replace them as asked: `changes` says exactly what differs (provision with migrate or resetEnv; destructive changes need allowDestructive)",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    compatible: t.boolean({ resolve: (e) => e.evolution.compatible }),
    destructive: t.boolean({ resolve: (e) => e.evolution.destructive }),
    changes: t.field({ type: [SchemaChangeRef], resolve: (e) => e.evolution.changes }),
    tables: t.stringList({ resolve: (e) => (e.details.tables as string[]) ?? [] }),
  }),
});

builder.objectType(ExtensionUnavailableError, {
  name: 'ExtensionUnavailableError',
  description: "An extension the dataset's schema uses cannot be created in the target",
  interfaces: [ErrorInterface],
  fields: (t) => ({ extension: t.exposeString('extension') }),
});

/** The errors a call that connects to a source database can end with. */
export const SOURCE_ERRORS = [...SPECIFIC, TdmError];

/** The errors of provisioning into a target: those of any database call, a schema conflict carrying the evolution report, a missing extension. */
export const PROVISION_ERRORS = [...SOURCE_ERRORS, ...PROVISION_SPECIFIC];
