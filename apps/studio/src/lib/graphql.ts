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

/** A page of 25 schemas after `after`. */
export const schemasVariables = (after: string | null) => ({ first: 25, after });

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

// ── Synthetic data ────────────────────────────────────────────────────────────────────────────

/** The domain packs DOMAIN mode offers, with their scenarios. */
export const DomainPacksQuery = graphql(`
  query DomainPacks {
    domainPacks {
      name
      version
      description
      entities {
        name
        description
      }
      scenarios {
        name
        description
        entities
        defaultRowCounts {
          table
          rowCount
        }
      }
    }
  }
`);

/** Every discovered schema with its recent versions: SCHEMA mode's picker. */
export const SchemaVersionChoicesQuery = graphql(`
  query SchemaVersionChoices {
    schemas(first: 100) {
      edges {
        node {
          id
          name
          versions(first: 10) {
            edges {
              node {
                id
                version
                tableCount
                createdAt
              }
            }
          }
        }
      }
    }
  }
`);

/** The entities and fields a test case fills in; a query, since it stores nothing. */
export const AnalyzeTestCaseQuery = graphql(`
  query AnalyzeTestCase($input: AnalyzeTestCaseInput!) {
    analyzeTestCase(input: $input) {
      __typename
      ... on QueryAnalyzeTestCaseSuccess {
        data {
          format
          entities {
            name
            exampleRows
            fields {
              name
              type
              constraints
              exampleValues
              source {
                line
              }
            }
          }
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

/** A crawl failure also says which page and why; every other failure is message and code. */
export const GenerateSyntheticMutation = graphql(`
  mutation GenerateSynthetic($input: GenerateSyntheticInput!) {
    generateSynthetic(input: $input) {
      __typename
      ... on MutationGenerateSyntheticSuccess {
        data {
          datasetVersionId
          schemaVersionId
          mode
          totalRows
          durationMs
          tables {
            schema
            name
            rowCount
          }
          skippedUrls {
            url
            reason
            message
          }
        }
      }
      ... on Error {
        message
        code
      }
      ... on CrawlError {
        reason
        url
      }
    }
  }
`);

export const DatasetPreviewQuery = graphql(`
  query DatasetPreview($id: ID!, $table: String!, $limit: Int) {
    dataset(id: $id) {
      id
      preview(table: $table, limit: $limit) {
        schema
        table
        rowCount
        columns {
          name
          pgType
        }
        rows
      }
    }
  }
`);

export const EnvironmentsQuery = graphql(`
  query Environments {
    environments {
      id
      rawId
      name
      description
      isDefault
    }
  }
`);

export const ProvisionDatasetMutation = graphql(`
  mutation ProvisionDataset($input: ProvisionDatasetInput!) {
    provisionDataset(input: $input) {
      __typename
      ... on MutationProvisionDatasetSuccess {
        data {
          environment
          datasetVersionId
          durationMs
          tables {
            schema
            name
            rowCount
          }
          smoke {
            passed
            failures
            rowCounts {
              table
            }
            fkViolations {
              fk
            }
            sequences {
              sequence
            }
          }
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export type DomainPack = ResultOf<typeof DomainPacksQuery>['domainPacks'][number];
/** What a test case tells about the data it needs. */
export type TestCaseAnalysis = Extract<ResultOf<typeof AnalyzeTestCaseQuery>['analyzeTestCase'], { __typename: 'QueryAnalyzeTestCaseSuccess' }>['data'];
/** A generated dataset version, as generateSynthetic describes it. */
export type SyntheticResult = Extract<
  ResultOf<typeof GenerateSyntheticMutation>['generateSynthetic'],
  { __typename: 'MutationGenerateSyntheticSuccess' }
>['data'];
export type ProvisionResult = Extract<ResultOf<typeof ProvisionDatasetMutation>['provisionDataset'], { __typename: 'MutationProvisionDatasetSuccess' }>['data'];
