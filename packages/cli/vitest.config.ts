import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript source (`tdm-source` in their exports), not to dist/.
  resolve: { conditions: ['tdm-source'] },
  ssr: { resolve: { conditions: ['tdm-source'] } },
  test: {
    // Fresh PGlite databases start from one initdb'd template per run instead of running initdb.
    globalSetup: ['../core/test/support/pglite-template.ts'],
    setupFiles: ['../core/test/support/pglite-setup.ts'],
    // The CLI tests start a TDM server (PGlite metadata store) and run workflows through it.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One file; the same worker count as core and server puts it in their group, next to their files,
    // instead of alone after every other suite.
    maxWorkers: 2,
  },
});
