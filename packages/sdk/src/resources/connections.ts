import { graphql, type ResultOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { ErrorFields } from '../error-fields.ts';
import { unwrap } from './unwrap.ts';

const ConnectionFields = graphql(`
  fragment ConnectionFields on DatabaseConnection @_unmask { id name kind url passwordStorage passwordEnv piiRules createdAt }
`);

const CreateConnection = graphql(
  `
  mutation CreateConnection($input: CreateConnectionInput!) {
    createConnection(input: $input) {
      __typename
      ...ErrorFields
      ... on MutationCreateConnectionSuccess { data { ...ConnectionFields } }
    }
  }
`,
  [ConnectionFields, ErrorFields],
);

const SetConnectionPiiRules = graphql(
  `
  mutation SetConnectionPiiRules($connectionId: ID!, $rules: JSON) {
    setConnectionPiiRules(connectionId: $connectionId, rules: $rules) {
      __typename
      ...ErrorFields
      ... on MutationSetConnectionPiiRulesSuccess { data { ...ConnectionFields } }
    }
  }
`,
  [ConnectionFields, ErrorFields],
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

  /**
   * Stores a named connection. `piiRules` (YAML or JSON text, or the document in the
   * `TDM_PII_RULES` format) apply to the schemas discovered through it; a document that does not
   * validate throws `InvalidPiiRulesError` naming the field and line.
   */
  async create(input: { name: string; connectionString: string; passwordEnv?: string; piiRules?: unknown }): Promise<DatabaseConnection> {
    const data = await this.client.request(CreateConnection, {
      input: { name: input.name, connectionString: input.connectionString, passwordEnv: input.passwordEnv ?? null, piiRules: input.piiRules ?? null },
    });
    return unwrap(data.createConnection) as DatabaseConnection;
  }

  /**
   * Replaces a connection's PII rules (YAML or JSON text, or the document; null removes them). The
   * next classification of its schemas follows them. Throws `InvalidPiiRulesError` for a document
   * that does not validate, `NotFoundError` for an unknown connection.
   */
  async setPiiRules(connectionId: string, rules: unknown): Promise<DatabaseConnection> {
    const data = await this.client.request(SetConnectionPiiRules, { connectionId, rules: rules ?? null });
    return unwrap(data.setConnectionPiiRules) as DatabaseConnection;
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
