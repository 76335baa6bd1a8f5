/**
 * The child process of `runEmbeddedSetup()` (embedded-setup.ts): creates the embedded metadata store
 * (initdb and migrations), seeds the embedded demo source and reads the embedded default target's
 * server identity (creating it), then exits, taking the WebAssembly memory of every PGlite instance
 * with it. Input: one JSON argument; output: JSON lines, `{"log": …}` then one `{"result": …}`.
 */
import { openSqlClient } from '../db/open.ts';
import { serverIdentity } from '../store/target-safety.ts';
import type { EmbeddedSetupRequest, EmbeddedSetupResult } from './embedded-setup.ts';

const request = JSON.parse(process.argv[2] ?? '{}') as EmbeddedSetupRequest;
const result: EmbeddedSetupResult = {};
const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
try {
  if (request.metadataUrl) {
    const { openMetadataStore } = await import('../store/metadata.ts');
    const store = await openMetadataStore(request.metadataUrl, { log: (log) => emit({ log }) });
    await store.close();
  }
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
  emit({ result });
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
