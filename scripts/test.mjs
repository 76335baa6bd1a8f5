// `npm test`: generate → check generated files are committed → lint → typecheck → every test.
// Tests use the PostgreSQL at 127.0.0.1:5432 when it answers (TDM_TEST_PG_URL overrides) and PGlite always.
import { spawnSync } from 'node:child_process';
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
step('migrations match prisma/schema.prisma', 'npx', ['tsx', 'packages/core/scripts/migrations.ts', 'check']);
step('lint', 'npx', ['biome', 'check', '.']);
step('typecheck', 'npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']);

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
