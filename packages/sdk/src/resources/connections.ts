import { graphql, type ResultOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { unwrap } from './unwrap.ts';

const ConnectionFields = graphql(`
  fragment ConnectionFields on DatabaseConnection @_unmask { id name kind url passwordStorage passwordEnv createdAt }
`);

const CreateConnection = graphql(
  `
  mutation CreateConnection($input: CreateConnectionInput!) {
    createConnection(input: $input) {
      __typename
      ... on Error { message code }
      ... on MutationCreateConnectionSuccess { data { ...ConnectionFields } }
    }
  }
`,
  [ConnectionFields],
);

const ConnectionsQuery = graphql(
  `
  query Connections($first: Int, $after: String) {
    connections(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { ...ConnectionFields } }
    }
  }
`,
  [ConnectionFields],
);

export type DatabaseConnection = ResultOf<typeof ConnectionFields>;

/** Named connections; passwords are stored encrypted or as an environment variable name. */
export class ConnectionsResource {
  constructor(private readonly client: TdmClient) {}

  async create(input: { name: string; connectionString: string; passwordEnv?: string }): Promise<DatabaseConnection> {
    const data = await this.client.request(CreateConnection, { input: { ...input, passwordEnv: input.passwordEnv ?? null } });
    return unwrap(data.createConnection) as DatabaseConnection;
  }

  async list(): Promise<DatabaseConnection[]> {
    const out: DatabaseConnection[] = [];
    let after: string | null = null;
    for (;;) {
      const data: ResultOf<typeof ConnectionsQuery> = await this.client.request(ConnectionsQuery, { first: 100, after });
      for (const edge of data.connections.edges) if (edge) out.push(edge.node);
      if (!data.connections.pageInfo.hasNextPage) return out;
      after = data.connections.pageInfo.endCursor ?? null;
    }
  }
}
