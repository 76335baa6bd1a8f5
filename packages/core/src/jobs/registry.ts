/**
 * The step registry: each workflow operation is one registration. A step runs its LangGraph
 * subgraph, reading the artifacts of earlier steps by id and returning the ids it made plus a small
 * summary — never rows, never connection strings.
 */
import type { RetryPolicy } from '@langchain/langgraph';
import type { z } from 'zod';
import type { EmitEvent } from './events.ts';
import type { Artifacts, JobContext, Operation } from './context.ts';
import type { SourceRef } from '../store/connections.ts';
import type { Tdm } from '../runtime.ts';

export interface LineageEdgeInput {
  operation: string;
  fromKind: 'TEST_CASE' | 'JOB' | 'SCHEMA_VERSION' | 'DATASET_VERSION' | 'TABLE' | 'ENVIRONMENT' | 'UNIFIED_SCHEMA';
  fromId: string;
  toKind: LineageEdgeInput['fromKind'];
  toId: string;
  config?: unknown;
}

/** What a step sees of the run it belongs to. */
export interface StepInput {
  jobId: string;
  workflowId: string;
  source: SourceRef | null;
  schemas: string[];
  artifacts: Artifacts;
  context: JobContext;
  /** This step's own config (validated by its zod schema). */
  config: unknown;
  /** The whole per-step config of the run (a step may read a neighbour's, e.g. synthetic row counts). */
  allConfig: Record<string, unknown>;
}

export interface StepRuntime {
  tdm: Tdm;
  emit: EmitEvent;
  recordLineage(edge: LineageEdgeInput): Promise<void>;
  /** Records a self-healing fallback (e.g. "synthetic: URL → TEST_CASE"); it lands in JobContext.fallbacksUsed. */
  fallback(description: string): void;
  signal: AbortSignal;
}

export interface StepOutput {
  artifacts: Artifacts;
  summary: Record<string, unknown>;
  /** Context fields the step learned (e.g. qualityScore). */
  context?: Partial<JobContext>;
}

export interface StepDefinition<C = unknown> {
  name: Operation;
  description: string;
  /** Schema of `config[name]`; defaults applied before `run`. */
  config: z.ZodType<C>;
  retryPolicy?: RetryPolicy;
  run(input: StepInput & { config: C }, runtime: StepRuntime): Promise<StepOutput>;
}

const steps = new Map<string, StepDefinition>();

/**
 * Registers a step; a second registration under the same name is a programming error unless it says
 * `replace: true` — a deployment's plugin (TDM_PLUGINS) swapping a built-in step for its own.
 */
export function registerStep<C>(def: StepDefinition<C>, options: { replace?: boolean } = {}): void {
  if (steps.has(def.name) && !options.replace) throw new Error(`step ${def.name} is already registered`);
  steps.set(def.name, def as StepDefinition);
}

export function getStep(name: string): StepDefinition | undefined {
  return steps.get(name);
}

export function registeredSteps(): StepDefinition[] {
  return [...steps.values()];
}
