import { graphql, type ResultOf, type VariablesOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { ErrorFields } from '../error-fields.ts';
import { unwrap } from './unwrap.ts';

const PiiFields = graphql(
  `fragment PiiFields on PiiColumn @_unmask { schema table column piiType category confidence technique evidence { detector rule piiType confidence evidence matched sampled } source valuesSampled }`,
);
const Classify = graphql(
  `mutation ClassifyPii($input: ClassifyPiiInput!) {
    classifyPii(input: $input) { __typename ...ErrorFields ... on MutationClassifyPiiSuccess { data { ...PiiFields } } }
  }`,
  [PiiFields, ErrorFields],
);
const Override = graphql(
  `mutation OverridePii($input: OverridePiiInput!) {
    overridePiiClassification(input: $input) { __typename ...ErrorFields ... on MutationOverridePiiClassificationSuccess { data { ...PiiFields } } }
  }`,
  [PiiFields, ErrorFields],
);
const Stored = graphql(`query PiiClassifications($id: ID!) { piiClassifications(schemaVersionId: $id) { ...PiiFields } }`, [PiiFields]);
const Scan = graphql(
  `
  mutation ScanTargetForPii($input: ScanTargetForPiiInput!) {
    scanTargetForPii(input: $input) {
      __typename
      ...ErrorFields
      ... on MutationScanTargetForPiiSuccess { data { environment datasetVersionId sourceDatasetVersionId checkedColumns categories leaks { schema table column piiType category matches } } }
    }
  }
`,
  [ErrorFields],
);
const Transformers = graphql(`query Transformers { transformers { name description appliesTo deterministic injective needsColumn paramsSchema } }`);

export type PiiColumn = ResultOf<typeof PiiFields>;
export type OverridePiiInput = VariablesOf<typeof Override>['input'];
/** The schema's `ClassifyPiiInput`: a schema version, and optionally `connectionString`/`connectionId` to sample its values from. */
export type ClassifyPiiInput = VariablesOf<typeof Classify>['input'];
export type Transformer = ResultOf<typeof Transformers>['transformers'][number];

/** PII classification of a schema version's columns and a user's overrides. */
export class PiiResource {
  constructor(private readonly client: TdmClient) {}

  /**
   * Classifies every column (names, sampled values, optional LLM) and stores the result. Values are
   * sampled from `connectionString`/`connectionId` when given, else from the schema's stored
   * connection; with neither, columns are classified by names and types (`valuesSampled: false`).
   */
  async classify(input: ClassifyPiiInput): Promise<PiiColumn[]> {
    return unwrap((await this.client.request(Classify, { input })).classifyPii);
  }

  /** Sets one column's type (`NONE` clears it); it wins on every later classification. */
  async override(input: OverridePiiInput): Promise<PiiColumn> {
    return unwrap((await this.client.request(Override, { input })).overridePiiClassification);
  }

  /** The stored classification of a schema version. */
  async list(schemaVersionId: string): Promise<PiiColumn[]> {
    return (await this.client.request(Stored, { id: schemaVersionId })).piiClassifications;
  }

  /**
   * The post-provision gate: columns of a target whose values still equal real source values.
   * `{ leaks: [{ schema, table, column, matches }] }`; empty `leaks` means nothing leaked.
   */
  async scanTarget(input: { environment?: string; datasetVersionId?: string }) {
    return unwrap(
      (await this.client.request(Scan, { input: { environment: input.environment ?? null, datasetVersionId: input.datasetVersionId ?? null } }))
        .scanTargetForPii,
    );
  }

  /** The masking transformers with the JSON Schemas of their params. */
  async transformers(): Promise<Transformer[]> {
    return (await this.client.request(Transformers)).transformers;
  }
}
