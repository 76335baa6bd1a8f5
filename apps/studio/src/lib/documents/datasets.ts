// The dataset catalog: every dataset version with its tables and parent.
import { graphql, type ResultOf } from '../graphql';

export const DatasetCatalogQuery = graphql(`
  query DatasetCatalog($first: Int, $after: String) {
    datasets(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          rawId
          name
          kind
          totalRows
          bytes
          createdAt
          tables {
            schema
            name
            rowCount
            bytes
          }
          derivedFrom {
            rawId
            name
          }
          job {
            rawId
            qualityScore
          }
        }
      }
    }
  }
`);

/** The page loads the whole catalog (filtering and sorting happen in the browser). */
export const CATALOG_VARIABLES = { first: 500 };

export type CatalogDataset = ResultOf<typeof DatasetCatalogQuery>['datasets']['edges'][number]['node'];
