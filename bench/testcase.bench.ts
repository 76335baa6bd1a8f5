/**
 * Test-case understanding on real suites: every file of the shared fixtures' set 3 (Gherkin in ten
 * styles, Playwright in TypeScript, Python and .NET, Selenium in Python, Java and C#, WebdriverIO,
 * TestCafe, Nightwatch, Robot Framework, Capybara; `$TDM_FIXTURES/testcases`, else
 * `../shared/fixtures/testcases`) is analysed and its field names compared with the hand labels in
 * `bench/testcase-labels/set3.json`. Reports field recall and precision per style and over the
 * whole corpus (goal ≥ 0.9 each), and the analysis time of the corpus once the parsers are loaded. No reference tool exists for
 * this, so `reference` is null.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeTestCase, loadTestCaseParsers } from '../packages/core/src/testcase/analyze.ts';
import { type FieldLabel, type FieldScore, foundFieldNames, scoreFields, totals } from '../packages/core/src/testcase/score.ts';
import { type BenchContext, type Result, result, round } from './lib.ts';

const LABELS = fileURLToPath(new URL('./testcase-labels/set3.json', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The shared test-case folder, or undefined when the fixtures are absent. */
export function testcaseFixtures(): string | undefined {
  const base = process.env.TDM_FIXTURES ?? join(ROOT, '..', 'shared', 'fixtures');
  return [join(base, 'testcases'), join(base, '..', 'testcases')].find((d) => existsSync(d));
}

export type Labels = Record<string, { style: number; fields: FieldLabel[] }>;

export function loadLabels(): Labels {
  const raw = JSON.parse(readFileSync(LABELS, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('$'))) as Labels;
}

/** One score per labelled file, analysed as a user would send it (its text and file name). */
export async function scoreCorpus(dir: string, labels: Labels): Promise<{ file: string; style: number; score: FieldScore }[]> {
  await loadTestCaseParsers();
  return Object.entries(labels).map(([file, label]) => {
    const analysis = analyzeTestCase({ content: readFileSync(join(dir, file), 'utf8'), fileName: file.split('/').pop() });
    return { file, style: label.style, score: scoreFields(foundFieldNames(analysis), label.fields) };
  });
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  const dir = testcaseFixtures();
  if (!dir) {
    ctx.note('shared test-case fixtures not found: testcase corpus measure skipped');
    return [];
  }
  const labels = loadLabels();
  await loadTestCaseParsers();
  const started = performance.now();
  const scores = await scoreCorpus(dir, labels);
  const ms = performance.now() - started;
  const out: Result[] = [];
  const styles = [...new Set(scores.map((s) => s.style))].sort((a, b) => a - b);
  for (const style of styles) {
    const t = totals(scores.filter((s) => s.style === style).map((s) => s.score));
    out.push(result(`testcase/corpus/style-${style}/recall`, round(t.recall, 3), 'share', '≥ 0.9'));
    out.push(result(`testcase/corpus/style-${style}/precision`, round(t.precision, 3), 'share', '≥ 0.9'));
  }
  const all = totals(scores.map((s) => s.score));
  out.push(result('testcase/corpus/all/recall', round(all.recall, 3), 'share', '≥ 0.9'));
  out.push(result('testcase/corpus/all/precision', round(all.precision, 3), 'share', '≥ 0.9'));
  out.push(result('testcase/corpus/all/analyse-ms', round(ms, 0), 'ms', '< 3000 ms'));
  for (const s of scores) {
    if (s.score.missed.length || s.score.wrong.length)
      ctx.log(`${s.file}: missed ${s.score.missed.join(', ') || '-'}; wrong ${s.score.wrong.join(', ') || '-'}`);
  }
  return out;
}
