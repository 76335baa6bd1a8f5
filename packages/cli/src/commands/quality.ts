import { clientFor, globals, number, parse, positional } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { Output } from '../output.ts';

export const QUALITY_HELP = `tdm quality — the quality report of a dataset version (measured on the spot when it has none)

  tdm quality <datasetVersionId> [--min-score 90]

Prints the score (0–100), each metric (nullRatio, typeConsistency, uniqueness, referentialIntegrity,
constraintValidity, drift, piiLeakage) and what drift was measured against. With --min-score it exits 5
when the score is below it.

Example:
  tdm quality "$DATASET_ID" --min-score 90 --json`;

export async function quality(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { 'min-score': { type: 'string' } });
  if (values.help) {
    console.log(QUALITY_HELP);
    return EXIT.OK;
  }
  const g = globals(values);
  const out = new Output(g.json);
  const id = positional(positionals, 0, 'datasetVersionId');
  const client = clientFor(g);
  const report = await client.quality.report(id);
  if (g.json) out.result(report);
  else {
    out.line(`quality ${report.score.toFixed(1)} of 100${report.reference ? ` (drift against ${report.reference})` : ''}`);
    out.table(
      report.metrics.map((m) => ({ ...m, score: m.score.toFixed(3) })),
      ['name', 'score', 'weight', 'detail'],
    );
  }
  const min = number(values['min-score'], '--min-score');
  return min !== undefined && report.score < min ? EXIT.QUALITY : EXIT.OK;
}
