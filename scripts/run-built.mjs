// `npm run server` / `npm run worker`: build the engine (turbo: cached, a second or two when nothing
// changed) and run its JavaScript from dist/ — no TypeScript compiler at runtime.
//   node scripts/run-built.mjs server            → packages/server/dist/index.js
//   node scripts/run-built.mjs tdm worker …      → packages/core/dist/bin/tdm.js worker …
// Node flags of the engine go on this node command (package.json: `node --max-semi-space-size=4 …`):
// V8 sizes its young generation when the process starts, before any of this code runs.
// glibc reads its malloc settings when the process starts too: on glibc, unless the shell set
// GLIBC_TUNABLES, the engine runs in a child process (this node's flags, the environment of
// scripts/engine-env.mjs) and this one only waits for it; otherwise it runs in this process.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { engineEnvironment, lacksEngineTunables } from './engine-env.mjs';

const ENTRIES = { server: 'packages/server/dist/index.js', tdm: 'packages/core/dist/bin/tdm.js' };
const [name, ...args] = process.argv.slice(2);
const entry = ENTRIES[name];
if (!entry) {
  console.error(`usage: node scripts/run-built.mjs ${Object.keys(ENTRIES).join('|')} [args…]`);
  process.exit(2);
}
if (process.env.TDM_SKIP_BUILD !== '1') {
  const filter = name === 'server' ? '@tdm/server' : '@tdm/core';
  const r = spawnSync('npx', ['turbo', 'run', 'build', `--filter=${filter}`, '--output-logs=errors-only'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) {
    // turbo reports a failed task on stdout.
    process.stderr.write(r.stdout ?? '');
    process.exit(r.status ?? 1);
  }
}
if (lacksEngineTunables(process.env)) {
  const child = spawn(process.execPath, [...process.execArgv, resolve(entry), ...args], { stdio: 'inherit', env: engineEnvironment(process.env) });
  // Ctrl-C reaches both processes; a SIGTERM sent to this one only is passed on.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
} else {
  process.argv = [process.argv[0], resolve(entry), ...args];
  await import(pathToFileURL(resolve(entry)).href);
}
