/**
 * The REST face of the API (`/api/v1/…`, `/api/v1/openapi.json`, `/docs`) as a Node request
 * listener in front of yoga: requests that are not REST go on to GraphQL untouched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tdm } from '@tdm/core/runtime';
import { createServerAdapter } from '@whatwg-node/server';
import type { GraphQLSchema } from 'graphql';
import { handleDocs } from './docs.ts';
import { handleExport } from './export.ts';
import { createRestRouter, errorResponse, REST_BASE } from './handler.ts';
import { buildOpenApi } from './openapi.ts';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export function withRest(
  tdm: Tdm,
  schema: GraphQLSchema,
  yoga: { fetch: (url: string, init: RequestInit) => Promise<Response> | Response },
  next: Listener,
  authRequired: boolean,
) {
  const route = createRestRouter(schema, (url, init) => yoga.fetch(url, init));
  // Built once, at start: a route naming a field the schema lacks fails here rather than on a request.
  const openApi = JSON.stringify(buildOpenApi(schema));
  const rest = createServerAdapter(async (request: Request) => {
    const { pathname } = new URL(request.url);
    if (pathname === `${REST_BASE}/openapi.json`) return new Response(openApi, { headers: { 'content-type': 'application/json' } });
    const answer = (await handleExport(tdm, request, authRequired)) ?? (await route(request)) ?? (await handleDocs(request));
    return answer ?? errorResponse(404, { code: 'NOT_FOUND', message: `no REST route ${request.method} ${pathname} (see ${REST_BASE}/openapi.json)` });
  });
  const listener: Listener = (req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith(`${REST_BASE}/`) || path === '/docs' || path.startsWith('/docs/')) rest(req, res);
    else next(req, res);
  };
  return Object.assign(listener, { fetch: rest.fetch });
}
