import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';

/** `/graphql` or `http(s)://host/graphql` → the `ws(s)://` URL of the same endpoint. */
export function websocketUrl(apiUrl: string, origin: string): string {
  const url = new URL(apiUrl, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * The studio's one urql client. Created in the root layout (once per page load in the browser,
 * once per request during SSR) and shared through Svelte context — never a module singleton,
 * which the server would share between users. Subscriptions (job logs, the live dashboard) go
 * over graphql-ws on the same endpoint; the socket opens on the first subscription only.
 */
export function createTdmClient(url: string): Client {
  const exchanges = [cacheExchange, fetchExchange];
  if (typeof window !== 'undefined') {
    const ws = createWsClient({ url: websocketUrl(url, window.location.origin), lazy: true, retryAttempts: 5 });
    exchanges.push(
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    );
  }
  return new Client({
    url,
    exchanges,
    // `cache-and-network` shows the cached list at once and still picks up discoveries made elsewhere.
    requestPolicy: 'cache-and-network',
    // The API refuses requests without it that a cross-site form could send (urql sends queries as GET).
    fetchOptions: { headers: { 'x-tdm-csrf': '1' } },
  });
}

/** The download URL of a server export (`/export/…`), beside the GraphQL endpoint. */
export function exportUrl(apiUrl: string, path: string, params: Record<string, string | null | undefined> = {}): string {
  const base = apiUrl.replace(/\/graphql\/?$/, '');
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  return `${base}/export/${path}${query ? `?${query}` : ''}`;
}
