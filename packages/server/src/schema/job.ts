import { WORKFLOW_TEMPLATES } from '@tdm/core/decision/templates';
import { type Artifacts, type JobContext, OPERATIONS } from '@tdm/core/jobs/context';
import type { PipelinePlan } from '@tdm/core/decision/types';
import { jobLogStream } from '@tdm/core/jobs/log-stream';
import type { JobLogEvent } from '@tdm/core/jobs/log-bus';
import { JobStatus as JobStatusValues } from '@tdm/core/generated/prisma/enums';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { SOURCE_ERRORS } from './errors.ts';
import { PipelinePlanRef } from './decision.ts';

// The metadata store's enum (Prisma), not a copy.
export const JobStatus = builder.enumType(JobStatusValues, { name: 'JobStatus' });
export const OperationEnum = builder.enumType('Operation', { values: OPERATIONS });

const JobLogEventRef = builder.objectRef<JobLogEvent>('JobLogEvent').implement({
  description: 'One log event of a job: started / progress / completed / failed (plus info / warn)',
  fields: (t) => ({
    jobId: t.exposeID('jobId', { description: 'The raw job id' }),
    seq: t.exposeInt('seq'),
    step: t.exposeString('step', { description: 'An operation, or "workflow" for the run itself' }),
    level: t.exposeString('level'),
    message: t.exposeString('message'),
    at: t.exposeString('at'),
    data: t.expose('data', { type: 'JSON', nullable: true }),
  }),
});

const JobErrorRef = builder.objectRef<{ code: string; message: string; step?: string | null }>('JobError').implement({
  description: 'Why a job failed',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'An ErrorCode (STEP_FAILED, CONNECTION_FAILED …)' }),
    message: t.exposeString('message'),
    step: t.string({ nullable: true, description: 'The operation that failed; null when the run itself did', resolve: (e) => e.step ?? null }),
  }),
});

const JobContextRef = builder.objectRef<Partial<JobContext>>('JobContext').implement({
  description: 'What a run knows about itself: its test case, schemas, domain pack, fallbacks and quality score',
  fields: (t) => ({
    testCaseId: t.string({ nullable: true, resolve: (c) => c.testCaseId ?? null }),
    schemas: t.stringList({ resolve: (c) => c.schemas ?? [] }),
    unifiedSchema: t.string({ nullable: true, description: 'The UnifiedSchemaVersion the fusion step made', resolve: (c) => c.unifiedSchema ?? null }),
    uiSchemas: t.stringList({ description: 'Crawled page URLs fusion read', resolve: (c) => c.uiSchemas ?? [] }),
    apiSchemas: t.stringList({ description: 'OpenAPI documents (title@version) fusion read', resolve: (c) => c.apiSchemas ?? [] }),
    dbSchemas: t.stringList({ description: 'Schema version ids fusion read', resolve: (c) => c.dbSchemas ?? [] }),
    domainPack: t.string({ nullable: true, resolve: (c) => c.domainPack ?? null }),
    scenario: t.string({ nullable: true, resolve: (c) => c.scenario ?? null }),
    operations: t.stringList({ resolve: (c) => c.operations ?? [] }),
    fallbacksUsed: t.stringList({ resolve: (c) => c.fallbacksUsed ?? [] }),
    qualityScore: t.float({ nullable: true, resolve: (c) => c.qualityScore ?? null }),
  }),
});

const JobArtifactsRef = builder.objectRef<Artifacts>('JobArtifacts').implement({
  description: 'The ids of what a run made',
  fields: (t) => ({
    schemaVersionId: t.string({ nullable: true, resolve: (a) => a.schemaVersionId ?? null }),
    datasetVersionId: t.string({ nullable: true, description: 'The newest dataset version', resolve: (a) => a.datasetVersionId ?? null }),
    datasetVersionIds: t.stringList({ description: 'Every dataset version the run made, oldest first', resolve: (a) => a.datasetVersionIds ?? [] }),
    environmentId: t.string({ nullable: true, resolve: (a) => a.environmentId ?? null }),
    provisionedTables: t.stringList({ resolve: (a) => a.provisionedTables ?? [] }),
  }),
});

