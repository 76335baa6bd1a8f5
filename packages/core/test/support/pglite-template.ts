/**
 * A PGlite data directory initialised once for the whole test run, and the way every PGlite a test
 * file opens starts from it instead of running initdb (seconds of WASM each time).
 *
 * - `setup` (a vitest globalSetup) runs initdb once into a directory under the system temporary
 *   folder, keyed by the PGlite version, and keeps it with a tarball of it for the next runs. It
 *   provides both paths to the test files as `pgliteTemplate`.
 * - `usePgliteTemplate` (called by the setup file of each test file) wraps `PGlite.create`: a data
 *   directory that is missing or empty gets a copy of the template, and an in-memory database is
 *   loaded from the tarball. Everything else (an existing database, a caller's own `loadDataDir`)
 *   goes through unchanged, and the product code under test is not touched: initdb is PGlite's own
 *   step, the same bytes every time for a version.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

export interface PgliteTemplate {
  /** A data directory right after initdb (PG_VERSION and all). */
  dir: string;
  /** The same directory as an uncompressed tarball (`dumpDataDir('none')`), for in-memory databases. */
  tarball: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: PgliteTemplate | null;
  }
}

/** The installed PGlite's version: a template is only ever reused by the version that made it. */
function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@electric-sql/pglite');
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Builds the template (once per PGlite version on this machine) and returns where it is. */
export async function buildPgliteTemplate(): Promise<PgliteTemplate> {
  const home = join(tmpdir(), `tdm-test-pglite-template-${pgliteVersion()}`);
  const template = { dir: join(home, 'data'), tarball: join(home, 'data.tar') };
  if (existsSync(join(template.dir, 'PG_VERSION')) && existsSync(template.tarball)) return template;
  // Built aside and renamed into place, so a concurrent run never sees half a template.
  const building = await mkdtemp(join(tmpdir(), 'tdm-test-pglite-template-building-'));
  const db = await PGlite.create(join(building, 'data'));
  try {
    const tar = await db.dumpDataDir('none');
    writeFileSync(join(building, 'data.tar'), Buffer.from(await tar.arrayBuffer()));
  } finally {
    await db.close();
  }
  try {
    renameSync(building, home);
  } catch {
    // Another run put its template there first: use that one.
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

/** vitest globalSetup: the template for every test file of the project. */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('pgliteTemplate', await buildPgliteTemplate());
}

/** What `PGlite.create(dataDir?, options?)` was asked for, as one options object. */
function createOptions(dataDirOrOptions?: string | PGliteOptions, options?: PGliteOptions): PGliteOptions {
  return typeof dataDirOrOptions === 'string' ? { ...options, dataDir: dataDirOrOptions } : { ...(dataDirOrOptions ?? options) };
}

/** A data directory on disk (not `memory://`, `idb://`) that holds nothing yet. */
function freshDirectory(dataDir: string): string | null {
  if (/^(?:memory|idb|opfs-ahp):\/\//.test(dataDir)) return null;
  const dir = resolve(dataDir.replace(/^file:\/\//, ''));
  if (!existsSync(dir)) return dir;
  return readdirSync(dir).length === 0 ? dir : null;
}

let installed = false;

/** Makes `PGlite.create` start fresh databases from `template` in this process. */
export function usePgliteTemplate(template: PgliteTemplate): void {
  if (installed) return;
  installed = true;
  let tarball: Blob | undefined;
  const create = PGlite.create.bind(PGlite) as (options: PGliteOptions) => Promise<PGlite>;
  const withTemplate = async (dataDirOrOptions?: string | PGliteOptions, more?: PGliteOptions): Promise<PGlite> => {
    const options = createOptions(dataDirOrOptions, more);
    if (options.noInitDb || options.loadDataDir || options.fs) return create(options);
    const dir = options.dataDir ? freshDirectory(options.dataDir) : null;
    if (dir) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        cpSync(template.dir, dir, { recursive: true });
      } catch {
        // Not a directory we can write: PGlite's own open reports it as it would have.
      }
      return create(options);
    }
    if (options.dataDir && !options.dataDir.startsWith('memory://')) return create(options);
    tarball ??= new Blob([readFileSync(template.tarball)]);
    return create({ ...options, loadDataDir: tarball });
  };
  (PGlite as unknown as { create: typeof withTemplate }).create = withTemplate;
}
