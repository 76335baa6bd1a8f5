import { Annotation } from '@langchain/langgraph';
import type { QualityReportData } from '../../quality/types.ts';

/** Small summary of a report: what a log line, a job result and the workflow state hold. */
export interface QualitySummary {
  datasetVersionId: string;
  reportId: string;
  score: number;
  reference: string | null;
  metrics: Record<string, number>;
  rows: number;
}

/**
 * State of the quality step: the dataset version's id in, the report (per-column facts, bounded by
 * the number of columns — never rows) and the stored report's id out.
 */
export const QualityState = Annotation.Root({
  datasetVersionId: Annotation<string>,
  jobId: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  report: Annotation<QualityReportData | undefined>,
  summary: Annotation<QualitySummary | undefined>,
});

export type QualityStateType = typeof QualityState.State;
export type QualityUpdate = typeof QualityState.Update;
