/**
 * The embedded databases a first start opens — the demo source it seeds and the default target whose
 * identity it checks, both PGlite — are opened in a short-lived child process: a PGlite instance holds
 * ~200 MB of WebAssembly memory that a closed instance does not reliably give back to the system, and
 * the server that opened them would idle at twice its size.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface EmbeddedSetupRequest {
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

export async function runEmbeddedSetup(request: EmbeddedSetupRequest): Promise<EmbeddedSetupResult> {
  const self = import.meta.url;
  const fromSource = self.endsWith('.ts');
  const script = fileURLToPath(new URL(`./embedded-setup.child.${fromSource ? 'ts' : 'js'}`, self));
  // Run from TypeScript (tests, tsx): the child loads its source through tsx too.
  const loader = fromSource ? ['--import', pathToFileURL(createRequire(self).resolve('tsx')).href] : [];
  const child = spawn(process.execPath, [...loader, script, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const line = stdout.trim().split('\n').at(-1);
  if (code !== 0 || !line) {
    throw new Error(`setting up the embedded demo source / default target failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
  }
  return JSON.parse(line) as EmbeddedSetupResult;
}
