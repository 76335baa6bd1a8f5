export { TdmClient, type TdmClientOptions } from './client.ts';
export * from './errors.ts';
export { graphql, readFragment, type FragmentOf, type ResultOf, type VariablesOf } from './graphql.ts';
export type { SchemaVersion, SchemaSummary, DiscoverOptions } from './resources/schemas.ts';
export type { DatabaseConnection } from './resources/connections.ts';
