/**
 * The one way to open a database: `openSqlClient(url)` picks node-postgres for `postgresql://` and
 * PGlite for `pglite://<dir>` / `pglite:memory`, and fails at open time (not at the first query)
 * when the database cannot be reached.
 */
import { PgliteSqlClient } from './pglite-client.ts';
import { PostgresSqlClient, type SqlClientOptions } from './postgres-client.ts';
import type { SqlClient } from './sql-client.ts';
import { parseConnectionString } from './url.ts';

export type { SqlClientOptions };

/**
 * Opens `url` as a `SqlClient`. Pool options apply to PostgreSQL only; PGlite is one embedded
 * connection. Rejects with `InvalidConnectionStringError` or `ConnectionError`, password redacted.
 */
export async function openSqlClient(url: string, options: SqlClientOptions = {}): Promise<SqlClient> {
  const target = parseConnectionString(url);
  return target.kind === 'pglite'
    ? PgliteSqlClient.open(url, { sharedBuffers: options.pgliteSharedBuffers, extensions: options.pgliteExtensions })
    : PostgresSqlClient.open(url, options);
}
