import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ExecuteWorkflowInput, Job, JobTrace, TdmClient } from '@tdm/sdk';
import { clientFor, globals, list, number, parse, rowCounts } from '../args.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { Output } from '../output.ts';
import { StepProgress } from '../progress.ts';
import { resolveConnection } from './resolve.ts';

export const RUN_HELP = `tdm run — provision test data: run a workflow, stream its steps, exit 0 when it COMPLETED

Inputs (at least one):
  --connection-string <url>   a source database (postgresql://…, pglite://<dir>)
  --connection <name|id>      a registered connection
  --test-case <file>          test-case text (Gherkin, Playwright, Cypress, Selenium); repeatable: one run per file
  --url <url>                 a web form to generate rows for; repeatable
  --domain <pack>             a domain pack (ecommerce, banking, …) with --scenario <name>
Plan:
  --operations a,b,…          discover,pii,subset,mask,synthetic,provision; planned from the inputs when absent
  --template A|B|C|D          a named workflow template
  --schemas a,b               source schemas (default public)
  --rows '*=1000,orders=5000' rows per table: subset caps for a source, counts for synthetic data
Target:
  --target-env <name>         provision into this environment
  --create-env <url>          register --target-env with this connection string first when it does not exist
  --reset                     empty the target tables before loading
  --migrate                   bring the target's schema to the dataset's (non-destructive changes) and load, in one transaction
Result:
  --min-quality <score>       exit 5 when the job's quality score is below it (or it has none)
  --timeout <seconds>         exit 6 when the job has not ended by then (default 3600)
  --json                      print exactly one JSON object on stdout:
                              { jobId, workflowId, status, datasetVersionIds, provisionedTables, rowCounts,
                                qualityScore, fallbacksUsed, durationMs, error }
  --api <url>  --token <token>  (default TDM_URL / TDM_TOKEN)

Examples:
  tdm run --connection demo --operations discover,subset,provision --rows '*=500' --target-env default --reset
  tdm run --test-case features/signup.feature --rows 'users=200' --target-env ci --create-env "$TEST_DATABASE_URL"
  tdm run --domain ecommerce --scenario b2c --rows '*=1000' --target-env default --json > tdm-result.json`;

const OPTIONS = {
  'connection-string': { type: 'string' },
  connection: { type: 'string' },
  schemas: { type: 'string' },
  operations: { type: 'string' },
  rows: { type: 'string' },
  'test-case': { type: 'string', multiple: true },
  url: { type: 'string', multiple: true },
  domain: { type: 'string' },
  scenario: { type: 'string' },
  template: { type: 'string' },
  'target-env': { type: 'string' },
  'create-env': { type: 'string' },
  reset: { type: 'boolean', default: false },
  migrate: { type: 'boolean', default: false },
  'min-quality': { type: 'string' },
  timeout: { type: 'string' },
} as const;

const OPERATIONS = ['discover', 'pii', 'subset', 'mask', 'synthetic', 'provision'];

export interface RunResult {
  jobId: string;
  workflowId: string;
  status: string;
  datasetVersionIds: string[];
  provisionedTables: JobTrace['provisionedTables'];
  rowCounts: Record<string, number>;
  qualityScore: number | null;
  fallbacksUsed: string[];
  durationMs: number;
  error: { code: string; message: string } | null;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS);
  if (values.help) {
    console.log(RUN_HELP);
    return EXIT.OK;
  }
  const g = globals(values);
  const out = new Output(g.json);
  const minQuality = number(values['min-quality'], '--min-quality');
  const timeoutMs = (number(values.timeout, '--timeout') ?? 3600) * 1000;
  const operations = list(values.operations);
  for (const op of operations ?? [])
    if (!OPERATIONS.includes(op)) throw usageError(`--operations: unknown operation ${JSON.stringify(op)} (${OPERATIONS.join(', ')})`);
  if (values['create-env'] && !values['target-env']) throw usageError('--create-env needs --target-env <name>');
  if (values.migrate && values.reset) throw usageError('--migrate and --reset exclude each other: migrate keeps the target, reset replaces it');
  const rows = rowCounts(values.rows);
  const testCases = await Promise.all((values['test-case'] ?? []).map(async (file) => ({ file, content: await readFile(file, 'utf8') })));
  const hasInput = values['connection-string'] || values.connection || testCases.length || values.url?.length || values.domain;
  if (!hasInput) throw usageError('tdm run needs an input: --connection-string, --connection, --test-case, --url or --domain (tdm run --help)');

  const client = clientFor(g);
  try {
    const connectionId = values.connection ? await resolveConnection(client, values.connection) : undefined;
    if (values['create-env']) await ensureEnvironment(client, values['target-env']!, values['create-env'], Boolean(values.reset), out);
    const config: Record<string, unknown> = {};
    if (values['target-env'] || values.reset || values.migrate)
      config.provision = {
        ...(values['target-env'] ? { targetEnv: values['target-env'] } : {}),
        resetEnv: values.reset,
        ...(values.migrate ? { migrate: true } : {}),
      };
    const hasSource = Boolean(values['connection-string'] || connectionId);
    if (rows && hasSource) config.subset = { maxRowsPerTable: rows };
    const base: ExecuteWorkflowInput = {
      connectionString: values['connection-string'] ?? null,
      connectionId: connectionId ?? null,
      schemas: list(values.schemas) ?? null,
      operations: (operations as ExecuteWorkflowInput['operations']) ?? null,
      template: values.template ?? null,
      rowCounts: rows ?? null,
      testCaseUrls: values.url ?? null,
      domain: values.domain ?? null,
      scenario: values.scenario ?? null,
      config: Object.keys(config).length ? config : null,
    };
    const inputs: ExecuteWorkflowInput[] = testCases.length
      ? testCases.map((tc) => ({ ...base, testCaseContent: tc.content, testCaseFileName: basename(tc.file) }))
      : [base];

    const results: RunResult[] = [];
    for (const input of inputs) {
      const result = await runOne(client, input, out, timeoutMs);
      results.push(result);
      if (result.status !== 'COMPLETED') break;
    }
    const result = merge(results);
    let exit: number = result.status === 'COMPLETED' ? EXIT.OK : result.error?.code === 'TIMEOUT' ? EXIT.TIMEOUT : EXIT.JOB_FAILED;
    if (exit === EXIT.OK && minQuality !== undefined && (result.qualityScore === null || result.qualityScore < minQuality)) {
      result.error = {
        code: 'QUALITY_BELOW_MINIMUM',
        message: `quality score ${result.qualityScore ?? 'none'} is below --min-quality ${minQuality}`,
      };
      exit = EXIT.QUALITY;
    }
    summary(out, result);
    if (g.json) out.result(result);
    return exit;
  } finally {
    await client.close();
  }
}

