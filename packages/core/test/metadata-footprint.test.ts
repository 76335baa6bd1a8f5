/**
 * The embedded metadata store's share of an idle server (bench/README.md, server-rss): PGlite opened
 * without extensions and with 4MB of buffers, and Prisma's query compiler read from its file rather
 * than kept as a base64 string.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../src/db/open.ts';
import { openMetadataStore, type MetadataStore } from '../src/store/metadata.ts';
import { loadQueryCompilerModule } from '../src/store/query-compiler-wasm.ts';

/** The WebAssembly API used here (the project's libraries do not include its types). */
const { Module } = (globalThis as unknown as { WebAssembly: { Module: (abstract new () => object) & { exports(m: object): { name: string }[] } } }).WebAssembly;

const EXTENSIONS = "SELECT name FROM pg_available_extensions WHERE name IN ('pgcrypto', 'uuid-ossp') ORDER BY name";

describe('the embedded metadata store', () => {
  let store: MetadataStore;

  beforeAll(async () => {
    store = await openMetadataStore('pglite:memory');
  });

  afterAll(async () => {
    await store?.close();
  });

  it('opens PGlite without extensions and with 4MB of shared buffers, and Prisma reads and writes it', async () => {
    expect((await store.sql.query(EXTENSIONS)).rows).toEqual([]);
    expect((await store.sql.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]?.shared_buffers).toBe('4MB');
    const created = await store.prisma.auditLog.create({ data: { actor: 'test', action: 'footprint' } });
    expect(await store.prisma.auditLog.findUnique({ where: { id: created.id } })).toMatchObject({ action: 'footprint' });
  });

  it('leaves the extensions to the other embedded databases', async () => {
    const other = await openSqlClient('pglite:memory');
    try {
      expect((await other.query<{ name: string }>(EXTENSIONS)).rows.map((r) => r.name)).toEqual(['pgcrypto', 'uuid-ossp']);
    } finally {
      await other.close();
    }
  });
});

describe("Prisma's query compiler", () => {
  it('is loaded by the generated client through loadQueryCompilerModule, not as an imported base64 string', () => {
    const generated = readFileSync(new URL('../src/generated/prisma/internal/class.ts', import.meta.url), 'utf8');
    expect(generated).toContain('await import("../../../store/query-compiler-wasm.ts")');
    expect(generated).not.toMatch(/const \{ wasm \} = await import/);
  });

  it('compiles from the base64 file of @prisma/client', async () => {
    const module = await loadQueryCompilerModule('@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.mjs');
    expect(module).toBeInstanceOf(Module);
    expect(Module.exports(module).map((e) => e.name)).toContain('__wbindgen_start');
  });
});
