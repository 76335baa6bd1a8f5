/**
 * The fields of the API's typed errors, selected once and spread into every operation whose result
 * is an error union, so each SDK error class reads its details (`missing`, `reason`, `changes` …)
 * from fields the server was asked for.
 */
import { graphql, type ResultOf } from './graphql.ts';

/** One change of a schema evolution report: shared by `SchemaConflictError` and `schemaEvolution`. */
export const SchemaChangeFields = graphql(`fragment SchemaChangeFields on SchemaChange @_unmask { kind schema table name detail destructive }`);

/**
 * Every member of the `Error` interface with its own fields. Spread as `...ErrorFields` beside the
 * success member of a result union; a new error type with fields is added here.
 */
export const ErrorFields = graphql(
  `
  fragment ErrorFields on Error @_unmask {
    __typename
    message
    code
    ... on SchemaNotFoundError { missing }
    ... on QueryError { sqlState }
    ... on CrawlError { reason url }
    ... on InvalidPiiRulesError { path line }
    ... on PathNotAllowedError { path }
    ... on SchemaConflictError { compatible destructive tables changes { ...SchemaChangeFields } }
    ... on ExtensionUnavailableError { extension }
  }
`,
  [SchemaChangeFields],
);

/** An error member of a result union as the server returns it, discriminated by `__typename`. */
export type ErrorMember = ResultOf<typeof ErrorFields>;
