// Types only: the masking transformers (Faker among their imports) load with the first request that lists them.
import type { transformers } from '@tdm/core/mask/registry';
import type { PiiColumn } from '@tdm/core/graphs/pii/state';
import type { PiiGateReport } from '@tdm/core/graphs/provision/pii-gate';
import type { PiiSignal } from '@tdm/core/pii/types';
import { categoryOf, PII_TYPES, TAXONOMY } from '@tdm/core/pii/taxonomy';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { SOURCE_ERRORS } from './errors.ts';

const PiiEvidenceRef = builder.objectRef<PiiSignal>('PiiEvidence').implement({
  description: 'One signal behind a PII verdict; never a sampled value',
  fields: (t) => ({
    detector: t.exposeString('detector'),
    rule: t.string({
      nullable: true,
      description: 'The rule within the detector (name:email, value:luhn, context:person-table)',
      resolve: (s) => s.rule ?? null,
    }),
    piiType: t.exposeString('piiType'),
    confidence: t.exposeFloat('confidence'),
    evidence: t.exposeString('evidence', { description: 'Which rule fired, in words' }),
    matched: t.int({ nullable: true, description: 'Sampled values the rule accepted (value rules)', resolve: (s) => s.matched ?? null }),
    sampled: t.int({ nullable: true, description: 'Sampled values looked at (value rules)', resolve: (s) => s.sampled ?? null }),
  }),
});

/** Stored evidence → signals; anything not shaped like one (an override's note) is dropped. */
const signals = (v: unknown): PiiSignal[] =>
  Array.isArray(v) ? v.filter((s): s is PiiSignal => typeof s === 'object' && s !== null && typeof (s as PiiSignal).detector === 'string') : [];

const PiiColumnRef = builder.objectRef<PiiColumn>('PiiColumn').implement({
  description: "A column's PII classification: type, confidence, recommended technique and the rules that fired",
  fields: (t) => ({
    schema: t.exposeString('schema'),
    table: t.exposeString('table'),
    column: t.exposeString('column'),
    piiType: t.exposeString('piiType'),
    category: t.exposeString('category', {
      description:
        'Taxonomy category of piiType: DIRECT_IDENTIFIER, QUASI_IDENTIFIER, LOCATION, HEALTH, BIOMETRIC, FINANCIAL, EMPLOYMENT, CREDENTIALS, ONLINE_IDENTIFIER, FREE_TEXT or NONE',
    }),
    confidence: t.exposeFloat('confidence'),
    technique: t.exposeString('technique'),
    evidence: t.field({ type: [PiiEvidenceRef], description: 'The signals behind the verdict', resolve: (c) => signals(c.evidence) }),
    source: t.exposeString('source', { description: 'DETECTED, LLM or OVERRIDE' }),
    valuesSampled: t.exposeBoolean('valuesSampled', {
      nullable: true,
      description: 'Whether values were sampled (false: no connection to the source, names and types only); null for a stored classification',
    }),
  }),
});

interface PiiTypeInfo {
  name: string;
  category: string;
  technique: string;
  description: string;
}
const PiiTypeRef = builder.objectRef<PiiTypeInfo>('PiiTypeInfo').implement({
  description: 'One PII type of the taxonomy: its category and default masking technique',
  fields: (t) => ({
    name: t.exposeString('name'),
    category: t.exposeString('category'),
    technique: t.exposeString('technique'),
    description: t.exposeString('description'),
  }),
});

type TransformerInfo = ReturnType<typeof transformers>[number];
const TransformerRef = builder.objectRef<TransformerInfo>('Transformer').implement({
  description: 'A masking transformer; `paramsSchema` is the JSON Schema of its params (forms are built from it)',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    appliesTo: t.exposeStringList('appliesTo'),
    deterministic: t.exposeBoolean('deterministic'),
    injective: t.exposeBoolean('injective'),
    needsColumn: t.boolean({ resolve: (x) => Boolean(x.needsColumn) }),
    paramsSchema: t.expose('paramsSchema', { type: 'JSON' }),
  }),
});

const LeakRef = builder.objectRef<PiiGateReport['leaks'][number]>('PiiLeak').implement({
  fields: (t) => ({
    schema: t.exposeString('schema'),
    table: t.exposeString('table'),
    column: t.exposeString('column'),
    piiType: t.exposeString('piiType'),
    category: t.exposeString('category', { description: 'Taxonomy category of piiType' }),
    matches: t.exposeInt('matches', { description: 'Distinct target values equal to a real source value' }),
  }),
});
const GateRef = builder.objectRef<PiiGateReport>('PiiGateReport').implement({
  fields: (t) => ({
    environment: t.exposeString('environment'),
    datasetVersionId: t.exposeString('datasetVersionId'),
    sourceDatasetVersionId: t.exposeString('sourceDatasetVersionId'),
    checkedColumns: t.exposeInt('checkedColumns'),
    categories: t.exposeStringList('categories', {
      description: 'Categories checked: those the mask step transformed, or every category when the dataset was not masked',
    }),
    leaks: t.field({ type: [LeakRef], resolve: (r) => r.leaks }),
  }),
});
const ScanTargetInput = builder.inputType('ScanTargetForPiiInput', {
  fields: (t) => ({
    environment: t.string({ required: false, description: "An environment's name or id; default when absent" }),
    datasetVersionId: t.id({ required: false, description: 'The provisioned dataset version; the latest one provisioned there when absent' }),
  }),
});

