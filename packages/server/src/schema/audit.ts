import type { Prisma } from '@tdm/core/generated/prisma/client';
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

export interface AuditFilter {
  severity?: 'INFO' | 'WARNING' | 'CRITICAL' | null;
  action?: string | null;
  since?: Date | null;
  until?: Date | null;
}

/** The filter of `auditLogs` and of the audit CSV export (`/export/audit.csv`): the same rows in both. */
export function auditWhere(f: AuditFilter): Prisma.AuditLogWhereInput {
  return {
    ...(f.severity ? { severity: f.severity } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.since || f.until ? { at: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } } : {}),
  };
}

builder.queryFields((t) => ({
  auditLogs: t.prismaConnection({
    type: 'AuditLog',
    cursor: 'id',
    description: 'Who did what, newest first',
    args: {
      severity: t.arg({ type: SeverityEnum, required: false }),
      action: t.arg.string({ required: false }),
      since: t.arg({ type: 'DateTime', required: false, description: 'At or after this instant' }),
      until: t.arg({ type: 'DateTime', required: false, description: 'Before this instant' }),
    },
    totalCount: (_c, args, ctx) => ctx.tdm.store.prisma.auditLog.count({ where: auditWhere(args) }),
    resolve: (query, _r, args, ctx) => ctx.tdm.store.prisma.auditLog.findMany({ ...query, where: auditWhere(args), orderBy: [{ at: 'desc' }, { id: 'desc' }] }),
  }),
  auditActions: t.stringList({
    description: 'Every action name in the audit log (for filters)',
    resolve: async (_r, _a, ctx) =>
      (await ctx.tdm.store.prisma.auditLog.findMany({ distinct: ['action'], select: { action: true }, orderBy: { action: 'asc' } })).map((a) => a.action),
  }),
}));
