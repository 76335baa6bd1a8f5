// `npm start`: the API (GraphQL on API_PORT, default 8003) and the studio (STUDIO_PORT, default 5173)
// on the embedded default — PGlite metadata store, demo source and target under TDM_DATA_DIR (.tdm).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { engineEnvironment } from './engine-env.mjs';

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
if (!existsSync('apps/studio/build/index.js')) {
  console.log('[tdm] building the studio (first start only)…');
  const r = spawnSync('npm', ['run', 'build', '-w', '@tdm/studio'], { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// The API runs as built JavaScript (packages/core and packages/server compiled to dist/; turbo skips the
// build when nothing changed).
const built = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@tdm/server', '--output-logs=errors-only'], { stdio: 'inherit', env });
if (built.status !== 0) process.exit(built.status ?? 1);
// Set before node starts (bench/README.md, server-rss): a young generation of 2 × 4 MB instead of 2 × 16 MB
// (as `npm run server`), and on glibc a fixed 128 KiB mmap threshold, so the large blocks of start-up
// (WebAssembly modules, file reads) go back to the system when freed instead of staying in malloc's heap.
const engineFlags = env.NODE_OPTIONS?.includes('--max-semi-space-size') ? [] : ['--max-semi-space-size=4'];
const engineEnv = engineEnvironment(env);
const children = [
  spawn('node', [...engineFlags, 'packages/server/dist/index.js'], { stdio: 'inherit', env: engineEnv }),
  spawn('node', ['apps/studio/serve.js'], { stdio: 'inherit', env }),
];
console.log(`[tdm] studio on http://localhost:${env.STUDIO_PORT ?? 5173}`);
let stopping = false;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
};
for (const c of children) c.on('exit', (code) => stop(code ?? 0));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => stop(0));
