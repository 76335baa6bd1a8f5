/**
 * The child process of `runEmbeddedSetup()` (embedded-setup.ts): seeds the embedded demo source and
 * reads the embedded default target's server identity (creating it), then exits, taking the
 * WebAssembly memory of both PGlite instances with it. Input: one JSON argument; output: one JSON line.
 */
import { openSqlClient } from '../db/open.ts';
import { serverIdentity } from '../store/target-safety.ts';
import type { EmbeddedSetupRequest, EmbeddedSetupResult } from './embedded-setup.ts';

const request = JSON.parse(process.argv[2] ?? '{}') as EmbeddedSetupRequest;
const result: EmbeddedSetupResult = {};
try {
  if (request.demoUrl) {
    const { ensureDemoSource } = await import('./demo-source.ts');
    result.seeded = await ensureDemoSource(request.demoUrl);
  }
  if (request.targetUrl) {
    const sql = await openSqlClient(request.targetUrl);
    try {
      result.targetIdentity = await serverIdentity(sql);
    } finally {
      await sql.close();
    }
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
