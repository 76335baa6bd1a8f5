/**
 * GraphQL through the app's own fetch (no port), as the server tests use it: the response's data,
 * with the test failing on any GraphQL error or a non-200 status.
 */
import { expect } from 'vitest';
import type { App } from '../src/app.ts';

export async function gqlData<T>(app: App, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await app.yoga.fetch('http://tdm.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(response.status).toBe(200);
  return body.data as T;
}
