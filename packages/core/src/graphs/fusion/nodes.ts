import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { InvalidInputError } from '../../errors.ts';
import { fuseEntities } from '../../fusion/fuse.ts';
import { fromCatalog, fromDomain, fromForms, fromOpenApi, fromTestCase } from '../../fusion/sources.ts';
import type { SourceEntity, SourceKind } from '../../fusion/types.ts';
import type { FusionGraphDeps } from './graph.ts';
import type { FusionStateType, FusionUpdate } from './state.ts';

/** Which sources the request names. */
export function requestedKinds(r: FusionStateType['request']): SourceKind[] {
  const kinds: SourceKind[] = [];
  if (r.schemaVersionId) kinds.push('DB');
  if (r.openApiSpec?.trim()) kinds.push('API');
  if (r.urls?.length) kinds.push('UI');
  if (r.testCaseContent?.trim()) kinds.push('TEST_CASE');
  if (r.domain) kinds.push('DOMAIN');
  return kinds;
}

/** Reads every named source into entities and fields. */
export function collectSources(deps: FusionGraphDeps) {
  return async (state: FusionStateType, config?: LangGraphRunnableConfig): Promise<FusionUpdate> => {
    const r = state.request;
    const kinds = requestedKinds(r);
    if (kinds.length < 2) {
      throw new InvalidInputError(
        `fusion needs two or more sources (schemaVersionId, openApiSpec, urls, testCaseContent, domain); got ${kinds.join(', ') || 'none'}`,
      );
    }
    const sources: SourceEntity[] = [];
    if (r.schemaVersionId) sources.push(...fromCatalog(await deps.loadCatalog(r.schemaVersionId), r.schemaVersionId));
    if (r.openApiSpec?.trim()) sources.push(...(await fromOpenApi(r.openApiSpec)));
    if (r.urls?.length) sources.push(...fromForms(await deps.crawl(r.urls, config?.signal)));
    if (r.testCaseContent?.trim()) {
      const analysis = await deps.analyzeTestCase(r.testCaseContent, r.testCaseFileName ?? null);
      sources.push(...fromTestCase(analysis, r.testCaseFileName ?? 'test case'));
    }
    if (r.domain) sources.push(...fromDomain(r.domain, r.scenario ?? null));
    const read = [...new Set(sources.map((s) => s.kind))];
    if (read.length < 2) {
      const missing = kinds.filter((k) => !read.includes(k));
      throw new InvalidInputError(`fusion needs two or more sources with entities; ${missing.join(', ')} gave none`, { missing });
    }
    deps.emit?.({
      step: 'fusion',
      level: 'progress',
      message: `${sources.length} entities from ${kinds.join(', ')}`,
      data: { sources: kinds, entities: sources.map((s) => `${s.kind}:${s.name}`) },
      jobId: state.jobId ?? undefined,
    });
    return { sources };
  };
}

/** Matches entities and fields across sources and fuses them by weight. */
export function fuseSources() {
  return async (state: FusionStateType): Promise<FusionUpdate> => ({ fused: fuseEntities(state.sources, state.request.weights ?? {}) });
}

/** Stores the unified schema (the same result twice is the same version). */
export function storeUnified(deps: FusionGraphDeps) {
  return async (state: FusionStateType): Promise<FusionUpdate> => {
    if (!state.fused) throw new Error('store_unified ran before fuse');
    const refs = [...new Map(state.sources.map((s) => [`${s.kind}\0${s.ref}`, { kind: s.kind, ref: s.ref }])).values()];
    const name =
      state.request.name ??
      state.fused.entities
        .map((e) => e.name)
        .slice(0, 3)
        .join('+');
    const stored = await deps.save(name, state.fused, refs, state.jobId);
    const summary = {
      unifiedSchemaId: stored.id,
      version: stored.version,
      entities: stored.entities.length,
      fields: stored.entities.reduce((n, e) => n + e.fields.length, 0),
      conflicts: stored.conflicts.length,
      sources: [...new Set(refs.map((r) => r.kind))],
    };
    deps.emit?.({
      step: 'fusion',
      level: 'progress',
      message: `unified schema ${name} v${stored.version}: ${summary.entities} entities, ${summary.fields} fields, ${summary.conflicts} conflicts`,
      data: summary,
      jobId: state.jobId ?? undefined,
    });
    return { summary };
  };
}
