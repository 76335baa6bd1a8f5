import { graphql, type ResultOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';

const QualityReportFields = graphql(`
  fragment QualityReportFields on QualityReport @_unmask {
    id datasetVersionId jobId score reference rowsScanned durationMs createdAt
    metrics { name score weight detail }
    columns { table column nullRatio distinctRatio typeConsistency drift constraintViolations }
    tables { table rowCount fkOrphans duplicateKeys }
  }
`);
const Report = graphql(`query QualityReport($id: ID!) { qualityReport(datasetVersionId: $id) { ...QualityReportFields } }`, [QualityReportFields]);

export type QualityReport = ResultOf<typeof QualityReportFields>;

/** Quality scores and reports of dataset versions. */
export class QualityResource {
  constructor(private readonly client: TdmClient) {}

  /**
   * The newest quality report of a dataset version (the `id` or `rawId` that `datasets.subset`,
   * `datasets.mask` and `datasets.get` return); measured on the spot when it has none.
   */
  async report(datasetVersionId: string): Promise<QualityReport> {
    return (await this.client.request(Report, { id: datasetVersionId })).qualityReport;
  }
}
