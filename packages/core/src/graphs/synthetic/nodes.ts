/** Synthetic: builds the generated dataset of one mode and writes it as a dataset version. */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { buildGenerated, DEFAULT_SEED } from '../../synthetic/index.ts';
import { writeGenerated } from '../../synthetic/write.ts';
import type { LineageEdgeInput } from '../../lineage/record.ts';
import { generatedFields } from './fields.ts';
import type { SyntheticDeps } from './graph.ts';
import type { SyntheticStateType, SyntheticUpdate } from './state.ts';

export function generate(deps: SyntheticDeps) {
  return async (state: SyntheticStateType, config?: LangGraphRunnableConfig): Promise<SyntheticUpdate> => {
    const input = state.request;
    const signal = config?.signal;
    const { generated, skippedUrls } = await buildGenerated(deps.tdm, input, { emit: deps.emit, signal });
    deps.emit?.({
      step: 'synthetic',
      level: 'progress',
      message: `${input.mode.toLowerCase()} mode: ${generated.tables.length} table(s), ${generated.tables.reduce((n, t) => n + t.rowCount, 0)} rows to generate`,
      data: { mode: input.mode, tables: generated.tables.map((t) => ({ table: `${t.table.schema}.${t.table.name}`, rows: t.rowCount })) },
    });
    try {
      const written = await writeGenerated(deps.tdm, generated, { emit: deps.emit, jobId: state.jobId, signal, name: input.name });
      const config = { mode: input.mode, seed: input.seed ?? DEFAULT_SEED, rowCounts: input.rowCounts ?? null };
      const from =
        input.mode === 'SCHEMA' && state.unifiedSchemaId
          ? { fromKind: 'UNIFIED_SCHEMA' as const, fromId: state.unifiedSchemaId }
          : input.mode === 'TEST_CASE' && state.testCaseId
            ? { fromKind: 'TEST_CASE' as const, fromId: state.testCaseId }
            : { fromKind: 'SCHEMA_VERSION' as const, fromId: written.schemaVersionId };
      const edges: LineageEdgeInput[] = [{ operation: 'synthetic', ...from, toKind: 'DATASET_VERSION', toId: written.datasetVersionId, config }];
      if (state.jobId)
        edges.push({ operation: 'synthetic', fromKind: 'JOB', fromId: state.jobId, toKind: 'DATASET_VERSION', toId: written.datasetVersionId, config });
      const fields = generatedFields(generated, { schemaVersionId: written.schemaVersionId, testCaseId: state.testCaseId });
      const fieldLineage = [{ owner: { kind: 'DATASET_VERSION' as const, id: written.datasetVersionId }, fields }];
      return { outcome: { ...written, mode: input.mode, skippedUrls }, edges, fieldLineage };
    } finally {
      await generated.close?.();
    }
  };
}
