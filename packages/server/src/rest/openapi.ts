/**
 * The OpenAPI 3.1 document of the REST routes, generated from the same GraphQL schema and route
 * table the handler runs: request bodies are the input types, answers the unwrapped result types,
 * every name in snake_case, errors `{ error: { type, code, message } }`.
 */
import type { GraphQLInputType, GraphQLNamedType, GraphQLOutputType, GraphQLSchema } from 'graphql';
import { getNamedType, isAbstractType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType } from './kinds.ts';
import { REST_BASE } from './handler.ts';
import { rootField, snake } from './operation.ts';
import { REST_ROUTES } from './routes.ts';

type JsonSchema = Record<string, unknown>;

const SCALARS: Record<string, JsonSchema> = {
  String: { type: 'string' },
  ID: { type: 'string' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  JSON: { description: 'any JSON value, passed through verbatim' },
};

type Route = (typeof REST_ROUTES)[number];

/** JSON Schemas of GraphQL types: named types become `components` (filled as they are first referenced). */
interface JsonSchemas {
  components: Record<string, JsonSchema>;
  typeSchema(t: GraphQLInputType | GraphQLOutputType): JsonSchema;
  /** What a route answers with 200: a result union's success data, a connection's items. */
  success(type: GraphQLOutputType): JsonSchema;
}

/** The OpenAPI document of the REST routes (and the table export) over `schema`. */
export function buildOpenApi(schema: GraphQLSchema): JsonSchema {
  const schemas = jsonSchemas(schema);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of REST_ROUTES) {
    paths[`${REST_BASE}${route.path}`] ??= {};
    paths[`${REST_BASE}${route.path}`]![route.method.toLowerCase()] = routeOperation(schema, schemas, route);
  }
  paths[`${REST_BASE}/datasets/{id}/tables/{table}/export`] = {
    get: {
      operationId: 'get_dataset_table_export',
      summary: 'One table of a dataset version as a file, streamed (format=csv|parquet; table is schema.name)',
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'table', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['csv', 'parquet'] } },
      ],
      responses: { 200: { description: 'the file' }, 404: { $ref: '#/components/responses/Error' } },
    },
  };

  return {
    openapi: '3.1.0',
    info: { title: 'TDM REST API', version: '1.0.0', description: 'The REST face of the TDM GraphQL API (same server, same auth, same typed errors).' },
    servers: [{ url: '/' }],
    components: {
      schemas: schemas.components,
      responses: { Error: { description: 'a typed error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } } },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token (required when the server runs with TDM_AUTH=required)' } },
    },
    security: [{}, { bearer: [] }],
    paths,
  };
}

function jsonSchemas(schema: GraphQLSchema): JsonSchemas {
  const components: Record<string, JsonSchema> = {
    ErrorResponse: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            type: { type: 'string', description: 'the GraphQL error type, e.g. ConnectionError' },
            code: { type: 'string' },
            message: { type: 'string' },
          },
          additionalProperties: true,
        },
      },
    },
  };

  const ref = (t: GraphQLNamedType): JsonSchema => {
    if (SCALARS[t.name]) return SCALARS[t.name]!;
    if (isEnumType(t)) return { type: 'string', enum: t.getValues().map((v) => v.name) };
    if (!components[t.name]) {
      components[t.name] = {}; // placeholder: recursive types refer to themselves
      components[t.name] = isInputObjectType(t) ? inputObject(t) : isObjectType(t) ? outputObject(t) : abstract(t);
    }
    return { $ref: `#/components/schemas/${t.name}` };
  };
  const typeSchema = (t: GraphQLInputType | GraphQLOutputType): JsonSchema => {
    const inner = isNonNullType(t) ? t.ofType : t;
    if (isListType(inner)) return { type: 'array', items: typeSchema(inner.ofType) };
    return ref(getNamedType(inner) as GraphQLNamedType);
  };
  const inputObject = (t: GraphQLNamedType): JsonSchema => {
    if (!isInputObjectType(t)) return {};
    const fields = Object.values(t.getFields());
    return {
      type: 'object',
      additionalProperties: false,
      required: fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => snake(f.name)),
      properties: Object.fromEntries(fields.map((f) => [snake(f.name), { ...typeSchema(f.type), ...(f.description ? { description: f.description } : {}) }])),
    };
  };
  const outputObject = (t: GraphQLNamedType): JsonSchema => {
    if (!isObjectType(t)) return {};
    const fields = Object.values(t.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined));
    return {
      type: 'object',
      properties: Object.fromEntries(fields.map((f) => [snake(f.name), { ...typeSchema(f.type), ...(f.description ? { description: f.description } : {}) }])),
    };
  };
  const abstract = (t: GraphQLNamedType): JsonSchema => (isAbstractType(t) ? { oneOf: schema.getPossibleTypes(t).map((m) => ref(m)) } : {});

  /** What the route answers with 200: a result union's success data, a connection's items. */
  const success = (type: GraphQLOutputType): JsonSchema => {
    const named = getNamedType(type);
    if (isAbstractType(named)) {
      const ok = schema.getPossibleTypes(named).find((m) => m.name.endsWith('Success'));
      if (ok) return typeSchema(ok.getFields().data!.type);
    }
    if (isObjectType(named) && named.name.endsWith('Connection')) {
      const node = getNamedType(named.getFields().edges!.type);
      const item = isObjectType(node) ? typeSchema(node.getFields().node!.type) : {};
      return {
        type: 'object',
        properties: { items: { type: 'array', items: item }, total_count: { type: 'integer' }, page_info: typeSchema(named.getFields().pageInfo!.type) },
      };
    }
    return typeSchema(type);
  };
  return { components, typeSchema, success };
}

/** The OpenAPI operation of one route: path and query parameters, request body, answers. */
function routeOperation(schema: GraphQLSchema, { typeSchema, success }: JsonSchemas, route: Route): Record<string, unknown> {
  const { field } = rootField(schema, route.field);
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const input = field.args.find((a) => a.name === 'input');
  const fixed = Object.keys(route.fixed ?? {});
  const queryArgs = field.args.filter((a) => !pathParams.includes(snake(a.name)) && !fixed.includes(a.name) && a.name !== 'input');
  const parameters = [
    ...pathParams.map((p) => ({ name: p, in: 'path', required: true, schema: { type: 'string' } })),
    ...(route.method === 'GET'
      ? queryArgs.map((a) => ({
          name: snake(a.name),
          in: 'query',
          required: isNonNullType(a.type) && a.defaultValue === undefined,
          schema: typeSchema(a.type),
        }))
      : []),
  ];
  const body =
    route.method === 'POST' && (input || queryArgs.length)
      ? input
        ? typeSchema(input.type)
        : { type: 'object', properties: Object.fromEntries(queryArgs.map((a) => [snake(a.name), typeSchema(a.type)])) }
      : undefined;
  const error = { description: 'a typed error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } };
  return {
    operationId: `${route.method.toLowerCase()}_${route.path
      .replace(/[{}]/g, '')
      .replace(/[^a-z0-9]+/gi, '_')
      .replace(/^_|_$/g, '')}`,
    summary: route.summary,
    description: `${field.description ?? ''}\n\nGraphQL: \`${route.field}\``.trim(),
    parameters,
    ...(body ? { requestBody: { required: Boolean(input && isNonNullType(input.type)), content: { 'application/json': { schema: body } } } } : {}),
    responses: {
      200: { description: 'OK', content: { 'application/json': { schema: success(field.type) } } },
      400: error,
      401: error,
      404: error,
      422: error,
    },
  };
}
