import { END, START, StateGraph } from '@langchain/langgraph';
import type { EmitEvent } from '../../jobs/events.ts';
import type { Tdm } from '../../runtime.ts';
import type { RetrySettings } from '../shared/retry.ts';
import { recordLineageNode, retrying, type StepContext } from '../shared/step-kit.ts';
import { mask } from './nodes.ts';
import { type MaskInput, type MaskOutcome, MaskState } from './state.ts';

export interface MaskDeps {
  tdm: Tdm;
  /** The caller's salt for this run (else TDM_MASK_SALT or one derived from the secret key); never in state or lineage. */
  salt?: string | null;
  emit?: EmitEvent;
  retry?: RetrySettings;
}

/** The mask step: `mask → record_lineage`. The masked dataset version links to its parent. */
export function createMaskGraph(deps: MaskDeps) {
  const work = retrying('mask', mask(deps), deps);
  return new StateGraph(MaskState)
    .addNode('mask', work.node, { retryPolicy: work.retryPolicy })
    .addNode('record_lineage', recordLineageNode(deps.tdm.store.prisma))
    .addEdge(START, 'mask')
    .addEdge('mask', 'record_lineage')
    .addEdge('record_lineage', END)
    .compile({ name: 'mask' });
}

/** Writes a masked copy of a dataset version (the mutation's and the workflow's entry). */
export async function runMask(tdm: Tdm, input: MaskInput, ctx: StepContext = {}): Promise<MaskOutcome> {
  const graph = createMaskGraph({ tdm, salt: input.salt, emit: ctx.emit, retry: ctx.retry });
  const out = await graph.invoke(
    {
      datasetVersionId: input.datasetVersionId,
      rules: input.rules ?? null,
      name: input.name ?? null,
      jobId: ctx.jobId ?? null,
      fallbacks: ctx.fallbacks ?? [],
    },
    { signal: ctx.signal },
  );
  if (!out.outcome) throw new Error('mask ended without a dataset version');
  return out.outcome;
}
