/**
 * API tokens: `tdm_` + 32 random bytes (base64url). Only the SHA-256 of a token is stored; the token
 * is shown once, when it is made.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { ApiToken, PrismaClient } from '../generated/prisma/client.ts';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createApiToken(prisma: PrismaClient, name: string): Promise<{ token: string; apiToken: ApiToken }> {
  const clean = name.trim();
  if (!clean) throw new InvalidInputError('a token needs a name');
  const token = `tdm_${randomBytes(32).toString('base64url')}`;
  const apiToken = await prisma.apiToken.create({ data: { name: clean, tokenHash: hash(token), prefix: token.slice(0, 10) } });
  return { token, apiToken };
}

/** The live token matching `token`, or null. Records its last use. */
export async function verifyApiToken(prisma: PrismaClient, token: string | null | undefined): Promise<ApiToken | null> {
  if (!token?.startsWith('tdm_')) return null;
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hash(token) } });
  if (!row || row.revokedAt) return null;
  await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  return row;
}

export async function revokeApiToken(prisma: PrismaClient, id: string): Promise<ApiToken> {
  const row = await prisma.apiToken.findUnique({ where: { id } });
  if (!row) throw new NotFoundError('API token', id);
  return prisma.apiToken.update({ where: { id }, data: { revokedAt: row.revokedAt ?? new Date() } });
}

/** `Authorization: Bearer <token>` → the token. */
export function bearerToken(header: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}
