/**
 * What an idle API server holds (bench/README.md, server-rss): the modules only a request or a job
 * needs are not imported at start and load on first use, the server still answers on PGlite
 * metadata, and `npm run server` (scripts/run-built.mjs) gives the engine glibc's malloc setting.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@tdm/core/config';
import { createTdm, type Tdm } from '@tdm/core/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_GLIBC_TUNABLES, onGlibc } from '../../../scripts/engine-env.mjs';
import { type App, createApp } from '../src/app.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Value imports (`import … from`, `import '…'`, `export … from`; not `import type`) of a TypeScript file. */
function valueImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?'([^']+)'/gm)) specifiers.push(m[1] as string);
  return specifiers;
}

/** Every workspace file and package the server's entry imports at start, following workspace files. */
function startupGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of valueImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec));
      else if (spec.startsWith('@tdm/core/')) pending.push(join(root, 'packages/core/src', `${spec.slice('@tdm/core/'.length)}.ts`));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
    }
  }
  return { files, packages };
}

describe('modules of an idle server', () => {
  it('pg-boss, the masking transformers (Faker) and the domain packs are not imported at start', () => {
    const { files, packages } = startupGraph(join(root, 'packages/server/src/index.ts'));
    const core = [...files].map((f) => f.slice(root.length));
    expect(core).toContain('packages/core/src/runtime.ts');
    expect(core).toContain('packages/server/src/schema/pii.ts');
    expect(packages).toContain('graphql-yoga');
    for (const lazy of ['jobs/pgboss-queue.ts', 'mask/registry.ts', 'mask/transformers/index.ts', 'synthetic/domain/packs.ts', 'synthetic/faker-en.ts']) {
      expect(core, lazy).not.toContain(`packages/core/src/${lazy}`);
    }
    expect(packages).not.toContain('pg-boss');
    expect(packages).not.toContain('@faker-js/faker');
  });
});

describe('on PGlite metadata, what loads on first use answers', () => {
  let dataDir: string;
  let tdm: Tdm;
  let app: App;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tdm-idle-'));
    tdm = await createTdm(loadConfig({ TDM_DATA_DIR: dataDir, TDM_DEMO: 'off' }));
    app = createApp(tdm);
  });

  afterAll(async () => {
    await tdm?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the masking transformers and the domain packs, and queues jobs in the process', async () => {
    expect(tdm.jobs.queue.kind).toBe('in-process');
    const response = await app.yoga.fetch('http://tdm.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ transformers { name deterministic } domainPacks { name } }' }),
    });
    const body = (await response.json()) as { data?: { transformers: { name: string }[]; domainPacks: { name: string }[] }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.transformers.map((t) => t.name)).toEqual(expect.arrayContaining(['fake', 'hash', 'redact']));
    expect(body.data?.domainPacks.length).toBeGreaterThan(0);
  });
});

interface Seen {
  pid: number;
  ppid: number;
  execArgv: string[];
  tunables: string | null;
}

/** What each node process of `node <flags> scripts/run-built.mjs tdm <args>` saw, the shell's GLIBC_TUNABLES being `tunables`. */
function runBuilt(args: string[], tunables: string | null): { status: number | null; seen: Seen[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tdm-run-built-'));
  try {
    const report = join(dir, 'seen.jsonl');
    const probe = join(dir, 'probe.cjs');
    const line = 'JSON.stringify({pid:process.pid,ppid:process.ppid,execArgv:process.execArgv,tunables:process.env.GLIBC_TUNABLES??null})';
    writeFileSync(probe, `require('node:fs').appendFileSync(${JSON.stringify(report)}, ${line} + '\\n');`);
    const { GLIBC_TUNABLES: _, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--max-semi-space-size=4', 'scripts/run-built.mjs', 'tdm', ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...env, ...(tunables === null ? {} : { GLIBC_TUNABLES: tunables }), TDM_SKIP_BUILD: '1', NODE_OPTIONS: `--require ${probe}` },
    });
    const seen = existsSync(report)
      ? readFileSync(report, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Seen)
      : [];
    return { status: r.status, seen };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const builtCli = existsSync(join(root, 'packages/core/dist/bin/tdm.js'));

describe.skipIf(!builtCli)('npm run server / npm run worker (scripts/run-built.mjs)', () => {
  it.skipIf(!onGlibc())("on glibc, runs the engine in a child with glibc's malloc setting and this node's flags, and exits with its code", () => {
    const { status, seen } = runBuilt(['no-such-command'], null);
    expect(status).toBe(2);
    expect(seen).toHaveLength(2);
    const [launcher, engine] = seen;
    expect(launcher?.tunables).toBeNull();
    expect(engine?.ppid).toBe(launcher?.pid);
    expect(engine?.tunables).toBe(ENGINE_GLIBC_TUNABLES);
    expect(engine?.execArgv).toContain('--max-semi-space-size=4');
  });

  it('runs the engine in its own process when the shell set GLIBC_TUNABLES', () => {
    const { status, seen } = runBuilt(['no-such-command'], 'glibc.malloc.arena_max=2');
    expect(status).toBe(2);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.tunables).toBe('glibc.malloc.arena_max=2');
  });
});
