/**
 * The step registry: one explicit list of the built-in steps, each a `StepDefinition` exported by
 * its graph module (`graphs/<step>/graph.ts`), plus whatever a deployment's plugin (`TDM_PLUGINS`)
 * registers. A step runs its LangGraph subgraph, reading the artifacts of earlier steps by id and
 * returning the ids it made plus a small summary — never rows, never connection strings.
 */
import type { RetryPolicy } from '@langchain/langgraph';
import type { z } from 'zod';
import type { Artifacts, JobContext } from '../jobs/context.ts';
import type { EmitEvent } from '../jobs/events.ts';
import type { Operation } from '../decision/types.ts';
import type { LineageEdgeInput } from '../lineage/record.ts';
import type { ResolvedSource, SourceRef } from '../store/connections.ts';
import type { Tdm } from '../runtime.ts';
import { discoverStep } from './discover/step.ts';
import { fusionStep } from './fusion/step.ts';
import { maskStep } from './mask/step.ts';
import { piiStep } from './pii/step.ts';
import { provisionStep } from './provision/step.ts';
import { qualityStep } from './quality/step.ts';
import { subsetStep } from './subset/step.ts';
import { syntheticStep } from './synthetic/step.ts';

export type { LineageEdgeInput };

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
  /** Records an edge for a plugin step (built-in steps record theirs in their graph's `record_lineage`). */
  recordLineage(edge: LineageEdgeInput): Promise<void>;
  /** The run's memo of resolved sources: each is fetched and decrypted once per run. */
  resolveSource(ref: SourceRef): Promise<ResolvedSource>;
  /** Fallbacks and retries of the run so far, recorded with the step's lineage. */
  fallbacks(): string[];
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

/** The built-in steps, in pipeline order. */
export const BUILT_IN_STEPS: readonly StepDefinition[] = [
  discoverStep,
  piiStep,
  subsetStep,
  maskStep,
  fusionStep,
  syntheticStep,
  qualityStep,
  provisionStep,
] as unknown as StepDefinition[];

const steps = new Map<string, StepDefinition>(BUILT_IN_STEPS.map((s) => [s.name, s]));

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
