/**
 * Query limits (GraphQL Armor): depth, cost, aliases, tokens and directives, checked while the
 * document is parsed and validated — before anything runs — so a hostile 1 KB query is refused in
 * milliseconds instead of answering hundreds of megabytes. Refusals carry the code
 * QUERY_LIMIT_EXCEEDED. The defaults leave room for the studio's and the SDK's own operations; each
 * is a setting (`TDM_GRAPHQL_MAX_DEPTH`, `…_MAX_COST`, `…_MAX_ALIASES`, `…_MAX_TOKENS`, `…_MAX_DIRECTIVES`).
 */
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface QueryLimits {
  depth: number;
  cost: number;
  aliases: number;
  tokens: number;
  directives: number;
}

// Cost grows 1.5× per level of depth (GraphQL Armor's default factor): the studio's schema picker
// (schemas → versions, paged, with __typename) costs about 100,000; depth and tokens bound the rest.
export const DEFAULT_LIMITS: QueryLimits = { depth: 12, cost: 1_000_000, aliases: 30, tokens: 5_000, directives: 20 };

const SETTINGS: Record<keyof QueryLimits, string> = {
  depth: 'TDM_GRAPHQL_MAX_DEPTH',
  cost: 'TDM_GRAPHQL_MAX_COST',
  aliases: 'TDM_GRAPHQL_MAX_ALIASES',
  tokens: 'TDM_GRAPHQL_MAX_TOKENS',
  directives: 'TDM_GRAPHQL_MAX_DIRECTIVES',
};

/** The limits in force: each setting that is a positive integer replaces its default. */
export function queryLimits(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, name] of Object.entries(SETTINGS) as [keyof QueryLimits, string][]) {
    const value = Number(env[name]);
    if (env[name] && Number.isInteger(value) && value > 0) limits[key] = value;
  }
  return limits;
}

/** Gives every refusal the same code, so a client can tell a limit from a broken query. */
const typed = (setting: string) => (_ctx: unknown, error: GraphQLError) => {
  Object.assign(error.extensions as Record<string, unknown>, { code: 'QUERY_LIMIT_EXCEEDED', setting, http: { status: 400 } });
};

export function queryLimitPlugins(limits: QueryLimits = queryLimits()): Plugin[] {
  return [
    maxTokensPlugin({ n: limits.tokens, onReject: [typed(SETTINGS.tokens)] }),
    maxDepthPlugin({ n: limits.depth, onReject: [typed(SETTINGS.depth)] }),
    // No allow list: aliases of __typename cost nothing each but are executed all the same.
    maxAliasesPlugin({ n: limits.aliases, allowList: [], onReject: [typed(SETTINGS.aliases)] }),
    maxDirectivesPlugin({ n: limits.directives, onReject: [typed(SETTINGS.directives)] }),
    costLimitPlugin({ maxCost: limits.cost, onReject: [typed(SETTINGS.cost)] }),
  ] as Plugin[];
}
