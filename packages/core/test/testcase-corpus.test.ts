/**
 * Field recall and precision of the test-case analysis over the shared fixtures' set 3 (real suites
 * in ten styles), against the hand labels of bench/testcase-labels/set3.json — the same measure as
 * `npm run bench -- testcase`. The corpus must reach recall ≥ 0.9 and precision ≥ 0.9 overall and
 * in every style. Skipped, saying so, when the fixtures are absent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLabels, scoreCorpus, testcaseFixtures } from '../../../bench/testcase.bench.ts';
import { totals } from '../src/testcase/score.ts';

const dir = testcaseFixtures();
if (!dir) console.warn('shared test-case fixtures not found: the corpus recall/precision test is SKIPPED');

describe('test-case understanding on the real-suite corpus (set 3)', () => {
  it.skipIf(!dir)('labels every set-3 file that exists, and every labelled file exists', () => {
    const labels = loadLabels();
    for (const file of Object.keys(labels)) expect(existsSync(`${dir}/${file}`), file).toBe(true);
    expect(Object.keys(labels).length).toBeGreaterThanOrEqual(40);
    // Every style of SOURCES.md is represented.
    expect(new Set(Object.values(labels).map((l) => l.style)).size).toBe(10);
  });

  it.skipIf(!dir)(
    'finds ≥ 90% of the labelled fields with ≥ 90% precision over the corpus and in every style',
    async () => {
      const scores = await scoreCorpus(dir as string, loadLabels());
      const all = totals(scores.map((s) => s.score));
      const report = scores
        .filter((s) => s.score.missed.length || s.score.wrong.length)
        .map((s) => `${s.file}: missed ${s.score.missed.join(', ') || '-'}; wrong ${s.score.wrong.join(', ') || '-'}`)
        .join('\n');
      expect(all.recall, report).toBeGreaterThanOrEqual(0.9);
      expect(all.precision, report).toBeGreaterThanOrEqual(0.9);
      // Every style on its own as well: a style behind the others is a phrasing or framework the analysis does not read.
      for (const style of new Set(scores.map((s) => s.style))) {
        const t = totals(scores.filter((s) => s.style === style).map((s) => s.score));
        expect(t.recall, `style ${style}\n${report}`).toBeGreaterThanOrEqual(0.9);
        expect(t.precision, `style ${style}\n${report}`).toBeGreaterThanOrEqual(0.9);
      }
    },
    60_000,
  );

  it.skipIf(!dir)('reads every file of the corpus without an error', () => {
    const files = readdirSync(dir as string, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(?:feature|[jt]s|py|java|cs|rb|robot)$/.test(f));
    expect(files.length).toBeGreaterThan(60);
  });
});
