/**
 * The metadata store: Prisma over a real PostgreSQL (`@prisma/adapter-pg`) or over PGlite
 * (`pglite-prisma-adapter`). Committed migrations are applied on open.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { openSqlClient } from '../db/open.ts';
import { PgliteSqlClient } from '../db/pglite-client.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import { applyMigrations } from './migrate.ts';

export interface MetadataStore {
  prisma: PrismaClient;
  /** Raw access to the same database (migrations, LISTEN/NOTIFY, bulk reads). */
  sql: SqlClient;
  close(): Promise<void>;
}

export async function openMetadataStore(url: string, options: { log?: (msg: string) => void } = {}): Promise<MetadataStore> {
  const sql = await openSqlClient(url, {
    applicationName: 'tdm-metadata',
    // Metadata rows are small and few. PGlite touches all of its buffers when it opens (an idle server's
    // WebAssembly memory: 29 MB resident with 16MB, 17 MB with 4MB; PGlite's default 128MB: ~100 MB more),
    // and a page that is not in them is one read of the file: 20,000 job-log inserts and 700 reads took
    // the same time with 4MB as with 16MB.
    pgliteSharedBuffers: '4MB',
    // No migration uses an extension: loading PGlite's would cost ≈ 30 MB of an idle server.
    pgliteExtensions: false,
  });
  try {
    const { applied } = await applyMigrations(sql, { log: options.log });
    if (applied.length) options.log?.(`metadata store: applied ${applied.length} migration(s)`);
    const adapter =
      sql instanceof PgliteSqlClient ? new PrismaPGlite(sql.pglite) : new PrismaPg({ connectionString: url, max: 8, application_name: 'tdm-metadata' });
    const prisma = new PrismaClient({ adapter });
    return {
      prisma,
      sql,
      async close() {
        await prisma.$disconnect();
        await sql.close();
      },
    };
  } catch (err) {
    await sql.close();
    throw err;
  }
}
