/**
 * Scoring a classification against hand labels (bench/pii-labels/*.json and the project's own
 * labelled fixtures): precision and recall overall (personal or not) and per taxonomy category
 * (right category counts; a wrong type inside the right category still counts as found). Used by
 * `npm run bench` and by the calibration tests, so both report the same numbers.
 */
import { categoryOf, PII_CATEGORIES, type PiiCategory } from './taxonomy.ts';

/** One hand-labelled column. */
export interface PiiLabel {
  schema?: string;
  table: string;
  column: string;
  pii: boolean;
  type: string;
  category: string;
  note?: string;
}

export interface LabelFile {
  database: string;
  schema?: string;
  policy?: string;
  columns: PiiLabel[];
}

export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** 1 when nothing was flagged. */
  precision: number;
  /** 1 when nothing was expected. */
  recall: number;
}

export interface Evaluation {
  overall: Score;
  byCategory: Partial<Record<PiiCategory, Score>>;
  /** `table.column: got → expected` for every disagreement (for reports). */
  errors: string[];
  /** Classified columns that have no label (a label file out of date). */
  unlabelled: string[];
}

interface Classified {
  table: string;
  column: string;
  piiType: string;
}

const score = (tp: number, fp: number, fn: number): Score => ({
  truePositives: tp,
  falsePositives: fp,
  falseNegatives: fn,
  precision: tp + fp === 0 ? 1 : tp / (tp + fp),
  recall: tp + fn === 0 ? 1 : tp / (tp + fn),
});

/** Scores `results` against `labels` (matched by table and column). */
export function evaluate(results: Classified[], labels: PiiLabel[]): Evaluation {
  const key = (t: string, c: string) => `${t}.${c}`;
  const labelled = new Map(labels.map((l) => [key(l.table, l.column), l]));
  const counts = new Map<PiiCategory, { tp: number; fp: number; fn: number }>();
  const bump = (c: PiiCategory, k: 'tp' | 'fp' | 'fn') => {
    const x = counts.get(c) ?? { tp: 0, fp: 0, fn: 0 };
    x[k]++;
    counts.set(c, x);
  };
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const errors: string[] = [];
  const unlabelled: string[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    const k = key(r.table, r.column);
    const label = labelled.get(k);
    if (!label) {
      unlabelled.push(k);
      continue;
    }
    seen.add(k);
    const got = categoryOf(r.piiType);
    const want = label.pii ? (label.category as PiiCategory) : 'NONE';
    if (got !== 'NONE' && want !== 'NONE') tp++;
    else if (got !== 'NONE') fp++;
    else if (want !== 'NONE') fn++;
    if (got === want) {
      if (got !== 'NONE') bump(got, 'tp');
    } else {
      if (got !== 'NONE') bump(got, 'fp');
      if (want !== 'NONE') bump(want, 'fn');
      errors.push(`${k}: ${r.piiType} (${got}) ≠ ${label.pii ? `${label.type} (${want})` : 'NONE'}`);
    }
  }
  // A labelled PII column the classifier never returned is missed.
  for (const l of labels)
    if (l.pii && !seen.has(key(l.table, l.column))) {
      fn++;
      bump(l.category as PiiCategory, 'fn');
      errors.push(`${key(l.table, l.column)}: not classified ≠ ${l.type} (${l.category})`);
    }
  const byCategory: Evaluation['byCategory'] = {};
  for (const c of PII_CATEGORIES) {
    const x = counts.get(c);
    if (x) byCategory[c] = score(x.tp, x.fp, x.fn);
  }
  return { overall: score(tp, fp, fn), byCategory, errors, unlabelled };
}

/** Adds up evaluations of several databases (micro-average: counts are summed). */
export function combineEvaluations(list: Evaluation[]): Evaluation {
  const sum = (pick: (e: Evaluation) => Score | undefined) => {
    const s = list.map(pick).filter((x): x is Score => Boolean(x));
    return s.length
      ? score(
          s.reduce((a, x) => a + x.truePositives, 0),
          s.reduce((a, x) => a + x.falsePositives, 0),
          s.reduce((a, x) => a + x.falseNegatives, 0),
        )
      : undefined;
  };
  const byCategory: Evaluation['byCategory'] = {};
  for (const c of PII_CATEGORIES) {
    const s = sum((e) => e.byCategory[c]);
    if (s) byCategory[c] = s;
  }
  return {
    overall: sum((e) => e.overall) as Score,
    byCategory,
    errors: list.flatMap((e) => e.errors),
    unlabelled: list.flatMap((e) => e.unlabelled),
  };
}
