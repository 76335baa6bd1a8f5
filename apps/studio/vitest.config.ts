import { defineConfig } from 'vitest/config';

// Kept apart from vite.config.ts: tests run in Node and must not load the SvelteKit plugin
// (the e2e test starts its own dev server from vite.config.ts).
export default defineConfig({
  // Workspace packages resolve to their TypeScript source (`tdm-source` in their exports), not to dist/.
  resolve: { conditions: ['tdm-source'] },
  ssr: { resolve: { conditions: ['tdm-source'] } },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // The browser suites run the engine on PGlite: fresh databases start from one initdb'd template per run.
    globalSetup: ['../../packages/core/test/support/pglite-template.ts'],
    setupFiles: ['../../packages/core/test/support/pglite-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser tests poll the page; the first page load compiles the app (slow while the full-stack
    // test starts PGlite next door). Vitest's default of 1 s is too tight for that.
    expect: { poll: { timeout: 20_000 } },
    // The two browser suites each run a SvelteKit dev server over the same .svelte-kit folder: one at
    // a time, after the engine's suites (a group of their own).
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { groupOrder: 1 },
  },
});
