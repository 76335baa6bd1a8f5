/**
 * Where the browser sends GraphQL requests.
 *
 * An explicit `PUBLIC_TDM_API_URL` always wins. Otherwise the dev server proxies same-origin
 * `/graphql` to the API (see vite.config.ts), while a production build talks to the API
 * directly on `API_PORT`, which therefore has to allow the studio's origin (CORS).
 */
export function resolveApiUrl(opts: { explicit?: string; apiPort?: string; dev: boolean }): string {
  const explicit = opts.explicit?.trim();
  if (explicit) return explicit;
  if (opts.dev) return '/graphql';
  return `http://127.0.0.1:${opts.apiPort?.trim() || '8003'}/graphql`;
}

/**
 * Where the studio's own server sends GraphQL during SSR (load functions): the explicit URL when it
 * is absolute, otherwise the API on `API_PORT` — never the dev proxy, which only the browser goes
 * through.
 */
export function serverApiUrl(opts: { explicit?: string; apiPort?: string }): string {
  const explicit = opts.explicit?.trim();
  if (explicit && /^https?:\/\//.test(explicit)) return explicit;
  return `http://127.0.0.1:${opts.apiPort?.trim() || '8003'}/graphql`;
}
