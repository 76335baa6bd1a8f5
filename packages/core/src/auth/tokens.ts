/**
 * API tokens: `tdm_` + 32 random bytes (base64url). Only the SHA-256 of a token is stored; the token
 * is shown once, when it is made.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { ApiToken, PrismaClient } from '../generated/prisma/client.ts';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** What a token may do: `read` queries and subscriptions, `write` mutations, `admin` manage tokens. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface CreateTokenOptions {
  /** Default: every scope (the CLI's first token must be able to manage the others). */
  scopes?: readonly string[] | null;
  /** The token minting this one: its scopes bound the new token's, and revoking it revokes this one. */
  mintedBy?: Pick<ApiToken, 'id' | 'scopes'> | null;
}

export async function createApiToken(prisma: PrismaClient, name: string, options: CreateTokenOptions = {}): Promise<{ token: string; apiToken: ApiToken }> {
  const clean = name.trim();
  if (!clean) throw new InvalidInputError('a token needs a name');
  const scopes = [...new Set(options.scopes ?? SCOPES)];
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length || scopes.length === 0) {
    throw new InvalidInputError(`token scopes are ${SCOPES.join(', ')} (at least one); got ${JSON.stringify(options.scopes)}`, { scopes: options.scopes });
  }
  const beyond = options.mintedBy ? scopes.filter((s) => !options.mintedBy?.scopes.includes(s)) : [];
  if (beyond.length) throw new InvalidInputError(`a token cannot grant scopes it does not hold: ${beyond.join(', ')}`, { scopes: beyond });
  const token = `tdm_${randomBytes(32).toString('base64url')}`;
  const apiToken = await prisma.apiToken.create({
    data: { name: clean, tokenHash: hash(token), prefix: token.slice(0, 10), scopes, mintedById: options.mintedBy?.id ?? null },
  });
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

/** Revokes a token and, transitively, every token it minted. */
export async function revokeApiToken(prisma: PrismaClient, id: string): Promise<ApiToken> {
  const row = await prisma.apiToken.findUnique({ where: { id } });
  if (!row) throw new NotFoundError('API token', id);
  const now = new Date();
  let frontier = [id];
  const seen = new Set(frontier);
  while (frontier.length) {
    await prisma.apiToken.updateMany({ where: { id: { in: frontier }, revokedAt: null }, data: { revokedAt: now } });
    const children = await prisma.apiToken.findMany({ where: { mintedById: { in: frontier } }, select: { id: true } });
    frontier = children.map((c) => c.id).filter((c) => !seen.has(c));
    for (const c of frontier) seen.add(c);
  }
  return prisma.apiToken.findUniqueOrThrow({ where: { id } });
}

/** `Authorization: Bearer <token>` → the token. */
export function bearerToken(header: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}
