import { z } from 'zod';
import { StepFailedError } from '../../errors.ts';
import { registerStep } from '../registry.ts';

registerStep({
  name: 'discover',
  description: 'Reads the source catalog (tables, columns, keys, partitions) into a schema version',
  config: z
    .object({
      schemas: z.array(z.string().min(1)).optional(),
      exactCounts: z.boolean().default(true),
    })
    .default({ exactCounts: true }),
  async run(input, rt) {
    if (!input.source) throw new StepFailedError('discover', input.jobId, new Error('discover needs a source connection'));
    const result = await rt.tdm.discoverSchema(
      { connectionId: 'connectionId' in input.source ? input.source.connectionId : null, schemas: input.config.schemas ?? input.schemas },
      // The workflow's step node retries; the discover graph inside it tries once.
      { emit: rt.emit, jobId: input.jobId, retry: { maxAttempts: 1 } },
    );
    await rt.recordLineage({
      operation: 'discover',
      fromKind: 'JOB',
      fromId: input.jobId,
      toKind: 'SCHEMA_VERSION',
      toId: result.schemaVersionId,
      config: input.config,
    });
    return {
      artifacts: { schemaVersionId: result.schemaVersionId },
      summary: { schemaVersionId: result.schemaVersionId, version: result.version, ...result.summary },
      context: { schemas: input.config.schemas ?? input.schemas },
    };
  },
});
