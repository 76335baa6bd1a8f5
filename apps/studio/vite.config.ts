import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The browser talks to same-origin `/graphql` in dev; forward it (HTTP and WebSocket, for
// subscriptions) and the file exports under /export to the API so that no CORS is involved.
// Production: see README.md.
const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? 8003}`;
const proxy = { '/graphql': { target: apiTarget, ws: true }, '/export': { target: apiTarget } };
const port = Number(process.env.STUDIO_PORT ?? 5173);

export default defineConfig({
  plugins: [sveltekit({ adapter: adapter() })],
  server: { port, strictPort: true, proxy },
  preview: { port, strictPort: true, proxy },
});
