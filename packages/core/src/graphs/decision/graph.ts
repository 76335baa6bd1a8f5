import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { END, START, StateGraph } from '@langchain/langgraph';
import type { DecisionInput, PipelinePlan } from '../../decision/types.ts';
import { classifyIntentNode, generatePipelinePlan, parseUserInput } from './nodes.ts';
import { DecisionState } from './state.ts';

export interface DecisionDeps {
  /** Optional chat model that may refine the rule plan; `null`/absent means rules only. */
  llm?: BaseChatModel | null;
}

/**
 * The decision step: `parse_user_input → classify_intent → generate_pipeline_plan`. Turns a request
 * into a `PipelinePlan`; with `deps.llm` the rule plan is offered to the model for refinement and
 * only a valid answer replaces it.
 */
export function createDecisionGraph(deps: DecisionDeps = {}) {
  return new StateGraph(DecisionState)
    .addNode('parse_user_input', parseUserInput())
    .addNode('classify_intent', classifyIntentNode())
    .addNode('generate_pipeline_plan', generatePipelinePlan(deps))
    .addEdge(START, 'parse_user_input')
    .addEdge('parse_user_input', 'classify_intent')
    .addEdge('classify_intent', 'generate_pipeline_plan')
    .addEdge('generate_pipeline_plan', END)
    .compile({ name: 'decision' });
}

/** Runs the decision graph once and returns its plan. Throws `InvalidInputError` for invalid requests. */
export async function decide(input: DecisionInput, deps: DecisionDeps = {}, options: { signal?: AbortSignal } = {}): Promise<PipelinePlan> {
  const state = await createDecisionGraph(deps).invoke({ request: input }, { signal: options.signal });
  if (!state.plan) throw new Error('the decision graph ended without a plan');
  return state.plan;
}
