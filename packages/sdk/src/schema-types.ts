/**
 * Types read off the server's schema (graphql-env.ts, generated from packages/server/schema.graphql):
 * enum values and the error types, so the SDK never keeps a hand-written copy that can drift.
 */
import type { introspection } from './graphql-env.ts';

type SchemaType = (typeof introspection)['__schema']['types'][number];

/** The values of a GraphQL enum of the schema, e.g. `EnumValues<'JobStatus'>`. */
export type EnumValues<Name extends string> =
  Extract<SchemaType, { kind: 'ENUM'; name: Name }> extends { enumValues: readonly (infer V)[] }
    ? V extends { name: infer N extends string }
      ? N
      : never
    : never;

/** The object types implementing the API's `Error` interface (`ConnectionError`, `BaseError` …). */
export type ErrorTypeName =
  Extract<SchemaType, { kind: 'INTERFACE'; name: 'Error' }> extends { possibleTypes: readonly (infer P)[] }
    ? P extends { name: infer N extends string }
      ? N
      : never
    : never;
