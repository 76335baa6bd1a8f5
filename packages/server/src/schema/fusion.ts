import { loadUnifiedSchema, type StoredUnifiedSchema } from '@tdm/core/fusion/store';
import { DEFAULT_WEIGHTS, SOURCE_KINDS, type FieldOrigin, type FusionConflict, type UnifiedEntity, type UnifiedField } from '@tdm/core/fusion/types';
import { NotFoundError } from '@tdm/core/errors';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { SOURCE_ERRORS } from './errors.ts';

const SourceKindEnum = builder.enumType('SourceKind', {
  description: 'Where a schema came from: a database, an API document, crawled forms (UI), a test case, a domain pack',
  values: SOURCE_KINDS,
});

const FieldSourceRef = builder.objectRef<FieldOrigin>('UnifiedFieldSource').implement({
  fields: (t) => ({
    kind: t.field({ type: SourceKindEnum, resolve: (s) => s.kind }),
    ref: t.exposeString('ref', { description: 'The schema version id, API title@version, page URL, file name or pack' }),
    entity: t.exposeString('entity'),
    name: t.exposeString('name', { description: 'The field as that source names it' }),
    dataType: t.exposeString('dataType', { nullable: true }),
  }),
});

const UnifiedFieldRef = builder.objectRef<UnifiedField>('UnifiedField').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    dataType: t.exposeString('dataType', { description: 'PostgreSQL type, from the highest-weight source that gave one' }),
    maxLength: t.exposeInt('maxLength', { nullable: true }),
    nullable: t.exposeBoolean('nullable'),
    unique: t.exposeBoolean('unique'),
    enumValues: t.exposeStringList('enumValues', { nullable: true }),
    pattern: t.exposeString('pattern', { nullable: true }),
    min: t.exposeString('min', { nullable: true }),
    max: t.exposeString('max', { nullable: true }),
    exampleValues: t.exposeStringList('exampleValues'),
    confidence: t.exposeFloat('confidence', { description: "Share (0–1) of the entity's source weight that knows this field" }),
    chosenFrom: t.field({ type: SourceKindEnum, resolve: (f) => f.chosenFrom }),
    sources: t.field({ type: [FieldSourceRef], resolve: (f) => f.sources }),
  }),
});

const EntitySourceRef = builder.objectRef<UnifiedEntity['sources'][number]>('UnifiedEntitySource').implement({
  fields: (t) => ({ kind: t.field({ type: SourceKindEnum, resolve: (s) => s.kind }), ref: t.exposeString('ref'), name: t.exposeString('name') }),
});

const UnifiedEntityRef = builder.objectRef<UnifiedEntity>('UnifiedEntity').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    sources: t.field({ type: [EntitySourceRef], resolve: (e) => e.sources }),
    fields: t.field({ type: [UnifiedFieldRef], resolve: (e) => e.fields }),
  }),
});

const ConflictValueRef = builder.objectRef<FusionConflict['values'][number]>('FusionConflictValue').implement({
  fields: (t) => ({ kind: t.field({ type: SourceKindEnum, resolve: (v) => v.kind }), value: t.exposeString('value') }),
});

const FusionConflictRef = builder.objectRef<FusionConflict>('FusionConflict').implement({
  description: 'Sources disagreeing on a property of a field, and the value the higher-weight source gave',
  fields: (t) => ({
    entity: t.exposeString('entity'),
    field: t.exposeString('field'),
    property: t.exposeString('property'),
    values: t.field({ type: [ConflictValueRef], resolve: (c) => c.values }),
    chosen: t.exposeString('chosen'),
    chosenFrom: t.field({ type: SourceKindEnum, resolve: (c) => c.chosenFrom }),
  }),
});

const WeightsRef = builder.objectRef<StoredUnifiedSchema['weights']>('FusionWeights').implement({
  description: 'The source precedence a fusion used: the higher weight wins a conflict',
  fields: (t) => ({
    DB: t.exposeFloat('DB'),
    API: t.exposeFloat('API'),
    UI: t.exposeFloat('UI'),
    TEST_CASE: t.exposeFloat('TEST_CASE'),
    DOMAIN: t.exposeFloat('DOMAIN'),
  }),
});

const UnifiedSchemaRef = builder.objectRef<StoredUnifiedSchema>('UnifiedSchema').implement({
  description: 'A fused schema version (UI + API + DB + test case + domain)',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    version: t.exposeInt('version'),
    entities: t.field({ type: [UnifiedEntityRef], resolve: (u) => u.entities }),
    conflicts: t.field({ type: [FusionConflictRef], resolve: (u) => u.conflicts }),
    weights: t.field({ type: WeightsRef, resolve: (u) => ({ ...DEFAULT_WEIGHTS, ...u.weights }) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const WeightsInput = builder.inputType('FusionWeightsInput', {
  description: 'Source precedence; the default is DB 5 > API 4 > UI 3 > TEST_CASE 2 > DOMAIN 1',
  fields: (t) => ({
    DB: t.float({ required: false }),
    API: t.float({ required: false }),
    UI: t.float({ required: false }),
    TEST_CASE: t.float({ required: false }),
    DOMAIN: t.float({ required: false }),
  }),
});

const FuseSchemasInput = builder.inputType('FuseSchemasInput', {
  description: 'Two or more schema sources',
  fields: (t) => ({
    schemaVersionId: t.id({ required: false, description: 'DB: a discovered schema version' }),
    openApiSpec: t.string({ required: false, description: 'API: an OpenAPI 3 / Swagger 2 document, JSON or YAML' }),
    urls: t.stringList({ required: false, description: 'UI: pages whose forms to crawl' }),
    testCaseContent: t.string({ required: false }),
    testCaseFileName: t.string({ required: false }),
    domain: t.string({ required: false }),
    scenario: t.string({ required: false }),
    weights: t.field({ type: WeightsInput, required: false }),
    name: t.string({ required: false, description: 'Versions are numbered per name' }),
  }),
});

builder.queryFields((t) => ({
  unifiedSchema: t.field({
    type: UnifiedSchemaRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => loadUnifiedSchema(ctx.tdm.store.prisma, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  fuseSchemas: t.field({
    type: UnifiedSchemaRef,
    description: 'Fuses two or more schema sources into a stored unified schema version',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: FuseSchemasInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const schemaVersionId = rawId(input.schemaVersionId, 'SchemaVersion');
      if (schemaVersionId && !(await ctx.tdm.store.prisma.schemaVersion.findUnique({ where: { id: schemaVersionId }, select: { id: true } })))
        throw new NotFoundError('schema version', schemaVersionId);
      const { fuseSchemas } = await import('@tdm/core/graphs/fusion/graph');
      const out = await fuseSchemas(ctx.tdm, { ...input, schemaVersionId, weights: (input.weights ?? null) as Record<string, number> | null });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'fuseSchemas',
        targetKind: 'UNIFIED_SCHEMA',
        targetId: out.id,
        details: { version: out.version, entities: out.entities.length, conflicts: out.conflicts.length },
      });
      return out;
    },
  }),
}));
