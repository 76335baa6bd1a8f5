/**
 * From measured facts to metrics and a score. Each metric is 0–1 with a weight; the score is the
 * weighted mean × 100. A metric that does not apply (drift without a reference, PII leakage of a
 * dataset that was not masked) keeps its place in the list with weight 0 and says why.
 */
import type { ColumnQuality, QualityMetric, TableQuality } from './types.ts';

export interface MeasuredColumn extends ColumnQuality {
  rows: number;
  values: number;
  nulls: number;
  notNull: boolean;
  /** The reference's null ratio; null without a reference. */
  referenceNullRatio: number | null;
  inconsistent: number;
  /** Values checked against type constraints (length, precision, enum), and those that broke them. */
  constrainedValues: number;
  typeViolations: number;
}

export interface MeasuredFacts {
  columns: MeasuredColumn[];
  tables: TableQuality[];
  keyRows: number;
  fkRows: number;
  /** Rows × CHECKs evaluated, and CHECK violations. */
  checkEvaluations: number;
  checkViolations: number;
  skippedChecks: string[];
  referenceLabel: string | null;
  leaks: { compared: number; equal: number; columns: number } | null;
}

export const WEIGHTS = { nullRatio: 1, typeConsistency: 1, uniqueness: 1.5, referentialIntegrity: 1.5, constraintValidity: 1, drift: 1, piiLeakage: 2 };

const clamp = (x: number) => Math.min(1, Math.max(0, x));
const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)} %`;

function nullRatioMetric(f: MeasuredFacts): QualityMetric {
  const cols = f.columns.filter((c) => c.rows > 0);
  let penalty = 0;
  let notNullNulls = 0;
  let deltas = 0;
  let compared = 0;
  for (const c of cols) {
    const violation = c.notNull ? c.nulls / c.rows : 0;
    notNullNulls += c.notNull ? c.nulls : 0;
    const delta = c.referenceNullRatio === null ? 0 : Math.abs(c.nullRatio - c.referenceNullRatio);
    if (c.referenceNullRatio !== null) {
      deltas += delta;
      compared++;
    }
    penalty += clamp(violation + delta);
  }
  const score = cols.length ? 1 - penalty / cols.length : 1;
  const vs = compared ? `; mean null-ratio difference to the reference ${pct(deltas / compared)} over ${compared} column(s)` : '; no reference null ratios';
  return { name: 'nullRatio', score: clamp(score), weight: WEIGHTS.nullRatio, detail: `${notNullNulls} NULL(s) in NOT NULL columns${vs}` };
}

function typeMetric(f: MeasuredFacts): QualityMetric {
  const values = f.columns.reduce((n, c) => n + c.values, 0);
  const bad = f.columns.reduce((n, c) => n + c.inconsistent, 0);
  const worst = f.columns.filter((c) => c.inconsistent).sort((a, b) => a.typeConsistency - b.typeConsistency)[0];
  return {
    name: 'typeConsistency',
    score: values ? clamp(1 - bad / values) : 1,
    weight: WEIGHTS.typeConsistency,
    detail: `${bad} of ${values} value(s) do not parse as their column's type or format${worst ? `; worst ${worst.table}.${worst.column} (${pct(1 - worst.typeConsistency)} bad)` : ''}`,
  };
}

function uniquenessMetric(f: MeasuredFacts): QualityMetric {
  const dups = f.tables.reduce((n, t) => n + t.duplicateKeys, 0);
  return {
    name: 'uniqueness',
    score: f.keyRows ? clamp(1 - dups / f.keyRows) : 1,
    weight: f.keyRows ? WEIGHTS.uniqueness : 0,
    detail: f.keyRows ? `${dups} duplicate key(s) over ${f.keyRows} primary/unique key value(s)` : 'no primary or unique keys to check',
  };
}

function fkMetric(f: MeasuredFacts): QualityMetric {
  const orphans = f.tables.reduce((n, t) => n + t.fkOrphans, 0);
  return {
    name: 'referentialIntegrity',
    score: f.fkRows ? clamp(1 - orphans / f.fkRows) : 1,
    weight: f.fkRows ? WEIGHTS.referentialIntegrity : 0,
    detail: f.fkRows ? `${orphans} orphan foreign-key value(s) of ${f.fkRows} (0 expected)` : 'no foreign keys inside the dataset',
  };
}

function constraintMetric(f: MeasuredFacts): QualityMetric {
  const typeViolations = f.columns.reduce((n, c) => n + c.typeViolations, 0);
  const checked = f.columns.reduce((n, c) => n + c.constrainedValues, 0) + f.checkEvaluations;
  const bad = typeViolations + f.checkViolations;
  const skipped = f.skippedChecks.length ? `; not evaluable: ${f.skippedChecks.join(', ')}` : '';
  return {
    name: 'constraintValidity',
    score: checked ? clamp(1 - bad / checked) : 1,
    weight: checked ? WEIGHTS.constraintValidity : 0,
    detail: checked
      ? `${f.checkViolations} CHECK/domain violation(s) in ${f.checkEvaluations} evaluation(s), ${typeViolations} length/precision/enum violation(s)${skipped}`
      : `no constraints to check${skipped}`,
  };
}

function driftMetric(f: MeasuredFacts): QualityMetric {
  const measured = f.columns.filter((c) => c.drift !== null);
  if (!f.referenceLabel || !measured.length) {
    return {
      name: 'drift',
      score: 1,
      weight: 0,
      detail: f.referenceLabel ? `no column comparable with ${f.referenceLabel}` : 'no reference: drift not measured',
    };
  }
  const mean = measured.reduce((n, c) => n + (c.drift as number), 0) / measured.length;
  const worst = [...measured].sort((a, b) => (b.drift as number) - (a.drift as number))[0] as MeasuredColumn;
  return {
    name: 'drift',
    score: clamp(1 - mean),
    weight: WEIGHTS.drift,
    detail: `mean distance ${mean.toFixed(3)} over ${measured.length} column(s) against ${f.referenceLabel}; largest ${worst.table}.${worst.column} ${(worst.drift as number).toFixed(3)}`,
  };
}

function leakMetric(f: MeasuredFacts): QualityMetric {
  if (!f.leaks) return { name: 'piiLeakage', score: 1, weight: 0, detail: 'not a masked dataset' };
  const { compared, equal, columns } = f.leaks;
  return {
    name: 'piiLeakage',
    score: compared ? clamp(1 - equal / compared) : 1,
    weight: compared ? WEIGHTS.piiLeakage : 0,
    detail: `${equal} of ${compared} value(s) in ${columns} masked column(s) equal the input's`,
  };
}

/** The metrics of a report and its 0–100 score. */
export function scoreFacts(f: MeasuredFacts): { score: number; metrics: QualityMetric[] } {
  const metrics = [nullRatioMetric(f), typeMetric(f), uniquenessMetric(f), fkMetric(f), constraintMetric(f), driftMetric(f), leakMetric(f)];
  const weight = metrics.reduce((n, m) => n + m.weight, 0);
  const score = weight ? (100 * metrics.reduce((n, m) => n + m.weight * m.score, 0)) / weight : 100;
  return { score: Math.round(score * 100) / 100, metrics };
}
