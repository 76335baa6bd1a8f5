/**
 * The vocabulary of a quality report: one score (0–100) for a dataset version, the metrics it is
 * made of, and per-column and per-table facts a user can act on. `reference` names what drift was
 * measured against (a sample of the source, the input dataset, a domain pack's declared
 * distributions) and is null when there was nothing to compare with.
 */

/** Names of the metrics every report carries. */
export const METRIC_NAMES = ['nullRatio', 'typeConsistency', 'uniqueness', 'referentialIntegrity', 'constraintValidity', 'drift', 'piiLeakage'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface QualityMetric {
  name: MetricName;
  /** 0 (worst) – 1 (best). */
  score: number;
  /** Share of the overall score; 0 when the metric does not apply to this dataset. */
  weight: number;
  detail: string;
}

export interface ColumnQuality {
  /** `schema.table` */
  table: string;
  column: string;
  nullRatio: number;
  /** Estimated distinct values / non-null values (HyperLogLog). */
  distinctRatio: number;
  /** Share of non-null values that parse as the column's type and format. */
  typeConsistency: number;
  /** Distribution distance to the reference (0 = same, 1 = disjoint); null without a reference. */
  drift: number | null;
  /** Values breaking NOT NULL, length, precision, enum, domain or CHECK constraints. */
  constraintViolations: number;
}

export interface TableQuality {
  table: string;
  rowCount: number;
  /** Child rows whose foreign key matches no parent row, over every FK of the table. */
  fkOrphans: number;
  /** Rows repeating a primary or unique key already seen. */
  duplicateKeys: number;
}

export type ReferenceKind = 'SOURCE_SAMPLE' | 'INPUT_DATASET' | 'DOMAIN_PACK';

export interface QualityReportData {
  datasetVersionId: string;
  /** 0–100. */
  score: number;
  metrics: QualityMetric[];
  columns: ColumnQuality[];
  tables: TableQuality[];
  /** What drift was measured against, e.g. "sample of source pagila (≤ 2000 rows per table)"; null when nothing. */
  reference: string | null;
  referenceKind: ReferenceKind | null;
  rowsScanned: number;
  durationMs: number;
}
