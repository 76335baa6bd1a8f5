// A stand-in for the TDM GraphQL API with fixed data, so the e2e test checks the UI alone. It
// executes every request against the real schema (packages/server/schema.graphql) with graphql-js,
// so documents the server would reject fail here too, and answers carry only the requested fields.
// The fixed data and resolvers live in fake-schemas.ts, fake-synthetic.ts and fake-environments.ts.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql } from 'graphql';
import { environmentResolvers } from './fake-environments';
import { fakeSchemas } from './fake-schemas';
import { type Generated, syntheticResolvers } from './fake-synthetic';

const schemaSdl = readFileSync(new URL('../../../packages/server/schema.graphql', import.meta.url), 'utf8');
const gqlSchema = buildSchema(schemaSdl);

export interface FakeApi {
  port: number;
  /** operationName of every request received, in order. */
  operations: string[];
  /** Every request's operation name and variables, in order. */
  requests: { operationName: string; variables: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const operations: string[] = [];
  const requests: FakeApi['requests'] = [];
  const datasets = new Map<string, Generated>();
  const schemas = fakeSchemas();

  // Root fields; nested fields resolve from the fixed objects (functions are called with their
  // arguments), unions and interfaces by `__typename`.
  const rootValue = {
    ...schemas.resolvers,
    ...syntheticResolvers(schemas.versions, datasets),
    ...environmentResolvers(datasets),
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      // urql sends queries as GET (within the URL length limit) and mutations as POST.
      let payload: { query?: string | null; operationName?: string | null; variables?: Record<string, unknown> | null } = {};
      try {
        if (req.method === 'GET') {
          const params = new URL(req.url ?? '/', 'http://fake').searchParams;
          payload = { query: params.get('query'), operationName: params.get('operationName'), variables: JSON.parse(params.get('variables') ?? '{}') };
        } else {
          payload = JSON.parse(body || '{}');
        }
      } catch {
        // answered below as a GraphQL error
      }
      operations.push(String(payload.operationName ?? ''));
      requests.push({ operationName: String(payload.operationName ?? ''), variables: payload.variables ?? {} });
      const result = await graphql({
        schema: gqlSchema,
        source: payload.query ?? '',
        rootValue,
        operationName: payload.operationName,
        variableValues: payload.variables,
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    operations,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
