import type { Tdm } from '@tdm/core/runtime';
import { Repeater } from 'graphql-yoga';
import { builder } from '../builder.ts';

/** The dashboard's numbers plus the ids of what it lists; the lists are loaded per request. */
interface DashboardSnapshot {
  datasetsReady: number;
  rowsGenerated: number;
  workflowsCompleted: number;
  failedJobs: number;
  runningJobs: number;
  queuedJobs: number;
  recentJobIds: string[];
  recentDatasetIds: string[];
  /** Changes whenever a listed job changes status: the subscription pushes only on a change. */
  fingerprint: string;
}

const RECENT = 10;

async function snapshot(tdm: Tdm): Promise<DashboardSnapshot> {
  const prisma = tdm.store.prisma;
  const [datasetsReady, rows, byStatus, jobs, datasets] = await Promise.all([
    prisma.datasetVersion.count(),
    prisma.datasetVersion.aggregate({ _sum: { totalRows: true } }),
    prisma.job.groupBy({ by: ['status'], _count: { _all: true } }),
    prisma.job.findMany({ select: { id: true, status: true }, orderBy: { createdAt: 'desc' }, take: RECENT }),
    prisma.datasetVersion.findMany({ select: { id: true }, orderBy: { createdAt: 'desc' }, take: RECENT }),
  ]);
  const count = (status: string) => byStatus.find((s) => s.status === status)?._count._all ?? 0;
  const out = {
    datasetsReady,
    rowsGenerated: Number(rows._sum.totalRows ?? 0),
    workflowsCompleted: count('COMPLETED'),
    failedJobs: count('FAILED'),
    runningJobs: count('RUNNING'),
    queuedJobs: count('QUEUED'),
    recentJobIds: jobs.map((j) => j.id),
    recentDatasetIds: datasets.map((d) => d.id),
  };
  return { ...out, fingerprint: JSON.stringify([out, jobs]) };
}

/** In the order of `ids` (newest first), whatever order the database returns them in. */
const inOrder = <T extends { id: string }>(ids: string[], rows: T[]) => ids.map((id) => rows.find((r) => r.id === id)).filter((r): r is T => r !== undefined);

const DashboardRef = builder.objectRef<DashboardSnapshot>('Dashboard').implement({
  description: 'What the studio home page shows: totals across datasets and jobs, and the latest of each',
  fields: (t) => ({
    datasetsReady: t.exposeInt('datasetsReady', { description: 'Dataset versions in the catalog' }),
    rowsGenerated: t.exposeFloat('rowsGenerated', { description: 'Rows across every dataset version' }),
    workflowsCompleted: t.exposeInt('workflowsCompleted'),
    failedJobs: t.exposeInt('failedJobs'),
    runningJobs: t.exposeInt('runningJobs'),
    queuedJobs: t.exposeInt('queuedJobs'),
    recentJobs: t.prismaField({
      type: ['Job'],
      description: 'The latest jobs, newest first',
      resolve: async (query, d, _a, ctx) =>
        inOrder(d.recentJobIds, await ctx.tdm.store.prisma.job.findMany({ ...query, where: { id: { in: d.recentJobIds } } })),
    }),
    recentDatasets: t.prismaField({
      type: ['DatasetVersion'],
      description: 'The latest dataset versions, newest first',
      resolve: async (query, d, _a, ctx) =>
        inOrder(d.recentDatasetIds, await ctx.tdm.store.prisma.datasetVersion.findMany({ ...query, where: { id: { in: d.recentDatasetIds } } })),
    }),
  }),
});

builder.queryFields((t) => ({
  dashboard: t.field({ type: DashboardRef, description: 'Totals and the latest jobs and datasets', resolve: (_r, _a, ctx) => snapshot(ctx.tdm) }),
}));

builder.subscriptionFields((t) => ({
  dashboard: t.field({
    type: DashboardRef,
    description: 'The dashboard now, then again whenever its numbers or the latest jobs change (checked every `intervalMs`)',
    args: { intervalMs: t.arg.int({ defaultValue: 2000 }) },
    subscribe: (_r, args, ctx) =>
      new Repeater<DashboardSnapshot>(async (push, stop) => {
        let last = '';
        let busy = false;
        const tick = async () => {
          if (busy) return;
          busy = true;
          try {
            const next = await snapshot(ctx.tdm);
            if (next.fingerprint !== last) {
              last = next.fingerprint;
              await push(next);
            }
          } catch (err) {
            stop(err);
          } finally {
            busy = false;
          }
        };
        await tick();
        const timer = setInterval(tick, Math.min(Math.max(args.intervalMs ?? 2000, 250), 60_000));
        await stop;
        clearInterval(timer);
      }),
    resolve: (d) => d,
  }),
}));
