// Runs after `npm install`/`npm ci` in the repo root: generate code and build the SDK and the CLI so that
// `import { TdmClient } from '@tdm/sdk'` resolves and `npx tdm` runs right away.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
if (existsSync('node_modules/.bin/turbo')) {
  execSync('npx turbo run build --filter=@tdm/sdk --filter=@tdm/cli --output-logs=errors-only', {
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
}
