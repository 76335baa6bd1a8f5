// The environment an engine process (the API server, `tdm worker`) is started with by `npm run server` /
// `npm run worker` (scripts/run-built.mjs), and by the benches that start it the same way.
//
// glibc's malloc raises its mmap threshold each time a large block is freed, up to 32 MB: after start-up
// (WebAssembly modules, file reads) later blocks of up to that size come from malloc's heaps, and what is
// freed there stays resident. A fixed 128 KiB threshold hands them back to the system (bench/README.md,
// server-rss). glibc reads GLIBC_TUNABLES when the process starts, so it is set before node runs — here,
// in `npm start` (scripts/start.mjs), the CLI's `tdm worker` and the image.

/** glibc's malloc setting of an engine process. */
export const ENGINE_GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=131072';

/** Whether this node runs on glibc (the setting means nothing to musl, macOS or Windows). */
export function onGlibc() {
  return process.platform === 'linux' && Boolean(process.report?.getReport().header?.glibcVersionRuntime);
}

/** Whether `env` lacks the engine's malloc setting on this platform (glibc, no GLIBC_TUNABLES of its own). */
export function lacksEngineTunables(env = process.env) {
  return env.GLIBC_TUNABLES === undefined && onGlibc();
}

/** `env` with the engine's GLIBC_TUNABLES on glibc, unless `env` sets its own. */
export function engineEnvironment(env = process.env) {
  return lacksEngineTunables(env) ? { ...env, GLIBC_TUNABLES: ENGINE_GLIBC_TUNABLES } : { ...env };
}
