import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { END, START, StateGraph } from '@langchain/langgraph';
import type { EmitEvent } from '../../jobs/events.ts';
import { computeQualityReport, type QualityDeps } from '../../quality/report.ts';
import { saveQualityReport, type StoredQualityReport } from '../../quality/store.ts';
import type { QualityReportData } from '../../quality/types.ts';
import type { Tdm } from '../../runtime.ts';
import { loadCatalog } from '../../store/schema-store.ts';
import { createPgliteCheckEvaluator } from '../../synthetic/schema/evaluate.ts';
import { measureDataset, storeReport } from './nodes.ts';
import { QualityState, type QualitySummary } from './state.ts';

export interface QualityGraphDeps {
  quality: QualityDeps;
  save(report: QualityReportData, jobId: string | null): Promise<StoredQualityReport>;
  emit?: EmitEvent;
}

/**
 * The quality step: `measure_dataset → store_report`. Scores one dataset version against its
 * reference and stores the report; the state ends with the report and a summary (id, score).
 */
export function createQualityGraph(deps: QualityGraphDeps) {
  return new StateGraph(QualityState)
    .addNode('measure_dataset', measureDataset(deps))
    .addNode('store_report', storeReport(deps))
    .addEdge(START, 'measure_dataset')
    .addEdge('measure_dataset', 'store_report')
    .addEdge('store_report', END)
    .compile({ name: 'quality' });
}

/** The quality dependencies of an engine: its dataset store, catalogs, sources, a PGlite CHECK evaluator and its key budget. */
export function qualityDepsOf(tdm: Tdm): QualityDeps {
  return {
    datasets: tdm.datasets,
    loadCatalog: (id) => loadCatalog(tdm.store.prisma, id),
    async openSource(schemaVersionId) {
      const sv = await tdm.store.prisma.schemaVersion.findUnique({ where: { id: schemaVersionId }, include: { schema: true } });
      if (!sv?.schema.connectionId || sv.schema.sourceUrl.startsWith('synthetic:')) return null;
      const sql = await tdm.connections.open({ connectionId: sv.schema.connectionId });
      return { sql, label: sv.schema.name };
    },
    createEvaluator: (catalog) => createPgliteCheckEvaluator(catalog),
    clock: () => performance.now(),
    keys: { memoryBytes: tdm.config.qualityKeyMemoryMb * 1024 * 1024, dir: join(tdm.config.dataDir, 'tmp') },
  };
}

/** Measures and stores the quality of one dataset version (the graph run once). */
export async function scoreDataset(
  tdm: Tdm,
  datasetVersionId: string,
  options: { emit?: EmitEvent; jobId?: string | null; signal?: AbortSignal } = {},
): Promise<{ report: QualityReportData; summary: QualitySummary }> {
  const graph = createQualityGraph({
    quality: qualityDepsOf(tdm),
    save: (report, jobId) => saveQualityReport(tdm.store.prisma, report, jobId),
    emit: options.emit,
  });
  const out = await graph.invoke({ datasetVersionId, jobId: options.jobId ?? null }, { signal: options.signal });
  if (!out.report || !out.summary) throw new Error('the quality graph ended without a report');
  return { report: out.report, summary: out.summary };
}

export { computeQualityReport };
