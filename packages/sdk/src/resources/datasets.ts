import { graphql, type ResultOf, type VariablesOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { ErrorFields } from '../error-fields.ts';
import { NotFoundError } from '../errors.ts';
import { unwrap } from './unwrap.ts';

const ColumnFields = graphql(`fragment DatasetColumnFields on DatasetColumn @_unmask { name pgType nullable parquetType }`);
// Written out in one fragment, not composed: each nested fragment counts against the API's depth limit.
const DatasetFields = graphql(`
  fragment DatasetFields on DatasetVersion @_unmask {
    id rawId name kind createdAt totalRows bytes checksum storeUri
    plan {
      rootTable rulesHash mode seed pack packVersion scenario notes details
      maxRowsPerTable { table rowCount }
      rowCounts { table rowCount }
      maskedColumns { column transformer }
      remapped { column collisions }
      cut { table wanted kept reason final }
      plan {
        mode root rootReason includeUnreached selection notes
        tables {
          schema name qualified order reachedBy via cap where included dependsOn only inherits partitions sourceRows
          key { kind columns }
          cycleBreaks { fk columns references }
          foreignKeys { name table columns references referencedColumns nullable deferrable selfReference declaredOn }
        }
        cycles {
          tables breakable note
          foreignKeys { table fk columns references nullable deferrable }
          breaks { table fk columns references nullable deferrable }
          unresolved { table fk columns references nullable deferrable }
        }
      }
    }
    schemaVersion { id version }
    derivedFrom { id rawId kind }
    tables { schema name rowCount bytes checksum columns { name pgType nullable parquetType } }
  }
`);
const Subset = graphql(
  `mutation SubsetDatabase($input: SubsetDatabaseInput!) {
    subsetDatabase(input: $input) { __typename ...ErrorFields ... on MutationSubsetDatabaseSuccess { data { ...DatasetFields } } }
  }`,
  [DatasetFields, ErrorFields],
);
const Mask = graphql(
  `mutation MaskDataset($input: MaskDatasetInput!) {
    maskDataset(input: $input) { __typename ...ErrorFields ... on MutationMaskDatasetSuccess { data { ...DatasetFields } } }
  }`,
  [DatasetFields, ErrorFields],
);
const Provision = graphql(
  `
  mutation ProvisionDataset($input: ProvisionDatasetInput!) {
    provisionDataset(input: $input) {
      __typename
      ...ErrorFields
      ... on MutationProvisionDatasetSuccess {
        data {
          environment datasetVersionId durationMs
          tables { schema name rowCount }
          smoke {
            passed failures
            rowCounts { table expected actual }
            fkViolations { fk table violations notValid }
            sequences { sequence lastValue maxValue ok }
          }
        }
      }
    }
  }
`,
  [ErrorFields],
);
const Datasets = graphql(
  `query Datasets($first: Int, $after: String) {
    datasets(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ...DatasetFields } } }
  }`,
  [DatasetFields],
);
const Dataset = graphql(`query Dataset($id: ID!) { dataset(id: $id) { ...DatasetFields } }`, [DatasetFields]);
const Preview = graphql(
  `query DatasetPreview($id: ID!, $table: String!, $limit: Int, $offset: Int) {
    dataset(id: $id) { preview(table: $table, limit: $limit, offset: $offset) { schema table rowCount columns { ...DatasetColumnFields } rows } }
  }`,
  [ColumnFields],
);

export type Dataset = ResultOf<typeof DatasetFields>;
/** How a dataset version was made: the subset plan and cuts, the mask's columns, the generator's seed. */
export type DatasetFacts = NonNullable<Dataset['plan']>;
export type DatasetColumn = ResultOf<typeof ColumnFields>;
export type SubsetInput = VariablesOf<typeof Subset>['input'];
export type MaskInput = VariablesOf<typeof Mask>['input'];
export type ProvisionInput = VariablesOf<typeof Provision>['input'];
export type ProvisionResult = NonNullable<Extract<ResultOf<typeof Provision>['provisionDataset'], { data: unknown }>['data']>;

/** Dataset versions: cut (subset), load (provision), list and look inside. */
export class DatasetsResource {
  constructor(private readonly client: TdmClient) {}

  /** A referentially intact slice of a source as a new dataset version. `maxRowsPerTable` absent → full copy. */
  async subset(input: SubsetInput): Promise<Dataset> {
    return unwrap((await this.client.request(Subset, { input })).subsetDatabase);
  }

  /**
   * A masked copy of a dataset version: `rules` (`{ "customer.email": { transformer: "fake" } }`) override
   * the PII classification's techniques; keys stay joinable and unique columns unique.
   */
  async mask(input: MaskInput): Promise<Dataset> {
    return unwrap((await this.client.request(Mask, { input })).maskDataset);
  }

  /**
   * Loads a dataset version into a registered environment (`environment`: its name; default when
   * absent). A target already holding the dataset's objects is recreated with `resetEnv`, migrated
   * with `migrate` (destructive changes need `allowDestructive`), else refused with a
   * SchemaConflictError whose `changes` say what differs.
   */
  async provision(input: ProvisionInput): Promise<ProvisionResult> {
    return unwrap((await this.client.request(Provision, { input })).provisionDataset);
  }

  async list(): Promise<Dataset[]> {
    const out: Dataset[] = [];
    let after: string | null = null;
    for (;;) {
      const data: ResultOf<typeof Datasets> = await this.client.request(Datasets, { first: 100, after });
      for (const e of data.datasets.edges) if (e) out.push(e.node);
      if (!data.datasets.pageInfo.hasNextPage) return out;
      after = data.datasets.pageInfo.endCursor ?? null;
    }
  }

  async get(id: string): Promise<Dataset> {
    const data = await this.client.request(Dataset, { id });
    if (!data.dataset) throw new NotFoundError('NotFoundError', 'NOT_FOUND', `dataset version ${JSON.stringify(id)} was not found`);
    return data.dataset;
  }

  /**
   * One table of a dataset version as a file, streamed: `csv` (a header, then PostgreSQL's text of each
   * value) or `parquet`. `table` is `schema.name`. Memory stays bounded whatever the table's size.
   */
  async export(datasetVersionId: string, options: { table: string; format: 'csv' | 'parquet' }): Promise<ReadableStream<Uint8Array>> {
    const path = `datasets/${encodeURIComponent(datasetVersionId)}/tables/${encodeURIComponent(options.table)}/export?format=${options.format}`;
    return this.client.download(path);
  }

  /** Rows of one table as plain objects. */
  async preview(datasetVersionId: string, options: { table: string; limit?: number; offset?: number }): Promise<Record<string, unknown>[]> {
    const data = await this.client.request(Preview, { id: datasetVersionId, table: options.table, limit: options.limit ?? 50, offset: options.offset ?? 0 });
    if (!data.dataset) throw new NotFoundError('NotFoundError', 'NOT_FOUND', `dataset version ${JSON.stringify(datasetVersionId)} was not found`);
    return data.dataset.preview.rows as Record<string, unknown>[];
  }
}
