// `npm test`: generate → check generated files are committed → migrations, lint and typecheck side by side → every test.
// Tests use the PostgreSQL at 127.0.0.1:5432 when it answers (TDM_TEST_PG_URL overrides) and PGlite always.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const env = { FORCE_COLOR: '1', ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const step = (title, cmd, args) => {
  console.log(`\n▶ ${title}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`\n✖ ${title} failed`);
    process.exit(r.status ?? 1);
  }
};

step('generate', 'npx', ['turbo', 'run', 'generate', '--output-logs=errors-only']);
if (existsSync('.git')) {
  // A generated file that differs from the committed one means someone changed the schema without regenerating.
  step('generated files are up to date', 'git', [
    'diff',
    '--exit-code',
    '--stat',
    '--',
    'packages/server/schema.graphql',
    'packages/sdk/src/graphql-env.ts',
    'apps/studio/src/lib/graphql-env.ts',
  ]);
}

/** Runs `cmd` with its output kept until it ends (checks that run side by side print one after the other). */
const quietly = (title, cmd, args) =>
  new Promise((resolve) => {
    const chunks = [];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.on('error', (err) => resolve({ title, cmd, args, status: 1, output: Buffer.from(String(err)) }));
    child.on('close', (status) => resolve({ title, cmd, args, status, output: Buffer.concat(chunks) }));
  });
// The checks below are independent of each other: the migration check and Biome run while turbo type-checks.
const checks = await Promise.all([
  quietly('migrations match prisma/schema.prisma', 'npx', ['tsx', 'packages/core/scripts/migrations.ts', 'check']),
  quietly('lint', 'npx', ['biome', 'check', '.']),
  quietly('typecheck', 'npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']),
]);
for (const { title, cmd, args, output } of checks) {
  console.log(`\n▶ ${title}: ${[cmd, ...args].join(' ')}`);
  process.stdout.write(output);
}
const failed = checks.filter((c) => c.status !== 0);
for (const { title } of failed) console.error(`\n✖ ${title} failed`);
if (failed.length) process.exit(failed[0].status ?? 1);

const report = '.vitest-report.json';
rmSync(report, { force: true });
const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});
let summary = null;
try {
  summary = JSON.parse(readFileSync(report, 'utf8'));
} catch {}
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(`\ntests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`);
}
rmSync(report, { force: true });
process.exit(r.status ?? 1);
