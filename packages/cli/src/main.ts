/**
 * `tdm`: a command-line client of the TDM API (through `@tdm/sdk`), for CI pipelines and terminals.
 * `tdm worker` and `tdm token` are the engine's own commands and run only inside a TDM installation.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { datasets, DATASETS_HELP } from './commands/datasets.ts';
import { jobs, JOBS_HELP } from './commands/jobs.ts';
import { DISCOVER_HELP, discover, ENV_HELP, env, LINEAGE_HELP, lineage, PII_HELP, pii, TESTCASE_HELP, testcase } from './commands/misc.ts';
import { QUALITY_HELP, quality } from './commands/quality.ts';
import { RUN_HELP, run } from './commands/run.ts';
import { describeError } from './errors.ts';
import { CliError, EXIT } from './exit-codes.ts';

export { EXIT } from './exit-codes.ts';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string; summary: string }> = {
  run: { run, help: RUN_HELP, summary: 'run a workflow and provision its data; exit 0 when it COMPLETED' },
  datasets: { run: datasets, help: DATASETS_HELP, summary: 'list, show and export dataset versions' },
  jobs: { run: jobs, help: JOBS_HELP, summary: 'list jobs, follow logs, trace, cancel' },
  discover: { run: discover, help: DISCOVER_HELP, summary: 'read a source database into a schema version' },
  pii: { run: pii, help: PII_HELP, summary: 'classify the PII columns of a schema version' },
  testcase: { run: testcase, help: TESTCASE_HELP, summary: 'analyze a test case for its entities and fields' },
  env: { run: env, help: ENV_HELP, summary: 'list and add target environments' },
  lineage: { run: lineage, help: LINEAGE_HELP, summary: 'the lineage graph around a job or artifact' },
  quality: { run: quality, help: QUALITY_HELP, summary: 'the quality report of a dataset version' },
};

export const HELP = `tdm — test data for a test suite, from a TDM server

Usage: tdm <command> [flags]

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}
  worker     run queued jobs (inside a TDM installation)
  token      create|list|revoke API tokens (inside a TDM installation)

Every command takes --api <url> (TDM_URL, default http://localhost:8003/graphql), --token <token>
(TDM_TOKEN), --json (exactly one JSON object on stdout) and --help.

Exit codes: 0 ok · 1 job FAILED/CANCELLED · 2 usage · 3 API error (typed, e.g. NOT_FOUND) ·
4 API unreachable or token refused · 5 quality below --min-quality · 6 timeout`;

/** Runs `tdm` with `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? COMMANDS[rest[0] ?? ''] : undefined;
    console.log(topic?.help ?? HELP);
    return command ? EXIT.OK : EXIT.USAGE;
  }
  if (command === 'worker' || command === 'token') return engineCommand(argv);
  const cmd = COMMANDS[command];
  const json = rest.includes('--json');
  try {
    if (!cmd) throw new CliError('USAGE', `unknown command ${JSON.stringify(command)} (tdm --help)`, EXIT.USAGE);
    return await cmd.run(rest);
  } catch (err) {
    const e = describeError(err);
    process.stderr.write(`tdm ${command}: error ${e.code}: ${e.message}\n`);
    if (json && e.exitCode !== EXIT.USAGE) process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
    return e.exitCode;
  }
}

/** `tdm worker` / `tdm token` run the engine's own command (packages/core) in a child process. */
async function engineCommand(argv: string[]): Promise<number> {
  let args: string[];
  try {
    // The built engine (packages/core/dist) when it is there; its TypeScript source through tsx otherwise.
    const script = fileURLToPath(import.meta.resolve('@tdm/core/bin/tdm'));
    const source = script.replace(/([\\/])dist([\\/])(.*)\.js$/, '$1src$2$3.ts');
    args = script.endsWith('.js') && existsSync(script) ? [script] : ['--import', import.meta.resolve('tsx'), existsSync(source) ? source : script];
  } catch {
    process.stderr.write(
      `tdm ${argv[0]}: error USAGE: this command runs inside a TDM installation (the repository, with @tdm/core); use \`npm run worker\` there\n`,
    );
    return EXIT.USAGE;
  }
  // Set before node starts, as `npm start` does for the API: the engine's young generation (unless
  // NODE_OPTIONS chose one) and glibc's mmap threshold (unless GLIBC_TUNABLES is set).
  const flags = process.env.NODE_OPTIONS?.includes('--max-semi-space-size') ? [] : ['--max-semi-space-size=4'];
  const env = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072', ...process.env };
  const child = spawn(process.execPath, [...flags, ...args, ...argv], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1))));
}
