import { Client, fetchExchange } from '@urql/core';
import type { ServerLoadEvent } from '@sveltejs/kit';
import type { TadaDocumentNode } from 'gql.tada';
import { env as privateEnv } from '$env/dynamic/private';
import { env as publicEnv } from '$env/dynamic/public';
import { serverApiUrl } from './api-url';

function apiClient(fetch: typeof globalThis.fetch): Client {
  return new Client({
    url: serverApiUrl({ explicit: publicEnv.PUBLIC_TDM_API_URL, apiPort: privateEnv.API_PORT }),
    exchanges: [fetchExchange],
    fetch,
    requestPolicy: 'network-only',
    // The API refuses requests without it that a cross-site form could send (urql sends queries as GET).
    fetchOptions: { headers: { 'x-tdm-csrf': '1' } },
  });
}

/**
 * Runs one query for a page's first paint on the server. A failure (API down, an error) gives
 * null: the page then loads its data in the browser as usual, where errors are shown.
 */
export async function loadQuery<Result, Variables extends Record<string, unknown>>(
  fetch: typeof globalThis.fetch,
  document: TadaDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result | null> {
  try {
    const result = await apiClient(fetch).query(document, variables).toPromise();
    return result.error ? null : (result.data ?? null);
  } catch {
    return null;
  }
}

/**
 * One query or mutation for a form action. Unlike `loadQuery` the failure is kept: a transport or
 * GraphQL error comes back as `error` (the typed errors of result unions are in `data`).
 */
export async function callApi<Result, Variables extends Record<string, unknown>>(
  fetch: typeof globalThis.fetch,
  document: TadaDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<{ data: Result | null; error: { message: string } | undefined }> {
  const client = apiClient(fetch);
  const mutation = document.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'mutation');
  try {
    const result = await (mutation ? client.mutation(document, variables) : client.query(document, variables)).toPromise();
    return { data: result.data ?? null, error: result.error ? { message: result.error.message } : undefined };
  } catch (err) {
    return { data: null, error: { message: err instanceof Error ? err.message : String(err) } };
  }
}

/**
 * `loadQuery` for the request that renders a page's HTML, so the page has content before any
 * script runs. On a client-side navigation (a data request) it gives null at once: the page's
 * urql client asks the API itself from the browser, one round trip instead of two.
 */
export function firstPaint<Result, Variables extends Record<string, unknown>>(
  event: Pick<ServerLoadEvent, 'fetch' | 'isDataRequest'>,
  document: TadaDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result | null> {
  return event.isDataRequest ? Promise.resolve(null) : loadQuery(event.fetch, document, variables);
}
