import { Annotation } from '@langchain/langgraph';
import type { DecisionInput, InputKind, PipelinePlan, SanitizedDecisionInput } from '../../decision/types.ts';

/**
 * State of the decision graph. The caller's `request` is the only place a connection string can
 * appear: `parse_user_input` replaces it by the sanitized `input` (with `hasConnection`) and clears
 * it, so no later node, prompt or output holds the string. Callers that checkpoint this graph
 * should pass a `connectionId` rather than a connection string.
 */
export const DecisionState = Annotation.Root({
  request: Annotation<DecisionInput | null>({ reducer: (_a, b) => b, default: () => null }),
  input: Annotation<SanitizedDecisionInput | undefined>,
  inputKinds: Annotation<InputKind[]>({ reducer: (_a, b) => b, default: () => [] }),
  /** The rules' plan; `plan` is this one or its LLM refinement. */
  rulePlan: Annotation<PipelinePlan | undefined>,
  plan: Annotation<PipelinePlan | undefined>,
});

export type DecisionStateType = typeof DecisionState.State;
export type DecisionUpdate = typeof DecisionState.Update;
