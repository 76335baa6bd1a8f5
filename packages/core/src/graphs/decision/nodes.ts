import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { MessageContent } from '@langchain/core/messages';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { redactSecrets } from '../../db/url.ts';
import { detectInputKinds, sanitizeInput } from '../../decision/input.ts';
import { applyRefinement, buildRefinementPrompt, keepRulePlan } from '../../decision/refine.ts';
import { classifyIntent } from '../../decision/rules.ts';
import { InvalidInputError } from '../../errors.ts';
import type { DecisionStateType, DecisionUpdate } from './state.ts';

/** Validates the request and swaps the connection string for `hasConnection`. */
export function parseUserInput() {
  return async (state: DecisionStateType): Promise<DecisionUpdate> => {
    const raw = state.request ?? state.input;
    if (!raw) throw new InvalidInputError('the decision graph was invoked without a request');
    const input = sanitizeInput(raw);
    return { request: null, input, inputKinds: detectInputKinds(input) };
  };
}

/** The rule-based plan. */
export function classifyIntentNode() {
  return async (state: DecisionStateType): Promise<DecisionUpdate> => {
    if (!state.input) throw new InvalidInputError('classify_intent ran before parse_user_input');
    return { rulePlan: classifyIntent(state.input) };
  };
}

/**
 * The final plan: the rule plan, or with a chat model its refinement. Operations the caller fixed are
 * not refined. A model that fails or answers invalidly leaves the rule plan in place, with a reason.
 */
export function generatePipelinePlan(deps: { llm?: BaseChatModel | null }) {
  return async (state: DecisionStateType, config?: LangGraphRunnableConfig): Promise<DecisionUpdate> => {
    const { input, rulePlan } = state;
    if (!input || !rulePlan) throw new InvalidInputError('generate_pipeline_plan ran before classify_intent');
    if (!deps.llm || input.operations) return { plan: rulePlan };
    let answer: string;
    try {
      const reply = await deps.llm.invoke(buildRefinementPrompt(input, rulePlan), config);
      answer = textOf(reply.content);
    } catch (e) {
      if (config?.signal?.aborted) throw e;
      const why = redactSecrets(e instanceof Error ? e.message : String(e), []);
      return { plan: keepRulePlan(rulePlan, `the LLM could not refine the plan (${why}); the rule-based plan is kept`) };
    }
    return { plan: applyRefinement(input, rulePlan, answer) };
  };
}

function textOf(content: MessageContent): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (typeof part === 'string' ? part : part.type === 'text' && 'text' in part ? String(part.text) : '')).join('');
}
