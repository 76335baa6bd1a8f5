import { previewRows } from '@tdm/core/dataset/preview';
import type { runProvision } from '@tdm/core/graphs/provision/graph';
import { lineageAround } from '@tdm/core/lineage/graph';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { PROVISION_ERRORS, SOURCE_ERRORS } from './errors.ts';
import { LineageGraphRef } from './lineage.ts';
import { DatasetColumnRef, DatasetFactsRef, type DatasetMeta, datasetColumns } from './dataset-facts.ts';
import type { DatasetManifest, DatasetTableManifest } from '@tdm/core/dataset/types';
import { type SmokeReport, smokeFailures } from '@tdm/core/provision/smoke';

builder.prismaObject('DatasetTable', {
  fields: (t) => ({
    schema: t.exposeString('schemaName'),
    name: t.exposeString('tableName'),
    rowCount: t.float({ select: { rowCount: true }, resolve: (d) => Number(d.rowCount) }),
    bytes: t.float({ select: { bytes: true }, resolve: (d) => Number(d.bytes) }),
    checksum: t.exposeString('checksum'),
    path: t.exposeString('path'),
    columns: t.field({ type: [DatasetColumnRef], select: { columns: true }, resolve: (d) => datasetColumns(d.columns) }),
  }),
});

const PreviewRef = builder.objectRef<Awaited<ReturnType<typeof previewRows>>>('DatasetPreview').implement({
  fields: (t) => ({
    schema: t.exposeString('schema'),
    table: t.exposeString('table'),
    rowCount: t.exposeFloat('rowCount'),
    columns: t.field({ type: [DatasetColumnRef], resolve: (p) => p.columns }),
    rows: t.field({ type: ['JSON'], description: 'Rows as plain objects', resolve: (p) => p.rows }),
  }),
});

const ManifestTableRef = builder.objectRef<DatasetTableManifest>('DatasetManifestTable').implement({
  fields: (t) => ({
    schema: t.exposeString('schema'),
    name: t.exposeString('name'),
    file: t.exposeString('file', { description: "The Parquet file, relative to the dataset version's root" }),
    rowCount: t.exposeFloat('rowCount'),
    bytes: t.exposeFloat('bytes'),
    checksum: t.exposeString('checksum', { description: 'sha256 of the Parquet file' }),
    columns: t.field({ type: [DatasetColumnRef], resolve: (m) => m.columns }),
  }),
});

