import { Severity } from '@tdm/core/generated/prisma/enums';
import { builder } from '../builder.ts';

// The metadata store's enum (Prisma), not a copy.
const SeverityEnum = builder.enumType(Severity, { name: 'Severity' });

builder.prismaNode('AuditLog', {
  id: { field: 'id' },
  fields: (t) => ({
    actor: t.exposeString('actor'),
    action: t.exposeString('action'),
    targetKind: t.exposeString('targetKind', { nullable: true }),
    targetId: t.exposeString('targetId', { nullable: true }),
    severity: t.field({ type: SeverityEnum, resolve: (a) => a.severity }),
    details: t.expose('details', { type: 'JSON', nullable: true }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  auditLogs: t.prismaConnection({
    type: 'AuditLog',
    cursor: 'id',
    description: 'Who did what, newest first',
    args: { severity: t.arg({ type: SeverityEnum, required: false }), action: t.arg.string({ required: false }) },
    totalCount: (_c, args, ctx) =>
      ctx.tdm.store.prisma.auditLog.count({
        where: { ...(args.severity ? { severity: args.severity } : {}), ...(args.action ? { action: args.action } : {}) },
      }),
    resolve: (query, _r, args, ctx) =>
      ctx.tdm.store.prisma.auditLog.findMany({
        ...query,
        where: { ...(args.severity ? { severity: args.severity } : {}), ...(args.action ? { action: args.action } : {}) },
        orderBy: { at: 'desc' },
      }),
  }),
}));
