/**
 * `/docs`: Swagger UI over `/api/v1/openapi.json`, served from the swagger-ui-dist package (no CDN:
 * the page works on a machine without internet).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

let distDir: string | null = null;
const dist = () => (distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')));

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>TDM REST API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;

// A file, not inline script, so a strict Content-Security-Policy (script-src 'self') allows it.
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'BaseLayout', deepLinking: true });`;

export async function handleDocs(request: Request): Promise<Response | null> {
  const { pathname } = new URL(request.url);
  if (pathname === '/docs' || pathname === '/docs/') return new Response(PAGE, { headers: { 'content-type': 'text/html; charset=utf-8' } });
  if (pathname === '/docs/init.js') return new Response(INIT, { headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  const name = pathname.startsWith('/docs/') ? pathname.slice('/docs/'.length) : '';
  const type = ASSETS[name];
  if (!type) return null;
  return new Response(await readFile(join(dist(), name)), { headers: { 'content-type': type, 'cache-control': 'public, max-age=86400' } });
}
