import { defineConfig } from 'vitest/config';

// One run over every package's own vitest config, so `npm test` ends with one summary.
export default defineConfig({
  test: {
    projects: ['packages/core', 'packages/server', 'packages/cli', 'apps/studio'],
  },
});
