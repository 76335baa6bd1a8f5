import { z } from 'zod';
import { runSubset } from '../../operations/subset.ts';
import { StepFailedError } from '../../errors.ts';
import { registerStep } from '../registry.ts';

registerStep({
  name: 'subset',
  description: 'Selects a referentially intact slice of the source (root table, per-table caps, filters) into a Parquet dataset version',
  config: z
    .object({
      rootTable: z.string().min(1).optional(),
      /** `{"*": 5000, "orders": 50000}`; absent → a full copy. */
      maxRowsPerTable: z.record(z.string(), z.number().int().nonnegative()).optional(),
      where: z.record(z.string(), z.string()).optional(),
    })
    .default({}),
  async run(input, rt) {
    if (!input.source && !input.artifacts.schemaVersionId) throw new StepFailedError('subset', input.jobId, new Error('subset needs a source connection'));
    const out = await runSubset(
      rt.tdm,
      {
        schemaVersionId: input.artifacts.schemaVersionId ?? null,
        connectionId: input.source && 'connectionId' in input.source ? input.source.connectionId : null,
        schemas: input.schemas,
        rootTable: input.config.rootTable,
        maxRowsPerTable: input.config.maxRowsPerTable,
        where: input.config.where,
      },
      { emit: rt.emit, jobId: input.jobId, signal: rt.signal },
    );
    await rt.recordLineage({
      operation: 'subset',
      fromKind: 'SCHEMA_VERSION',
      fromId: out.schemaVersionId,
      toKind: 'DATASET_VERSION',
      toId: out.datasetVersionId,
      config: input.config,
    });
    await rt.recordLineage({ operation: 'subset', fromKind: 'JOB', fromId: input.jobId, toKind: 'DATASET_VERSION', toId: out.datasetVersionId });
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
});
