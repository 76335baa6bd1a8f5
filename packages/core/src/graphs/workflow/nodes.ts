import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { StepFailedError, TdmError } from '../../errors.ts';
import type { Operation } from '../../decision/types.ts';
import { getStep, type StepRuntime } from '../registry.ts';
import { isTransientConnectionError } from '../shared/retry.ts';
import type { WorkflowDeps } from './graph.ts';
import type { WorkflowStateType, WorkflowUpdate } from './state.ts';

function configError(op: Operation, jobId: string, issues: { path: PropertyKey[]; message: string }[]): StepFailedError {
  const text = issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
  return new StepFailedError(op, jobId, new TdmError('INVALID_INPUT', `config.${op}: ${text}`));
}

/**
 * The node that runs one registered step: config validation, events, timing, error wrapping. The
 * node's retry policy re-runs it after a transient connection failure; each retry is logged and
 * noted as a fallback, so the lineage the successful attempt records says the step was retried.
 */
export function stepNode(op: Operation, deps: WorkflowDeps, maxAttempts: number) {
  let attempt = 0;
  const retryNotes: string[] = [];
  return async (state: WorkflowStateType, config?: LangGraphRunnableConfig): Promise<WorkflowUpdate> => {
    attempt++;
    const def = getStep(op);
    if (!def) throw new StepFailedError(op, state.jobId, new Error(`no step named ${op} is registered`));
    config?.signal?.throwIfAborted();
    const parsed = def.config.safeParse(state.config?.[op]);
    if (!parsed.success) throw configError(op, state.jobId, parsed.error.issues);
    const fallbacks: string[] = [...retryNotes];
    const runFallbacks = () => [...new Set([...state.fallbacksUsed, ...fallbacks])];
    const runtime: StepRuntime = {
      tdm: deps.tdm,
      emit: (ev) => deps.emit({ ...ev, jobId: state.jobId }),
      recordLineage: (edge) => deps.recordLineage(state.jobId, { ...edge }, runFallbacks()),
      resolveSource: deps.resolveSource,
      fallbacks: runFallbacks,
      fallback: (d) => {
        fallbacks.push(d);
        deps.emit({ step: op, level: 'warn', message: `fallback: ${d}`, jobId: state.jobId });
      },
      signal: config?.signal ?? new AbortController().signal,
    };
    const started = deps.clock();
    deps.emit({
      step: op,
      level: 'started',
      message: attempt > 1 ? `${op} started (attempt ${attempt} of ${maxAttempts})` : `${op} started`,
      jobId: state.jobId,
      data: { operation: op, position: state.operations.indexOf(op) + 1, of: state.operations.length, attempt },
    });
    try {
      const out = await def.run(
        {
          jobId: state.jobId,
          workflowId: state.workflowId,
          source: state.source,
          schemas: state.schemas,
          artifacts: state.artifacts,
          context: state.context,
          config: parsed.data,
          allConfig: state.config ?? {},
        },
        runtime,
      );
      const durationMs = Math.round(deps.clock() - started);
      const summary = { ...out.summary, durationMs, ...(attempt > 1 ? { attempts: attempt } : {}) };
      deps.emit({ step: op, level: 'completed', message: `${op} completed in ${durationMs} ms`, jobId: state.jobId, data: summary });
      return {
        artifacts: { ...out.artifacts, datasetVersionIds: out.artifacts.datasetVersionId ? [out.artifacts.datasetVersionId] : [] },
        results: { [op]: summary },
        completed: [op],
        fallbacksUsed: fallbacks,
        context: { ...out.context, fallbacksUsed: [...new Set([...state.fallbacksUsed, ...fallbacks])] } as WorkflowUpdate['context'],
      };
    } catch (err) {
      const wrapped = err instanceof StepFailedError ? err : new StepFailedError(op, state.jobId, err);
      const code = err instanceof TdmError ? err.code : 'STEP_FAILED';
      const durationMs = Math.round(deps.clock() - started);
      const aborted = config?.signal?.aborted ?? false;
      if (!aborted && attempt < maxAttempts && isTransientConnectionError(err)) {
        const reason = err instanceof Error ? err.message : String(err);
        retryNotes.push(`${op}: attempt ${attempt} failed (${code}: ${reason}); retried`);
        deps.emit({
          step: op,
          level: 'warn',
          message: `${op}: connection lost (${reason}); retrying (attempt ${attempt + 1} of ${maxAttempts})`,
          jobId: state.jobId,
          data: { code, attempt, maxAttempts, durationMs },
        });
      } else {
        deps.emit({ step: op, level: 'failed', message: wrapped.message, jobId: state.jobId, data: { code, durationMs, attempt } });
      }
      throw wrapped;
    }
  };
}
