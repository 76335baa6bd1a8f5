/**
 * Documents for server fields that not every TDM server has yet: quality reports, schema fusion,
 * schema evolution and migration scripts (their field names as the API defines them). Pages send
 * them only after `loadCapabilities` found the field on the server. They are plain strings, not
 * gql.tada documents, because the schema the studio is typed against does not declare these
 * fields yet; once it does, they move to src/lib/documents/ and the interfaces below give way to
 * `ResultOf<typeof …>`.
 */
import type { Client } from '@urql/core';

export const SCHEMA_EVOLUTION = `
  query SchemaEvolution($environment: String!, $datasetVersionId: ID!) {
    schemaEvolution(environment: $environment, datasetVersionId: $datasetVersionId) {
      compatible
      changes { kind schema table name detail destructive }
    }
  }
`;

export const MIGRATION_SCRIPT = `
  query MigrationScript($environment: String!, $datasetVersionId: ID!) {
    migrationScript(environment: $environment, datasetVersionId: $datasetVersionId) {
      sql
      destructive
      statements
    }
  }
`;

export const QUALITY_REPORT = `
  query QualityReport($datasetVersionId: ID!) {
    qualityReport(datasetVersionId: $datasetVersionId) {
      score
      reference
      createdAt
      metrics { name score weight detail }
      columns { table column nullRatio distinctRatio typeConsistency drift constraintViolations }
      tables { table rowCount fkOrphans duplicateKeys }
    }
  }
`;

/**
 * `fuseSchemas` with the unified entities and fields; a conflict's fields are not fixed by the API
 * description, so the page asks the server which scalar fields `FusionConflict` has and selects those.
 */
export function fuseSchemasDocument(conflictFields: string[]): string {
  const conflicts = conflictFields.length ? `conflicts { ${conflictFields.join(' ')} }` : '';
  return `
    mutation FuseSchemas($input: FuseSchemasInput!) {
      fuseSchemas(input: $input) {
        __typename
        ... on Error { message code }
        ... on MutationFuseSchemasSuccess {
          data {
            id
            version
            entities {
              name
              sources { kind name }
              fields { name dataType nullable unique maxLength enumValues confidence chosenFrom sources { kind ref name dataType } }
            }
            ${conflicts}
          }
        }
      }
    }
  `;
}

export const CONFLICT_FIELDS = `
  query FusionConflictFields {
    __type(name: "FusionConflict") { fields { name type { kind ofType { kind ofType { kind } } } } }
  }
`;

/** Fields whose values are scalars or enums (or lists of them): what can be selected without sub-fields. */
export function leafFields(type: { fields: { name: string; type: TypeRef }[] | null } | null): string[] {
  const leaf = (t: TypeRef | null | undefined): boolean =>
    !!t && (t.kind === 'SCALAR' || t.kind === 'ENUM' || ((t.kind === 'NON_NULL' || t.kind === 'LIST') && leaf(t.ofType)));
  return (type?.fields ?? []).filter((f) => leaf(f.type)).map((f) => f.name);
}
interface TypeRef {
  kind: string;
  ofType?: TypeRef | null;
}

export interface SchemaChange {
  kind: string;
  schema: string | null;
  table: string | null;
  name: string | null;
  detail: string | null;
  destructive: boolean;
}
export interface SchemaEvolution {
  compatible: boolean;
  changes: SchemaChange[];
}
export interface MigrationScript {
  sql: string;
  destructive: boolean;
  statements: number;
}
export interface QualityReport {
  score: number;
  reference: string | null;
  createdAt: string;
  metrics: { name: string; score: number; weight: number; detail: unknown }[];
  columns: {
    table: string;
    column: string;
    nullRatio: number | null;
    distinctRatio: number | null;
    typeConsistency: number | null;
    drift: number | null;
    constraintViolations: number | null;
  }[];
  tables: { table: string; rowCount: number; fkOrphans: number | null; duplicateKeys: number | null }[];
}
export interface UnifiedField {
  name: string;
  dataType: string;
  nullable: boolean | null;
  unique: boolean | null;
  maxLength: number | null;
  enumValues: string[] | null;
  confidence: number | null;
  chosenFrom: string | null;
  sources: { kind: string; ref: string | null; name: string; dataType: string | null }[];
}
export interface UnifiedSchema {
  id: string;
  version: number;
  entities: { name: string; sources: { kind: string; name: string }[]; fields: UnifiedField[] }[];
  conflicts?: Record<string, unknown>[];
}

/** Runs one of the documents above; a GraphQL error becomes an Error with the server's message. */
export async function runPending<T>(client: Client, document: string, variables: Record<string, unknown>, mutation = false): Promise<T> {
  const op = mutation ? client.mutation(document, variables) : client.query(document, variables, { requestPolicy: 'network-only' });
  const result = await op.toPromise();
  if (result.error) throw new Error(result.error.message);
  return result.data as T;
}