const ClassifyPiiInput = builder.inputType('ClassifyPiiInput', {
  fields: (t) => ({
    schemaVersionId: t.id({ required: true }),
    sampleSize: t.int({ required: false }),
    connectionString: t.string({
      required: false,
      description: "Sample values from this source (any schema version, an inline-discovered one too); default: the schema's stored connection",
    }),
    connectionId: t.id({ required: false, description: 'Sample values through this stored connection' }),
  }),
});
const OverridePiiInput = builder.inputType('OverridePiiInput', {
  fields: (t) => ({
    schemaVersionId: t.id({ required: true }),
    schema: t.string({ required: false }),
    table: t.string({ required: true }),
    column: t.string({ required: true }),
    piiType: t.string({ required: true, description: 'EMAIL, FIRST_NAME, … or NONE to clear' }),
    technique: t.string({ required: false }),
  }),
});
const MaskDatasetInput = builder.inputType('MaskDatasetInput', {
  fields: (t) => ({
    datasetVersionId: t.id({ required: true }),
    rules: t.field({
      type: 'JSON',
      required: false,
      description: '{ "customer.email": { "transformer": "fake", "params": {} } }; default: the PII classification\'s techniques',
    }),
    salt: t.string({ required: false, description: 'Overrides TDM_MASK_SALT for this run; never stored' }),
    name: t.string({ required: false }),
  }),
});

builder.queryFields((t) => ({
  transformers: t.field({ type: [TransformerRef], resolve: async () => (await import('@tdm/core/mask/registry')).transformers() }),
  piiTaxonomy: t.field({
    type: [PiiTypeRef],
    description: 'Every PII type with its category and default technique',
    resolve: () => PII_TYPES.map((name) => ({ name, ...TAXONOMY[name] })),
  }),
  piiClassifications: t.field({
    type: [PiiColumnRef],
    args: { schemaVersionId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const id = rawId(args.schemaVersionId, 'SchemaVersion') as string;
      const rows = await ctx.tdm.store.prisma.pIIClassification.findMany({
        where: { schemaVersionId: id },
        orderBy: [{ schemaName: 'asc' }, { tableName: 'asc' }, { columnName: 'asc' }],
      });
      return rows.map((r) => ({
        schema: r.schemaName,
        table: r.tableName,
        column: r.columnName,
        piiType: r.piiType,
        category: categoryOf(r.piiType),
        confidence: r.confidence,
        technique: r.technique,
        evidence: r.evidence,
        source: r.source,
        valuesSampled: null,
      }));
    },
  }),
}));

builder.mutationField('scanTargetForPii', (t) =>
  t.field({
    type: GateRef,
    description: 'Reports columns of a provisioned target whose values still equal real source values',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: ScanTargetInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const { scanTargetForPii } = await import('@tdm/core/graphs/provision/pii-gate');
      const report = await scanTargetForPii(ctx.tdm, {
        environment: rawId(input.environment, 'Environment'),
        datasetVersionId: rawId(input.datasetVersionId, 'DatasetVersion'),
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'scanTargetForPii',
        targetKind: 'ENVIRONMENT',
        targetId: report.environment,
        severity: report.leaks.length ? 'CRITICAL' : 'INFO',
        details: { leaks: report.leaks.length },
      });
      return report;
    },
  }),
);

builder.mutationField('classifyPii', (t) =>
  t.field({
    type: [PiiColumnRef],
    description: 'Classifies every column of a schema version for personal data and stores the result',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: ClassifyPiiInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const id = rawId(input.schemaVersionId, 'SchemaVersion') as string;
      const { classifyPii } = await import('@tdm/core/graphs/pii/graph');
      const { columns, valuesSampled } = await classifyPii(ctx.tdm, {
        schemaVersionId: id,
        sampleSize: input.sampleSize,
        connectionString: input.connectionString,
        connectionId: rawId(input.connectionId, 'DatabaseConnection'),
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'classifyPii',
        targetKind: 'SCHEMA_VERSION',
        targetId: id,
        details: { piiColumns: columns.filter((c) => c.piiType !== 'NONE').length, valuesSampled },
      });
      return columns;
    },
  }),
);

builder.mutationField('overridePiiClassification', (t) =>
  t.field({
    type: PiiColumnRef,
    description: "Sets a column's PII type (NONE clears it); it wins on every later classification of the source",
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: OverridePiiInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const { overridePii } = await import('@tdm/core/graphs/pii/nodes');
      const out = await overridePii(ctx.tdm, { ...input, schemaVersionId: rawId(input.schemaVersionId, 'SchemaVersion') as string });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'overridePiiClassification',
        targetKind: 'COLUMN',
        targetId: `${out.schema}.${out.table}.${out.column}`,
        severity: 'WARNING',
        details: { piiType: out.piiType },
      });
      return out;
    },
  }),
);

builder.mutationField('maskDataset', (t) =>
  t.prismaField({
    type: 'DatasetVersion',
    description: 'Writes a masked copy of a dataset version',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: MaskDatasetInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const { runMask } = await import('@tdm/core/graphs/mask/graph');
      const out = await runMask(ctx.tdm, {
        datasetVersionId: rawId(input.datasetVersionId, 'DatasetVersion') as string,
        rules: (input.rules ?? null) as Record<string, { transformer: string; params?: Record<string, unknown> }> | null,
        salt: input.salt,
        name: input.name,
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'maskDataset',
        targetKind: 'DATASET_VERSION',
        targetId: out.datasetVersionId,
        details: { rulesHash: out.rulesHash, columns: out.columns.length },
      });
      return ctx.tdm.store.prisma.datasetVersion.findUniqueOrThrow({ ...query, where: { id: out.datasetVersionId } });
    },
  }),
);
