import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript source (`tdm-source` in their exports), not to dist/.
  resolve: { conditions: ['tdm-source'] },
  ssr: { resolve: { conditions: ['tdm-source'] } },
  test: {
    // Fresh PGlite databases start from one initdb'd template per run instead of running initdb.
    globalSetup: ['../core/test/support/pglite-template.ts'],
    setupFiles: ['../core/test/support/pglite-setup.ts'],
    // The API tests open a PGlite metadata store (WASM initdb) and load sample databases: seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: one file per core. Each file has its own metadata store and source databases.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
