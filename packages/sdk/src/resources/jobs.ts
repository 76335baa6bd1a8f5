import { createClient, type Client } from 'graphql-ws';
import { print } from 'graphql';
import { graphql, type ResultOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { ErrorFields } from '../error-fields.ts';
import { NotFoundError, TdmError, TdmNetworkError, TdmGraphQLError } from '../errors.ts';
import { unwrap } from './unwrap.ts';

const JobFields = graphql(`
  fragment JobFields on Job @_unmask {
    id rawId workflowId status operations input config attempts qualityScore createdAt startedAt finishedAt
    context { testCaseId schemas unifiedSchema uiSchemas apiSchemas dbSchemas domainPack scenario operations fallbacksUsed qualityScore }
    plan { operations syntheticMode fallbackModes reasons { subject reason } inputKinds refinedBy }
    result { operations completed artifacts { schemaVersionId datasetVersionId datasetVersionIds environmentId provisionedTables } }
    error { code message step }
  }
`);

const JobQuery = graphql(`query Job($id: ID!) { job(id: $id) { ...JobFields } }`, [JobFields]);
const JobsQuery = graphql(
  `query Jobs($status: JobStatus, $first: Int, $after: String) {
    jobs(status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ...JobFields } } }
  }`,
  [JobFields],
);
const CancelJob = graphql(
  `mutation CancelJob($id: ID!) { cancelJob(id: $id) { __typename ...ErrorFields ... on MutationCancelJobSuccess { data { ...JobFields } } } }`,
  [JobFields, ErrorFields],
);
const TraceQuery = graphql(`
  query JobTrace($jobId: ID!) {
    jobTrace(jobId: $jobId) { jobId workflowId testCaseId status operations schemaVersionIds datasetVersionIds provisionedTables { environment schema table rowCount } rowCounts { table rowCount } fallbacksUsed qualityScore qualityReports { datasetVersionId reportId score } }
  }
`);
const LogsQuery = graphql(`
  query WorkflowLogs($jobId: ID!, $afterSeq: Int) { workflowLogs(jobId: $jobId, afterSeq: $afterSeq) { jobId seq step level message at data } }
`);
const LogsSubscription = graphql(`
  subscription JobLogs($jobId: ID!) { jobLogs(jobId: $jobId) { jobId seq step level message at data } }
`);

export type Job = ResultOf<typeof JobFields>;
export type JobStatus = Job['status'];
export type JobTrace = NonNullable<ResultOf<typeof TraceQuery>['jobTrace']>;
export type JobLogEvent = ResultOf<typeof LogsSubscription>['jobLogs'];

const TERMINAL: readonly string[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Workflow runs: state, logs (live), cancellation and the trace of what they made. */
export class JobsResource {
  #ws: Client | null = null;

  constructor(
    private readonly client: TdmClient,
    private readonly ws: { url: string; token?: string },
  ) {}

  /** One job with its status, JobContext and per-operation results. */
  async get(jobId: string): Promise<Job> {
    const data = await this.client.request(JobQuery, { id: jobId });
    if (!data.job) throw new NotFoundError('NotFoundError', 'NOT_FOUND', `job ${JSON.stringify(jobId)} was not found`);
    return data.job;
  }

  /** Jobs, newest first, optionally only those with `status`. */
  async list(options: { status?: JobStatus; limit?: number } = {}): Promise<Job[]> {
    const out: Job[] = [];
    let after: string | null = null;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    while (out.length < limit) {
      const data: ResultOf<typeof JobsQuery> = await this.client.request(JobsQuery, {
        status: options.status ?? null,
        first: Math.min(100, limit - out.length),
        after,
      });
      for (const edge of data.jobs.edges) if (edge) out.push(edge.node);
      if (!data.jobs.pageInfo.hasNextPage) break;
      after = data.jobs.pageInfo.endCursor ?? null;
    }
    return out;
  }

  async cancel(jobId: string): Promise<Job> {
    const data = await this.client.request(CancelJob, { id: jobId });
    return unwrap(data.cancelJob);
  }

  /** The job once it has ended (COMPLETED, FAILED or CANCELLED). Throws `TdmError` with code TIMEOUT after `timeoutMs`. */
  async waitFor(jobId: string, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<Job> {
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    for (;;) {
      const job = await this.get(jobId);
      if (TERMINAL.includes(job.status)) return job;
      if (Date.now() > deadline) throw new TdmError('TIMEOUT', `job ${jobId} did not end within ${options.timeoutMs ?? 300_000} ms (status ${job.status})`);
      await new Promise((r) => setTimeout(r, Math.min(options.pollMs ?? 250, Math.max(10, deadline - Date.now()))));
    }
  }

  /** What the job read, made and provisioned. */
  async trace(jobId: string): Promise<JobTrace> {
    const data = await this.client.request(TraceQuery, { jobId });
    return data.jobTrace;
  }

  /** Stored log events after `afterSeq` (polling). */
  async history(jobId: string, afterSeq = 0): Promise<JobLogEvent[]> {
    const data = await this.client.request(LogsQuery, { jobId, afterSeq });
    return data.workflowLogs;
  }

  /**
   * The job's log over a WebSocket: stored events first, then live ones; the loop ends when the job
   * ends. `for await (const ev of tdm.jobs.logs(jobId))`.
   */
  async *logs(jobId: string): AsyncGenerator<JobLogEvent> {
    const client = await this.#client();
    const iterator = client.iterate<ResultOf<typeof LogsSubscription>>({ query: print(LogsSubscription), variables: { jobId } });
    try {
      for await (const result of iterator) {
        if (result.errors?.length)
          throw new TdmGraphQLError(
            result.errors.map((e) => ({ message: e.message })),
            result.data ?? null,
          );
        if (result.data) yield result.data.jobLogs;
      }
    } catch (err) {
      if (err instanceof TdmError) throw err;
      throw streamError(err);
    } finally {
      await iterator.return?.();
    }
  }

  /** Closes the WebSocket used by `logs()`. */
  async close(): Promise<void> {
    await this.#ws?.dispose();
    this.#ws = null;
  }

  async #client(): Promise<Client> {
    if (this.#ws) return this.#ws;
    const webSocketImpl = globalThis.WebSocket ?? (await import('ws')).default;
    this.#ws = createClient({
      url: this.ws.url.replace(/^http/, 'ws'),
      webSocketImpl,
      lazy: true,
      retryAttempts: 3,
      // 4403: the server refused the token. Retrying (with backoff, seconds) cannot change that.
      shouldRetry: (e) => isCloseEvent(e) && e.code !== 4403,
      connectionParams: this.ws.token ? { authorization: `Bearer ${this.ws.token}` } : undefined,
    });
    return this.#ws;
  }
}

/** graphql-ws's default `shouldRetry`: retry after a close, not after an error. */
function isCloseEvent(e: unknown): e is { code: number; reason: string } {
  return typeof e === 'object' && e !== null && 'code' in e && 'reason' in e;
}

/**
 * Why a log stream ended, as a network error. graphql-ws reports WebSocket events; they hold the
 * socket, whose URL may carry credentials, so only the code or the underlying error is kept.
 */
function streamError(err: unknown): TdmNetworkError {
  if (isCloseEvent(err)) return new TdmNetworkError(`job log stream failed: connection closed (${err.code}${err.reason ? ` ${err.reason}` : ''})`);
  // ws's ErrorEvent wraps the socket's error (e.g. ECONNREFUSED).
  const cause = err instanceof Error ? err : (err as { error?: unknown } | null)?.error;
  const eventMessage = (err as { message?: unknown } | null)?.message;
  const message = cause instanceof Error ? cause.message : typeof eventMessage === 'string' && eventMessage ? eventMessage : 'WebSocket error';
  return new TdmNetworkError(`job log stream failed: ${message}`, undefined, cause instanceof Error ? { cause } : undefined);
}
