import { TdmClient } from '../client.ts';
import { TdmError } from '../errors.ts';
import type { JobTrace } from '../resources/jobs.ts';
import type { ExecuteWorkflowInput } from '../resources/workflows.ts';

export interface TdmFixtureOptions {
  /** The GraphQL endpoint (default `TDM_URL`, then `http://localhost:8003/graphql`). */
  url?: string;
  /** API token (default `TDM_TOKEN`). */
  token?: string;
  /** The workflow that provisions the data, as `tdm.workflows.execute` takes it. */
  workflow: ExecuteWorkflowInput;
  /** How long the workflow may take (default 300 000 ms). */
  timeoutMs?: number;
}

/** What a test gets: the job that provisioned its data and what it made. */
export interface ProvisionedData {
  client: TdmClient;
  jobId: string;
  workflowId: string;
  datasetVersionIds: string[];
  provisionedTables: JobTrace['provisionedTables'];
  /** Rows per `schema.table`. */
  rowCounts: Record<string, number>;
  qualityScore: number | null;
}

/**
 * Runs the workflow and waits for it; throws a `TdmError` (code STEP_FAILED, or the job's own code)
 * with the job's error when it does not complete, so the test fails with the reason. Returns the data
 * and `release()`, which cancels the job if it is still running and closes the client.
 */
export async function provisionData(options: TdmFixtureOptions): Promise<{ data: ProvisionedData; release: () => Promise<void> }> {
  const client = new TdmClient({
    url: options.url ?? process.env.TDM_URL ?? 'http://localhost:8003/graphql',
    token: options.token ?? (process.env.TDM_TOKEN || undefined),
  });
  let jobId: string | null = null;
  const release = async () => {
    if (jobId) {
      const job = await client.jobs.get(jobId).catch(() => null);
      if (job && (job.status === 'QUEUED' || job.status === 'RUNNING')) await client.jobs.cancel(jobId).catch(() => undefined);
    }
    await client.close();
  };
  try {
    const queued = await client.workflows.execute(options.workflow);
    jobId = queued.jobId;
    const job = await client.jobs.waitFor(queued.jobId, { timeoutMs: options.timeoutMs ?? 300_000 });
    if (job.status !== 'COMPLETED') {
      const error = job.error;
      throw new TdmError('STEP_FAILED', `the TDM workflow ${job.status} (job ${job.id}): ${error?.code ?? ''} ${error?.message ?? ''}`.trim());
    }
    const trace = await client.jobs.trace(queued.jobId);
    return {
      data: {
        client,
        jobId: queued.jobId,
        workflowId: queued.workflowId,
        datasetVersionIds: trace.datasetVersionIds,
        provisionedTables: trace.provisionedTables,
        rowCounts: Object.fromEntries(trace.rowCounts.map((c) => [c.table, c.rowCount])),
        qualityScore: job.qualityScore ?? null,
      },
      release,
    };
  } catch (err) {
    await release();
    throw err;
  }
}
