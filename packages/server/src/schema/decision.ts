import type { PipelinePlan } from '@tdm/core/decision/types';
import type { analyzeTestCase } from '@tdm/core/testcase/analyze';
import { builder } from '../builder.ts';
import { SOURCE_ERRORS } from './errors.ts';

type Analysis = ReturnType<typeof analyzeTestCase> & { refinedBy?: string };
type Entity = Analysis['entities'][number];
type Field = Entity['fields'][number];

const PlanReasonRef = builder.objectRef<PipelinePlan['reasons'][number]>('PlanReason').implement({
  fields: (t) => ({ subject: t.exposeString('subject'), reason: t.exposeString('reason') }),
});

export const PipelinePlanRef = builder.objectRef<PipelinePlan>('PipelinePlan').implement({
  description: 'Which operations run (in pipeline order), which synthetic mode is tried first, and why',
  fields: (t) => ({
    operations: t.exposeStringList('operations'),
    syntheticMode: t.exposeString('syntheticMode', { nullable: true }),
    fallbackModes: t.stringList({ resolve: (p) => p.fallbackModes ?? [] }),
    reasons: t.field({ type: [PlanReasonRef], resolve: (p) => p.reasons ?? [] }),
    inputKinds: t.stringList({ resolve: (p) => p.inputKinds ?? [] }),
    refinedBy: t.string({ description: 'rules, or llm when a configured model refined the plan', resolve: (p) => p.refinedBy ?? 'rules' }),
  }),
});

const ClassifyIntentInput = builder.inputType('ClassifyIntentInput', {
  fields: (t) => ({
    connectionString: t.string({ required: false }),
    connectionId: t.id({ required: false }),
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
    targetEnv: t.string({ required: false }),
    piiFound: t.boolean({ required: false }),
    operations: t.stringList({ required: false }),
  }),
});

const FieldSourceRef = builder.objectRef<Field['source']>('TestCaseFieldSource').implement({
  fields: (t) => ({
    line: t.exposeInt('line'),
    text: t.string({ nullable: true, description: 'The text of that line: the step or the call the field comes from', resolve: (s) => s.text ?? null }),
  }),
});
const FieldRef = builder.objectRef<Field>('TestCaseField').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.exposeString('type'),
    constraints: t.exposeStringList('constraints'),
    exampleValues: t.exposeStringList('exampleValues'),
    source: t.field({ type: FieldSourceRef, resolve: (f) => f.source }),
    confidence: t.float({
      nullable: true,
      description: 'How sure the analysis is that the test fills in this field, from 0 to 1',
      resolve: (f) => f.confidence ?? null,
    }),
  }),
});
const EntityRef = builder.objectRef<Entity>('TestCaseEntity').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    fields: t.field({ type: [FieldRef], resolve: (e) => e.fields }),
    exampleRows: t.field({
      type: ['JSON'],
      description: 'Example values that appear together (one scenario, one Examples row or one field table), keyed by field name',
      resolve: (e) => e.exampleRows,
    }),
  }),
});
const AnalysisRef = builder.objectRef<Analysis>('TestCaseAnalysis').implement({
  fields: (t) => ({
    format: t.exposeString('format'),
    entities: t.field({ type: [EntityRef], resolve: (a) => a.entities }),
    language: t.string({
      nullable: true,
      description: 'The Gherkin language (en, de, fr …) or the programming language of the test',
      resolve: (a) => a.language ?? null,
    }),
    needsSyntheticData: t.boolean({
      description: 'Whether the test needs data made for it: it fills in or expects record fields',
      resolve: (a) => a.needsSyntheticData ?? a.entities.some((e) => e.fields.length > 0),
    }),
    reason: t.string({ nullable: true, description: 'Why nothing was found, when nothing was', resolve: (a) => a.reason ?? null }),
    refinedBy: t.string({
      description: 'rules, or llm when a configured model refined the names and types the parsers found',
      resolve: (a) => a.refinedBy ?? 'rules',
    }),
  }),
});

const AnalyzeTestCaseInput = builder.inputType('AnalyzeTestCaseInput', {
  fields: (t) => ({ content: t.string({ required: true }), fileName: t.string({ required: false }) }),
});

const clean = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

builder.queryFields((t) => ({
  classifyIntent: t.field({
    type: PipelinePlanRef,
    description: 'Plans a workflow from its inputs without running it',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: ClassifyIntentInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const { decide } = await import('@tdm/core/graphs/decision/graph');
      return decide(clean(input), { llm: ctx.tdm.llm });
    },
  }),
  analyzeTestCase: t.field({
    type: AnalysisRef,
    description: 'The entities and fields a test case uses, with the lines they come from',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: AnalyzeTestCaseInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const [{ analyzeTestCase, loadTestCaseParsers }, { refineAnalysis }] = await Promise.all([
        import('@tdm/core/testcase/analyze'),
        import('@tdm/core/testcase/refine'),
      ]);
      await loadTestCaseParsers();
      return refineAnalysis(analyzeTestCase({ content: input.content, fileName: input.fileName ?? undefined }), ctx.tdm.llm);
    },
  }),
}));
