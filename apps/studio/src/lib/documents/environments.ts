// Target environments: registering one, what TDM provisioned there, how its schema differs from a
// dataset version's and the script that migrates it.
import { graphql, type ResultOf } from '../graphql';

export const EnvironmentDetailsQuery = graphql(`
  query EnvironmentDetails {
    environments {
      id
      rawId
      name
      description
      isDefault
      createdAt
      connection {
        url
      }
      tables {
        id
        schema
        name
        rowCount
        provisionedAt
        datasetVersion {
          rawId
          name
        }
      }
    }
    datasets(first: 100) {
      edges {
        node {
          id
          rawId
          name
          kind
          totalRows
          createdAt
        }
      }
    }
  }
`);

export const CreateEnvironmentMutation = graphql(`
  mutation CreateEnvironment($input: CreateEnvironmentInput!) {
    createEnvironment(input: $input) {
      __typename
      ... on MutationCreateEnvironmentSuccess {
        data {
          id
          name
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const SchemaEvolutionQuery = graphql(`
  query SchemaEvolution($environment: String!, $datasetVersionId: ID!) {
    schemaEvolution(environment: $environment, datasetVersionId: $datasetVersionId) {
      compatible
      destructive
      changes {
        kind
        schema
        table
        name
        detail
        destructive
      }
    }
  }
`);

export const MigrationScriptQuery = graphql(`
  query MigrationScript($environment: String!, $datasetVersionId: ID!) {
    migrationScript(environment: $environment, datasetVersionId: $datasetVersionId) {
      sql
      destructive
      statements
    }
  }
`);

export type EnvironmentDetail = ResultOf<typeof EnvironmentDetailsQuery>['environments'][number];
export type DatasetChoice = ResultOf<typeof EnvironmentDetailsQuery>['datasets']['edges'][number]['node'];
export type SchemaEvolution = ResultOf<typeof SchemaEvolutionQuery>['schemaEvolution'];
export type MigrationScript = ResultOf<typeof MigrationScriptQuery>['migrationScript'];
