import { END, START, StateGraph } from '@langchain/langgraph';
import type { Catalog } from '../../catalog/types.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import type { Tdm } from '../../runtime.ts';
import type { ResolvedSource, SourceRef } from '../../store/connections.ts';
import type { RetrySettings } from '../shared/retry.ts';
import { recordLineageNode, retrying, type StepContext, withRunSources } from '../shared/step-kit.ts';
import { cut, resolveInputs } from './nodes.ts';
import { type SubsetInput, type SubsetOutcome, SubsetState } from './state.ts';

export interface SubsetDeps {
  tdm: Tdm;
  resolveSource: (ref: SourceRef) => Promise<ResolvedSource>;
  emit?: EmitEvent;
  retry?: RetrySettings;
  /** Catalogs this run discovered, by schema version id: the cut plans from them without reading them back. */
  discovered?: Map<string, Catalog>;
}

/**
 * The subset step: `resolve_inputs → cut → record_lineage`. Without a schema version the source is
 * discovered first (through the discover graph); the new dataset version links to its schema version.
 */
export function createSubsetGraph(deps: SubsetDeps) {
  const work = retrying('subset', cut(deps), deps);
  return new StateGraph(SubsetState)
    .addNode('resolve_inputs', resolveInputs(deps))
    .addNode('cut', work.node, { retryPolicy: work.retryPolicy })
    .addNode('record_lineage', recordLineageNode(deps.tdm.store.prisma))
    .addEdge(START, 'resolve_inputs')
    .addEdge('resolve_inputs', 'cut')
    .addEdge('cut', 'record_lineage')
    .addEdge('record_lineage', END)
    .compile({ name: 'subset' });
}

/** Cuts a referentially intact subset into a new dataset version (the mutation's and the workflow's entry). */
export async function runSubset(tdm: Tdm, input: SubsetInput, ctx: StepContext = {}): Promise<SubsetOutcome & { fallbacks: string[] }> {
  const source = input.source ?? (await tdm.connections.refFor(input));
  const { connectionString: _s, connectionId: _i, source: _r, ...request } = input;
  // The discovery (when there is one) and the copy read the source through one client.
  const out = await withRunSources(ctx, tdm.connections, (resolveSource) => {
    const graph = createSubsetGraph({ tdm, resolveSource, emit: ctx.emit, retry: ctx.retry, discovered: new Map() });
    return graph.invoke({ request, source, jobId: ctx.jobId ?? null, fallbacks: ctx.fallbacks ?? [] }, { signal: ctx.signal });
  });
  if (!out.outcome) throw new Error('subset ended without a dataset version');
  return { ...out.outcome, fallbacks: out.fallbacks };
}