type JobResult = { operations?: Record<string, unknown>; artifacts?: Artifacts; completed?: string[] };
const JobResultRef = builder.objectRef<JobResult>('JobResult').implement({
  fields: (t) => ({
    operations: t.field({
      type: 'JSON',
      description: "Per-operation summaries, keyed by operation: each step (a plugin's too) defines its own",
      resolve: (r) => r.operations ?? {},
    }),
    artifacts: t.field({ type: JobArtifactsRef, resolve: (r) => r.artifacts ?? {} }),
    completed: t.stringList({ description: 'Operations completed, in order', resolve: (r) => r.completed ?? [] }),
  }),
});

builder.prismaNode('Job', {
  description: 'A workflow run',
  id: { field: 'id' },
  fields: (t) => ({
    rawId: t.exposeString('id', { description: 'The database id (lineage and trace use it)' }),
    workflowId: t.exposeString('workflowId'),
    status: t.field({ type: JobStatus, resolve: (j) => j.status }),
    operations: t.exposeStringList('operations'),
    input: t.expose('input', { type: 'JSON', description: 'The request, without secrets' }),
    config: t.expose('config', { type: 'JSON' }),
    context: t.field({ type: JobContextRef, select: { context: true }, resolve: (j) => (j.context ?? {}) as Partial<JobContext> }),
    plan: t.field({ type: PipelinePlanRef, nullable: true, select: { plan: true }, resolve: (j) => j.plan as PipelinePlan | null }),
    result: t.field({
      type: JobResultRef,
      nullable: true,
      description: 'Per-operation results and artifact ids',
      select: { result: true },
      resolve: (j) => j.result as JobResult | null,
    }),
    error: t.field({ type: JobErrorRef, nullable: true, select: { error: true }, resolve: (j) => j.error as { code: string; message: string } | null }),
    attempts: t.exposeInt('attempts'),
    qualityScore: t.exposeFloat('qualityScore', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    testCase: t.relation('testCase', { nullable: true }),
    logs: t.field({
      type: [JobLogEventRef],
      args: { afterSeq: t.arg.int({ defaultValue: 0 }) },
      resolve: (job, args, ctx) => ctx.tdm.jobs.logs.history(job.id, args.afterSeq ?? 0),
    }),
  }),
});

const ExecuteWorkflowInput = builder.inputType('ExecuteWorkflowInput', {
  fields: (t) => ({
    connectionString: t.string({ required: false }),
    connectionId: t.id({ required: false }),
    schemas: t.stringList({ required: false }),
    schemaVersionId: t.id({ required: false }),
    testCaseContent: t.string({ required: false }),
    testCaseFileName: t.string({ required: false }),
    testCaseUrls: t.stringList({ required: false }),
    domain: t.string({ required: false }),
    scenario: t.string({ required: false }),
    openApiSpec: t.string({
      required: false,
      description: 'An OpenAPI 3 / Swagger 2 document (JSON or YAML): with another schema source, fused before synthetic',
    }),
    operations: t.field({ type: [OperationEnum], required: false, description: 'Explicit operations; planned by classifyIntent when absent' }),
    template: t.string({ required: false, description: 'A workflow template name (A–D)' }),
    config: t.field({ type: 'JSON', required: false, description: 'Per-step config, e.g. { "discover": { "schemas": ["public"] } }' }),
    rowCounts: t.field({ type: 'JSON', required: false }),
  }),
});

const ExecuteWorkflowPayload = builder
  .objectRef<{ workflowId: string; jobId: string; status: 'QUEUED'; operations: string[] }>('ExecuteWorkflowPayload')
  .implement({
    fields: (t) => ({
      workflowId: t.exposeString('workflowId'),
      jobId: t.exposeID('jobId', { description: 'The job (accepted by job(id) and jobLogs(jobId))' }),
      status: t.field({ type: JobStatus, resolve: (p) => p.status }),
      operations: t.exposeStringList('operations'),
      job: t.prismaField({ type: 'Job', resolve: (query, p, _a, ctx) => ctx.tdm.store.prisma.job.findUniqueOrThrow({ ...query, where: { id: p.jobId } }) }),
    }),
  });

type Template = (typeof WORKFLOW_TEMPLATES)[number];
const TemplateInputRef = builder.objectRef<Template['inputs'][number]>('WorkflowTemplateInput').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    fields: t.stringList({ description: 'Input fields that satisfy it (any one)', resolve: (i) => i.fields.map(String) }),
    required: t.exposeBoolean('required'),
    description: t.exposeString('description'),
  }),
});
const WorkflowTemplate = builder.objectRef<Template>('WorkflowTemplate').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    operations: t.exposeStringList('operations'),
    syntheticMode: t.exposeString('syntheticMode', { nullable: true }),
    inputs: t.field({ type: [TemplateInputRef], resolve: (tpl) => tpl.inputs }),
  }),
});

