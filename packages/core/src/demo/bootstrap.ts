/**
 * What a fresh start needs: the demo source database with a stored connection named "demo", and
 * the default target environment ("default", from TARGET_DATABASE_URL or an embedded PGlite).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConnectionString } from '../db/url.ts';
import type { TdmConfig } from '../config.ts';
import type { Tdm } from '../runtime.ts';
import { splitPassword } from '../store/connections.ts';
import { type EmbeddedSetupRequest, type EmbeddedSetupResult, runEmbeddedSetup } from './embedded-setup.ts';

export interface BootstrapOptions {
  /**
   * Open the embedded (PGlite) demo source and default target in a short-lived child process (default
   * true), so that their WebAssembly memory (~200 MB each) leaves with it; false opens them here.
   */
  embeddedInChild?: boolean;
}

/**
 * Before the metadata store is opened: an embedded (`pglite://`) one that does not exist yet is created
 * and migrated in a short-lived child process (initdb alone peaks at several hundred MB), so that this
 * process opens an existing database, as on a restart. Returns whether it created it.
 */
export async function prepareEmbeddedMetadata(config: TdmConfig, log: (msg: string) => void = () => {}): Promise<boolean> {
  const dir = embeddedDir(config.databaseUrl);
  if (dir === null || existsSync(join(dir, 'PG_VERSION'))) return false;
  mkdirSync(config.dataDir, { recursive: true });
  await runEmbeddedSetup({ metadataUrl: config.databaseUrl }, log);
  return true;
}

export async function bootstrap(tdm: Tdm, log: (msg: string) => void = () => {}, options: BootstrapOptions = {}): Promise<void> {
  const { prisma } = tdm.store;
  const demoUrl = tdm.config.demoSourceUrl;
  const known = demoUrl ? await prisma.connection.findUnique({ where: { name: 'demo' } }) : null;
  // The connection is stored once the database is seeded: on a restart there is nothing to check, and
  // the embedded database is not opened at all.
  const seedDemo = demoUrl !== null && !(known?.url === demoUrl && embeddedDirExists(demoUrl));

  const target = tdm.config.targetDatabaseUrl;
  const { url } = splitPassword(target);
  const existing = await prisma.environment.findUnique({ where: { name: 'default' }, include: { connection: true } });
  const createTarget = !(existing && existing.connection.url === url);

  // What opens an embedded database goes to the child: a directory outside the allowed ones is refused
  // first (before anything is created there), and the metadata store's own directory stays here (this
  // process has it open; the target check refuses it).
  const request: EmbeddedSetupRequest = {};
  if (options.embeddedInChild ?? true) {
    const metadataDir = embeddedDir(tdm.config.databaseUrl);
    const ownDir = (u: string) => {
      const dir = embeddedDir(u);
      return dir !== null && dir !== metadataDir ? u : null;
    };
    if (seedDemo) request.demoUrl = ownDir(demoUrl);
    if (createTarget && tdm.connections.check(target).kind === 'pglite') request.targetUrl = ownDir(target);
  }
  const done: EmbeddedSetupResult = request.demoUrl || request.targetUrl ? await runEmbeddedSetup(request, log) : {};

  if (demoUrl) {
    const seeded = !seedDemo ? false : request.demoUrl ? done.seeded === true : await (await import('./demo-source.ts')).ensureDemoSource(demoUrl);
    if (seeded) log(`created the demo source database at ${demoUrl}`);
    if (!known) {
      await tdm.connections.create({ name: 'demo', connectionString: demoUrl });
    }
  }

  if (!createTarget) {
    // The operator named this database as the target: it may be reset (stores older than the flag had none).
    if (existing && !existing.allowReset) await prisma.environment.update({ where: { id: existing.id }, data: { allowReset: true } });
    return;
  }
  if (existing) {
    // TARGET_DATABASE_URL changed since the last start: point the default environment at the new one.
    await prisma.provisionedTable.deleteMany({ where: { environmentId: existing.id } });
    await prisma.environment.delete({ where: { id: existing.id } });
    await prisma.connection.delete({ where: { id: existing.connectionId } }).catch(() => undefined);
  }
  await tdm.environments.create(
    { name: 'default', connectionString: target, isDefault: true, allowReset: true, description: 'TARGET_DATABASE_URL' },
    { targetIdentity: done.targetIdentity },
  );
  log(`default target environment → ${url}`);
}

/** For `pglite://<dir>`: whether the directory holds a database. Other URLs: true (a server keeps its data). */
function embeddedDirExists(url: string): boolean {
  if (!url.startsWith('pglite://')) return true;
  return existsSync(join(url.slice('pglite://'.length), 'PG_VERSION'));
}

/** The absolute directory of a `pglite://<dir>` URL; null for anything else (PostgreSQL, in memory). */
function embeddedDir(url: string): string | null {
  const parsed = parseConnectionString(url);
  return parsed.kind === 'pglite' && parsed.dataDir !== null ? resolve(parsed.dataDir) : null;
}
