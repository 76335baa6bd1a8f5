import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The CLI tests start a TDM server (PGlite metadata store) and run workflows through it.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    maxWorkers: 1,
  },
});
