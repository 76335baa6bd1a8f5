import { END, START, StateGraph } from '@langchain/langgraph';
import { InvalidInputError } from '../../errors.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import type { Tdm } from '../../runtime.ts';
import { upsertTestCase } from '../../store/test-cases.ts';
import { type SyntheticInput, SyntheticInputSchema, type SyntheticOutcome } from '../../synthetic/index.ts';
import { analyzeTestCase, loadTestCaseParsers } from '../../testcase/analyze.ts';
import type { RetrySettings } from '../shared/retry.ts';
import { recordLineageNode, retrying, type StepContext } from '../shared/step-kit.ts';
import { generate } from './nodes.ts';
import { SyntheticState } from './state.ts';

export interface SyntheticDeps {
  tdm: Tdm;
  emit?: EmitEvent;
  retry?: RetrySettings;
}

/**
 * The synthetic step: `generate → record_lineage`. The dataset version links to the test case it
 * came from (TEST_CASE mode) or to the schema version describing its tables.
 */
export function createSyntheticGraph(deps: SyntheticDeps) {
  const work = retrying('synthetic', generate(deps), deps);
  return new StateGraph(SyntheticState)
    .addNode('generate', work.node, { retryPolicy: work.retryPolicy })
    .addNode('record_lineage', recordLineageNode(deps.tdm.store.prisma))
    .addEdge(START, 'generate')
    .addEdge('generate', 'record_lineage')
    .addEdge('record_lineage', END)
    .compile({ name: 'synthetic' });
}

/**
 * Generates a synthetic dataset version in the requested mode (the mutation's and the workflow's
 * entry). Test-case text is stored as a test case (once per content) so the dataset links to it.
 */
export async function runSynthetic(
  tdm: Tdm,
  raw: SyntheticInput & { testCaseId?: string | null; unifiedSchemaId?: string | null },
  ctx: StepContext = {},
): Promise<SyntheticOutcome> {
  const parsed = SyntheticInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`invalid synthetic input: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const request = parsed.data;
  let testCaseId = raw.testCaseId ?? null;
  if (!testCaseId && request.mode === 'TEST_CASE' && request.testCaseContent) {
    await loadTestCaseParsers();
    const kind = analyzeTestCase({ content: request.testCaseContent, fileName: request.testCaseFileName ?? undefined }).format;
    testCaseId = await upsertTestCase(tdm.store.prisma, request.testCaseContent, request.testCaseFileName ?? null, kind);
  }
  const graph = createSyntheticGraph({ tdm, emit: ctx.emit, retry: ctx.retry });
  const out = await graph.invoke(
    { request, testCaseId, unifiedSchemaId: raw.unifiedSchemaId ?? null, jobId: ctx.jobId ?? null, fallbacks: ctx.fallbacks ?? [] },
    { signal: ctx.signal },
  );
  if (!out.outcome) throw new Error('synthetic ended without a dataset version');
  return out.outcome;
}
