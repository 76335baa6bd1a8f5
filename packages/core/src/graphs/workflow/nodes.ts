import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { TdmError, StepFailedError } from '../../errors.ts';
import type { Operation } from '../../jobs/context.ts';
import { getStep, type StepRuntime } from '../../jobs/registry.ts';
import type { WorkflowDeps } from './graph.ts';
import type { WorkflowStateType, WorkflowUpdate } from './state.ts';

/** The node that runs one registered step: config validation, events, timing, error wrapping. */
export function stepNode(op: Operation, deps: WorkflowDeps) {
  return async (state: WorkflowStateType, config?: LangGraphRunnableConfig): Promise<WorkflowUpdate> => {
    const def = getStep(op);
    if (!def) throw new StepFailedError(op, state.jobId, new Error(`no step named ${op} is registered`));
    config?.signal?.throwIfAborted();
    const parsed = def.config.safeParse(state.config?.[op]);
    if (!parsed.success) {
      throw new StepFailedError(
        op,
        state.jobId,
        new TdmError('INVALID_INPUT', `config.${op}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`),
      );
    }
    const fallbacks: string[] = [];
    const runtime: StepRuntime = {
      tdm: deps.tdm,
      emit: (ev) => deps.emit({ ...ev, jobId: state.jobId }),
      recordLineage: (edge) => deps.recordLineage(state.jobId, { ...edge }, [...state.fallbacksUsed, ...fallbacks]),
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
      message: `${op} started`,
      jobId: state.jobId,
      data: { operation: op, position: state.operations.indexOf(op) + 1, of: state.operations.length },
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
      const summary = { ...out.summary, durationMs };
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
      deps.emit({
        step: op,
        level: 'failed',
        message: wrapped.message,
        jobId: state.jobId,
        data: { code: err instanceof TdmError ? err.code : 'STEP_FAILED', durationMs: Math.round(deps.clock() - started) },
      });
      throw wrapped;
    }
  };
}
