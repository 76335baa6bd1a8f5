import { LineageQuery } from '$lib/documents/lineage';
import { JOBS_VARIABLES, JobLogHistoryQuery, JobTraceQuery, JobsQuery, jobLineageVariables, WorkflowOptionsQuery } from '$lib/documents/workflows';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

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
