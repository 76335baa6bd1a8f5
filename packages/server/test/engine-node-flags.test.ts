/**
 * Every start of an engine process — `npm start`, `npm run server`, `npm run worker`, `npm run tdm`,
 * `tdm worker` / `tdm token` of the CLI, the compose services and the image's default command — gives
 * node `--max-semi-space-size=4`: V8 sizes its young generation when the process starts, so the engine
 * cannot set it itself (bench/README.md, server-rss and pipeline-rss). Where TDM sets the environment of
 * the process, it also fixes glibc's mmap threshold (GLIBC_TUNABLES), read when the process starts too.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FLAG = '--max-semi-space-size=4';
/** glibc's malloc setting, where TDM sets the environment of an engine process (`npm start`, `tdm worker`, the image). */
const TUNABLES = 'glibc.malloc.mmap_threshold=131072';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

/** The young generation's size (MB) of a node process started with these flags and environment. */
function newSpaceMb(args: string[], env: Record<string, string> = {}): number {
  // Written as a plain string: console.log would colour a number when FORCE_COLOR is set (as `npm test` sets it).
  const script = "const v8=require('node:v8');process.stdout.write(String(v8.getHeapSpaceStatistics().find(s=>s.space_name==='new_space').space_size))";
  const r = spawnSync(process.execPath, [...args, '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return Number(r.stdout.trim()) / 1024 / 1024;
}

describe('node flags of the engine processes', () => {
  it('are on every npm script that runs the engine', async () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.server).toBe(`node ${FLAG} scripts/run-built.mjs server`);
    expect(scripts.worker).toBe(`node ${FLAG} scripts/run-built.mjs tdm worker`);
    expect(scripts.tdm).toBe(`tsx ${FLAG} packages/core/src/bin/tdm.ts`);
    // npm start: the API child of scripts/start.mjs.
    const start = read('scripts/start.mjs');
    expect(start).toContain(`['${FLAG}']`);
    // … with the environment of scripts/engine-env.mjs, which npm run server / worker use too.
    expect(start).toContain('engineEnvironment(env)');
    const { ENGINE_GLIBC_TUNABLES } = await import('../../../scripts/engine-env.mjs');
    expect(ENGINE_GLIBC_TUNABLES).toBe(TUNABLES);
  });

  it('are on the CLI engine commands, the compose services and the image', () => {
    const cli = read('packages/cli/src/main.ts');
    expect(cli).toContain(`['${FLAG}']`);
    expect(cli).toContain(`GLIBC_TUNABLES: '${TUNABLES}'`);
    const compose = read('deploy/compose.yaml');
    expect(compose).toContain(`command: ["node", "${FLAG}", "packages/server/dist/index.js"]`);
    expect(compose).toContain(`command: ["node", "${FLAG}", "packages/core/dist/bin/tdm.js", "worker"]`);
    const dockerfile = read('deploy/Dockerfile');
    expect(dockerfile).toContain(`CMD ["node", "${FLAG}", "packages/server/dist/index.js"]`);
    expect(dockerfile).toContain(`ENV GLIBC_TUNABLES=${TUNABLES}`);
  });

  it('shrink the young generation, on the command line or in NODE_OPTIONS', () => {
    expect(newSpaceMb([FLAG])).toBeLessThanOrEqual(8);
    expect(newSpaceMb([], { NODE_OPTIONS: FLAG })).toBeLessThanOrEqual(8);
  });
});
