import { latestQualityReport, type StoredQualityReport } from '@tdm/core/quality/store';
import type { ColumnQuality, QualityMetric, TableQuality } from '@tdm/core/quality/types';
import { NotFoundError } from '@tdm/core/errors';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';

const QualityMetricRef = builder.objectRef<QualityMetric>('QualityMetric').implement({
  description:
    'One measure of a dataset: nullRatio, typeConsistency, uniqueness, referentialIntegrity, constraintValidity, drift, piiLeakage. Weight 0 when it does not apply',
  fields: (t) => ({
    name: t.exposeString('name'),
    score: t.exposeFloat('score', { description: '0 (worst) – 1 (best)' }),
    weight: t.exposeFloat('weight'),
    detail: t.exposeString('detail'),
  }),
});

const ColumnQualityRef = builder.objectRef<ColumnQuality>('ColumnQuality').implement({
  fields: (t) => ({
    table: t.exposeString('table', { description: 'schema.table' }),
    column: t.exposeString('column'),
    nullRatio: t.exposeFloat('nullRatio'),
    distinctRatio: t.exposeFloat('distinctRatio'),
    typeConsistency: t.exposeFloat('typeConsistency', { description: "Share of values that parse as the column's type and format" }),
    drift: t.exposeFloat('drift', { nullable: true, description: 'Distance to the reference distribution (0 same, 1 disjoint); null without a reference' }),
    constraintViolations: t.exposeInt('constraintViolations'),
  }),
});

const TableQualityRef = builder.objectRef<TableQuality>('TableQuality').implement({
  fields: (t) => ({
    table: t.exposeString('table'),
    rowCount: t.exposeFloat('rowCount'),
    fkOrphans: t.exposeInt('fkOrphans'),
    duplicateKeys: t.exposeInt('duplicateKeys'),
  }),
});

export const QualityReportRef = builder.objectRef<StoredQualityReport>('QualityReport').implement({
  description: "A dataset version's quality: a 0–100 score, the metrics it is made of, per-column and per-table facts",
  fields: (t) => ({
    id: t.exposeID('id'),
    datasetVersionId: t.exposeID('datasetVersionId'),
    jobId: t.exposeID('jobId', { nullable: true }),
    score: t.exposeFloat('score', { description: '0–100' }),
    metrics: t.field({ type: [QualityMetricRef], resolve: (r) => r.metrics }),
    columns: t.field({ type: [ColumnQualityRef], resolve: (r) => r.columns }),
    tables: t.field({ type: [TableQualityRef], resolve: (r) => r.tables }),
    reference: t.exposeString('reference', { nullable: true, description: 'What drift was measured against; null when nothing' }),
    rowsScanned: t.exposeFloat('rowsScanned'),
    durationMs: t.exposeFloat('durationMs'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField('DatasetVersion', 'quality', (t) =>
  t.field({
    type: QualityReportRef,
    nullable: true,
    description: 'The newest quality report; null when the dataset was never measured',
    resolve: (d, _a, ctx) => latestQualityReport(ctx.tdm.store.prisma, d.id),
  }),
);

builder.queryFields((t) => ({
  qualityReport: t.field({
    type: QualityReportRef,
    description: "A dataset version's newest quality report; measured now when it has none",
    args: { datasetVersionId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const id = rawId(args.datasetVersionId, 'DatasetVersion') as string;
      const stored = await latestQualityReport(ctx.tdm.store.prisma, id);
      if (stored) return stored;
      const exists = await ctx.tdm.store.prisma.datasetVersion.findUnique({ where: { id }, select: { id: true } });
      if (!exists) throw new NotFoundError('dataset version', id);
      const { scoreDataset } = await import('@tdm/core/graphs/quality/graph');
      await scoreDataset(ctx.tdm, id);
      return (await latestQualityReport(ctx.tdm.store.prisma, id)) as StoredQualityReport;
    },
  }),
}));
