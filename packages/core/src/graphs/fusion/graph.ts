import { END, START, StateGraph } from '@langchain/langgraph';
import type { Catalog } from '../../catalog/types.ts';
import type { CrawledPage } from '../../crawl/types.ts';
import { TdmError } from '../../errors.ts';
import { saveUnifiedSchema, type StoredUnifiedSchema, loadUnifiedSchema } from '../../fusion/store.ts';
import type { FusedSchema, SourceKind } from '../../fusion/types.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import type { Tdm } from '../../runtime.ts';
import { loadCatalog, saveCatalog } from '../../store/schema-store.ts';
import { unifiedCatalog } from '../../fusion/to-catalog.ts';
import { analyzeTestCase, loadTestCaseParsers } from '../../testcase/analyze.ts';
import type { TestCaseAnalysis } from '../../testcase/types.ts';
import { collectSources, fuseSources, storeUnified } from './nodes.ts';
import { type FuseSchemasInput, FusionState } from './state.ts';

export interface FusionGraphDeps {
  loadCatalog(schemaVersionId: string): Promise<Catalog>;
  crawl(urls: string[], signal?: AbortSignal): Promise<CrawledPage[]>;
  analyzeTestCase(content: string, fileName: string | null): Promise<TestCaseAnalysis>;
  save(name: string, fused: FusedSchema, sources: { kind: SourceKind; ref: string }[], jobId: string | null): Promise<StoredUnifiedSchema>;
  emit?: EmitEvent;
}

/**
 * The fusion step: `collect_sources → fuse → store_unified`. Reads two or more schema sources, fuses
 * them by weight (DB > API > UI > test case > domain unless the request says otherwise) and stores
 * the result as a UnifiedSchemaVersion.
 */
export function createFusionGraph(deps: FusionGraphDeps) {
  return new StateGraph(FusionState)
    .addNode('collect_sources', collectSources(deps), {
      // A page that timed out may load the second time; bad input does not change.
      retryPolicy: { maxAttempts: 2, initialInterval: 500, retryOn: (e: unknown) => e instanceof TdmError && e.code === 'CRAWL_FAILED', logWarning: false },
    })
    .addNode('fuse', fuseSources())
    .addNode('store_unified', storeUnified(deps))
    .addEdge(START, 'collect_sources')
    .addEdge('collect_sources', 'fuse')
    .addEdge('fuse', 'store_unified')
    .addEdge('store_unified', END)
    .compile({ name: 'fusion' });
}

/** The fusion dependencies of an engine. */
export function fusionDepsOf(tdm: Tdm, emit?: EmitEvent): FusionGraphDeps {
  return {
    loadCatalog: (id) => loadCatalog(tdm.store.prisma, id),
    async crawl(urls, signal) {
      // Pages that cannot be crawled are left out (and said so); the others still count.
      const { crawlFormsSettled } = await import('../../crawl/index.ts');
      const settled = await crawlFormsSettled(urls, { signal });
      for (const s of settled)
        if (s.error)
          emit?.({ step: 'fusion', level: 'warn', message: `could not crawl ${s.url}: ${s.error.message}`, data: { url: s.url, reason: s.error.reason } });
      return settled.flatMap((s) => (s.page ? [s.page] : []));
    },
    async analyzeTestCase(content, fileName) {
      await loadTestCaseParsers();
      return analyzeTestCase({ content, fileName: fileName ?? undefined });
    },
    save: (name, fused, sources, jobId) => saveUnifiedSchema(tdm.store.prisma, name, fused, sources, jobId),
    emit,
  };
}

/** Fuses the request's sources and returns the stored unified schema. */
export async function fuseSchemas(
  tdm: Tdm,
  request: FuseSchemasInput,
  options: { emit?: EmitEvent; jobId?: string | null; signal?: AbortSignal } = {},
): Promise<StoredUnifiedSchema> {
  const out = await createFusionGraph(fusionDepsOf(tdm, options.emit)).invoke({ request, jobId: options.jobId ?? null }, { signal: options.signal });
  if (!out.summary) throw new Error('the fusion graph ended without a unified schema');
  return loadUnifiedSchema(tdm.store.prisma, out.summary.unifiedSchemaId);
}

/**
 * The schema version synthetic schema mode generates from for a unified schema: its tables as a
 * catalog of the synthetic source `synthetic:unified/<id>` (the same unified schema, the same version).
 */
export async function unifiedSchemaVersionId(tdm: Tdm, unifiedSchemaId: string): Promise<string> {
  const unified = await loadUnifiedSchema(tdm.store.prisma, unifiedSchemaId);
  const catalog = unifiedCatalog(`${unified.name} (unified v${unified.version})`, unified.entities);
  const saved = await saveCatalog(tdm.store.prisma, { sourceUrl: `synthetic:unified/${unified.id}`, name: catalog.database, catalog });
  return saved.schemaVersionId;
}
