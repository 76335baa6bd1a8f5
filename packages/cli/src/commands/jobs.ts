import type { JobStatus } from '@tdm/sdk';
import { clientFor, globals, number, parse, positional } from '../args.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { Output } from '../output.ts';

export const JOBS_HELP = `tdm jobs — workflow runs

  tdm jobs list [--status QUEUED|RUNNING|COMPLETED|FAILED|CANCELLED] [--limit 20]
  tdm jobs logs <id> [--follow]     stored log events; --follow streams live ones until the job ends
  tdm jobs trace <id>               what the job read, made and provisioned
  tdm jobs cancel <id>

Examples:
  tdm jobs list --status FAILED --limit 5
  tdm jobs logs "$JOB_ID" --follow`;

const OPTIONS = { status: { type: 'string' }, limit: { type: 'string' }, follow: { type: 'boolean', short: 'f', default: false } } as const;

export async function jobs(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  const [sub] = positionals;
  if (values.help || !sub) {
    console.log(JOBS_HELP);
    return values.help ? EXIT.OK : EXIT.USAGE;
  }
  const g = globals(values);
  const out = new Output(g.json);
  const client = clientFor(g);
  try {
    if (sub === 'list') {
      const list = await client.jobs.list({ status: (values.status as JobStatus | undefined) ?? undefined, limit: number(values.limit, '--limit') ?? 20 });
      if (g.json) out.result({ jobs: list });
      else out.table(list, ['id', 'status', 'operations', 'qualityScore', 'createdAt', 'finishedAt']);
    } else if (sub === 'logs') {
      const id = positional(positionals, 1, 'id');
      const events = [];
      const source = values.follow ? client.jobs.logs(id) : (await client.jobs.history(id))[Symbol.iterator]();
      for await (const ev of source as AsyncIterable<Awaited<ReturnType<typeof client.jobs.history>>[number]>) {
        if (g.json) events.push(ev);
        else out.line(`${ev.at}  ${ev.step.padEnd(9)} ${ev.level.padEnd(9)} ${ev.message}`);
      }
      if (g.json) out.result({ jobId: id, events });
    } else if (sub === 'trace') {
      const id = positional(positionals, 1, 'id');
      await client.jobs.get(id); // an unknown id is NOT_FOUND (exit 3), not a failed trace
      const trace = await client.jobs.trace(id);
      if (g.json) out.result(trace);
      else {
        out.line(`job ${trace.jobId} ${trace.status}: ${trace.operations.join(' → ')}`);
        out.line(`  schema versions: ${trace.schemaVersionIds.join(', ') || 'none'}`);
        out.line(`  datasets:        ${trace.datasetVersionIds.join(', ') || 'none'}`);
        if (trace.fallbacksUsed.length) out.line(`  fallbacks:       ${trace.fallbacksUsed.join('; ')}`);
        if (trace.provisionedTables.length) out.table(trace.provisionedTables, ['environment', 'schema', 'table', 'rowCount']);
      }
    } else if (sub === 'cancel') {
      const job = await client.jobs.cancel(positional(positionals, 1, 'id'));
      if (g.json) out.result(job);
      else out.line(`job ${job.id}: ${job.status}`);
    } else {
      throw usageError(`unknown jobs command ${JSON.stringify(sub)} (list, logs, trace, cancel)`);
    }
  } finally {
    await client.close();
  }
  return EXIT.OK;
}
