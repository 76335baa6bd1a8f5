import type { BaseCheckpointSaver, LangGraphRunnableConfig } from '@langchain/langgraph';
import { END, START, StateGraph } from '@langchain/langgraph';
import '../../jobs/steps/index.ts';
import { InvalidInputError } from '../../errors.ts';
import type { Operation } from '../../jobs/context.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import { getStep, type LineageEdgeInput } from '../../jobs/registry.ts';
import type { Tdm } from '../../runtime.ts';
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
  checkpointer?: BaseCheckpointSaver;
  clock: () => number;
}

/**
 * The workflow graph: the registered step of each operation, chained in order. With a checkpointer
 * (thread id = job id) a run stopped by a crash resumes after its last completed step.
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
    graph = graph.addNode(op, stepNode(op, deps), def.retryPolicy ? { retryPolicy: def.retryPolicy } : undefined);
    graph = graph.addEdge(previous, op);
    previous = op;
  }
  if (needsAutomaticQuality(operations)) {
    // Every job that makes a dataset ends with its quality report (the `quality` step, marked automatic).
    const qualityNode = stepNode('quality', deps);
    graph = graph.addNode('quality', (state: WorkflowStateType, config?: LangGraphRunnableConfig) =>
      qualityNode({ ...state, config: { ...state.config, quality: { ...(state.config?.quality as object), automatic: true } } }, config),
    );
    graph = graph.addEdge(previous, 'quality');
    previous = 'quality';
  }
  graph = graph.addEdge(previous, END);
  return (graph as StateGraph<typeof WorkflowState.spec>).compile({ checkpointer: deps.checkpointer, name: 'workflow' });
}
