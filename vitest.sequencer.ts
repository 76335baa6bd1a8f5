import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take longest on a 2-core machine, started first when this checkout has no timings of
 * its own yet (a fresh CI clone). Only the order depends on this list; a stale entry costs nothing.
 */
const KNOWN_SLOW = [
  'packages/core/test/crawl-forms-fixtures.test.ts',
  'packages/core/test/synthetic-flow.test.ts',
  'packages/core/test/subset-executor.test.ts',
  'packages/core/test/workers.test.ts',
  'packages/server/test/subset-provision.test.ts',
  'packages/server/test/pii-mask.test.ts',
  'packages/core/test/mask-flow.test.ts',
  'packages/cli/test/cli.test.ts',
  'packages/core/test/crawl-forms-dependencies.test.ts',
  'packages/core/test/flow-a.test.ts',
  'packages/server/test/rest.test.ts',
  'packages/server/test/s3-workers.test.ts',
  'packages/core/test/provision-fidelity.test.ts',
  'packages/core/test/provision-sources.test.ts',
  'packages/core/test/synthetic-schema.test.ts',
  'packages/core/test/bootstrap.test.ts',
  'packages/server/test/quality.test.ts',
];

/** What a file with no timing of its own is taken to last: a known slow one long, any other a middling time. */
const SLOW_GUESS_MS = 120_000;
const OTHER_GUESS_MS = 10_000;

/**
 * Longest file first over all the projects of a group (vitest's own order runs the projects one after
 * the other, so a long file of the last project starts last and runs alone at the end). Durations
 * come from vitest's results cache (the last run on this machine); a file it does not know yet is
 * guessed: a KNOWN_SLOW one long (in that order), any other a middling time plus its size in bytes.
 * Files that failed last time still go first.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const estimate = (spec: TestSpecification) => {
      const path = relative(root, spec.moduleId);
      const key = `${spec.project.name}:${path}`;
      const known = this.ctx.cache.getFileTestResults(key);
      if (known) return { failed: known.failed ? 1 : 0, duration: known.duration };
      const slow = KNOWN_SLOW.indexOf(path);
      if (slow >= 0) return { failed: 0, duration: SLOW_GUESS_MS - slow * 1000 };
      return { failed: 0, duration: OTHER_GUESS_MS + (this.ctx.cache.getFileStats(key)?.size ?? 0) };
    };
    const keyed = files.map((spec) => ({ spec, order: spec.project.config.sequence.groupOrder, ...estimate(spec) }));
    keyed.sort((a, b) => a.order - b.order || b.failed - a.failed || b.duration - a.duration);
    return keyed.map((k) => k.spec);
  }
}
