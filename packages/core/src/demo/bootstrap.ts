/**
 * What a fresh start needs: the demo source database with a stored connection named "demo", and
 * the default target environment ("default", from TARGET_DATABASE_URL or an embedded PGlite).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Tdm } from '../runtime.ts';
import { splitPassword } from '../store/connections.ts';

export async function bootstrap(tdm: Tdm, log: (msg: string) => void = () => {}): Promise<void> {
  const { prisma } = tdm.store;
  const demoUrl = tdm.config.demoSourceUrl;
  if (demoUrl) {
    const known = await prisma.connection.findUnique({ where: { name: 'demo' } });
    // The connection is stored once the database is seeded: on a restart there is nothing to check, and
    // not opening the embedded database keeps its ~200 MB of WebAssembly memory out of an idle server.
    const seeded = known?.url === demoUrl && embeddedDirExists(demoUrl);
    if (!seeded && (await (await import('./demo-source.ts')).ensureDemoSource(demoUrl))) log(`created the demo source database at ${demoUrl}`);
    if (!known) {
      await tdm.connections.create({ name: 'demo', connectionString: demoUrl });
    }
  }

  const target = tdm.config.targetDatabaseUrl;
  const { url } = splitPassword(target);
  const existing = await prisma.environment.findUnique({ where: { name: 'default' }, include: { connection: true } });
  if (existing && existing.connection.url === url) {
    // The operator named this database as the target: it may be reset (stores older than the flag had none).
    if (!existing.allowReset) await prisma.environment.update({ where: { id: existing.id }, data: { allowReset: true } });
    return;
  }
  if (existing) {
    // TARGET_DATABASE_URL changed since the last start: point the default environment at the new one.
    await prisma.provisionedTable.deleteMany({ where: { environmentId: existing.id } });
    await prisma.environment.delete({ where: { id: existing.id } });
    await prisma.connection.delete({ where: { id: existing.connectionId } }).catch(() => undefined);
  }
  await tdm.environments.create({ name: 'default', connectionString: target, isDefault: true, allowReset: true, description: 'TARGET_DATABASE_URL' });
  log(`default target environment → ${url}`);
}

/** For `pglite://<dir>`: whether the directory holds a database. Other URLs: true (a server keeps its data). */
function embeddedDirExists(url: string): boolean {
  if (!url.startsWith('pglite://')) return true;
  return existsSync(join(url.slice('pglite://'.length), 'PG_VERSION'));
}
