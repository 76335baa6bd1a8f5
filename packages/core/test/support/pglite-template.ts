/**
 * A PGlite data directory initialised once for the whole test run, and the way every PGlite a test
 * file opens starts from it instead of running initdb (seconds of WASM each time).
 *
 * - `setup` (a vitest globalSetup) runs initdb once into a directory under the system temporary
 *   folder, keyed by the PGlite version, and keeps it with a tarball of it for the next runs. It
 *   provides both paths to the test files as `pgliteTemplate`.
 * - `usePgliteTemplate` (called by the setup file of each test file) wraps `PGlite.create`: a data
 *   directory that is missing or empty gets a copy of the template, and an in-memory database is
 *   loaded from the tarball. Each copy gets its own system identifier (see pg-identity.ts), as its
 *   own initdb would have given it. Everything else (an existing database, a caller's own `loadDataDir`)
 *   goes through unchanged, and the product code under test is not touched: initdb is PGlite's own
 *   step, the same bytes every time for a version.
 */
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { controlCrcOffset, renewSystemIdentifier } from './pg-identity.ts';

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

const WAL_SEGMENT = /^[0-9A-F]{24}$/;
/** Bytes of a WAL segment that hold its long page header. */
const WAL_HEAD_BYTES = 64;

/** Gives the copy of the template in `dir` its own system identifier. */
function renewDirectoryIdentity(dir: string): void {
  const controlPath = join(dir, 'global', 'pg_control');
  const control = readFileSync(controlPath);
  const segments = readdirSync(join(dir, 'pg_wal')).filter((name) => WAL_SEGMENT.test(name));
  const heads = segments.map((name) => {
    const fd = openSync(join(dir, 'pg_wal', name), 'r');
    try {
      const head = Buffer.alloc(WAL_HEAD_BYTES);
      readSync(fd, head, 0, WAL_HEAD_BYTES, 0);
      return head;
    } finally {
      closeSync(fd);
    }
  });
  renewSystemIdentifier(control, controlCrcOffset(control), heads);
  writeFileSync(controlPath, control);
  for (const [i, name] of segments.entries()) {
    const fd = openSync(join(dir, 'pg_wal', name), 'r+');
    try {
      writeSync(fd, heads[i] as Buffer, 0, WAL_HEAD_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  }
}

/** Offsets of the data of the tarball's members, by path (leading '/' removed); ustar headers only. */
function tarMembers(tar: Buffer): Map<string, { at: number; size: number }> {
  const members = new Map<string, { at: number; size: number }>();
  const text = (from: number, length: number) => tar.toString('latin1', from, from + length).replace(/\0.*$/s, '');
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const size = Number.parseInt(text(at + 124, 12).trim() || '0', 8);
    const prefix = text(at + 345, 155);
    const name = (prefix ? `${prefix}/${text(at, 100)}` : text(at, 100)).replace(/^\/+/, '');
    members.set(name, { at: at + 512, size });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

/** The template tarball with its own system identifier, as a Blob for `loadDataDir`. */
function tarballCopy(template: Buffer, members: Map<string, { at: number; size: number }>): Blob {
  const tar = Buffer.from(template);
  const control = members.get('global/pg_control');
  if (!control) throw new Error('template tarball without global/pg_control');
  const controlBytes = tar.subarray(control.at, control.at + control.size);
  const heads = [...members.entries()]
    .filter(([name]) => name.startsWith('pg_wal/') && WAL_SEGMENT.test(name.slice('pg_wal/'.length)))
    .map(([, m]) => tar.subarray(m.at, m.at + Math.min(m.size, WAL_HEAD_BYTES)));
  renewSystemIdentifier(controlBytes, controlCrcOffset(controlBytes), heads);
  return new Blob([tar]);
}

let installed = false;

/** Makes `PGlite.create` start fresh databases from `template` in this process. */
export function usePgliteTemplate(template: PgliteTemplate): void {
  if (installed) return;
  installed = true;
  let tarball: { bytes: Buffer; members: Map<string, { at: number; size: number }> } | undefined;
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
        return create(options);
      }
      renewDirectoryIdentity(dir);
      return create(options);
    }
    if (options.dataDir && !options.dataDir.startsWith('memory://')) return create(options);
    if (!tarball) {
      const bytes = readFileSync(template.tarball);
      tarball = { bytes, members: tarMembers(bytes) };
    }
    return create({ ...options, loadDataDir: tarballCopy(tarball.bytes, tarball.members) });
  };
  (PGlite as unknown as { create: typeof withTemplate }).create = withTemplate;
}
