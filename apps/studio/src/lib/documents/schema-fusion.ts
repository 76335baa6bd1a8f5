// Schema fusion: the sources one can pick and the unified schema fuseSchemas returns.
import { graphql, type ResultOf } from '../graphql';

export const FusionSourcesQuery = graphql(`
  query FusionSources {
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
              }
            }
          }
        }
      }
    }
    domainPacks {
      name
    }
  }
`);

export const FuseSchemasMutation = graphql(`
  mutation FuseSchemas($input: FuseSchemasInput!) {
    fuseSchemas(input: $input) {
      __typename
      ... on Error {
        message
        code
      }
      ... on MutationFuseSchemasSuccess {
        data {
          id
          name
          version
          entities {
            name
            sources {
              kind
              name
            }
            fields {
              name
              dataType
              nullable
              unique
              maxLength
              enumValues
              confidence
              chosenFrom
              sources {
                kind
                ref
                name
                dataType
              }
            }
          }
          conflicts {
            entity
            field
            property
            chosen
            chosenFrom
            values {
              kind
              value
            }
          }
        }
      }
    }
  }
`);

export type UnifiedSchema = Extract<ResultOf<typeof FuseSchemasMutation>['fuseSchemas'], { __typename: 'MutationFuseSchemasSuccess' }>['data'];
