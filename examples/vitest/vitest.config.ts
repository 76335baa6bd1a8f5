import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Run from anywhere (`npx vitest run --config examples/vitest/vitest.config.ts`): tests are found here.
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    // A workflow runs in beforeAll: give it time.
    hookTimeout: 120_000,
  },
});
