import type { BaseCheckpointSaver, LangGraphRunnableConfig } from '@langchain/langgraph';
import { END, START, StateGraph } from '@langchain/langgraph';
import { InvalidInputError } from '../../errors.ts';
import type { Operation } from '../../decision/types.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import { getStep, type LineageEdgeInput } from '../registry.ts';
import type { Tdm } from '../../runtime.ts';
import type { ResolvedSource, SourceRef } from '../../store/connections.ts';
import { retrySettingsOf, stepRetryPolicy } from '../shared/retry.ts';
import { stepNode } from './nodes.ts';
import { WorkflowState, type WorkflowStateType } from './state.ts';

const MAKES_DATASET: readonly Operation[] = ['subset', 'mask', 'synthetic'];

/** A run making a dataset without an explicit `quality` step gets one at its end. */
export function needsAutomaticQuality(operations: readonly Operation[]): boolean {
  return !operations.includes('quality') && operations.some((op) => MAKES_DATASET.includes(op)) && Boolean(getStep('quality'));
}

export interface WorkflowDeps {
  tdm: Tdm;
  emit: EmitEvent;
  recordLineage(jobId: string, edge: LineageEdgeInput, fallbacks: string[]): Promise<void>;
  /** The run's memo of resolved sources: the run's source is fetched, decrypted and parsed once. */
  resolveSource: (ref: SourceRef) => Promise<ResolvedSource>;
  checkpointer?: BaseCheckpointSaver;
  clock: () => number;
  /** The run's per-step config; `config.<step>.retry` tunes that step's retries. */
  config?: Record<string, unknown>;
}

/**
 * The workflow graph: the registered step of each operation, chained in order. Each step node
 * retries a transient connection failure with backoff (3 attempts by default; `config.<step>.retry`
 * sets `maxAttempts`, `initialIntervalMs`, `maxIntervalMs`). With a checkpointer (thread id = job id)
 * a run stopped by a crash resumes after its last completed step.
 */
export function createWorkflowGraph(operations: Operation[], deps: WorkflowDeps) {
  if (operations.length === 0) throw new InvalidInputError('a workflow needs at least one operation');
  // The graph's type changes with every node added; build it untyped and compile once.
  // biome-ignore lint/suspicious/noExplicitAny: LangGraph's builder types are per-node generics.
  let graph: any = new StateGraph(WorkflowState);
  let previous: string = START;
  for (const op of operations) {
    const def = getStep(op);
    if (!def) throw new InvalidInputError(`operation ${op} is not available`, { operation: op });
    // The run's settings win over a plugin step's own policy, which wins over the defaults.
    const settings = retrySettingsOf(deps.config?.[op]);
    const policy = Object.keys(settings).length || !def.retryPolicy ? stepRetryPolicy(settings) : { ...stepRetryPolicy(), ...def.retryPolicy };
    graph = graph.addNode(op, stepNode(op, deps, policy.maxAttempts ?? 1), { retryPolicy: policy });
    graph = graph.addEdge(previous, op);
    previous = op;
  }
  if (needsAutomaticQuality(operations)) {
    // Every job that makes a dataset ends with its quality report (the `quality` step, marked automatic).
    const qualityNode = stepNode('quality', deps, 1);
    graph = graph.addNode('quality', (state: WorkflowStateType, config?: LangGraphRunnableConfig) =>
      qualityNode({ ...state, config: { ...state.config, quality: { ...(state.config?.quality as object), automatic: true } } }, config),
    );
    graph = graph.addEdge(previous, 'quality');
    previous = 'quality';
  }
  graph = graph.addEdge(previous, END);
  return (graph as StateGraph<typeof WorkflowState.spec>).compile({ checkpointer: deps.checkpointer, name: 'workflow' });
}
