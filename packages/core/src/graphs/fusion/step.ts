import { z } from 'zod';
import { InvalidInputError, NotFoundError, StepFailedError } from '../../errors.ts';
import { fuseSchemas } from './graph.ts';
import type { StepDefinition } from '../registry.ts';

const Weights = z.object({ DB: z.number(), API: z.number(), UI: z.number(), TEST_CASE: z.number(), DOMAIN: z.number() }).partial();

const FusionConfig = z
  .object({
    openApiSpec: z.string().min(1).optional(),
    urls: z.array(z.string().min(1)).optional(),
    testCaseFileName: z.string().optional(),
    weights: Weights.optional(),
    name: z.string().min(1).optional(),
  })
  .default({});

export const fusionStep: StepDefinition<z.output<typeof FusionConfig>> = {
  name: 'fusion',
  description:
    "Fuses the run's schema sources (the discovered database, an OpenAPI document, crawled forms, the test case, the domain pack) into one unified schema, weighted DB > API > UI > test case > domain",
  config: FusionConfig,
  async run(input, rt) {
    let testCaseContent: string | null = null;
    if (input.context.testCaseId) {
      const row = await rt.tdm.store.prisma.testCase.findUnique({ where: { id: input.context.testCaseId } });
      if (!row) throw new NotFoundError('test case', input.context.testCaseId);
      testCaseContent = row.content;
    }
    const schemaVersionId = input.artifacts.schemaVersionId ?? null;
    let unified: Awaited<ReturnType<typeof fuseSchemas>>;
    try {
      unified = await fuseSchemas(
        rt.tdm,
        {
          schemaVersionId,
          openApiSpec: input.config.openApiSpec ?? null,
          urls: input.config.urls ?? null,
          testCaseContent,
          testCaseFileName: input.config.testCaseFileName ?? null,
          domain: input.context.domainPack,
          scenario: input.context.scenario,
          weights: input.config.weights ?? null,
          name: input.config.name ?? null,
        },
        { emit: rt.emit, jobId: input.jobId, signal: rt.signal },
      );
    } catch (err) {
      // Sources that cannot be read (an unreachable page, a test case without fields) leave fewer than
      // two: the run goes on without a unified schema, and says so.
      if (err instanceof InvalidInputError && !rt.signal.aborted) {
        rt.fallback(`fusion: skipped (${err.message})`);
        return { artifacts: {}, summary: { skipped: err.message } };
      }
      throw new StepFailedError('fusion', input.jobId, err);
    }
    if (schemaVersionId)
      await rt.recordLineage({ operation: 'fusion', fromKind: 'SCHEMA_VERSION', fromId: schemaVersionId, toKind: 'UNIFIED_SCHEMA', toId: unified.id });
    if (input.context.testCaseId)
      await rt.recordLineage({ operation: 'fusion', fromKind: 'TEST_CASE', fromId: input.context.testCaseId, toKind: 'UNIFIED_SCHEMA', toId: unified.id });
    await rt.recordLineage({
      operation: 'fusion',
      fromKind: 'JOB',
      fromId: input.jobId,
      toKind: 'UNIFIED_SCHEMA',
      toId: unified.id,
      config: input.config.weights ?? {},
    });
    const refs = (kind: string) => [...new Set(unified.sources.filter((s) => s.kind === kind).map((s) => s.ref))];
    return {
      artifacts: {},
      summary: {
        unifiedSchemaId: unified.id,
        version: unified.version,
        entities: unified.entities.map((e) => `${e.name} (${e.fields.length} fields from ${[...new Set(e.sources.map((s) => s.kind))].join('+')})`),
        conflicts: unified.conflicts.length,
      },
      context: { unifiedSchema: unified.id, uiSchemas: refs('UI'), apiSchemas: refs('API'), dbSchemas: refs('DB') },
    };
  },
};
