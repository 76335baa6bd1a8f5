/**
 * Target safety: no environment may point at TDM's metadata store or at a database TDM has read as a
 * source. Databases are compared by server identity — the cluster's system identifier and the
 * database's oid — never by URL text, so another host name, port forward, user or query string for
 * the same database is still recognised. Sources are recorded whenever one is opened for reading.
 */
import type { SqlClient } from '../db/sql-client.ts';
import { TargetSafetyError } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * `pg:<system identifier>/<database oid>`. A role that may not call `pg_control_system()` gets the
 * postmaster's start time and port instead of the system identifier: unique per running server, but
 * it changes on a restart (a source read before a restart is recognised again once it is read again).
 */
export async function serverIdentity(sql: SqlClient): Promise<string> {
  const { rows: db } = await sql.query<{ oid: string }>('SELECT oid::int8::text AS oid FROM pg_database WHERE datname = current_database()');
  const oid = db[0]?.oid ?? '?';
  try {
    const { rows } = await sql.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    if (rows[0]?.id) return `pg:${rows[0].id}/${oid}`;
  } catch {
    // Fall through: pg_control_system() revoked from this role.
  }
  const { rows } = await sql.query<{ started: string; port: number | null }>(
    `SELECT extract(epoch FROM pg_postmaster_start_time())::text AS started, inet_server_port() AS port`,
  );
  return `pg:started=${rows[0]?.started}:port=${rows[0]?.port ?? 'local'}/${oid}`;
}

/** Remembers `sql` as a source (called each time a source is opened for reading). */
export async function recordSource(prisma: PrismaClient, sql: SqlClient): Promise<string> {
  const identity = await serverIdentity(sql);
  const now = new Date();
  await prisma.sourceIdentity.upsert({
    where: { identity },
    create: { identity, url: sql.redactedUrl },
    update: { url: sql.redactedUrl, lastSeenAt: now },
  });
  return identity;
}

/**
 * Throws `TARGET_IS_METADATA` or `TARGET_IS_SOURCE` when `target` may not be written. Called when an
 * environment is registered and again before every provision (a database may become a source later).
 */
export async function assertSafeTarget(deps: { prisma: PrismaClient; metadata: SqlClient }, target: SqlClient, environment: string): Promise<void> {
  await assertSafeTargetIdentity(deps, { identity: await serverIdentity(target), redactedUrl: target.redactedUrl }, environment);
}

/**
 * The same check for a target whose `serverIdentity()` was read elsewhere (the server's first start reads
 * the embedded default target's in a short-lived child process, so its WebAssembly memory goes with it).
 */
export async function assertSafeTargetIdentity(
  deps: { prisma: PrismaClient; metadata: SqlClient },
  target: { identity: string; redactedUrl: string },
  environment: string,
): Promise<void> {
  const { identity, redactedUrl } = target;
  if (identity === (await serverIdentity(deps.metadata))) {
    throw new TargetSafetyError(
      'TARGET_IS_METADATA',
      `environment ${environment} points at TDM's own metadata database (${redactedUrl}): TDM never writes its metadata store as a target`,
      { environment, url: redactedUrl },
    );
  }
  const source = await deps.prisma.sourceIdentity.findUnique({ where: { identity } });
  if (source) {
    throw new TargetSafetyError(
      'TARGET_IS_SOURCE',
      `environment ${environment} points at a database TDM reads as a source (${source.url}): TDM never provisions into a source`,
      { environment, url: redactedUrl, source: source.url },
    );
  }
}

/** Throws `RESET_NOT_ALLOWED` when a provision asks to reset an environment that does not allow it. */
export function assertResetAllowed(env: { name: string; allowReset: boolean }, resetEnv: boolean | null | undefined): void {
  if (resetEnv && !env.allowReset) {
    throw new TargetSafetyError(
      'RESET_NOT_ALLOWED',
      `environment ${env.name} does not allow a reset: register it with allowReset: true to let provisioning drop and recreate its tables`,
      { environment: env.name },
    );
  }
}
