import { Client, cacheExchange, fetchExchange } from '@urql/core';

/**
 * The studio's one urql client. Created in the root layout (once per page load in the browser,
 * once per request during SSR) and shared through Svelte context — never a module singleton,
 * which the server would share between users.
 */
export function createTdmClient(url: string): Client {
  return new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    // `cache-and-network` shows the cached list at once and still picks up discoveries made elsewhere.
    requestPolicy: 'cache-and-network',
    // The API refuses requests without it that a cross-site form could send (urql sends queries as GET).
    fetchOptions: { headers: { 'x-tdm-csrf': '1' } },
  });
}
