import { END, START, StateGraph } from '@langchain/langgraph';
import { InvalidInputError } from '../../errors.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import type { Tdm } from '../../runtime.ts';
import type { ResolvedSource, SourceRef } from '../../store/connections.ts';
import type { RetrySettings } from '../shared/retry.ts';
import { retrying, type StepContext, sourceResolver } from '../shared/step-kit.ts';
import { chooseSource, classifyAndStore } from './nodes.ts';
import { type ClassifyPiiInput, type ClassifyPiiResult, PiiState } from './state.ts';

export interface PiiDeps {
  tdm: Tdm;
  resolveSource: (ref: SourceRef) => Promise<ResolvedSource>;
  emit?: EmitEvent;
  retry?: RetrySettings;
}

/**
 * The pii step: `choose_source → classify`. Samples values when a source is available (the
 * caller's, or the schema's stored connection), else classifies by names and types and says so.
 */
export function createPiiGraph(deps: PiiDeps) {
  const classify = retrying('pii', classifyAndStore(deps), deps);
  return new StateGraph(PiiState)
    .addNode('choose_source', chooseSource(deps))
    .addNode('classify', classify.node, { retryPolicy: classify.retryPolicy })
    .addEdge(START, 'choose_source')
    .addEdge('choose_source', 'classify')
    .addEdge('classify', END)
    .compile({ name: 'pii' });
}

/** Classifies a schema version's columns for personal data (the mutation's and the workflow's entry). */
export async function classifyPii(tdm: Tdm, input: ClassifyPiiInput, ctx: StepContext = {}): Promise<ClassifyPiiResult> {
  const sampleSize = input.sampleSize ?? 100;
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 100_000) throw new InvalidInputError('sampleSize must be an integer from 1 to 100000');
  const source = input.source ?? (await tdm.connections.refFor(input));
  const graph = createPiiGraph({ tdm, resolveSource: sourceResolver(ctx, tdm.connections), emit: ctx.emit, retry: ctx.retry });
  const out = await graph.invoke(
    { schemaVersionId: input.schemaVersionId, sampleSize, source, jobId: ctx.jobId ?? null, fallbacks: ctx.fallbacks ?? [] },
    { signal: ctx.signal },
  );
  return { columns: out.columns, valuesSampled: out.valuesSampled };
}
