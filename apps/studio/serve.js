// Starts the adapter-node build (`npm run build`) on STUDIO_PORT, default 5173.
// adapter-node reads PORT/HOST itself; see README.md for the API URL.
process.env.PORT = process.env.STUDIO_PORT ?? process.env.PORT ?? '5173';
await import('./build/index.js');
