import { graphql, type ResultOf, type VariablesOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { ErrorFields } from '../error-fields.ts';
import { unwrap } from './unwrap.ts';

const Generate = graphql(
  `
  mutation GenerateSynthetic($input: GenerateSyntheticInput!) {
    generateSynthetic(input: $input) {
      __typename
      ...ErrorFields
      ... on MutationGenerateSyntheticSuccess {
        data { datasetVersionId schemaVersionId mode totalRows durationMs tables { schema name rowCount } skippedUrls { url reason message } }
      }
    }
  }
`,
  [ErrorFields],
);
const Analyze = graphql(
  `
  query AnalyzeTestCase($input: AnalyzeTestCaseInput!) {
    analyzeTestCase(input: $input) {
      __typename
      ...ErrorFields
      ... on QueryAnalyzeTestCaseSuccess {
        data { format language needsSyntheticData reason entities { name exampleRows fields { name type constraints exampleValues confidence source { line text } } } }
      }
    }
  }
`,
  [ErrorFields],
);
const Packs = graphql(
  `query DomainPacks { domainPacks { name version description entities { name description } scenarios { name description entities defaultRowCounts { table rowCount } } } }`,
);

export type GenerateSyntheticInput = VariablesOf<typeof Generate>['input'];
export type SyntheticResult = NonNullable<Extract<ResultOf<typeof Generate>['generateSynthetic'], { data: unknown }>['data']>;
export type TestCaseAnalysis = NonNullable<Extract<ResultOf<typeof Analyze>['analyzeTestCase'], { data: unknown }>['data']>;
export type DomainPack = ResultOf<typeof Packs>['domainPacks'][number];

/** Synthetic data in the four modes: SCHEMA, DOMAIN, TEST_CASE and URL. */
export class SyntheticResource {
  constructor(private readonly client: TdmClient) {}

  /**
   * Generates a dataset version: `{ datasetVersionId, tables: [{ name, rowCount }] }`. Provision it with
   * `tdm.datasets.provision`, look inside with `tdm.datasets.preview`. In URL mode a form's table has one
   * column per form control, named by the control's `name` (or `id`).
   */
  async generate(input: GenerateSyntheticInput): Promise<SyntheticResult> {
    return unwrap((await this.client.request(Generate, { input })).generateSynthetic);
  }
}

/** What test cases say about the data they need. */
export class TestCasesResource {
  constructor(private readonly client: TdmClient) {}

  /**
   * The entities and fields a test case (Gherkin, Cypress, Playwright, Selenium Java/Python) fills in:
   * `{ entities: [{ name, fields: [{ name, type, constraints, exampleValues, source: { line } }] }] }`.
   */
  async analyze(input: { content: string; fileName?: string }): Promise<TestCaseAnalysis> {
    return unwrap((await this.client.request(Analyze, { input: { content: input.content, fileName: input.fileName ?? null } })).analyzeTestCase);
  }
}

/** The domain packs DOMAIN mode generates from. */
export class DomainPacksResource {
  constructor(private readonly client: TdmClient) {}

  async list(): Promise<DomainPack[]> {
    return (await this.client.request(Packs)).domainPacks;
  }
}
