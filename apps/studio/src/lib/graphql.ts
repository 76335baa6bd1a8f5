// Every GraphQL document the studio sends, with the shapes it expects back. The result types
// are written by hand until the server's schema.graphql lands; then they should come from it.
import { gql } from '@urql/core';

export interface VersionSummary {
  id: string;
  version: number;
  contentHash: string;
  createdAt: string;
  tableCount: number;
}

export interface SchemaSummary {
  id: string;
  name: string;
  /** Already redacted by the server. */
  sourceUrl: string;
  schemaNames: string[];
  createdAt: string;
  latestVersion: VersionSummary | null;
  versions: { edges: ({ node: VersionSummary } | null)[] };
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface SchemasData {
  schemas: {
    totalCount: number;
    pageInfo: PageInfo;
    edges: ({ cursor: string; node: SchemaSummary } | null)[];
  };
}

export type SchemasVariables = { first: number; after?: string | null };

const VersionSummaryFragment = gql`
  fragment VersionSummary on SchemaVersion {
    id
    version
    contentHash
    createdAt
    tableCount
  }
`;

export const SchemasQuery = gql<SchemasData, SchemasVariables>`
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
  ${VersionSummaryFragment}
`;

export interface Column {
  name: string;
  dataType: string;
  nullable: boolean;
  default: string | null;
  identity: string | null;
}

export interface ForeignKey {
  name: string;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
}

export interface Table {
  id: string;
  schema: string;
  name: string;
  partitionOf: string | null;
  rowCount: number | null;
  rowEstimate: number | null;
  primaryKey: string[];
  columns: Column[];
  foreignKeys: ForeignKey[];
}

export interface SchemaVersionData {
  schemaVersion: (VersionSummary & { tables: Table[] }) | null;
}

export const SchemaVersionQuery = gql<SchemaVersionData, { id: string }>`
  query SchemaVersion($id: ID!) {
    schemaVersion(id: $id) {
      ...VersionSummary
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
        }
      }
    }
  }
  ${VersionSummaryFragment}
`;

export interface DiscoverSchemaInput {
  connectionString?: string;
  connectionId?: string;
  schemas?: string[];
}

/** Success carries the new version; every expected failure implements the `Error` interface. */
export type DiscoverSchemaResult =
  | { __typename: 'MutationDiscoverSchemaSuccess'; data: VersionSummary }
  | { __typename: string; message: string; code: string };

export const DiscoverSchemaMutation = gql<{ discoverSchema: DiscoverSchemaResult }, { input: DiscoverSchemaInput }>`
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
  ${VersionSummaryFragment}
`;
