/**
 * REST under `/api/v1`: each route of `routes.ts` runs its GraphQL operation through the same
 * yoga (`yoga.fetch`), so auth, error masking and every plugin apply as they do to `/graphql`.
 * Bodies and answers are snake_case; a typed error of the API answers with its HTTP status and
 * `{ "error": { "type", "code", "message", … } }`.
 */
import type { GraphQLField, GraphQLOutputType, GraphQLSchema } from 'graphql';
import { getNamedType, isNonNullType } from './kinds.ts';
import { TdmError } from '@tdm/core/errors';
import { buildOperation, rootField, snake, toRest, toVariable } from './operation.ts';
import { REST_ROUTES, type RestRoute } from './routes.ts';

export const REST_BASE = '/api/v1';

type Fetch = (url: string, init: RequestInit) => Promise<Response> | Response;

const STATUS: Record<string, number> = {
  INVALID_INPUT: 400,
  INVALID_CONNECTION_STRING: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SCHEMA_NOT_FOUND: 404,
  CONFLICT: 409,
  HOST_UNREACHABLE: 502,
  CONNECTION_FAILED: 502,
  CRAWL_FAILED: 502,
};

export const statusOf = (code: string) => STATUS[code] ?? 422;

export function errorResponse(status: number, error: { code: string; message: string; type?: string } & Record<string, unknown>): Response {
  return Response.json({ error: { type: error.type ?? 'BaseError', ...error } }, { status });
}

interface Compiled extends RestRoute {
  pattern: RegExp;
  params: string[];
}

/** The REST handler: `null` when the request is not one of its routes. */
export function createRestRouter(schema: GraphQLSchema, graphqlFetch: Fetch) {
  const routes: Compiled[] = REST_ROUTES.map((r) => {
    rootField(schema, r.field); // a route naming a field the schema lacks fails at start-up, not per request
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    return { ...r, params, pattern: new RegExp(`^${REST_BASE}${r.path.replace(/\{\w+\}/g, '([^/]+)')}/?$`) };
  });

  return async function handle(request: Request): Promise<Response | null> {
    const url = new URL(request.url);
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    if (!matching.length) return null;
    const route = matching.find((r) => r.method === request.method);
    if (!route)
      return errorResponse(405, {
        code: 'METHOD_NOT_ALLOWED',
        message: `${request.method} ${url.pathname}: use ${matching.map((r) => r.method).join(' or ')}`,
      });
    try {
      return await run(route, request, url);
    } catch (err) {
      if (err instanceof TdmError) return errorResponse(statusOf(err.code), { type: err.constructor.name, code: err.code, message: err.message });
      throw err;
    }
  };

  async function run(route: Compiled, request: Request, url: URL): Promise<Response> {
    const { field } = rootField(schema, route.field);
    const raw = await requestArguments(
      route,
      request,
      url,
      field.args.some((a) => a.name === 'input'),
    );
    if (raw instanceof Response) return raw;
    const variables = graphqlVariables(field, raw);
    if (variables instanceof Response) return variables;
    const query = buildOperation(schema, route.field, Object.keys(variables));
    const response = await graphqlFetch(`${url.origin}/graphql`, {
      method: 'POST',
      headers: forwardedHeaders(request),
      body: JSON.stringify({ query, variables }),
    });
    const result = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    if (result.errors?.length) {
      const first = result.errors[0]!;
      const code = String(first.extensions?.code ?? (response.status === 400 ? 'INVALID_INPUT' : 'INTERNAL_SERVER_ERROR'));
      const status = (first.extensions?.http as { status?: number } | undefined)?.status ?? (response.status >= 400 ? response.status : (STATUS[code] ?? 500));
      return errorResponse(status, { code, message: result.errors.map((e) => e.message).join('; ') });
    }
    return answer(field.name, field.type, result.data?.[field.name]);
  }

  function answer(name: string, type: GraphQLOutputType, value: unknown): Response {
    if (value === null || value === undefined) return errorResponse(404, { type: 'NotFoundError', code: 'NOT_FOUND', message: `${snake(name)} not found` });
    const v = toRest(value, type, schema) as Record<string, unknown>;
    const typename = (value as { __typename?: string }).__typename;
    if (typename && 'code' in v && 'message' in v && !typename.endsWith('Success')) {
      return errorResponse(statusOf(String(v.code)), { type: typename, ...(v as { code: string; message: string }) });
    }
    if (typename?.endsWith('Success')) return Response.json(v.data);
    if (getNamedType(type).name.endsWith('Connection') && Array.isArray(v.edges)) {
      const { edges, page_info, total_count } = v as { edges: { node: unknown }[]; page_info: unknown; total_count?: number };
      return Response.json({ items: edges.map((e) => e.node), total_count, page_info });
    }
    return Response.json(v);
  }
}

/** A path or query string value typed by its argument: numbers, booleans and comma lists. */
function fromQuery(value: string, typeName: string): unknown {
  if (typeName === 'Int' || typeName === 'Float') return Number.isFinite(Number(value)) ? Number(value) : value;
  if (typeName === 'Boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/** The route's arguments by name, from its fixed values, the path, the query string and a POST's JSON body (as `input` when the field takes one); a 400 answer when the body is not a JSON object. */
async function requestArguments(route: Compiled, request: Request, url: URL, takesInput: boolean): Promise<Record<string, unknown> | Response> {
  const raw: Record<string, unknown> = { ...route.fixed };
  const m = route.pattern.exec(url.pathname)!;
  route.params.forEach((p, i) => {
    raw[p] = decodeURIComponent(m[i + 1]!);
  });
  for (const [k, v] of url.searchParams) raw[k] = v;
  if (request.method === 'POST') {
    const text = await request.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return errorResponse(400, { code: 'INVALID_INPUT', message: 'the request body is not JSON' });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return errorResponse(400, { code: 'INVALID_INPUT', message: 'the request body must be a JSON object' });
    if (takesInput) raw.input = body;
    else Object.assign(raw, body);
  }
  return raw;
}

/** The GraphQL variables of the arguments (snake_case or GraphQL names); a 400 answer for an unknown or a missing required one. */
function graphqlVariables(field: GraphQLField<unknown, unknown>, raw: Record<string, unknown>): Record<string, unknown> | Response {
  const variables: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const arg = field.args.find((a) => snake(a.name) === key || a.name === key);
    if (!arg)
      return errorResponse(400, {
        code: 'INVALID_INPUT',
        message: `unknown parameter ${key} (expected ${field.args.map((a) => snake(a.name)).join(', ') || 'none'})`,
      });
    variables[arg.name] = toVariable(
      typeof value === 'string' ? fromQuery(value, String(getNamedType(arg.type))) : value,
      arg.type,
      arg.name === 'input' ? '' : snake(arg.name),
    );
  }
  for (const a of field.args) {
    if (isNonNullType(a.type) && a.defaultValue === undefined && !(a.name in variables)) {
      return errorResponse(400, { code: 'INVALID_INPUT', message: `${snake(a.name)} is required` });
    }
  }
  return variables;
}

/** The request's headers the GraphQL request carries on: auth, cookies, origin. */
function forwardedHeaders(request: Request): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  for (const h of ['authorization', 'cookie', 'origin']) {
    const v = request.headers.get(h);
    if (v) headers[h] = v;
  }
  return headers;
}
