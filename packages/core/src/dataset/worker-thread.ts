/**
 * What the engine's worker-thread pools share (`dataset/encode-pool.ts`, `mask/mask-pool.ts`): how
 * a worker module is started, from the built JavaScript or from its TypeScript source, and how a
 * pool's `TDM_*_WORKERS` switch is read.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Each worker's own heap: enough for a few row groups, never the table. */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

/**
 * Starts worker module `name` (`encode-worker`, `mask-worker`) that stands beside `caller` (the
 * pool's `import.meta.url`): plain JavaScript from dist; from TypeScript (tests, tsx) its source
 * through tsx's loader.
 */
export function spawnWorkerModule(caller: string, name: string): Worker {
  const options = { resourceLimits: RESOURCE_LIMITS, stdout: false, stderr: false };
  if (!caller.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, caller), options);
  const tsxDir = dirname(createRequire(caller).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL(`./${name}.ts`, caller).href;
  const code = `const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry)});`;
  return new Worker(code, { ...options, eval: true });
}

/** A pool's switch: `value` (1/true/on, 0/false/off) when set, else whether the machine has `minCores` cores. */
export function workersSwitch(value: string | undefined, minCores: number): boolean {
  const v = value?.trim().toLowerCase();
  if (v === '0' || v === 'false' || v === 'off') return false;
  if (v === '1' || v === 'true' || v === 'on') return true;
  return availableParallelism() >= minCores;
}
