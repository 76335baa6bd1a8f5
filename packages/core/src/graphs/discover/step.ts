import { z } from 'zod';
import { StepFailedError } from '../../errors.ts';
import type { StepDefinition } from '../registry.ts';
import { runDiscover } from './graph.ts';

const DiscoverConfig = z
  .object({
    schemas: z.array(z.string().min(1)).optional(),
    exactCounts: z.boolean().default(true),
  })
  .default({ exactCounts: true });

/** The workflow's discover step: the discover graph on the run's source. */
export const discoverStep: StepDefinition<z.output<typeof DiscoverConfig>> = {
  name: 'discover',
  description: 'Reads the source catalog (tables, columns, keys, partitions) into a schema version',
  config: DiscoverConfig,
  async run(input, rt) {
    if (!input.source) throw new StepFailedError('discover', input.jobId, new Error('discover needs a source connection'));
    const schemas = input.config.schemas ?? input.schemas;
    const result = await runDiscover(
      rt.tdm,
      { source: input.source, schemas },
      // The workflow's step node retries; the discover graph inside it tries once.
      { emit: rt.emit, jobId: input.jobId, signal: rt.signal, resolveSource: rt.resolveSource, fallbacks: rt.fallbacks(), retry: { maxAttempts: 1 } },
    );
    return {
      artifacts: { schemaVersionId: result.schemaVersionId },
      summary: { schemaVersionId: result.schemaVersionId, version: result.version, ...result.summary },
      context: { schemas },
    };
  },
};
