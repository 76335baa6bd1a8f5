import { Annotation } from '@langchain/langgraph';
import type { z } from 'zod';
import type { SyntheticInputSchema, SyntheticOutcome } from '../../synthetic/index.ts';
import { stepChannels } from '../shared/step-kit.ts';

export type SyntheticRequest = z.output<typeof SyntheticInputSchema>;

/** State of the synthetic step: the request (mode, ids, counts, seed), the stored test case's id and the outcome (ids and counts). */
export const SyntheticState = Annotation.Root({
  ...stepChannels,
  request: Annotation<SyntheticRequest>,
  /** The stored test case the rows come from (TEST_CASE mode), for lineage. */
  testCaseId: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  /** The unified schema the rows were generated from (SCHEMA mode after fusion), for lineage. */
  unifiedSchemaId: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  outcome: Annotation<SyntheticOutcome | undefined>,
});

export type SyntheticStateType = typeof SyntheticState.State;
export type SyntheticUpdate = typeof SyntheticState.Update;
