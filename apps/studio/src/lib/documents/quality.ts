// Quality: the dataset versions to pick from (with their stored scores) and one version's report.
import { graphql, type ResultOf } from '../graphql';

export const QualityDatasetsQuery = graphql(`
  query QualityDatasets($first: Int) {
    datasets(first: $first) {
      edges {
        node {
          id
          rawId
          name
          kind
          createdAt
          quality {
            score
          }
        }
      }
    }
  }
`);

export const QUALITY_DATASETS_VARIABLES = { first: 500 };

/** Measured on the server when the version has no report yet. */
export const QualityReportQuery = graphql(`
  query QualityReport($datasetVersionId: ID!) {
    qualityReport(datasetVersionId: $datasetVersionId) {
      id
      datasetVersionId
      score
      reference
      createdAt
      metrics {
        name
        score
        weight
        detail
      }
      columns {
        table
        column
        nullRatio
        distinctRatio
        typeConsistency
        drift
        constraintViolations
      }
    }
  }
`);

export type QualityDataset = ResultOf<typeof QualityDatasetsQuery>['datasets']['edges'][number]['node'];
export type QualityReport = ResultOf<typeof QualityReportQuery>['qualityReport'];
