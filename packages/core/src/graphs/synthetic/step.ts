import { z } from 'zod';
import { SyntheticMode } from '../../decision/types.ts';
import { CrawlError, InvalidInputError, NotFoundError, StepFailedError } from '../../errors.ts';
import { modeAvailable, type SyntheticInput } from '../../synthetic/index.ts';
import { unifiedSchemaVersionId } from '../fusion/graph.ts';
import type { StepDefinition } from '../registry.ts';
import { runSynthetic } from './graph.ts';

const SyntheticConfig = z
  .object({
    /** The first mode to try; the plan's when absent. */
    mode: SyntheticMode.optional(),
    /** Modes to try next, in order; the plan's when absent. */
    fallbackModes: z.array(SyntheticMode).optional(),
    rowCounts: z.record(z.string(), z.number().int().nonnegative()).optional(),
    seed: z.union([z.number().int(), z.string().min(1)]).optional(),
    keepExamples: z.boolean().optional(),
    testCaseUrls: z.array(z.string().min(1)).optional(),
    testCaseFileName: z.string().optional(),
  })
  .default({});

/**
 * The workflow's synthetic step: the synthetic graph in the planned mode, falling back to the next
 * mode the request allows when one cannot run (an unreachable page, a test case without fields).
 */
export const syntheticStep: StepDefinition<z.output<typeof SyntheticConfig>> = {
  name: 'synthetic',
  description:
    'Generates a dataset version in the planned mode — crawled web forms (URL), test-case content, a domain pack or the schema — falling back to the next available mode when one cannot run',
  config: SyntheticConfig,
  async run(input, rt) {
    const cfg = input.config;
    let testCaseContent: string | null = null;
    if (input.context.testCaseId) {
      const row = await rt.tdm.store.prisma.testCase.findUnique({ where: { id: input.context.testCaseId } });
      if (!row) throw new NotFoundError('test case', input.context.testCaseId);
      testCaseContent = row.content;
    }
    const base: Omit<SyntheticInput, 'mode'> = {
      schemaVersionId: input.artifacts.schemaVersionId ?? null,
      domain: input.context.domainPack,
      scenario: input.context.scenario,
      testCaseContent,
      testCaseFileName: cfg.testCaseFileName ?? null,
      testCaseUrls: cfg.testCaseUrls ?? null,
      rowCounts: cfg.rowCounts ?? null,
      seed: cfg.seed ?? null,
      keepExamples: cfg.keepExamples ?? null,
    };
    // A fused schema (fusion ran before) is generated in schema mode: DB constraints and every source's fields.
    const unified = input.context.unifiedSchema;
    if (unified) base.schemaVersionId = await unifiedSchemaVersionId(rt.tdm, unified);
    const order = [unified ? 'SCHEMA' : null, cfg.mode, ...(cfg.fallbackModes ?? []), ...SyntheticMode.options].filter((m): m is SyntheticMode => Boolean(m));
    const candidates = [...new Set(order)].filter((mode) => modeAvailable(mode, { ...base, mode }));
    if (!candidates.length) {
      throw new StepFailedError('synthetic', input.jobId, new InvalidInputError('synthetic needs a schema version, a domain pack, test-case content or URLs'));
    }
    for (let i = 0; i < candidates.length; i++) {
      const mode = candidates[i] as SyntheticMode;
      const next = candidates[i + 1];
      try {
        const out = await runSynthetic(
          rt.tdm,
          { ...base, mode, testCaseId: input.context.testCaseId, unifiedSchemaId: mode === 'SCHEMA' ? (unified ?? null) : null },
          { emit: rt.emit, jobId: input.jobId, signal: rt.signal, fallbacks: rt.fallbacks(), retry: { maxAttempts: 1 } },
        );
        // Skipped pages are fallbacks of the run; the lineage above was written before them.
        for (const s of out.skippedUrls) rt.fallback(`synthetic: ${s.url} skipped (${s.reason})`);
        return {
          artifacts: { schemaVersionId: out.schemaVersionId, datasetVersionId: out.datasetVersionId },
          summary: {
            datasetVersionId: out.datasetVersionId,
            mode,
            rows: out.totalRows,
            rowCounts: Object.fromEntries(out.tables.map((t) => [`${t.schema}.${t.name}`, t.rowCount])),
          },
        };
      } catch (err) {
        // Input that cannot serve this mode (an unreachable page, a test case without fields) falls
        // back to the next mode the request allows; anything else fails the step.
        const recoverable = err instanceof CrawlError || err instanceof InvalidInputError;
        if (!next || !recoverable || rt.signal.aborted) throw err;
        rt.fallback(`synthetic: ${mode} → ${next} (${(err as Error).message})`);
      }
    }
    throw new StepFailedError('synthetic', input.jobId, new Error('no synthetic mode could run'));
  },
};
