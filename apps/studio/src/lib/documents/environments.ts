// Target environments: registering one, what TDM provisioned there, provisioning into it.
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

export type EnvironmentDetail = ResultOf<typeof EnvironmentDetailsQuery>['environments'][number];
export type DatasetChoice = ResultOf<typeof EnvironmentDetailsQuery>['datasets']['edges'][number]['node'];
