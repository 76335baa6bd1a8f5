import { z } from 'zod';
import { StepFailedError } from '../../errors.ts';
import { runMask } from '../../operations/mask.ts';
import { registerStep } from '../registry.ts';

registerStep({
  name: 'mask',
  description: 'Writes a masked copy of the newest dataset version: PII columns transformed, keys still joinable, unique columns still unique',
  config: z
    .object({
      rules: z.record(z.string(), z.object({ transformer: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() })).optional(),
      salt: z.string().min(1).optional(),
    })
    .default({}),
  async run(input, rt) {
    const datasetVersionId = input.artifacts.datasetVersionId;
    if (!datasetVersionId) throw new StepFailedError('mask', input.jobId, new Error('mask needs a dataset version from an earlier step (subset or synthetic)'));
    const out = await runMask(
      rt.tdm,
      { datasetVersionId, rules: input.config.rules, salt: input.config.salt },
      { emit: rt.emit, jobId: input.jobId, signal: rt.signal },
    );
    // The rule set's hash stands for the config: the salt itself is never recorded.
    await rt.recordLineage({
      operation: 'mask',
      fromKind: 'DATASET_VERSION',
      fromId: datasetVersionId,
      toKind: 'DATASET_VERSION',
      toId: out.datasetVersionId,
      config: { rulesHash: out.rulesHash },
    });
    await rt.recordLineage({ operation: 'mask', fromKind: 'JOB', fromId: input.jobId, toKind: 'DATASET_VERSION', toId: out.datasetVersionId });
    return {
      artifacts: { datasetVersionId: out.datasetVersionId },
      summary: {
        datasetVersionId: out.datasetVersionId,
        maskedColumns: out.columns.length,
        columns: out.columns,
        remapped: out.remapped,
        rows: out.totalRows,
        rulesHash: out.rulesHash,
      },
    };
  },
});
