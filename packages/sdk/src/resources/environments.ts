import { graphql, type ResultOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { unwrap } from './unwrap.ts';

const EnvironmentFields = graphql(`
  fragment EnvironmentFields on Environment @_unmask { id rawId name isDefault allowReset description createdAt connection { url passwordStorage } }
`);
const Create = graphql(
  `mutation CreateEnvironment($input: CreateEnvironmentInput!) {
    createEnvironment(input: $input) { __typename ... on Error { message code } ... on MutationCreateEnvironmentSuccess { data { ...EnvironmentFields } } }
  }`,
  [EnvironmentFields],
);
const List = graphql(`query Environments { environments { ...EnvironmentFields } }`, [EnvironmentFields]);
const Tables = graphql(`
  query TargetTables($envId: ID!) {
    targetTables(envId: $envId) {
      __typename
      ... on Error { message code }
      ... on QueryTargetTablesSuccess { data { schema name rowCount provisionedAt datasetVersion { id rawId } } }
    }
  }
`);

export type Environment = ResultOf<typeof EnvironmentFields>;

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

  /** What TDM provisioned into an environment (by name or id). */
  async tables(environment: string) {
    return unwrap((await this.client.request(Tables, { envId: environment })).targetTables);
  }
}
