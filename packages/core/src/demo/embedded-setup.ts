/**
 * The embedded databases a first start opens — the metadata store it creates, the demo source it seeds
 * and the default target whose identity it checks, all PGlite — are opened in a short-lived child process: a PGlite instance holds
 * ~200 MB of WebAssembly memory that a closed instance does not reliably give back to the system, and
 * the server that opened them would idle at twice its size.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface EmbeddedSetupRequest {
  /** `pglite://` metadata store to create (initdb) and migrate; nothing else may have it open. */
  metadataUrl?: string | null;
  /** `pglite://` demo source to seed unless it already holds the demo tables. */
  demoUrl?: string | null;
  /** `pglite://` target to open (created when missing) for its server identity. */
  targetUrl?: string | null;
}

export interface EmbeddedSetupResult {
  /** Whether the demo source was seeded (set when `demoUrl` was given). */
  seeded?: boolean;
  /** The target's `serverIdentity()` (set when `targetUrl` was given). */
  targetIdentity?: string;
}

/** `log` receives the child's progress lines (migrations applied). */
export async function runEmbeddedSetup(request: EmbeddedSetupRequest, log: (msg: string) => void = () => {}): Promise<EmbeddedSetupResult> {
  const self = import.meta.url;
  const fromSource = self.endsWith('.ts');
  const script = fileURLToPath(new URL(`./embedded-setup.child.${fromSource ? 'ts' : 'js'}`, self));
  // Run from TypeScript (tests, tsx): the child loads its source through tsx too.
  const loader = fromSource ? ['--import', pathToFileURL(createRequire(self).resolve('tsx')).href] : [];
  const child = spawn(process.execPath, [...loader, script, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let pending = '';
  let stderr = '';
  let result: EmbeddedSetupResult | undefined;
  const onLine = (line: string) => {
    if (!line.trim()) return;
    let message: { log?: string; result?: EmbeddedSetupResult };
    try {
      const parsed: unknown = JSON.parse(line);
      message = typeof parsed === 'object' && parsed !== null ? parsed : { log: line };
    } catch {
      // Something the child's libraries printed themselves.
      message = { log: line };
    }
    if (message.log !== undefined) log(message.log);
    if (message.result) result = message.result;
  };
  child.stdout.on('data', (d: Buffer) => {
    const lines = (pending + d.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  onLine(pending);
  if (code !== 0 || !result) {
    throw new Error(`setting up the embedded databases failed (exit ${code}): ${stderr.trim() || 'no result'}`);
  }
  return result;
}
