import { z } from 'zod';
import { StepFailedError } from '../../errors.ts';
import { runProvision } from '../../operations/provision.ts';
import { registerStep } from '../registry.ts';

registerStep({
  name: 'provision',
  description: 'Loads the newest dataset version into a target environment: DDL from the catalog, COPY in FK order, sequences, smoke tests',
  config: z
    .object({
      /** An environment's name; the default environment when absent. */
      targetEnv: z.string().min(1).optional(),
      resetEnv: z.boolean().default(false),
      runSmokeTests: z.boolean().default(true),
      piiGate: z.boolean().default(false),
    })
    .default({ resetEnv: false, runSmokeTests: true, piiGate: false }),
  retryPolicy: { maxAttempts: 2, initialInterval: 1000, retryOn: (e: unknown) => (e as { code?: string })?.code === 'CONNECTION_FAILED' },
  async run(input, rt) {
    const datasetVersionId = input.artifacts.datasetVersionId;
    if (!datasetVersionId)
      throw new StepFailedError('provision', input.jobId, new Error('provision needs a dataset version from an earlier step (subset, mask or synthetic)'));
    const out = await runProvision(
      rt.tdm,
      { datasetVersionId, environment: input.config.targetEnv ?? null, resetEnv: input.config.resetEnv, runSmokeTests: input.config.runSmokeTests },
      { emit: rt.emit, jobId: input.jobId, signal: rt.signal },
    );
    await rt.recordLineage({
      operation: 'provision',
      fromKind: 'DATASET_VERSION',
      fromId: datasetVersionId,
      toKind: 'ENVIRONMENT',
      toId: out.environmentId,
      config: input.config,
    });
    for (const id of out.provisionedTableIds) {
      await rt.recordLineage({ operation: 'provision', fromKind: 'DATASET_VERSION', fromId: datasetVersionId, toKind: 'TABLE', toId: id });
    }
    const provisionedTables = out.tables.map((t) => `${t.schema}.${t.name}`);
    return {
      artifacts: { environmentId: out.environmentId, provisionedTables },
      summary: {
        environment: out.environment,
        tables: out.tables.length,
        rows: out.tables.reduce((n, t) => n + t.rowCount, 0),
        rowCounts: Object.fromEntries(out.tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount])),
        smoke: out.smoke,
      },
    };
  },
});
