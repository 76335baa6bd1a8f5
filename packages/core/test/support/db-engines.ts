/** Engines and assertions shared by the db tests: where a SqlClient runs, secrets never shown, failures as TdmErrors. */
import type { Readable as ReadableType } from 'node:stream';
import { expect } from 'vitest';
import { redactConnectionString } from '../../src/db/url.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './databases.ts';
import { FIXTURES_DIR, fixturesAvailable } from './load-sql.ts';

export const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: PostgreSQL tests are SKIPPED`);
export const haveFixtures = fixturesAvailable();
if (!haveFixtures) console.warn(`sample databases not found under ${FIXTURES_DIR}: fixture tests are SKIPPED`);

export const engines: { name: 'postgres' | 'pglite'; skip: boolean; create: () => Promise<TestDatabase> }[] = [
  { name: 'postgres', skip: !pgUp, create: () => createTestDatabase('db') },
  { name: 'pglite', skip: false, create: () => createPgliteUrl() },
];

/** Asserts a secret appears nowhere a user or a log could see it. */
export function expectNoSecret(err: unknown, secret: string): void {
  const e = err as Error;
  for (const text of [e.message, String(e), JSON.stringify(e), e.stack ?? '']) expect(text).not.toContain(secret);
}

export { failure } from './failure.ts';

export async function readAll(stream: ReadableType): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}
