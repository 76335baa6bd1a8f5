// The lineage graph around any node (governance) and the search that finds a node to start from.
import { graphql, type ResultOf } from '../graphql';

export const LineageQuery = graphql(`
  query Lineage($kind: LineageKind!, $id: ID!, $depth: Int) {
    lineage(kind: $kind, id: $id, depth: $depth) {
      nodes {
        id
        kind
        label
        refId
      }
      edges {
        id
        from
        to
        operation
        fallbacks
        jobId
      }
    }
  }
`);

/** What the lineage search offers: recent jobs, datasets, environments and the jobs' test cases. */
export const LineageStartsQuery = graphql(`
  query LineageStarts {
    jobs(first: 50) {
      edges {
        node {
          rawId
          status
          operations
          createdAt
          qualityScore
          testCase {
            rawId
            name
          }
        }
      }
    }
    datasets(first: 100) {
      edges {
        node {
          rawId
          name
          kind
          createdAt
        }
      }
    }
    environments {
      rawId
      name
    }
  }
`);

export type LineageGraph = ResultOf<typeof LineageQuery>['lineage'];
export type LineageKind = LineageGraph['nodes'][number]['kind'];
