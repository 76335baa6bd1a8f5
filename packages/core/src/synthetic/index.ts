/**
 * Synthetic generation in the four modes: the caller's mode (or the plan's, with its fallbacks)
 * picks the generator; `graphs/synthetic` writes its rows to a dataset version like a subset —
 * provisionable by the provision step. Schema mode works from a schema version; domain mode from a
 * domain pack; test-case mode from a test case's analysed fields; URL mode from crawled web forms.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SyntheticMode } from '../decision/types.ts';
import { CrawlError, InvalidInputError, TdmError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { defaultMaskRules } from '../store/pii.ts';
import type { Tdm } from '../runtime.ts';
import { loadCatalog } from '../store/schema-store.ts';
import { analyzeTestCase, loadTestCaseParsers } from '../testcase/analyze.ts';
import type { GeneratedDataset } from './types.ts';
import { checkRowCounts } from './limits.ts';

export const SyntheticInputSchema = z.object({
  mode: SyntheticMode,
  schemaVersionId: z.string().min(1).nullish(),
  domain: z.string().min(1).nullish(),
  scenario: z.string().min(1).nullish(),
  testCaseContent: z.string().min(1).nullish(),
  testCaseFileName: z.string().nullish(),
  testCaseUrls: z.array(z.string().min(1)).nullish(),
  /** `{"*": 1000, "orders": 5000}` */
  rowCounts: z.record(z.string(), z.number().int().nonnegative()).nullish(),
  seed: z.union([z.number().int(), z.string().min(1)]).nullish(),
  /** Test-case mode: the test case's own example rows come first (default true). */
  keepExamples: z.boolean().nullish(),
  name: z.string().nullish(),
});
export type SyntheticInput = z.input<typeof SyntheticInputSchema>;

export interface SyntheticOutcome {
  datasetVersionId: string;
  schemaVersionId: string;
  mode: SyntheticMode;
  tables: { schema: string; name: string; rowCount: number }[];
  totalRows: number;
  durationMs: number;
  /** Pages of URL mode that could not be crawled (the others were used). */
  skippedUrls: { url: string; reason: string; message: string }[];
}

/** The seed used when the caller gives none: fixed, so a rerun gives the same rows. */
export const DEFAULT_SEED = 1;

/** Whether the input carries what `mode` needs. */
export function modeAvailable(mode: SyntheticMode, input: SyntheticInput): boolean {
  switch (mode) {
    case 'SCHEMA':
      return Boolean(input.schemaVersionId);
    case 'DOMAIN':
      return Boolean(input.domain);
    case 'TEST_CASE':
      return Boolean(input.testCaseContent);
    case 'URL':
      return Boolean(input.testCaseUrls?.length);
  }
}

/** Builds the generated dataset of one mode (nothing is written yet). */
export async function buildGenerated(
  tdm: Tdm,
  input: z.output<typeof SyntheticInputSchema>,
  ctx: { emit?: EmitEvent; signal?: AbortSignal } = {},
): Promise<{ generated: GeneratedDataset; skippedUrls: SyntheticOutcome['skippedUrls'] }> {
  const seed = input.seed ?? DEFAULT_SEED;
  const rowCounts = input.rowCounts ?? undefined;
  checkRowCounts(rowCounts);
  switch (input.mode) {
    case 'SCHEMA': {
      if (!input.schemaVersionId) throw new InvalidInputError('schema mode needs schemaVersionId (discover the source first)');
      const catalog = await loadCatalog(tdm.store.prisma, input.schemaVersionId);
      const { piiTypes } = await defaultMaskRules(tdm.store.prisma, input.schemaVersionId);
      // Each mode's generator (and the parsers it needs) loads when that mode first runs.
      const { generateFromSchema } = await import('./schema/index.ts');
      const generated = await generateFromSchema(catalog, { schemaVersionId: input.schemaVersionId, rowCounts, seed, piiTypes });
      return { generated, skippedUrls: [] };
    }
    case 'DOMAIN': {
      if (!input.domain) throw new InvalidInputError('domain mode needs a domain pack name (see domainPacks)');
      const { generateFromDomain } = await import('./domain/generate.ts');
      return { generated: await generateFromDomain({ domain: input.domain, scenario: input.scenario ?? null, rowCounts, seed }), skippedUrls: [] };
    }
    case 'TEST_CASE': {
      if (!input.testCaseContent) throw new InvalidInputError('test-case mode needs testCaseContent');
      await loadTestCaseParsers();
      // The model, when one is configured, only refines what the parsers found (testcase/refine.ts).
      const { refineAnalysis } = await import('../testcase/refine.ts');
      const analysis = await refineAnalysis(analyzeTestCase({ content: input.testCaseContent, fileName: input.testCaseFileName ?? undefined }), tdm.llm);
      const sourceKey = createHash('sha256').update(input.testCaseContent).digest('hex').slice(0, 16);
      const { generateFromTestCase } = await import('./testcase.ts');
      const generated = generateFromTestCase(analysis, {
        rowCounts,
        seed,
        keepExamples: input.keepExamples ?? true,
        sourceKey,
        name: input.testCaseFileName ?? 'test case',
      });
      return { generated, skippedUrls: [] };
    }
    case 'URL': {
      const urls = input.testCaseUrls ?? [];
      if (!urls.length) throw new InvalidInputError('URL mode needs testCaseUrls');
      // The browser driver loads only when a page is to be crawled.
      const { crawlFormsSettled } = await import('../crawl/index.ts');
      const settled = await crawlFormsSettled(urls, { signal: ctx.signal });
      const pages = settled.flatMap((s) => (s.page ? [s.page] : []));
      const skippedUrls = settled.flatMap((s) =>
        s.error ? [{ url: s.url, reason: s.error instanceof CrawlError ? s.error.reason : 'UNREACHABLE', message: s.error.message }] : [],
      );
      for (const s of skippedUrls)
        ctx.emit?.({ step: 'synthetic', level: 'warn', message: `could not crawl ${s.url}: ${s.message}`, data: { url: s.url, reason: s.reason } });
      if (!pages.length) {
        const first = settled.find((s) => s.error)?.error;
        throw first instanceof TdmError ? first : new CrawlError('UNREACHABLE', urls[0] ?? '', 'no page could be crawled');
      }
      const { generateFromForms } = await import('./forms.ts');
      return { generated: generateFromForms(pages, { rowCounts, seed }), skippedUrls };
    }
  }
}
