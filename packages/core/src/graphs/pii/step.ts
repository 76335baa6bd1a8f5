import { z } from 'zod';
import { StepFailedError } from '../../errors.ts';
import type { StepDefinition } from '../registry.ts';
import { classifyPii } from './graph.ts';

const PiiConfig = z.object({ sampleSize: z.number().int().positive().max(10_000).optional() }).default({});

/** The workflow's pii step: the pii graph on the run's schema version, sampling the run's own source. */
export const piiStep: StepDefinition<z.output<typeof PiiConfig>> = {
  name: 'pii',
  description: 'Classifies every column of the discovered schema for personal data (names, sampled values, optional LLM); overrides win',
  config: PiiConfig,
  async run(input, rt) {
    const schemaVersionId = input.artifacts.schemaVersionId;
    if (!schemaVersionId) throw new StepFailedError('pii', input.jobId, new Error('pii needs a schema version (run discover first)'));
    const { columns, valuesSampled } = await classifyPii(
      rt.tdm,
      { schemaVersionId, sampleSize: input.config.sampleSize, source: input.source },
      { emit: rt.emit, jobId: input.jobId, signal: rt.signal, resolveSource: rt.resolveSource, fallbacks: rt.fallbacks(), retry: { maxAttempts: 1 } },
    );
    const pii = columns.filter((c) => c.piiType !== 'NONE');
    return {
      artifacts: { schemaVersionId },
      // Column names and types only: never a sampled value.
      summary: {
        columns: columns.length,
        piiColumns: pii.length,
        valuesSampled,
        found: pii.map((c) => `${c.schema}.${c.table}.${c.column}: ${c.piiType} → ${c.technique}`),
      },
    };
  },
};
