import { END, START, StateGraph } from '@langchain/langgraph';
import type { EmitEvent } from '../../jobs/events.ts';
import type { Tdm } from '../../runtime.ts';
import type { RetrySettings } from '../shared/retry.ts';
import { recordLineageNode, retrying, type StepContext } from '../shared/step-kit.ts';
import { provision } from './nodes.ts';
import { type ProvisionInput, type ProvisionOutcome, ProvisionState } from './state.ts';

export interface ProvisionDeps {
  tdm: Tdm;
  emit?: EmitEvent;
  retry?: RetrySettings;
}

/**
 * The provision step: `provision → record_lineage`. The load is one transaction on the target, so a
 * retried attempt starts from the target as it was; the dataset links to its environment and tables.
 */
export function createProvisionGraph(deps: ProvisionDeps) {
  const work = retrying('provision', provision(deps), deps);
  return new StateGraph(ProvisionState)
    .addNode('provision', work.node, { retryPolicy: work.retryPolicy })
    .addNode('record_lineage', recordLineageNode(deps.tdm.store.prisma))
    .addEdge(START, 'provision')
    .addEdge('provision', 'record_lineage')
    .addEdge('record_lineage', END)
    .compile({ name: 'provision' });
}

/** Loads a dataset version into a target environment (the mutation's and the workflow's entry). */
export async function runProvision(tdm: Tdm, input: ProvisionInput, ctx: StepContext = {}): Promise<ProvisionOutcome> {
  const graph = createProvisionGraph({ tdm, emit: ctx.emit, retry: ctx.retry });
  const out = await graph.invoke({ request: input, jobId: ctx.jobId ?? null, fallbacks: ctx.fallbacks ?? [] }, { signal: ctx.signal });
  if (!out.outcome) throw new Error('provision ended without an outcome');
  return out.outcome;
}
