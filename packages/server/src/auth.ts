/**
 * Who is calling. With `TDM_AUTH=required` every HTTP request and every WebSocket connection needs
 * `Authorization: Bearer <token>` (on WebSocket: the `authorization` connection parameter or header).
 * Otherwise the server is open and, unless API_HOST says otherwise, listens on localhost only.
 */
import { bearerToken, SCOPES, type Scope, verifyApiToken } from '@tdm/core/auth/tokens';
import type { Tdm } from '@tdm/core/runtime';
import { createGraphQLError } from 'graphql-yoga';

export const authRequired = (env: NodeJS.ProcessEnv = process.env) => env.TDM_AUTH === 'required';

export function unauthenticated(message = 'an API token is required: send Authorization: Bearer <token>') {
  return createGraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export interface Caller {
  actor: string;
  token: { id: string; scopes: Scope[] } | null;
  scopes: Scope[];
}

/** The caller of a request: a live token (its name and scopes), or anonymous with every scope when auth is off. Throws 401 when required and missing/invalid. */
export async function resolveCaller(tdm: Tdm, authorization: string | null | undefined, required: boolean): Promise<Caller> {
  const token = bearerToken(authorization);
  if (token) {
    const row = await verifyApiToken(tdm.store.prisma, token);
    if (row) {
      const scopes = row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
      return { actor: `token:${row.name}`, token: { id: row.id, scopes }, scopes };
    }
    if (required) throw unauthenticated('the API token is invalid or revoked');
  }
  if (required) throw unauthenticated();
  return { actor: 'anonymous', token: null, scopes: [...SCOPES] };
}

/** The actor for a request: the token's name, or "anonymous" when auth is off. Throws 401 when required and missing/invalid. */
export async function resolveActor(tdm: Tdm, authorization: string | null | undefined, required: boolean): Promise<string> {
  return (await resolveCaller(tdm, authorization, required)).actor;
}
