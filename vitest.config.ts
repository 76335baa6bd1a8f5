import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './vitest.sequencer.ts';

// One run over every package's own vitest config, so `npm test` ends with one summary.
export default defineConfig({
  test: {
    projects: ['packages/core', 'packages/server', 'packages/cli', 'apps/studio'],
    // Longest files first over core, server and the CLI together, so the two workers finish together.
    sequence: { sequencer: LongestFirstSequencer },
  },
});
