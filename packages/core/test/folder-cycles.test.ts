/**
 * The engine's folders depend on each other one way (jobs → graphs → domain folders): no runtime
 * import cycle between two folders of `src/`. Type-only imports are erased at run time and allowed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The folder of a file under src (`graphs/subset`, `jobs`); a top-level file is its own node (`errors.ts`). */
function folderOf(path: string): string {
  const rel = relative(SRC, path).split('/');
  if (rel.length === 1) return rel[0] as string;
  return rel[0] === 'graphs' && rel.length > 2 ? `graphs/${rel[1]}` : (rel[0] as string);
}

/** Runtime imports: static `import … from`, `export … from` and dynamic `import()`, without `import type`. */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  const statement = /^\s*(import|export)\s+(?!type\b)([^;]*?)\s+from\s+'([^']+)'/gms;
  for (const m of text.matchAll(statement)) if (!/^\{\s*\}$/.test((m[2] as string).trim())) out.push(m[3] as string);
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push(m[1] as string);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1] as string);
  return out.filter((s) => s.startsWith('.'));
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files(SRC)) {
    const from = folderOf(file);
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      const to = folderOf(resolve(dirname(file), spec));
      if (to === from || to.startsWith('generated')) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)?.add(to);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

describe('folder dependencies of packages/core/src', () => {
  it('have no runtime import cycle', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(10);
    expect(findCycle(graph)).toBeNull();
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('domain folders never import the orchestration (graphs, jobs) at run time', () => {
    const graph = folderGraph();
    for (const domain of ['catalog', 'pii', 'subset', 'mask', 'synthetic', 'provision', 'dataset', 'db', 'testcase', 'crawl']) {
      const deps = [...(graph.get(domain) ?? [])];
      expect(
        deps.filter((d) => d.startsWith('graphs') || d === 'jobs' || d === 'runtime.ts'),
        domain,
      ).toEqual([]);
    }
  });
});
