import { jobTrace, lineageAround, type JobTrace, type LineageEdge, type LineageGraph, type LineageNode } from '@tdm/core/lineage/graph';
import { NotFoundError } from '@tdm/core/errors';
import { LineageKind } from '@tdm/core/generated/prisma/enums';
import type { FieldLineage } from '@tdm/core/generated/prisma/client';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { rowCountEntries, TableRowCountRef } from './row-count.ts';

// The metadata store's enum (Prisma), not a copy.
const LineageKindEnum = builder.enumType(LineageKind, { name: 'LineageKind' });

const LineageNodeRef = builder.objectRef<LineageNode>('LineageNode').implement({
  description: 'A node of the lineage graph; `id` is "KIND:id"',
  fields: (t) => ({
    id: t.exposeString('id'),
    kind: t.field({ type: LineageKindEnum, resolve: (n) => n.kind }),
    refId: t.exposeString('refId', { description: 'The id of the test case, job, schema version, dataset version or table' }),
    label: t.exposeString('label'),
    qualityScore: t.exposeFloat('qualityScore', { nullable: true, description: "A dataset version's newest quality score (0–100)" }),
  }),
});

const LineageEdgeRef = builder.objectRef<LineageEdge>('LineageEdge').implement({
  description: '`from` was used to make `to` by `operation`',
  fields: (t) => ({
    id: t.exposeString('id'),
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    operation: t.exposeString('operation'),
    jobId: t.exposeString('jobId', { nullable: true }),
    configHash: t.exposeString('configHash', { nullable: true }),
    fallbacks: t.exposeStringList('fallbacks'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const FieldLineageRef = builder.objectRef<FieldLineage>('FieldLineage').implement({
  description: 'Where one column of a dataset version or provisioned table came from, and what was done to it',
  fields: (t) => ({
    owner: t.string({ description: 'The node the column belongs to ("DATASET_VERSION:id" or "TABLE:id")', resolve: (f) => `${f.ownerKind}:${f.ownerId}` }),
    schema: t.exposeString('schemaName'),
    table: t.exposeString('tableName'),
    column: t.exposeString('columnName'),
    originKind: t.exposeString('originKind', {
      description: 'SOURCE_COLUMN, SCHEMA_COLUMN, DATASET_COLUMN, TEST_CASE_FIELD, FORM_INPUT, PACK_FIELD or GENERATED',
    }),
    origin: t.exposeString('origin', { description: 'e.g. "public.customer.email", "user.email", "https://…/signup#email"' }),
    originId: t.exposeString('originId', { nullable: true, description: 'The schema version, dataset version or test case the origin belongs to' }),
    transform: t.exposeString('transform', { nullable: true, description: 'Transformer or generator; null when copied unchanged' }),
    paramsHash: t.exposeString('paramsHash', { nullable: true, description: "sha256 of the transform's params" }),
    jobId: t.exposeString('jobId', { nullable: true }),
  }),
});

export const LineageGraphRef = builder.objectRef<LineageGraph>('LineageGraph').implement({
  fields: (t) => ({
    nodes: t.field({ type: [LineageNodeRef], resolve: (g) => g.nodes }),
    edges: t.field({ type: [LineageEdgeRef], resolve: (g) => g.edges }),
    fields: t.field({
      type: [FieldLineageRef],
      description: "Field-level lineage of the graph's dataset versions and provisioned tables",
      args: { table: t.arg.string({ required: false }), column: t.arg.string({ required: false }) },
      resolve: (g, args) => g.fields.filter((f) => (!args.table || f.tableName === args.table) && (!args.column || f.columnName === args.column)),
    }),
  }),
});

const ProvisionedTableRef = builder.objectRef<JobTrace['provisionedTables'][number]>('TraceTable').implement({
  fields: (t) => ({
    environment: t.exposeString('environment'),
    schema: t.exposeString('schema'),
    table: t.exposeString('table'),
    rowCount: t.exposeFloat('rowCount'),
  }),
});

const TraceQualityRef = builder.objectRef<JobTrace['qualityReports'][number]>('TraceQualityReport').implement({
  fields: (t) => ({
    datasetVersionId: t.exposeString('datasetVersionId'),
    reportId: t.exposeString('reportId'),
    score: t.exposeFloat('score'),
  }),
});

const JobTraceRef = builder.objectRef<JobTrace>('JobTrace').implement({
  description: 'What a job read, made and provisioned',
  fields: (t) => ({
    jobId: t.exposeString('jobId'),
    workflowId: t.exposeString('workflowId'),
    testCaseId: t.exposeString('testCaseId', { nullable: true }),
    status: t.exposeString('status'),
    operations: t.exposeStringList('operations'),
    schemaVersionIds: t.exposeStringList('schemaVersionIds'),
    datasetVersionIds: t.exposeStringList('datasetVersionIds'),
    provisionedTables: t.field({ type: [ProvisionedTableRef], resolve: (tr) => tr.provisionedTables }),
    rowCounts: t.field({
      type: [TableRowCountRef],
      description: 'Rows per "schema.table" of the datasets it made and the tables it provisioned',
      resolve: (tr) => rowCountEntries(tr.rowCounts),
    }),
    fallbacksUsed: t.exposeStringList('fallbacksUsed'),
    qualityScore: t.exposeFloat('qualityScore', { nullable: true, description: "The job's quality score: its newest dataset's" }),
    qualityReports: t.field({ type: [TraceQualityRef], resolve: (tr) => tr.qualityReports }),
  }),
});

builder.prismaObjectField('Job', 'lineage', (t) =>
  t.field({
    type: LineageGraphRef,
    description: 'Everything linked to this job, both directions',
    resolve: (job, _a, ctx) => lineageAround(ctx.tdm.store.prisma, { kind: 'JOB', id: job.id }),
  }),
);
builder.prismaObjectField('Job', 'trace', (t) =>
  t.field({ type: JobTraceRef, resolve: async (job, _a, ctx) => (await jobTrace(ctx.tdm.store.prisma, job.id)) as JobTrace }),
);
builder.prismaObjectField('SchemaVersion', 'lineage', (t) =>
  t.field({ type: LineageGraphRef, resolve: (sv, _a, ctx) => lineageAround(ctx.tdm.store.prisma, { kind: 'SCHEMA_VERSION', id: sv.id }) }),
);

builder.prismaNode('TestCase', {
  id: { field: 'id' },
  fields: (t) => ({
    rawId: t.exposeString('id'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    content: t.exposeString('content'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    jobs: t.relation('jobs', { query: { orderBy: { createdAt: 'desc' } } }),
  }),
});

builder.queryFields((t) => ({
  jobTrace: t.field({
    type: JobTraceRef,
    args: { jobId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const id = rawId(args.jobId, 'Job') as string;
      const trace = await jobTrace(ctx.tdm.store.prisma, id);
      if (!trace) throw new NotFoundError('job', id);
      return trace;
    },
  }),
  lineage: t.field({
    type: LineageGraphRef,
    description: 'The lineage graph around any node, walking both directions',
    args: { kind: t.arg({ type: LineageKindEnum, required: true }), id: t.arg.id({ required: true }), depth: t.arg.int({ defaultValue: 6 }) },
    resolve: (_r, args, ctx) => lineageAround(ctx.tdm.store.prisma, { kind: args.kind, id: String(rawId(args.id, '')) }, Math.min(args.depth ?? 6, 20)),
  }),
  testCase: t.prismaField({
    type: 'TestCase',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, args, ctx) => ctx.tdm.store.prisma.testCase.findUnique({ ...query, where: { id: rawId(args.id, 'TestCase') } }),
  }),
}));
