import { z } from 'zod';
import { StepFailedError } from '../../errors.ts';
import type { StepDefinition } from '../registry.ts';
import { runSubset } from './graph.ts';

const SubsetConfig = z
  .object({
    rootTable: z.string().min(1).optional(),
    /** `{"*": 5000, "orders": 50000}`; absent → a full copy. */
    maxRowsPerTable: z.record(z.string(), z.number().int().nonnegative()).optional(),
    where: z.record(z.string(), z.string()).optional(),
  })
  .default({});

/** The workflow's subset step: the subset graph on the run's source and schema version. */
export const subsetStep: StepDefinition<z.output<typeof SubsetConfig>> = {
  name: 'subset',
  description: 'Selects a referentially intact slice of the source (root table, per-table caps, filters) into a Parquet dataset version',
  config: SubsetConfig,
  async run(input, rt) {
    if (!input.source && !input.artifacts.schemaVersionId) throw new StepFailedError('subset', input.jobId, new Error('subset needs a source connection'));
    const out = await runSubset(
      rt.tdm,
      {
        schemaVersionId: input.artifacts.schemaVersionId ?? null,
        source: input.source,
        schemas: input.schemas,
        rootTable: input.config.rootTable,
        maxRowsPerTable: input.config.maxRowsPerTable,
        where: input.config.where,
      },
      { emit: rt.emit, jobId: input.jobId, signal: rt.signal, resolveSource: rt.resolveSource, fallbacks: rt.fallbacks(), retry: { maxAttempts: 1 } },
    );
    return {
      artifacts: { schemaVersionId: out.schemaVersionId, datasetVersionId: out.datasetVersionId },
      summary: {
        datasetVersionId: out.datasetVersionId,
        root: out.plan.root,
        rootReason: out.plan.rootReason,
        tables: out.tables.length,
        rows: out.totalRows,
        cut: out.cut,
        rowCounts: Object.fromEntries(out.tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount])),
        plan: out.planText,
      },
    };
  },
};
