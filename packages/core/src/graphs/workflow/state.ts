import { Annotation } from '@langchain/langgraph';
import type { Artifacts, JobContext, Operation } from '../../jobs/context.ts';
import type { SourceRef } from '../../store/connections.ts';

const merge = <T extends object>(a: T, b: T | undefined): T => ({ ...a, ...(b ?? {}) });
const union = (a: string[], b: string[] | undefined): string[] => [...new Set([...a, ...(b ?? [])])];

/**
 * State of a workflow run. Ids, plans and small summaries only: the source is a stored connection's
 * id, artifacts are ids, results are per-step summaries. It is checkpointed after every step.
 */
export const WorkflowState = Annotation.Root({
  jobId: Annotation<string>,
  workflowId: Annotation<string>,
  source: Annotation<SourceRef | null>,
  schemas: Annotation<string[]>,
  operations: Annotation<Operation[]>,
  config: Annotation<Record<string, unknown>>,
  context: Annotation<JobContext>({ reducer: merge, default: () => ({}) as JobContext }),
  artifacts: Annotation<Artifacts>({
    reducer: (a, b) => ({ ...a, ...b, datasetVersionIds: union(a.datasetVersionIds ?? [], b?.datasetVersionIds) }),
    default: () => ({}),
  }),
  results: Annotation<Record<string, Record<string, unknown>>>({ reducer: merge, default: () => ({}) }),
  completed: Annotation<string[]>({ reducer: (a, b) => [...a, ...(b ?? [])], default: () => [] }),
  fallbacksUsed: Annotation<string[]>({ reducer: union, default: () => [] }),
});

export type WorkflowStateType = typeof WorkflowState.State;
export type WorkflowUpdate = typeof WorkflowState.Update;
