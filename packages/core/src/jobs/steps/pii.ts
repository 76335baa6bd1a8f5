import { z } from 'zod';
import { StepFailedError } from '../../errors.ts';
import { runClassifyPii } from '../../operations/pii.ts';
import { registerStep } from '../registry.ts';

registerStep({
  name: 'pii',
  description: 'Classifies every column of the discovered schema for personal data (names, sampled values, optional LLM); overrides win',
  config: z.object({ sampleSize: z.number().int().positive().max(10_000).optional() }).default({}),
  async run(input, rt) {
    const schemaVersionId = input.artifacts.schemaVersionId;
    if (!schemaVersionId) throw new StepFailedError('pii', input.jobId, new Error('pii needs a schema version (run discover first)'));
    const columns = await runClassifyPii(rt.tdm, { schemaVersionId, sampleSize: input.config.sampleSize }, { emit: rt.emit });
    const pii = columns.filter((c) => c.piiType !== 'NONE');
    return {
      artifacts: { schemaVersionId },
      // Column names and types only: never a sampled value.
      summary: { columns: columns.length, piiColumns: pii.length, found: pii.map((c) => `${c.schema}.${c.table}.${c.column}: ${c.piiType} → ${c.technique}`) },
    };
  },
});
