import { SYNTHETIC_MODES } from '@tdm/core/decision/types';
// Types only: the domain packs (and the semantic generators with Faker they import) load with the first request that lists them.
import type { listDomainPacks } from '@tdm/core/synthetic/domain/packs';
import type { SyntheticOutcome } from '@tdm/core/synthetic/index';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { rowCountEntries, TableRowCountRef } from './row-count.ts';
import { SOURCE_ERRORS } from './errors.ts';

export const SyntheticModeEnum = builder.enumType('SyntheticMode', {
  description: 'URL: crawled web forms; TEST_CASE: fields a test case fills in; DOMAIN: a domain pack; SCHEMA: a discovered schema version',
  values: SYNTHETIC_MODES,
});

type Pack = ReturnType<typeof listDomainPacks>[number];
type Scenario = Pack['scenarios'][number];

const ScenarioRef = builder.objectRef<Scenario>('DomainScenario').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    entities: t.exposeStringList('entities', { description: 'Tables this scenario generates, in load order' }),
    defaultRowCounts: t.field({
      type: [TableRowCountRef],
      description: 'Rows per entity when rowCounts does not say',
      resolve: (s) => rowCountEntries(s.rows),
    }),
  }),
});
const EntityRef = builder.objectRef<Pack['entities'][number]>('DomainEntity').implement({
  fields: (t) => ({ name: t.exposeString('name'), description: t.exposeString('description') }),
});

const PackRef = builder.objectRef<Pack>('DomainPack').implement({
  description: 'A versioned domain pack: entities, their fields and relationships, and the scenarios it offers',
  fields: (t) => ({
    name: t.exposeString('name'),
    version: t.exposeString('version'),
    description: t.exposeString('description'),
    scenarios: t.field({ type: [ScenarioRef], resolve: (p) => p.scenarios }),
    entities: t.field({ type: [EntityRef], resolve: (p) => p.entities }),
  }),
});

type Table = SyntheticOutcome['tables'][number];
const SyntheticTableRef = builder.objectRef<Table>('SyntheticTable').implement({
  fields: (t) => ({
    schema: t.exposeString('schema'),
    name: t.exposeString('name'),
    rowCount: t.exposeInt('rowCount'),
  }),
});
const SkippedUrlRef = builder.objectRef<SyntheticOutcome['skippedUrls'][number]>('SkippedUrl').implement({
  description: 'A page of URL mode that could not be crawled (the others were used)',
  fields: (t) => ({ url: t.exposeString('url'), reason: t.exposeString('reason'), message: t.exposeString('message') }),
});
const SyntheticResultRef = builder.objectRef<SyntheticOutcome>('SyntheticResult').implement({
  fields: (t) => ({
    datasetVersionId: t.exposeID('datasetVersionId'),
    schemaVersionId: t.exposeID('schemaVersionId', {
      description: "The schema version describing the generated tables (a synthetic source's for invented tables)",
    }),
    mode: t.field({ type: SyntheticModeEnum, resolve: (r) => r.mode }),
    tables: t.field({ type: [SyntheticTableRef], resolve: (r) => r.tables }),
    totalRows: t.exposeInt('totalRows'),
    durationMs: t.exposeFloat('durationMs'),
    skippedUrls: t.field({ type: [SkippedUrlRef], resolve: (r) => r.skippedUrls }),
  }),
});

const GenerateSyntheticInput = builder.inputType('GenerateSyntheticInput', {
  fields: (t) => ({
    mode: t.field({ type: SyntheticModeEnum, required: true }),
    schemaVersionId: t.id({ required: false, description: 'SCHEMA mode: the schema version to generate for' }),
    domain: t.string({ required: false, description: 'DOMAIN mode: a domain pack (see domainPacks)' }),
    scenario: t.string({ required: false, description: "DOMAIN mode: one of the pack's scenarios" }),
    testCaseContent: t.string({ required: false, description: 'TEST_CASE mode: Gherkin, Cypress, Playwright or Selenium text' }),
    testCaseFileName: t.string({ required: false }),
    testCaseUrls: t.stringList({ required: false, description: 'URL mode: pages whose forms to crawl' }),
    rowCounts: t.field({ type: 'JSON', required: false, description: '{"*": 1000, "orders": 5000}' }),
    seed: t.int({ required: false, description: 'Same seed, same rows (default 1)' }),
    keepExamples: t.boolean({ required: false, description: "TEST_CASE mode: the test case's own example values come first (default true)" }),
    name: t.string({ required: false }),
  }),
});

builder.queryFields((t) => ({
  domainPacks: t.field({
    type: [PackRef],
    description: 'The domain packs DOMAIN mode can generate from',
    resolve: async () => (await import('@tdm/core/synthetic/domain/packs')).listDomainPacks(),
  }),
}));

builder.mutationFields((t) => ({
  generateSynthetic: t.field({
    type: SyntheticResultRef,
    description: 'Generates a synthetic dataset version in one of the four modes; provision it like any other dataset version',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: GenerateSyntheticInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const { runSynthetic } = await import('@tdm/core/graphs/synthetic/graph');
      const out = await runSynthetic(ctx.tdm, {
        mode: input.mode,
        schemaVersionId: rawId(input.schemaVersionId, 'SchemaVersion') ?? null,
        domain: input.domain,
        scenario: input.scenario,
        testCaseContent: input.testCaseContent,
        testCaseFileName: input.testCaseFileName,
        testCaseUrls: input.testCaseUrls,
        rowCounts: (input.rowCounts ?? null) as Record<string, number> | null,
        seed: input.seed,
        keepExamples: input.keepExamples,
        name: input.name,
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'generateSynthetic',
        targetKind: 'DATASET_VERSION',
        targetId: out.datasetVersionId,
        details: { mode: out.mode, rows: out.totalRows, tables: out.tables.length },
      });
      return out;
    },
  }),
}));
