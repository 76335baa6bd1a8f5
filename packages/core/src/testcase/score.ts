/**
 * Field recall and precision of an analysis against hand labels: the fields a person reading the
 * test found it fills in. A label is one field, given as its name or as a list of names that are
 * equally right for it (`["first_name", "given_name"]`). Recall pairs labels and found fields one
 * to one; a found field is correct when it matches any label (the same field found under two right
 * names is a duplicate, not a wrong field).
 */
import type { TestCaseAnalysis } from './types.ts';

export type FieldLabel = string | readonly string[];

export interface FieldScore {
  /** Labels matched by a found field. */
  matched: number;
  labels: number;
  /** Found fields that match some label. */
  correct: number;
  found: number;
  /** Labels no found field matched, by their first name. */
  missed: string[];
  /** Found fields that match no label. */
  wrong: string[];
}

/** Every distinct field name of an analysis, across its entities. */
export function foundFieldNames(analysis: TestCaseAnalysis): string[] {
  return [...new Set(analysis.entities.flatMap((e) => e.fields.map((f) => f.name)))];
}

export function scoreFields(found: readonly string[], labels: readonly FieldLabel[]): FieldScore {
  const alternatives = labels.map((l) => (typeof l === 'string' ? [l] : [...l]));
  const taken = new Set<number>();
  // Exact first names first, so a synonym does not take a label another field names exactly.
  const order = [...found].sort((a, b) => Number(!alternatives.some((alts) => alts[0] === b)) - Number(!alternatives.some((alts) => alts[0] === a)));
  for (const name of order) {
    const i = alternatives.findIndex((alts, k) => !taken.has(k) && alts.includes(name));
    if (i >= 0) taken.add(i);
  }
  const wrong = found.filter((name) => !alternatives.some((alts) => alts.includes(name)));
  return {
    matched: taken.size,
    labels: labels.length,
    correct: found.length - wrong.length,
    found: found.length,
    missed: alternatives.filter((_, k) => !taken.has(k)).map((alts) => alts[0] as string),
    wrong,
  };
}

/** Sums of several scores: recall = matched / labels, precision = correct / found (1 when nothing is expected or found). */
export function totals(scores: readonly FieldScore[]): { recall: number; precision: number; matched: number; labels: number; correct: number; found: number } {
  const sum = (k: 'matched' | 'labels' | 'correct' | 'found') => scores.reduce((a, s) => a + s[k], 0);
  const matched = sum('matched');
  const labels = sum('labels');
  const correct = sum('correct');
  const found = sum('found');
  return { recall: labels ? matched / labels : 1, precision: found ? correct / found : 1, matched, labels, correct, found };
}
