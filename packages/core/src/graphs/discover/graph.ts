import { performance } from 'node:perf_hooks';
import { END, START, StateGraph } from '@langchain/langgraph';
import { InvalidInputError } from '../../errors.ts';
import type { Tdm } from '../../runtime.ts';
import { saveCatalog } from '../../store/schema-store.ts';
import type { ReadCatalogOptions } from '../../catalog/read-catalog.ts';
import type { Catalog } from '../../catalog/types.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import type { ResolvedSource, SourceRef } from '../../store/connections.ts';
import type { SaveCatalogInput, SavedCatalog } from '../../store/schema-store.ts';
import type { RetrySettings } from '../shared/retry.ts';
import { recordLineageNode, retrying, type StepContext, sourceResolver } from '../shared/step-kit.ts';
import { readAndStore, resolveSource } from './nodes.ts';
import { type DiscoverInput, type DiscoverResult, DiscoverState } from './state.ts';

export interface DiscoverDeps {
  /** The run's memo of resolved sources. */
  resolveSource: (ref: SourceRef) => Promise<ResolvedSource>;
  saveCatalog: (input: SaveCatalogInput) => Promise<SavedCatalog>;
  /** Where lineage is written. */
  prisma: PrismaClient;
  readOptions?: ReadCatalogOptions;
  emit?: EmitEvent;
  clock: () => number;
  /** Retries of the catalog read (default 3 attempts); a workflow's step node retries instead. */
  retry?: RetrySettings;
  /** Handed the catalog just stored, with its schema version's id (a caller that works on it next need not read it back). */
  onCatalog?: (schemaVersionId: string, catalog: Catalog) => void;
}

/**
 * The discover step: `resolve_source → read_catalog → record_lineage`. Reads the requested schemas'
 * catalog from the source and stores it as a SchemaVersion; the state ends with its id and a summary.
 * A refused, reset or dropped connection is retried; bad input and credentials are not.
 */
export function createDiscoverGraph(deps: DiscoverDeps) {
  const read = retrying('discover', readAndStore(deps), deps);
  return new StateGraph(DiscoverState)
    .addNode('resolve_source', resolveSource(deps))
    .addNode('read_catalog', read.node, { retryPolicy: read.retryPolicy })
    .addNode('record_lineage', recordLineageNode(deps.prisma))
    .addEdge(START, 'resolve_source')
    .addEdge('resolve_source', 'read_catalog')
    .addEdge('read_catalog', 'record_lineage')
    .addEdge('record_lineage', END)
    .compile({ name: 'discover' });
}

/**
 * Discovers a source's schemas (one entry for the mutation, the CLI and the workflow step): the
 * source is resolved once, the catalog stored as a schema version (or the unchanged one returned).
 */
export async function runDiscover(tdm: Tdm, input: DiscoverInput, ctx: StepContext & Pick<DiscoverDeps, 'onCatalog'> = {}): Promise<DiscoverResult> {
  const source = input.source ?? (await tdm.connections.refFor(input));
  if (!source) throw new InvalidInputError('connectionString or connectionId is required');
  const graph = createDiscoverGraph({
    resolveSource: sourceResolver(ctx, tdm.connections),
    saveCatalog: (i) => saveCatalog(tdm.store.prisma, i),
    prisma: tdm.store.prisma,
    emit: ctx.emit,
    clock: () => performance.now(),
    retry: ctx.retry,
    onCatalog: ctx.onCatalog,
  });
  const out = await graph.invoke(
    { source, schemas: input.schemas ?? ['public'], jobId: ctx.jobId ?? null, fallbacks: ctx.fallbacks ?? [] },
    { signal: ctx.signal },
  );
  if (!out.schemaVersionId || !out.schemaId || out.version === undefined || !out.summary) {
    throw new Error('discover ended without a schema version');
  }
  return { schemaVersionId: out.schemaVersionId, schemaId: out.schemaId, version: out.version, summary: out.summary, fallbacks: out.fallbacks };
}