/** Registers the target when it does not exist yet; with --reset it is registered as one provisioning may reset. */
async function ensureEnvironment(client: TdmClient, name: string, connectionString: string, allowReset: boolean, out: Output): Promise<void> {
  const existing = await client.environments.list();
  if (existing.some((e) => e.name === name)) return;
  await client.environments.create({ name, connectionString, allowReset });
  out.line(`registered environment ${name}`);
}

async function runOne(client: TdmClient, input: ExecuteWorkflowInput, out: Output, timeoutMs: number): Promise<RunResult> {
  const started = Date.now();
  const queued = await client.workflows.execute(input);
  out.line(`job ${queued.jobId} (workflow ${queued.workflowId}): ${queued.operations.join(' → ')}`);
  const progress = new StepProgress(queued.operations, { toStderr: out.json });
  // Ctrl-C or a CI runner's SIGTERM cancels the job rather than leaving it running unobserved.
  const cancel = () => {
    client.jobs.cancel(queued.jobId).finally(() => process.exit(130));
  };
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    progress.fail(`timed out after ${timeoutMs / 1000} s`);
    client.jobs.close();
  }, timeoutMs);
  try {
    for await (const ev of client.jobs.logs(queued.jobId)) progress.event(ev);
  } catch (err) {
    if (!timedOut) throw err;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
    await progress.end();
  }
  let job: Job = await client.jobs.get(queued.jobId);
  if (!timedOut && !['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) job = await client.jobs.waitFor(queued.jobId, { timeoutMs: 30_000 });
  const trace = await client.jobs.trace(queued.jobId);
  const jobError = job.error;
  return {
    jobId: queued.jobId,
    workflowId: queued.workflowId,
    status: timedOut ? 'TIMEOUT' : job.status,
    datasetVersionIds: trace.datasetVersionIds,
    provisionedTables: trace.provisionedTables,
    rowCounts: Object.fromEntries(trace.rowCounts.map((c) => [c.table, c.rowCount])),
    qualityScore: job.qualityScore ?? null,
    fallbacksUsed: trace.fallbacksUsed,
    durationMs: Date.now() - started,
    error: timedOut
      ? { code: 'TIMEOUT', message: `job ${queued.jobId} did not end within ${timeoutMs / 1000} s (status ${job.status})` }
      : job.status === 'COMPLETED'
        ? null
        : { code: jobError?.code ?? job.status, message: jobError?.message ?? `job ${job.status}` },
  };
}

/** Several test-case files run as several jobs; their results add up, the first failure decides. */
function merge(results: RunResult[]): RunResult {
  if (results.length === 1) return results[0]!;
  const failed = results.find((r) => r.status !== 'COMPLETED');
  const scores = results.map((r) => r.qualityScore).filter((s): s is number => s !== null);
  return {
    ...results[0]!,
    status: failed?.status ?? 'COMPLETED',
    datasetVersionIds: results.flatMap((r) => r.datasetVersionIds),
    provisionedTables: results.flatMap((r) => r.provisionedTables),
    rowCounts: Object.assign({}, ...results.map((r) => r.rowCounts)),
    qualityScore: scores.length === results.length ? Math.min(...scores) : null,
    fallbacksUsed: results.flatMap((r) => r.fallbacksUsed),
    durationMs: results.reduce((s, r) => s + r.durationMs, 0),
    error: failed?.error ?? null,
  };
}

function summary(out: Output, r: RunResult): void {
  const rows = Object.values(r.rowCounts).reduce((s, n) => s + (typeof n === 'number' ? n : 0), 0);
  out.line(`${r.status} in ${(r.durationMs / 1000).toFixed(1)} s — job ${r.jobId}`);
  out.line(`  datasets: ${r.datasetVersionIds.join(', ') || 'none'}`);
  out.line(`  tables:   ${Object.keys(r.rowCounts).length} (${rows} rows)`);
  if (r.provisionedTables.length) {
    const envs = [...new Set(r.provisionedTables.map((t) => t.environment))].join(', ');
    out.line(`  provisioned: ${r.provisionedTables.length} tables into ${envs}`);
  }
  out.line(`  quality:  ${r.qualityScore ?? 'not scored'}`);
  if (r.fallbacksUsed.length) out.line(`  fallbacks: ${r.fallbacksUsed.join('; ')}`);
  if (r.error) out.line(`  error ${r.error.code}: ${r.error.message}`);
}
