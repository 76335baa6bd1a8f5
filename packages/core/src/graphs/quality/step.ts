import { z } from 'zod';
import { StepFailedError, TdmError } from '../../errors.ts';
import { scoreDataset } from './graph.ts';
import type { QualitySummary } from './state.ts';
import type { StepDefinition } from '../registry.ts';

const QualityConfig = z
  .object({
    /** 0–100: the job fails when the newest dataset scores below it (a CI gate). */
    minScore: z.number().min(0).max(100).optional(),
    /** Set on the run that the workflow adds at the end of every job making a dataset: a failure to measure is a warning there. */
    automatic: z.boolean().default(false),
  })
  .default({ automatic: false });

export const qualityStep: StepDefinition<z.output<typeof QualityConfig>> = {
  name: 'quality',
  description:
    'Scores every dataset version the run made (null ratios, types, keys, foreign keys, constraints, drift against the reference, PII leakage of masked data); with minScore it fails the job below the threshold',
  config: QualityConfig,
  async run(input, rt) {
    const made = input.artifacts.datasetVersionIds?.length
      ? input.artifacts.datasetVersionIds
      : input.artifacts.datasetVersionId
        ? [input.artifacts.datasetVersionId]
        : [];
    // The automatic run after a step that (replaced by a plugin) made no dataset has nothing to measure.
    if (!made.length && input.config.automatic) return { artifacts: {}, summary: { skipped: 'no dataset version was made' } };
    if (!made.length)
      throw new StepFailedError('quality', input.jobId, new Error('quality needs a dataset version from an earlier step (subset, mask or synthetic)'));
    const done = await rt.tdm.store.prisma.qualityReport.findMany({
      where: { jobId: input.jobId, datasetVersionId: { in: made } },
      select: { datasetVersionId: true },
    });
    const scored = new Set(done.map((d) => d.datasetVersionId));
    const reports: QualitySummary[] = [];
    for (const id of made) {
      if (scored.has(id)) continue;
      try {
        reports.push((await scoreDataset(rt.tdm, id, { emit: rt.emit, jobId: input.jobId, signal: rt.signal })).summary);
      } catch (err) {
        if (!input.config.automatic || rt.signal.aborted) throw err;
        rt.emit({ step: 'quality', level: 'warn', message: `dataset ${id} could not be measured: ${(err as Error).message}`, data: { datasetVersionId: id } });
      }
    }
    const newest = made.at(-1) as string;
    const latest = await rt.tdm.store.prisma.qualityReport.findFirst({
      where: { datasetVersionId: newest },
      orderBy: { createdAt: 'desc' },
      select: { score: true },
    });
    const score = latest?.score ?? null;
    // On the job row at once, so a job this step fails still shows its score.
    if (score !== null) await rt.tdm.store.prisma.job.update({ where: { id: input.jobId }, data: { qualityScore: score } });
    const { minScore } = input.config;
    if (minScore !== undefined && score !== null && score < minScore) {
      throw new StepFailedError(
        'quality',
        input.jobId,
        new TdmError('QUALITY_BELOW_THRESHOLD', `quality ${score.toFixed(1)} of dataset ${newest} is below the minimum ${minScore}`, {
          details: { score, minScore, datasetVersionId: newest },
        }),
      );
    }
    return {
      artifacts: {},
      summary: { score, datasetVersionId: newest, reports },
      context: { qualityScore: score },
    };
  },
};
