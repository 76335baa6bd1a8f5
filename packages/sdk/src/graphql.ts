import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.ts';

/** `graphql()` typed by the server's schema.graphql (through gql.tada): results and variables are inferred. */
export const graphql = initGraphQLTada<{
  introspection: typeof introspection;
  scalars: { DateTime: string; JSON: unknown; ID: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
