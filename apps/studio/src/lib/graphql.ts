// Every GraphQL document the studio sends. Results and variables are inferred by gql.tada from the
// server's schema (packages/server/schema.graphql → ./graphql-env.ts, `npm run generate`); the
// types below are only names for parts of those results.
import { initGraphQLTada, type ResultOf } from 'gql.tada';
import type { introspection } from './graphql-env';

export const graphql = initGraphQLTada<{
  introspection: typeof introspection;
  scalars: { DateTime: string; JSON: unknown; ID: string };
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';

// `@_unmask`: spread fields are read directly (no fragment masking / readFragment).
const VersionSummaryFragment = graphql(`
  fragment VersionSummary on SchemaVersion @_unmask {
    id
    version
    contentHash
    createdAt
    tableCount
  }
`);

export const SchemasQuery = graphql(
  `
    query Schemas($first: Int, $after: String) {
      schemas(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          cursor
          node {
            id
            name
            sourceUrl
            schemaNames
            createdAt
            latestVersion {
              ...VersionSummary
            }
            versions(first: 20) {
              totalCount
              edges {
                node {
                  ...VersionSummary
                }
              }
            }
          }
        }
      }
    }
  `,
  [VersionSummaryFragment],
);

export const SchemaVersionQuery = graphql(
  `
    query SchemaVersion($id: ID!) {
      schemaVersion(id: $id) {
        ...VersionSummary
        schema {
          id
          name
          sourceUrl
        }
        tables {
          id
          schema
          name
          partitionOf
          rowCount
          rowEstimate
          primaryKey
          columns {
            name
            dataType
            nullable
            default
            identity
          }
          foreignKeys {
            name
            columns
            referencedSchema
            referencedTable
            referencedColumns
            onDelete
            onUpdate
            target {
              schema
              name
            }
          }
        }
      }
    }
  `,
  [VersionSummaryFragment],
);

/** Success carries the version; every expected failure implements the `Error` interface. */
export const DiscoverSchemaMutation = graphql(
  `
    mutation DiscoverSchema($input: DiscoverSchemaInput!) {
      discoverSchema(input: $input) {
        __typename
        ... on MutationDiscoverSchemaSuccess {
          data {
            ...VersionSummary
          }
        }
        ... on Error {
          message
          code
        }
      }
    }
  `,
  [VersionSummaryFragment],
);

/** One discovered schema of the list. */
export type SchemaSummary = ResultOf<typeof SchemasQuery>['schemas']['edges'][number]['node'];
/** The summary of one schema version (the `VersionSummary` fragment). */
export type VersionSummary = ResultOf<typeof VersionSummaryFragment>;
/** One table of a schema version, as the version page shows it. */
export type Table = NonNullable<ResultOf<typeof SchemaVersionQuery>['schemaVersion']>['tables'][number];
