import { Annotation } from '@langchain/langgraph';
import type { FusedSchema, SourceEntity, SourceKind } from '../../fusion/types.ts';

/** What to fuse: two or more of a schema version (DB), an OpenAPI document, form URLs, a test case, a domain pack. */
export interface FuseSchemasInput {
  schemaVersionId?: string | null;
  openApiSpec?: string | null;
  urls?: string[] | null;
  testCaseContent?: string | null;
  testCaseFileName?: string | null;
  domain?: string | null;
  scenario?: string | null;
  weights?: Partial<Record<SourceKind, number>> | null;
  name?: string | null;
}

export interface FusionSummary {
  unifiedSchemaId: string;
  version: number;
  entities: number;
  fields: number;
  conflicts: number;
  sources: SourceKind[];
}

/**
 * State of the fusion step: the request, the entities each source describes (schema-sized, never
 * rows), the fused schema, and the stored version's id and summary.
 */
export const FusionState = Annotation.Root({
  request: Annotation<FuseSchemasInput>,
  jobId: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  sources: Annotation<SourceEntity[]>({ reducer: (_a, b) => b, default: () => [] }),
  fused: Annotation<FusedSchema | undefined>,
  summary: Annotation<FusionSummary | undefined>,
});

export type FusionStateType = typeof FusionState.State;
export type FusionUpdate = typeof FusionState.Update;
