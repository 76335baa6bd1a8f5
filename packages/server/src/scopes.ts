/**
 * Token scopes: `read` runs queries and subscriptions, `write` runs mutations, `admin` manages tokens.
 * A caller without a token on an open (localhost) server holds every scope. The operation's type is
 * checked before it executes; token management checks `admin` in its resolvers.
 */
import type { Scope } from '@tdm/core/auth/tokens';
import { TdmError } from '@tdm/core/errors';
import { type DocumentNode, getOperationAST } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Context } from './context.ts';

const NEEDS: Record<string, Scope> = { query: 'read', subscription: 'read', mutation: 'write' };

export function forbidden(scope: Scope) {
  return createGraphQLError(`the API token lacks the "${scope}" scope`, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

/** Throws a typed FORBIDDEN error unless the caller holds `scope` (for resolvers with an error union). */
export function requireScope(ctx: Context, scope: Scope): void {
  if (!ctx.scopes.includes(scope)) throw new TdmError('FORBIDDEN', `the API token lacks the "${scope}" scope`, { details: { scope } });
}

function check(document: DocumentNode, operationName: string | null | undefined, ctx: Context) {
  const op = getOperationAST(document, operationName ?? undefined);
  const scope = op ? NEEDS[op.operation] : undefined;
  return scope && !ctx.scopes.includes(scope) ? forbidden(scope) : null;
}

export function useScopes(): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.operationName, args.contextValue as Context);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.operationName, args.contextValue as Context);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
