import { createApiToken, revokeApiToken } from '@tdm/core/auth/tokens';
import type { ApiToken } from '@tdm/core/generated/prisma/client';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { SOURCE_ERRORS } from './errors.ts';
import { forbidden, requireScope } from '../scopes.ts';

builder.prismaNode('ApiToken', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the token' }),
    scopes: t.exposeStringList('scopes', { description: 'read (queries, subscriptions), write (mutations), admin (manage tokens)' }),
    mintedBy: t.relation('mintedBy', { nullable: true, description: 'The token that created this one; revoking it revokes this one' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedToken = builder.objectRef<{ token: string; apiToken: ApiToken }>('CreatedApiToken').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The token itself: shown this once, never stored' }),
    apiToken: t.prismaField({
      type: 'ApiToken',
      resolve: (query, p, _a, ctx) => ctx.tdm.store.prisma.apiToken.findUniqueOrThrow({ ...query, where: { id: p.apiToken.id } }),
    }),
  }),
});

builder.queryFields((t) => ({
  apiTokens: t.prismaField({
    type: ['ApiToken'],
    description: 'Needs the admin scope',
    resolve: (query, _r, _a, ctx) => {
      if (!ctx.scopes.includes('admin')) throw forbidden('admin');
      return ctx.tdm.store.prisma.apiToken.findMany({ ...query, orderBy: { createdAt: 'asc' } });
    },
  }),
}));

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedToken,
    errors: { types: SOURCE_ERRORS },
    description: 'Needs the admin scope. The new token holds at most the scopes of the token minting it, and is revoked with it',
    args: {
      name: t.arg.string({ required: true }),
      scopes: t.arg.stringList({ required: false, description: 'read, write, admin; default read and write' }),
    },
    resolve: async (_r, args, ctx) => {
      requireScope(ctx, 'admin');
      const created = await createApiToken(ctx.tdm.store.prisma, args.name, {
        scopes: args.scopes ?? ['read', 'write'],
        mintedBy: ctx.token,
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'createApiToken',
        targetKind: 'API_TOKEN',
        targetId: created.apiToken.id,
        details: { name: created.apiToken.name },
      });
      return created;
    },
  }),
  revokeApiToken: t.prismaField({
    type: 'ApiToken',
    errors: { types: SOURCE_ERRORS },
    description: 'Needs the admin scope. Also revokes every token it minted, and closes their open subscriptions',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      requireScope(ctx, 'admin');
      const row = await revokeApiToken(ctx.tdm.store.prisma, rawId(args.id, 'ApiToken') as string);
      await ctx.tdm.audit({ actor: ctx.actor, action: 'revokeApiToken', targetKind: 'API_TOKEN', targetId: row.id, severity: 'WARNING' });
      return ctx.tdm.store.prisma.apiToken.findUniqueOrThrow({ ...query, where: { id: row.id } });
    },
  }),
}));
