import { Annotation } from '@langchain/langgraph';
import type { MaskResult, MaskRules } from '../../mask/executor.ts';
import { stepChannels } from '../shared/step-kit.ts';

export interface MaskInput {
  datasetVersionId: string;
  rules?: MaskRules | null;
  /** Overrides the configured salt (TDM_MASK_SALT); never stored, never in state. */
  salt?: string | null;
  name?: string | null;
}

export interface MaskOutcome extends MaskResult {
  datasetVersionId: string;
  parentId: string;
  totalRows: number;
}

/** State of the mask step: the parent dataset's id, the explicit rules and the outcome. The salt stays in the graph's deps. */
export const MaskState = Annotation.Root({
  ...stepChannels,
  datasetVersionId: Annotation<string>,
  rules: Annotation<MaskRules | null>({ reducer: (_a, b) => b, default: () => null }),
  name: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  outcome: Annotation<MaskOutcome | undefined>,
});

export type MaskStateType = typeof MaskState.State;
export type MaskUpdate = typeof MaskState.Update;
