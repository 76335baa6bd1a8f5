import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { computeQualityReport } from '../../quality/report.ts';
import type { QualityGraphDeps } from './graph.ts';
import type { QualityStateType, QualityUpdate } from './state.ts';

/** Streams the dataset (and its reference) into a report. */
export function measureDataset(deps: QualityGraphDeps) {
  return async (state: QualityStateType, config?: LangGraphRunnableConfig): Promise<QualityUpdate> => {
    const report = await computeQualityReport(deps.quality, state.datasetVersionId, {
      emit: deps.emit,
      jobId: state.jobId ?? undefined,
      signal: config?.signal,
    });
    return { report };
  };
}

/** Stores the report; the summary carries its id and score. */
export function storeReport(deps: QualityGraphDeps) {
  return async (state: QualityStateType): Promise<QualityUpdate> => {
    if (!state.report) throw new Error('store_report ran before measure_dataset');
    const stored = await deps.save(state.report, state.jobId);
    const summary = {
      datasetVersionId: state.datasetVersionId,
      reportId: stored.id,
      score: stored.score,
      reference: stored.reference,
      metrics: Object.fromEntries(stored.metrics.filter((m) => m.weight > 0).map((m) => [m.name, Math.round(m.score * 10000) / 10000])),
      rows: stored.rowsScanned,
    };
    deps.emit?.({
      step: 'quality',
      level: 'progress',
      message: `dataset ${state.datasetVersionId}: quality ${stored.score.toFixed(1)}/100${stored.reference ? ` (against ${stored.reference})` : ''}`,
      data: summary,
      jobId: state.jobId ?? undefined,
    });
    return { summary };
  };
}