const ManifestRef = builder.objectRef<DatasetManifest>('DatasetManifest').implement({
  description: "A dataset version's manifest: its tables' files and how it was made",
  fields: (t) => ({
    formatVersion: t.exposeInt('formatVersion'),
    datasetVersionId: t.exposeString('datasetVersionId'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    schemaVersionId: t.exposeString('schemaVersionId', { nullable: true }),
    parentId: t.exposeString('parentId', { nullable: true }),
    jobId: t.exposeString('jobId', { nullable: true }),
    createdAt: t.exposeString('createdAt'),
    tables: t.field({ type: [ManifestTableRef], resolve: (m) => m.tables }),
    meta: t.field({ type: DatasetFactsRef, resolve: (m) => (m.meta ?? {}) as DatasetMeta }),
  }),
});

builder.prismaNode('DatasetVersion', {
  id: { field: 'id' },
  fields: (t) => ({
    rawId: t.exposeString('id'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    totalRows: t.float({ select: { totalRows: true }, resolve: (d) => Number(d.totalRows) }),
    bytes: t.float({ select: { bytes: true }, resolve: (d) => Number(d.bytes) }),
    checksum: t.exposeString('checksum'),
    storeUri: t.exposeString('storeUri'),
    manifest: t.field({ type: ManifestRef, select: { manifest: true }, resolve: (d) => d.manifest as unknown as DatasetManifest }),
    plan: t.field({
      type: DatasetFactsRef,
      nullable: true,
      description: 'The subset plan (or other step facts) that made it',
      select: { manifest: true },
      resolve: (d) => (d.manifest as { meta?: DatasetMeta }).meta ?? null,
    }),
    tables: t.relation('tables', { query: { orderBy: [{ schemaName: 'asc' }, { tableName: 'asc' }] } }),
    schemaVersion: t.relation('schemaVersion', { nullable: true }),
    job: t.relation('job', { nullable: true }),
    derivedFrom: t.relation('parent', { nullable: true, description: 'The dataset version this one was made from' }),
    derivatives: t.relation('derivatives', { description: 'Dataset versions made from this one' }),
    preview: t.field({
      type: PreviewRef,
      args: { table: t.arg.string({ required: true }), limit: t.arg.int({ defaultValue: 50 }), offset: t.arg.int({ defaultValue: 0 }) },
      resolve: (d, args, ctx) => previewRows(ctx.tdm, d.id, args.table, { limit: args.limit ?? 50, offset: args.offset ?? 0 }),
    }),
    lineage: t.field({ type: LineageGraphRef, resolve: (d, _a, ctx) => lineageAround(ctx.tdm.store.prisma, { kind: 'DATASET_VERSION', id: d.id }) }),
  }),
});

const SubsetInput = builder.inputType('SubsetDatabaseInput', {
  fields: (t) => ({
    schemaVersionId: t.id({ required: false }),
    connectionId: t.id({ required: false }),
    connectionString: t.string({ required: false }),
    schemas: t.stringList({ required: false }),
    rootTable: t.string({ required: false, description: 'Inferred when absent (the most-referenced people-like table)' }),
    maxRowsPerTable: t.field({ type: 'JSON', required: false, description: '{"*": 5000, "orders": 50000}; absent → full copy' }),
    where: t.field({ type: 'JSON', required: false, description: '{"customer": "store_id = 1"}' }),
    name: t.string({ required: false }),
  }),
});

const ProvisionInput = builder.inputType('ProvisionDatasetInput', {
  fields: (t) => ({
    datasetVersionId: t.id({ required: true }),
    environment: t.string({ required: false, description: "An environment's name or id; the default environment when absent" }),
    resetEnv: t.boolean({ required: false }),
    migrate: t.boolean({
      required: false,
      description: "When the environment already holds the dataset's objects: migrate its schema to the dataset's and replace the rows, in one transaction",
    }),
    allowDestructive: t.boolean({ required: false, description: 'With migrate: apply destructive changes too (dropped tables or columns, narrowed types)' }),
    runSmokeTests: t.boolean({ required: false }),
  }),
});

const LoadedTableRef = builder.objectRef<{ schema: string; name: string; rowCount: number }>('LoadedTable').implement({
  description: 'Rows loaded into one table of the target',
  fields: (t) => ({ schema: t.exposeString('schema'), name: t.exposeString('name'), rowCount: t.exposeFloat('rowCount') }),
});

const SmokeRowCountRef = builder.objectRef<SmokeReport['rowCounts'][number]>('SmokeRowCount').implement({
  fields: (t) => ({ table: t.exposeString('table'), expected: t.exposeFloat('expected'), actual: t.exposeFloat('actual') }),
});
const SmokeForeignKeyRef = builder.objectRef<SmokeReport['fkViolations'][number]>('SmokeForeignKeyCheck').implement({
  description: 'Rows of the target violating one foreign key; keys the source left NOT VALID do not fail the test',
  fields: (t) => ({
    fk: t.exposeString('fk'),
    table: t.exposeString('table'),
    violations: t.exposeFloat('violations'),
    notValid: t.boolean({ resolve: (f) => Boolean(f.notValid) }),
  }),
});
const SmokeSequenceRef = builder.objectRef<SmokeReport['sequences'][number]>('SmokeSequenceCheck').implement({
  fields: (t) => ({
    sequence: t.exposeString('sequence'),
    lastValue: t.exposeString('lastValue', { nullable: true }),
    maxValue: t.exposeString('maxValue', { nullable: true, description: 'Largest value of the columns drawing from it; null without rows' }),
    ok: t.exposeBoolean('ok', { description: 'The next nextval is past maxValue' }),
  }),
});

const SmokeReportRef = builder.objectRef<SmokeReport>('SmokeReport').implement({
  description: 'Row counts, FK checks and sequence checks of a provisioned target',
  fields: (t) => ({
    passed: t.exposeBoolean('passed'),
    rowCounts: t.field({ type: [SmokeRowCountRef], resolve: (s) => s.rowCounts }),
    fkViolations: t.field({ type: [SmokeForeignKeyRef], resolve: (s) => s.fkViolations }),
    sequences: t.field({ type: [SmokeSequenceRef], resolve: (s) => s.sequences }),
    failures: t.stringList({ description: 'One sentence per failed check', resolve: smokeFailures }),
  }),
});

type ProvisionOut = Awaited<ReturnType<typeof runProvision>>;
const ProvisionResultRef = builder.objectRef<ProvisionOut>('ProvisionResult').implement({
  fields: (t) => ({
    environment: t.exposeString('environment'),
    datasetVersionId: t.exposeString('datasetVersionId'),
    durationMs: t.exposeFloat('durationMs'),
    tables: t.field({ type: [LoadedTableRef], description: 'Rows loaded per table, in load order', resolve: (r) => r.tables }),
    smoke: t.field({
      type: SmokeReportRef,
      nullable: true,
      description: 'Row counts, FK checks and sequence checks; null when smoke tests were turned off',
      resolve: (r) => r.smoke,
    }),
  }),
});

const num = (v: unknown) => (v === null || v === undefined ? null : (v as Record<string, number>));

builder.queryFields((t) => ({
  datasets: t.prismaConnection({
    type: 'DatasetVersion',
    cursor: 'id',
    totalCount: (_c, _a, ctx) => ctx.tdm.store.prisma.datasetVersion.count(),
    resolve: (query, _r, _a, ctx) => ctx.tdm.store.prisma.datasetVersion.findMany({ ...query, orderBy: { createdAt: 'desc' } }),
  }),
  dataset: t.prismaField({
    type: 'DatasetVersion',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, args, ctx) => ctx.tdm.store.prisma.datasetVersion.findUnique({ ...query, where: { id: rawId(args.id, 'DatasetVersion') } }),
  }),
}));

builder.mutationFields((t) => ({
  subsetDatabase: t.prismaField({
    type: 'DatasetVersion',
    description: 'Cuts a referentially intact slice of a source into a new dataset version',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: SubsetInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const { runSubset } = await import('@tdm/core/graphs/subset/graph');
      const out = await runSubset(ctx.tdm, {
        schemaVersionId: rawId(input.schemaVersionId, 'SchemaVersion'),
        connectionId: rawId(input.connectionId, 'DatabaseConnection'),
        connectionString: input.connectionString,
        schemas: input.schemas,
        rootTable: input.rootTable,
        maxRowsPerTable: num(input.maxRowsPerTable),
        where: (input.where ?? null) as Record<string, string> | null,
        name: input.name,
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'subsetDatabase',
        targetKind: 'DATASET_VERSION',
        targetId: out.datasetVersionId,
        details: { rows: out.totalRows, root: out.plan.root },
      });
      return ctx.tdm.store.prisma.datasetVersion.findUniqueOrThrow({ ...query, where: { id: out.datasetVersionId } });
    },
  }),
  provisionDataset: t.field({
    type: ProvisionResultRef,
    description: 'Loads a dataset version into a registered target environment',
    errors: { types: PROVISION_ERRORS },
    args: { input: t.arg({ type: ProvisionInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const { runProvision } = await import('@tdm/core/graphs/provision/graph');
      const out = await runProvision(ctx.tdm, {
        datasetVersionId: rawId(input.datasetVersionId, 'DatasetVersion') as string,
        environment: rawId(input.environment, 'Environment'),
        resetEnv: input.resetEnv,
        migrate: input.migrate,
        allowDestructive: input.allowDestructive,
        runSmokeTests: input.runSmokeTests,
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'provisionDataset',
        targetKind: 'ENVIRONMENT',
        targetId: out.environmentId,
        severity: input.resetEnv || out.migration?.destructive ? 'WARNING' : 'INFO',
        details: {
          datasetVersionId: out.datasetVersionId,
          tables: out.tables.length,
          resetEnv: Boolean(input.resetEnv),
          ...(out.migration ? { migration: out.migration } : {}),
        },
      });
      return out;
    },
  }),
}));
