export { TdmClient, type TdmClientOptions } from './client.ts';
export * from './errors.ts';
export { graphql, readFragment, type FragmentOf, type ResultOf, type VariablesOf } from './graphql.ts';
export type { SchemaVersion, SchemaSummary, DiscoverOptions } from './resources/schemas.ts';
export type { DatabaseConnection } from './resources/connections.ts';
export type { ExecuteWorkflowInput, ExecuteWorkflowResult, ClassifyIntentInput, PipelinePlan, WorkflowTemplate } from './resources/workflows.ts';
export type { Job, JobStatus, JobTrace, JobLogEvent } from './resources/jobs.ts';
export type { LineageGraph, LineageKind } from './resources/lineage.ts';
