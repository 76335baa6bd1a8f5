import { graphql, type ResultOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { ErrorFields, SchemaChangeFields } from '../error-fields.ts';
import { unwrap } from './unwrap.ts';

const EnvironmentFields = graphql(`
  fragment EnvironmentFields on Environment @_unmask { id rawId name isDefault allowReset description createdAt connection { url passwordStorage } }
`);
const Create = graphql(
  `mutation CreateEnvironment($input: CreateEnvironmentInput!) {
    createEnvironment(input: $input) { __typename ...ErrorFields ... on MutationCreateEnvironmentSuccess { data { ...EnvironmentFields } } }
  }`,
  [EnvironmentFields, ErrorFields],
);
const List = graphql(`query Environments { environments { ...EnvironmentFields } }`, [EnvironmentFields]);
const Tables = graphql(
  `
  query TargetTables($envId: ID!) {
    targetTables(envId: $envId) {
      __typename
      ...ErrorFields
      ... on QueryTargetTablesSuccess { data { schema name rowCount provisionedAt datasetVersion { id rawId } } }
    }
  }
`,
  [ErrorFields],
);

const Evolution = graphql(
  `query SchemaEvolution($environment: String!, $datasetVersionId: ID!) {
    schemaEvolution(environment: $environment, datasetVersionId: $datasetVersionId) {
      environment environmentId datasetVersionId compatible destructive changes { ...SchemaChangeFields }
    }
  }`,
  [SchemaChangeFields],
);
const Migration = graphql(
  `query MigrationScript($environment: String!, $datasetVersionId: ID!) {
    migrationScript(environment: $environment, datasetVersionId: $datasetVersionId) {
      environment datasetVersionId sql destructive statements changes { ...SchemaChangeFields }
    }
  }`,
  [SchemaChangeFields],
);

export type Environment = ResultOf<typeof EnvironmentFields>;
export type SchemaChange = ResultOf<typeof SchemaChangeFields>;
export type SchemaEvolution = ResultOf<typeof Evolution>['schemaEvolution'];
export type MigrationScript = ResultOf<typeof Migration>['migrationScript'];

/** Target environments: the databases TDM may provision into. */
export class EnvironmentsResource {
  constructor(private readonly client: TdmClient) {}

  /** Registers a target. It must be neither a known source nor the metadata store (TargetSafetyError); `allowReset` lets provisioning reset it. */
  async create(input: { name: string; connectionString: string; passwordEnv?: string; description?: string; allowReset?: boolean }): Promise<Environment> {
    return unwrap(
      (
        await this.client.request(Create, {
          input: { ...input, passwordEnv: input.passwordEnv ?? null, description: input.description ?? null, allowReset: input.allowReset ?? null },
        })
      ).createEnvironment,
    );
  }

  async list(): Promise<Environment[]> {
    return (await this.client.request(List)).environments;
  }

  /**
   * What differs between an environment's live schema (by name or id) and a dataset version's
   * schema: `changes` (kind, where, detail, destructive) and whether the dataset's rows can be loaded
   * as it is (`compatible`).
   */
  async evolution(input: { environment: string; datasetVersionId: string }): Promise<SchemaEvolution> {
    return (await this.client.request(Evolution, input)).schemaEvolution;
  }

  /**
   * The SQL script (one transaction, destructive statements marked) that makes an environment's
   * schema equal a dataset version's schema; apply it with `psql -v ON_ERROR_STOP=1 -f`.
   */
  async migrationScript(input: { environment: string; datasetVersionId: string }): Promise<MigrationScript> {
    return (await this.client.request(Migration, input)).migrationScript;
  }

  /** What TDM provisioned into an environment (by name or id). */
  async tables(environment: string) {
    return unwrap((await this.client.request(Tables, { envId: environment })).targetTables);
  }
}
