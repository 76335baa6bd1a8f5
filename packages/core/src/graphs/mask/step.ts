import { z } from 'zod';
import { StepFailedError } from '../../errors.ts';
import type { StepDefinition } from '../registry.ts';
import { runMask } from './graph.ts';

const MaskConfig = z
  .object({
    rules: z.record(z.string(), z.object({ transformer: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() })).optional(),
    salt: z.string().min(1).optional(),
  })
  .default({});

/** The workflow's mask step: the mask graph on the run's newest dataset version. */
export const maskStep: StepDefinition<z.output<typeof MaskConfig>> = {
  name: 'mask',
  description: 'Writes a masked copy of the newest dataset version: PII columns transformed, keys still joinable, unique columns still unique',
  config: MaskConfig,
  async run(input, rt) {
    const datasetVersionId = input.artifacts.datasetVersionId;
    if (!datasetVersionId) throw new StepFailedError('mask', input.jobId, new Error('mask needs a dataset version from an earlier step (subset or synthetic)'));
    const out = await runMask(
      rt.tdm,
      { datasetVersionId, rules: input.config.rules, salt: input.config.salt },
      { emit: rt.emit, jobId: input.jobId, signal: rt.signal, fallbacks: rt.fallbacks(), retry: { maxAttempts: 1 } },
    );
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
};