const WorkflowStatusRef = builder.objectRef<{ workflowId: string; status: string; jobs: { id: string }[] }>('WorkflowStatus').implement({
  fields: (t) => ({
    workflowId: t.exposeString('workflowId'),
    status: t.field({ type: JobStatus, resolve: (w) => w.status as 'QUEUED' }),
    jobs: t.prismaField({
      type: ['Job'],
      resolve: (query, w, _a, ctx) => ctx.tdm.store.prisma.job.findMany({ ...query, where: { workflowId: w.workflowId }, orderBy: { createdAt: 'asc' } }),
    }),
  }),
});

builder.queryFields((t) => ({
  jobs: t.prismaConnection({
    type: 'Job',
    cursor: 'id',
    args: { status: t.arg({ type: JobStatus, required: false }) },
    totalCount: (_c, args, ctx) => ctx.tdm.store.prisma.job.count({ where: args.status ? { status: args.status } : {} }),
    resolve: (query, _r, args, ctx) =>
      ctx.tdm.store.prisma.job.findMany({ ...query, where: args.status ? { status: args.status } : {}, orderBy: { createdAt: 'desc' } }),
  }),
  job: t.prismaField({
    type: 'Job',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, args, ctx) => ctx.tdm.store.prisma.job.findUnique({ ...query, where: { id: rawId(args.id, 'Job') } }),
  }),
  workflowStatus: t.field({
    type: WorkflowStatusRef,
    nullable: true,
    args: { workflowId: t.arg.string({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const jobs = await ctx.tdm.store.prisma.job.findMany({ where: { workflowId: args.workflowId }, select: { id: true, status: true } });
      if (!jobs.length) return null;
      const order = ['FAILED', 'RUNNING', 'QUEUED', 'CANCELLED', 'COMPLETED'];
      const status = order.find((s) => jobs.some((j) => j.status === s)) ?? 'COMPLETED';
      return { workflowId: args.workflowId, status, jobs };
    },
  }),
  workflowTemplates: t.field({ type: [WorkflowTemplate], resolve: () => [...WORKFLOW_TEMPLATES] }),
  workflowLogs: t.field({
    type: [JobLogEventRef],
    description: 'Stored log events of a job after `afterSeq`, for polling clients',
    args: { jobId: t.arg.id({ required: true }), afterSeq: t.arg.int({ defaultValue: 0 }) },
    resolve: async (_r, args, ctx) => {
      const id = rawId(args.jobId, 'Job') as string;
      await ctx.tdm.jobs.get(id);
      return ctx.tdm.jobs.logs.history(id, args.afterSeq ?? 0);
    },
  }),
}));

builder.mutationFields((t) => ({
  executeWorkflow: t.field({
    type: ExecuteWorkflowPayload,
    description: 'Queues a workflow run and returns at once (status QUEUED)',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: ExecuteWorkflowInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.tdm.jobs.execute(
        {
          ...input,
          connectionId: rawId(input.connectionId, 'DatabaseConnection'),
          schemaVersionId: rawId(input.schemaVersionId, 'SchemaVersion'),
          config: (input.config ?? null) as Record<string, unknown> | null,
          rowCounts: (input.rowCounts ?? null) as Record<string, number> | null,
        },
        ctx.actor,
      ),
  }),
  cancelJob: t.prismaField({
    type: 'Job',
    errors: { types: SOURCE_ERRORS },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      const job = await ctx.tdm.jobs.cancel(rawId(args.id, 'Job') as string, ctx.actor);
      return ctx.tdm.store.prisma.job.findUniqueOrThrow({ ...query, where: { id: job.id } });
    },
  }),
}));

builder.subscriptionFields((t) => ({
  jobLogs: t.field({
    type: JobLogEventRef,
    description: "A job's stored log events, then live ones; completes when the job ends",
    args: { jobId: t.arg.id({ required: true }) },
    subscribe: (_r, args, ctx) => jobLogStream(ctx.tdm.jobs, rawId(args.jobId, 'Job') as string),
    resolve: (event) => event,
  }),
}));
