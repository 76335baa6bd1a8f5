import { graphql, type ResultOf, type VariablesOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { ErrorFields } from '../error-fields.ts';
import { NotFoundError } from '../errors.ts';
import { unwrap } from './unwrap.ts';

export const SchemaVersionFields = graphql(`
  fragment SchemaVersionFields on SchemaVersion @_unmask {
    id
    version
    contentHash
    tableCount
    createdAt
    lastSeenAt
    schema { id name sourceUrl schemaNames }
    tables {
      schema
      name
      kind
      partitionOf
      rowCount
      rowEstimate
      primaryKey
      columns { name dataType nullable default identity generated enumLabels maxLength numericPrecision numericScale }
      foreignKeys { name columns referencedSchema referencedTable referencedColumns onDelete onUpdate deferrable selfReference }
    }
  }
`);

const DiscoverMutation = graphql(
  `
  mutation Discover($input: DiscoverSchemaInput!) {
    discoverSchema(input: $input) {
      __typename
      ...ErrorFields
      ... on MutationDiscoverSchemaSuccess { data { ...SchemaVersionFields } }
    }
  }
`,
  [SchemaVersionFields, ErrorFields],
);

const SchemaVersionQuery = graphql(
  `
  query SchemaVersion($id: ID!) {
    schemaVersion(id: $id) { ...SchemaVersionFields }
  }
`,
  [SchemaVersionFields],
);

const SchemasQuery = graphql(`
  query Schemas($first: Int, $after: String) {
    schemas(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          name
          sourceUrl
          schemaNames
          createdAt
          updatedAt
          latestVersion { id version tableCount contentHash createdAt }
        }
      }
    }
  }
`);

const UnifiedSchemaFields = graphql(`
  fragment UnifiedSchemaFields on UnifiedSchema @_unmask {
    id name version weights { DB API UI TEST_CASE DOMAIN } createdAt
    entities {
      name
      sources { kind ref name }
      fields {
        name dataType maxLength nullable unique enumValues pattern min max exampleValues confidence chosenFrom
        sources { kind ref entity name dataType }
      }
    }
    conflicts { entity field property values { kind value } chosen chosenFrom }
  }
`);
const FuseMutation = graphql(
  `
  mutation FuseSchemas($input: FuseSchemasInput!) {
    fuseSchemas(input: $input) {
      __typename
      ...ErrorFields
      ... on MutationFuseSchemasSuccess { data { ...UnifiedSchemaFields } }
    }
  }
`,
  [UnifiedSchemaFields, ErrorFields],
);
const UnifiedQuery = graphql(`query UnifiedSchema($id: ID!) { unifiedSchema(id: $id) { ...UnifiedSchemaFields } }`, [UnifiedSchemaFields]);

export type UnifiedSchema = ResultOf<typeof UnifiedSchemaFields>;
export type FuseSchemasInput = VariablesOf<typeof FuseMutation>['input'];
export type SchemaVersion = ResultOf<typeof SchemaVersionFields>;
export type SchemaSummary = NonNullable<ResultOf<typeof SchemasQuery>['schemas']['edges'][number]>['node'];

/**
 * The schema's `DiscoverSchemaInput`: `connectionString` (`postgresql://…`, `pglite://<dir>`) or
 * `connectionId` (a stored connection), and `schemas` (default `["public"]`).
 */
export type DiscoverOptions = VariablesOf<typeof DiscoverMutation>['input'];

/** Discovered sources and their schema versions. */
export class SchemasResource {
  constructor(private readonly client: TdmClient) {}

  /**
   * Reads the catalog of a source database and stores it as a schema version (the same version
   * when nothing changed). Throws `ConnectionError`, `SchemaNotFoundError`, … on failure.
   */
  async discover(options: DiscoverOptions): Promise<SchemaVersion> {
    const data = await this.client.request(DiscoverMutation, {
      input: { connectionString: options.connectionString ?? null, connectionId: options.connectionId ?? null, schemas: options.schemas ?? null },
    });
    return unwrap(data.discoverSchema);
  }

  /** Every discovered source (newest first) with its latest version. */
  async list(options: { pageSize?: number } = {}): Promise<SchemaSummary[]> {
    const out: SchemaSummary[] = [];
    let after: string | null = null;
    for (;;) {
      const data: ResultOf<typeof SchemasQuery> = await this.client.request(SchemasQuery, { first: options.pageSize ?? 100, after });
      for (const edge of data.schemas.edges) if (edge) out.push(edge.node);
      if (!data.schemas.pageInfo.hasNextPage) return out;
      after = data.schemas.pageInfo.endCursor ?? null;
    }
  }

  /**
   * Fuses two or more schema sources — `schemaVersionId` (DB), `openApiSpec` (API), `urls` (UI forms),
   * `testCaseContent`, `domain` — into a stored unified schema; the higher-weight source decides types
   * and constraints (`weights`, default DB > API > UI > TEST_CASE > DOMAIN), every source's fields are kept.
   */
  async fuse(input: FuseSchemasInput): Promise<UnifiedSchema> {
    return unwrap((await this.client.request(FuseMutation, { input })).fuseSchemas);
  }

  /** A stored unified schema by id. */
  async unified(id: string): Promise<UnifiedSchema> {
    return (await this.client.request(UnifiedQuery, { id })).unifiedSchema;
  }

  /** One schema version with its tables, columns and keys. Throws `NotFoundError` when unknown. */
  async get(id: string): Promise<SchemaVersion> {
    const data = await this.client.request(SchemaVersionQuery, { id });
    if (!data.schemaVersion) throw new NotFoundError('NotFoundError', 'NOT_FOUND', `schema version ${JSON.stringify(id)} was not found`);
    return data.schemaVersion;
  }
}
