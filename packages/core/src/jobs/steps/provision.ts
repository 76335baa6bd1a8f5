import { z } from 'zod';
import { StepFailedError, TdmError } from '../../errors.ts';
import { scanTargetForPii } from '../../operations/pii-gate.ts';
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
      /** Migrate a target that already holds the dataset's objects (its schema brought over, its rows replaced). */
      migrate: z.boolean().default(false),
      /** With migrate: apply destructive changes too. */
      allowDestructive: z.boolean().default(false),
      runSmokeTests: z.boolean().default(true),
      piiGate: z.boolean().default(false),
    })
    .default({ resetEnv: false, migrate: false, allowDestructive: false, runSmokeTests: true, piiGate: false }),
  retryPolicy: { maxAttempts: 2, initialInterval: 1000, retryOn: (e: unknown) => (e as { code?: string })?.code === 'CONNECTION_FAILED' },
  async run(input, rt) {
    const datasetVersionId = input.artifacts.datasetVersionId;
    if (!datasetVersionId)
      throw new StepFailedError('provision', input.jobId, new Error('provision needs a dataset version from an earlier step (subset, mask or synthetic)'));
    const out = await runProvision(
      rt.tdm,
      {
        datasetVersionId,
        environment: input.config.targetEnv ?? null,
        resetEnv: input.config.resetEnv,
        migrate: input.config.migrate,
        allowDestructive: input.config.allowDestructive,
        runSmokeTests: input.config.runSmokeTests,
      },
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
    let gate: Awaited<ReturnType<typeof scanTargetForPii>> | null = null;
    if (input.config.piiGate) {
      gate = await scanTargetForPii(rt.tdm, { environment: out.environmentId, datasetVersionId });
      rt.emit({
        step: 'provision',
        level: gate.leaks.length ? 'warn' : 'info',
        message: `PII gate: ${gate.leaks.length} leaking column(s) of ${gate.checkedColumns} checked`,
        data: { leaks: gate.leaks },
      });
      if (gate.leaks.length) {
        const list = gate.leaks.map((l) => `${l.schema}.${l.table}.${l.column} (${l.matches})`).join(', ');
        throw new StepFailedError(
          'provision',
          input.jobId,
          new TdmError('CONFLICT', `PII gate: real source values found in ${list}`, { details: { leaks: gate.leaks } }),
        );
      }
    }
    return {
      artifacts: { environmentId: out.environmentId, provisionedTables },
      summary: {
        environment: out.environment,
        tables: out.tables.length,
        rows: out.tables.reduce((n, t) => n + t.rowCount, 0),
        rowCounts: Object.fromEntries(out.tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount])),
        smoke: out.smoke,
        piiGate: gate,
      },
    };
  },
});
