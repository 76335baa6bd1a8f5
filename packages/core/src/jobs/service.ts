/**
 * Jobs: `execute` stores a QUEUED job and hands it to the queue; `run` (called by a worker) runs the
 * workflow graph for it, resuming from the last checkpoint when an earlier worker died mid-run.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { redactConnectionString, redactDeep, redactSecrets } from '../db/url.ts';
import { InvalidInputError, NotFoundError, TdmError } from '../errors.ts';
import type { Job, PrismaClient } from '../generated/prisma/client.ts';
import type { Tdm } from '../runtime.ts';
import { type RunSources, splitPassword } from '../store/connections.ts';
import { upsertTestCase } from '../store/test-cases.ts';
import { OPERATIONS, TERMINAL_STATUSES, type JobContext, type Operation } from './context.ts';
import { WorkflowInputSchema, type WorkflowInput } from './input.ts';
import { CANCEL_CHANNEL, JobLogger, LogBus } from './log-bus.ts';
import type { JobQueue } from './queue.ts';
import { type LineageEdgeInput, recordLineage } from '../lineage/record.ts';
import { planOperations } from './plan.ts';
import { retrySettingsOf } from '../graphs/shared/retry.ts';
import { checkRowCounts } from '../synthetic/limits.ts';
import type { createWorkflowGraph } from '../graphs/workflow/graph.ts';
import type { SqlCheckpointSaver } from './checkpointer.ts';

type WorkflowGraph = ReturnType<typeof createWorkflowGraph>;
type WorkflowFinal = Awaited<ReturnType<WorkflowGraph['invoke']>>;

/** Attempts (claims by a worker) before a job is failed for good. */
const MAX_ATTEMPTS = 5;

export interface ExecuteResult {
  workflowId: string;
  jobId: string;
  status: 'QUEUED';
  operations: Operation[];
}

export class JobService {
  readonly logs: LogBus;
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #running = new Map<string, AbortController>();
  #unlistenCancel: (() => Promise<void>) | null = null;
  #working = false;

  constructor(
    private readonly tdm: Tdm,
    readonly queue: JobQueue,
  ) {
    this.logs = new LogBus(tdm.store.prisma, tdm.store.sql);
  }

  private get prisma(): PrismaClient {
    return this.tdm.store.prisma;
  }

