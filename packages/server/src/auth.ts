/**
 * Who is calling. With `TDM_AUTH=required` every HTTP request and every WebSocket connection needs
 * `Authorization: Bearer <token>` (on WebSocket: the `authorization` connection parameter or header).
 * Otherwise the server is open and, unless API_HOST says otherwise, listens on localhost only.
 */
import { bearerToken, verifyApiToken } from '@tdm/core/auth/tokens';
import type { Tdm } from '@tdm/core/runtime';
import { createGraphQLError } from 'graphql-yoga';

export const authRequired = (env: NodeJS.ProcessEnv = process.env) => env.TDM_AUTH === 'required';

export function unauthenticated(message = 'an API token is required: send Authorization: Bearer <token>') {
  return createGraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** The actor for a request: the token's name, or "anonymous" when auth is off. Throws 401 when required and missing/invalid. */
export async function resolveActor(tdm: Tdm, authorization: string | null | undefined, required: boolean): Promise<string> {
  const token = bearerToken(authorization);
  if (token) {
    const row = await verifyApiToken(tdm.store.prisma, token);
    if (row) return `token:${row.name}`;
    if (required) throw unauthenticated('the API token is invalid or revoked');
  }
  if (required) throw unauthenticated();
  return 'anonymous';
}
