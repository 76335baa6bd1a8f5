import { fail, redirect } from '@sveltejs/kit';
import { LineageQuery } from '$lib/documents/lineage';
import {
  ClassifyIntentQuery,
  ExecuteWorkflowMutation,
  JOBS_VARIABLES,
  JobLogHistoryQuery,
  JobTraceQuery,
  JobsQuery,
  jobLineageVariables,
  WorkflowOptionsQuery,
} from '$lib/documents/workflows';
import { callApi, firstPaint } from '$lib/server/graphql';
import { requestError, toTypedError } from '$lib/typed-error';
import type { Actions, PageServerLoad } from './$types';
import { classifyVariables, executeVariables, OPERATIONS, readWorkflowForm } from './workflow-values';

// The form's choices, the execution history and the job selected in the URL (its stored logs, or its
// lineage on the Lineage tab) in the first HTML.
export const load: PageServerLoad = async (event) => {
  const jobId = event.url.searchParams.get('job');
  const lineageTab = event.url.searchParams.get('tab') === 'lineage';
  const [options, jobs, logs, graph, trace] = await Promise.all([
    firstPaint(event, WorkflowOptionsQuery, {}),
    firstPaint(event, JobsQuery, JOBS_VARIABLES),
    jobId && !lineageTab ? firstPaint(event, JobLogHistoryQuery, { jobId }) : null,
    jobId && lineageTab ? firstPaint(event, LineageQuery, jobLineageVariables(jobId)) : null,
    jobId && lineageTab ? firstPaint(event, JobTraceQuery, { jobId }) : null,
  ]);
  return { initial: { options, jobs, logs, lineage: graph || trace ? { graph, trace } : null } };
};

// The form works without script: "Classify intent" answers with the plan (and the form as it was
// sent), "Execute workflow" goes on to the new job's page. With script, `use:enhance` sends the same.
export const actions: Actions = {
  classify: async ({ request, fetch }) => {
    const form = await request.formData();
    const values = readWorkflowForm(form);
    const { data, error } = await callApi(fetch, ClassifyIntentQuery, classifyVariables(values));
    const out = data?.classifyIntent;
    if (out?.__typename === 'QueryClassifyIntentSuccess') {
      // "Apply to operations" without script: the plan's operations come back checked.
      if (form.has('apply')) values.operations = OPERATIONS.filter((op) => out.data.operations.includes(op));
      return { values, plan: out.data };
    }
    return fail(400, { values, failed: 'classify' as const, error: out && 'code' in out ? toTypedError(out) : requestError(error) });
  },
  execute: async ({ request, fetch, url }) => {
    const values = readWorkflowForm(await request.formData());
    const { data, error } = await callApi(fetch, ExecuteWorkflowMutation, executeVariables(values));
    const out = data?.executeWorkflow;
    if (out?.__typename === 'MutationExecuteWorkflowSuccess') redirect(303, `${url.pathname}?job=${encodeURIComponent(out.data.jobId)}`);
    return fail(400, { values, failed: 'execute' as const, error: out && 'code' in out ? toTypedError(out) : requestError(error) });
  },
};
