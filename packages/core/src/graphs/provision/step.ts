import { z } from 'zod';
import { StepFailedError, TdmError } from '../../errors.ts';
import type { StepDefinition } from '../registry.ts';
import { runProvision } from './graph.ts';
import { scanTargetForPii } from './pii-gate.ts';

const ProvisionConfig = z
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
  .default({ resetEnv: false, migrate: false, allowDestructive: false, runSmokeTests: true, piiGate: false });

/** The workflow's provision step: the provision graph on the run's newest dataset version, then the optional PII gate. */
export const provisionStep: StepDefinition<z.output<typeof ProvisionConfig>> = {
  name: 'provision',
  description: 'Loads the newest dataset version into a target environment: DDL from the catalog, COPY in FK order, sequences, smoke tests',
  config: ProvisionConfig,
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
      { emit: rt.emit, jobId: input.jobId, signal: rt.signal, fallbacks: rt.fallbacks(), retry: { maxAttempts: 1 } },
    );
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
};
