/**
 * What every step graph shares: the state channels that carry the job, the run's fallbacks and the
 * lineage edges the step made; the node that writes those edges; and the retrying wrapper of a
 * step's work node. A step graph is `… → <work> → record_lineage`, whoever calls it: the workflow or
 * a direct mutation.
 */
import { Annotation, type LangGraphRunnableConfig, type RetryPolicy } from '@langchain/langgraph';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import { type FieldLineageSet, fieldLineageInsert } from '../../lineage/fields.ts';
import { type LineageEdgeInput, lineageInsert } from '../../lineage/record.ts';
import type { ResolvedSource, RunSources, SourceRef } from '../../store/connections.ts';
import { isTransientConnectionError, type RetrySettings, stepRetryPolicy } from './retry.ts';

/** How a caller runs a step: the job (null for a direct call), events, cancellation, the run's sources. */
export interface StepContext {
  jobId?: string | null;
  emit?: EmitEvent;
  signal?: AbortSignal;
  /** Fallbacks the run used so far; every lineage edge of the step carries them. */
  fallbacks?: string[];
  /** The run's memo of resolved sources (a source is fetched and decrypted once per run). */
  resolveSource?: (ref: SourceRef) => Promise<ResolvedSource>;
  /** Retries of the step's work node; a workflow passes `{ maxAttempts: 1 }` because its step node retries. */
  retry?: RetrySettings;
}

const union = (a: string[], b: string[] | undefined): string[] => [...new Set([...a, ...(b ?? [])])];

/** The channels every step graph's state has. */
export const stepChannels = {
  jobId: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  fallbacks: Annotation<string[]>({ reducer: union, default: () => [] }),
  /** Lineage edges to record; appended by the nodes, written by `record_lineage`. */
  edges: Annotation<LineageEdgeInput[]>({ reducer: (a, b) => [...a, ...(b ?? [])], default: () => [] }),
  /** Field-level lineage of the artifacts the step made (column → origin, transform). */
  fieldLineage: Annotation<FieldLineageSet[]>({ reducer: (a, b) => [...a, ...(b ?? [])], default: () => [] }),
};

interface StepStateBase {
  jobId: string | null;
  fallbacks: string[];
  edges: LineageEdgeInput[];
  fieldLineage: FieldLineageSet[];
}

/** Writes the step's lineage edges (with its job and fallbacks) and its field-level lineage: one statement each, in one transaction. */
export function recordLineageNode(prisma: PrismaClient) {
  return async (state: StepStateBase): Promise<Record<string, never>> => {
    const inserts = [lineageInsert(prisma, state.jobId, state.edges, state.fallbacks), fieldLineageInsert(prisma, state.jobId, state.fieldLineage)].filter(
      (i) => i !== null,
    );
    if (inserts.length) await prisma.$transaction(inserts);
    return {};
  };
}

/**
 * A step's work node with its retry policy. A transient connection failure is logged and noted;
 * the notes reach the state's `fallbacks` (and so the lineage) once an attempt succeeds.
 */
export function retrying<S, U extends object>(
  step: string,
  work: (state: S, config?: LangGraphRunnableConfig) => Promise<U>,
  ctx: Pick<StepContext, 'emit' | 'retry'>,
): { node: (state: S, config?: LangGraphRunnableConfig) => Promise<U & { fallbacks?: string[] }>; retryPolicy: RetryPolicy } {
  const retryPolicy = stepRetryPolicy(ctx.retry);
  let attempt = 0;
  const notes: string[] = [];
  const node = async (state: S, config?: LangGraphRunnableConfig) => {
    attempt++;
    try {
      const update = await work(state, config);
      return notes.length ? { ...update, fallbacks: [...notes] } : update;
    } catch (err) {
      if (attempt < retryPolicy.maxAttempts && !config?.signal?.aborted && isTransientConnectionError(err)) {
        const reason = err instanceof Error ? err.message : String(err);
        notes.push(`${step}: attempt ${attempt} failed (${reason}); retried`);
        ctx.emit?.({ step, level: 'warn', message: `${step}: connection lost (${reason}); retrying (attempt ${attempt + 1} of ${retryPolicy.maxAttempts})` });
      }
      throw err;
    }
  };
  return { node, retryPolicy };
}

/** The caller's source memo, or a fresh one for a direct call. */
export function sourceResolver(ctx: StepContext, connections: { resolver(): (ref: SourceRef) => Promise<ResolvedSource> }) {
  return ctx.resolveSource ?? connections.resolver();
}

/**
 * Runs `fn` with the caller's sources, or (a direct call) with sources of its own: each source opened
 * once for the whole call, discovery and copy alike, and closed when it ends.
 */
export async function withRunSources<T>(
  ctx: StepContext,
  connections: { runSources(): RunSources },
  fn: (resolveSource: (ref: SourceRef) => Promise<ResolvedSource>) => Promise<T>,
): Promise<T> {
  if (ctx.resolveSource) return fn(ctx.resolveSource);
  const sources = connections.runSources();
  try {
    return await fn(sources);
  } finally {
    await sources.close();
  }
}