  /** Stores the job (QUEUED) and queues it. Returns at once. */
  async execute(raw: WorkflowInput, actor = 'anonymous'): Promise<ExecuteResult> {
    const parsed = WorkflowInputSchema.safeParse(raw);
    if (!parsed.success)
      throw new InvalidInputError(`invalid workflow input: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const input = parsed.data;
    checkRowCounts(input.rowCounts);
    const plan = await planOperations(input, { llm: this.tdm.llm });
    for (const op of plan.operations) retrySettingsOf(input.config?.[op]);
    const source = await this.tdm.connections.refFor(input);
    const testCaseId = input.testCaseContent
      ? await upsertTestCase(this.prisma, input.testCaseContent, input.testCaseFileName ?? null, plan.testCaseKind)
      : null;
    const workflowId = randomUUID();
    const context: JobContext = {
      testCaseId,
      schemas: input.schemas ?? ['public'],
      unifiedSchema: null,
      uiSchemas: [],
      apiSchemas: [],
      dbSchemas: [],
      domainPack: input.domain ?? null,
      scenario: input.scenario ?? null,
      operations: plan.operations,
      fallbacksUsed: [],
      qualityScore: null,
    };
    const config = { ...(input.config ?? {}) } as Record<string, unknown>;
    if (plan.operations.includes('synthetic')) {
      // The plan's mode and fallbacks and the request's inputs the step reads; an explicit config wins.
      config.synthetic = {
        ...(plan.plan.syntheticMode ? { mode: plan.plan.syntheticMode, fallbackModes: plan.plan.fallbackModes } : {}),
        ...(input.rowCounts ? { rowCounts: input.rowCounts } : {}),
        ...(input.testCaseUrls?.length ? { testCaseUrls: input.testCaseUrls } : {}),
        ...(input.testCaseFileName ? { testCaseFileName: input.testCaseFileName } : {}),
        ...((config.synthetic as object) ?? {}),
      };
    }
    if (plan.operations.includes('fusion')) {
      config.fusion = {
        ...(input.openApiSpec ? { openApiSpec: input.openApiSpec } : {}),
        ...(input.testCaseUrls?.length ? { urls: input.testCaseUrls } : {}),
        ...(input.testCaseFileName ? { testCaseFileName: input.testCaseFileName } : {}),
        ...((config.fusion as object) ?? {}),
      };
    }
    if (!plan.operations.includes('synthetic') && input.rowCounts) config.synthetic = { rowCounts: input.rowCounts, ...((config.synthetic as object) ?? {}) };
    const storedInput = {
      ...input,
      connectionString: input.connectionString ? redactConnectionString(splitPassword(input.connectionString).url) : null,
      connectionId: source?.connectionId ?? null,
      testCaseContent: input.testCaseContent ? `${input.testCaseContent.length} characters (test case ${testCaseId})` : null,
      openApiSpec: input.openApiSpec ? `${input.openApiSpec.length} characters (config.fusion.openApiSpec)` : null,
    };
    const job = await this.prisma.job.create({
      data: {
        workflowId,
        status: 'QUEUED',
        operations: plan.operations,
        input: redactDeep(JSON.parse(JSON.stringify(storedInput))),
        config: redactDeep(JSON.parse(JSON.stringify(config))),
        context: context as object,
        plan: plan.plan as object,
        testCaseId,
      },
    });
    if (testCaseId) await this.recordLineage(job.id, { operation: 'request', fromKind: 'TEST_CASE', fromId: testCaseId, toKind: 'JOB', toId: job.id }, []);
    // Queued first: a worker can pick the job up while its audit entry is written.
    await this.queue.enqueue(job.id);
    await this.tdm.audit({ actor, action: 'executeWorkflow', targetKind: 'JOB', targetId: job.id, details: { workflowId, operations: plan.operations } });
    return { workflowId, jobId: job.id, status: 'QUEUED', operations: plan.operations };
  }

  async get(jobId: string): Promise<Job> {
    const job = await this.prisma.job.findUnique({ where: { id: jobId } });
    if (!job) throw new NotFoundError('job', jobId);
    return job;
  }

  /** Cancels a queued or running job; a running one stops at its next step boundary or abort check. */
  async cancel(jobId: string, actor = 'anonymous'): Promise<Job> {
    const { count } = await this.prisma.job.updateMany({
      where: { id: jobId, status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'CANCELLED', finishedAt: new Date() },
    });
    const job = await this.get(jobId);
    if (count === 0) {
      if (job.status === 'CANCELLED') return job;
      throw new TdmError('CONFLICT', `job ${jobId} has already ended (${job.status})`, { details: { status: job.status } });
    }
    await this.tdm.store.sql.notify(CANCEL_CHANNEL, jobId);
    this.#running.get(jobId)?.abort(new TdmError('CONFLICT', 'the job was cancelled'));
    // A job that never started gets its terminal event here; a running one logs it as it stops.
    if (!this.#running.has(jobId) && !job.startedAt) {
      const logger = new JobLogger(this.logs, jobId, await this.#lastSeq(jobId));
      logger.emit({ step: 'workflow', level: 'failed', message: 'cancelled before it started', data: { status: 'CANCELLED' } });
      await logger.flush();
    }
    await this.tdm.audit({ actor, action: 'cancelJob', targetKind: 'JOB', targetId: jobId, severity: 'WARNING' });
    return job;
  }

  /** Starts working queued jobs in this process. */
  async startWorking(options: { concurrency?: number } = {}): Promise<void> {
    if (this.#working) return;
    this.#working = true;
    this.#unlistenCancel = await this.tdm.store.sql.listen(CANCEL_CHANNEL, (jobId) =>
      this.#running.get(jobId)?.abort(new TdmError('CONFLICT', 'the job was cancelled')),
    );
    if (this.queue.kind === 'in-process') {
      // Jobs left QUEUED or RUNNING by a stopped process resume here (PGlite allows one process).
      // Enqueued before the queue starts: once it runs, a job it already took is no longer pending
      // and would be enqueued (and run) a second time.
      const orphans = await this.prisma.job.findMany({ where: { status: { in: ['QUEUED', 'RUNNING'] } }, orderBy: { createdAt: 'asc' }, select: { id: true } });
      for (const j of orphans) await this.queue.enqueue(j.id);
    }
    await this.queue.work((jobId) => this.run(jobId), options);
  }

  async stop(): Promise<void> {
    for (const c of this.#running.values()) c.abort(new TdmError('CONFLICT', 'the worker is stopping'));
    await this.queue.stop();
    await this.#unlistenCancel?.();
    await this.logs.close();
  }

  /** Runs (or resumes) one job to its end. Never throws: the outcome is on the job row. */
  async run(jobId: string): Promise<void> {
    if (!(await this.#claim(jobId))) return;
    const job = await this.get(jobId);
    if (job.attempts > MAX_ATTEMPTS) return this.#giveUp(job);
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    const logger = new JobLogger(this.logs, jobId, await this.#lastSeq(jobId));
    const heartbeat = this.#startHeartbeat(jobId, controller);
    const { graph, checkpointer, sources } = await this.#workflowGraph(job, logger);
    try {
      const final = await this.#invokeWorkflow(job, graph, checkpointer, logger, controller.signal);
      await this.#complete(job, final, logger);
    } catch (err) {
      await this.#fail(jobId, err, controller.signal, logger);
    } finally {
      clearInterval(heartbeat);
      this.#running.delete(jobId);
      await sources.close().catch(() => undefined);
      await logger.flush().catch(() => undefined);
    }
  }

  /** Takes a QUEUED job, or one left RUNNING by a worker that stopped, for this worker. Whether it was taken. */
  async #claim(jobId: string): Promise<boolean> {
    const now = new Date();
    const claim = { status: 'RUNNING' as const, workerId: this.workerId, heartbeatAt: now, attempts: { increment: 1 } };
    // First start: RUNNING and startedAt in one write, so nobody sees a running job that never started.
    let claimed = await this.prisma.job.updateMany({ where: { id: jobId, status: 'QUEUED', startedAt: null }, data: { ...claim, startedAt: now } });
    if (claimed.count === 0) claimed = await this.prisma.job.updateMany({ where: { id: jobId, status: { in: ['QUEUED', 'RUNNING'] } }, data: claim });
    return claimed.count > 0;
  }

  /** Workers keep dying on this job: give it a final status instead of retrying for ever. */
  async #giveUp(job: Job): Promise<void> {
    const logger = new JobLogger(this.logs, job.id, await this.#lastSeq(job.id));
    const error = { code: 'STEP_FAILED', message: `gave up after ${MAX_ATTEMPTS} attempts: the workers running it stopped`, step: job.currentStep };
    await this.prisma.job.update({ where: { id: job.id }, data: { status: 'FAILED', error, finishedAt: new Date() } });
    logger.emit({ step: 'workflow', level: 'failed', message: error.message, data: { status: 'FAILED', code: error.code } });
    await logger.flush();
  }

  /** Beats every 5 s while the job runs; it also notices a cancellation whose notification was missed. */
  #startHeartbeat(jobId: string, controller: AbortController): NodeJS.Timeout {
    const heartbeat = setInterval(() => {
      void this.prisma.job
        .update({ where: { id: jobId }, data: { heartbeatAt: new Date() }, select: { status: true, workerId: true } })
        .then((j) => {
          if (j.status === 'CANCELLED') controller.abort(new TdmError('CONFLICT', 'the job was cancelled'));
          // The queue gave the job to another worker (this one stalled past its heartbeat): stop here.
          else if (j.workerId !== this.workerId) controller.abort(new TdmError('CONFLICT', 'the job was taken over by another worker'));
        })
        .catch(() => undefined);
    }, 5_000);
    heartbeat.unref();
    return heartbeat;
  }

  /** The job's workflow graph, checkpointed in the store, its steps' events logged and the current step kept on the job row. */
  async #workflowGraph(job: Job, logger: JobLogger): Promise<{ graph: WorkflowGraph; checkpointer: SqlCheckpointSaver; sources: RunSources }> {
    // Loaded with the first job: LangGraph and every step's code stay out of a server that only serves the API.
    const [{ createWorkflowGraph }, { SqlCheckpointSaver }] = await Promise.all([import('../graphs/workflow/graph.ts'), import('./checkpointer.ts')]);
    const checkpointer = new SqlCheckpointSaver(this.tdm.store.sql);
    // The job's steps open each source once (closed when the job ends).
    const sources = this.tdm.connections.runSources();
    const graph = createWorkflowGraph(job.operations as Operation[], {
      tdm: this.tdm,
      emit: (event) => {
        logger.emit(event);
        if (event.level === 'started' && event.step !== 'workflow') {
          void this.prisma.job.update({ where: { id: job.id }, data: { currentStep: event.step } }).catch(() => undefined);
        }
      },
      recordLineage: (id, edge, fallbacks) => this.recordLineage(id, edge, fallbacks),
      resolveSource: sources,
      checkpointer,
      clock: () => performance.now(),
      config: job.config as Record<string, unknown>,
    });
    return { graph, checkpointer, sources };
  }

  /** Runs the graph from the job's last checkpoint, or from its input when it has none. */
  async #invokeWorkflow(job: Job, graph: WorkflowGraph, checkpointer: SqlCheckpointSaver, logger: JobLogger, signal: AbortSignal): Promise<WorkflowFinal> {
    const operations = job.operations as Operation[];
    const threadConfig = { configurable: { thread_id: job.id }, signal, recursionLimit: 100 };
    const existing = await checkpointer.getTuple({ configurable: { thread_id: job.id } });
    if (existing) {
      const done = ((existing.checkpoint.channel_values as { completed?: string[] }).completed ?? []).join(', ') || 'nothing';
      logger.emit({
        step: 'workflow',
        level: 'progress',
        // `job` was read after the claim, which already counted this attempt.
        message: `resuming (attempt ${job.attempts}); already completed: ${done}`,
        data: { attempt: job.attempts },
      });
      return graph.invoke(null, threadConfig);
    }
    logger.emit({
      step: 'workflow',
      level: 'started',
      message: `workflow started: ${operations.join(' → ')}`,
      data: { operations, workflowId: job.workflowId },
    });
    const connectionId = (job.input as { connectionId?: string | null }).connectionId;
    const context = job.context as unknown as JobContext;
    return graph.invoke(
      {
        jobId: job.id,
        workflowId: job.workflowId,
        source: connectionId ? { connectionId } : null,
        schemas: context.schemas,
        operations,
        config: job.config as Record<string, unknown>,
        context,
      },
      threadConfig,
    );
  }

  /** Marks a job still RUNNING as COMPLETED, with its results, artifacts and final context. */
  async #complete(job: Job, final: WorkflowFinal, logger: JobLogger): Promise<void> {
    const operations = job.operations as Operation[];
    const context = job.context as unknown as JobContext;
    const finalContext: JobContext = { ...context, ...(final.context ?? {}), fallbacksUsed: final.fallbacksUsed ?? [], operations };
    const result = { operations: final.results ?? {}, artifacts: final.artifacts ?? {}, completed: final.completed ?? [] };
    const ended = await this.prisma.job.updateMany({
      where: { id: job.id, status: 'RUNNING' },
      data: {
        status: 'COMPLETED',
        result: result as object,
        context: finalContext as object,
        finishedAt: new Date(),
        currentStep: null,
        qualityScore: finalContext.qualityScore,
      },
    });
    if (ended.count)
      logger.emit({
        step: 'workflow',
        level: 'completed',
        message: `workflow completed: ${operations.join(' → ')}`,
        data: { status: 'COMPLETED', artifacts: result.artifacts },
      });
  }

  /**
   * A run that threw: cancelled (logged), stopped with its worker (left RUNNING for another worker to
   * resume) or failed (FAILED with the step's error code and a redacted message).
   */
  async #fail(jobId: string, err: unknown, signal: AbortSignal, logger: JobLogger): Promise<void> {
    const cancelled = signal.aborted && (await this.get(jobId)).status === 'CANCELLED';
    if (cancelled) {
      logger.emit({ step: 'workflow', level: 'failed', message: 'cancelled', data: { status: 'CANCELLED' } });
      return;
    }
    // This worker is stopping: leave the job RUNNING for another worker to resume.
    if (signal.aborted) return;
    const e = err instanceof TdmError ? err : new TdmError('STEP_FAILED', (err as Error)?.message ?? String(err), { cause: err });
    const cause = e.cause instanceof TdmError ? e.cause : null;
    const error = { code: cause?.code ?? e.code, message: redactSecrets(e.message, []), step: (e.details as { step?: string }).step ?? null };
    await this.prisma.job.updateMany({ where: { id: jobId, status: 'RUNNING' }, data: { status: 'FAILED', error, finishedAt: new Date() } });
    logger.emit({ step: 'workflow', level: 'failed', message: error.message, data: { status: 'FAILED', code: error.code, step: error.step } });
  }

  async recordLineage(jobId: string, edge: LineageEdgeInput, fallbacks: string[]): Promise<void> {
    await recordLineage(this.prisma, jobId, [edge], fallbacks);
  }

  isTerminal(status: string): boolean {
    return (TERMINAL_STATUSES as readonly string[]).includes(status);
  }

  async #lastSeq(jobId: string): Promise<number> {
    const last = await this.prisma.jobLog.findFirst({ where: { jobId }, orderBy: { seq: 'desc' }, select: { seq: true } });
    return last?.seq ?? 0;
  }
}

export { OPERATIONS };
