import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript source (`tdm-source` in their exports), not to dist/.
  resolve: { conditions: ['tdm-source'] },
  ssr: { resolve: { conditions: ['tdm-source'] } },
  test: {
    // Fresh PGlite databases start from one initdb'd template per run instead of running initdb.
    globalSetup: ['test/support/pglite-template.ts'],
    setupFiles: ['test/support/pglite-setup.ts'],
    // Integration tests start PGlite (WASM initdb) and load sample databases: seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: one file per core. Files are isolated (own databases, own PGlite directories).
    fileParallelism: true,
    maxWorkers: 2,
  },
});
