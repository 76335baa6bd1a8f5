/**
 * Writing lineage: one row per edge "`from` was used to make `to` by `operation`", with the job that
 * did it (null for a direct call), the hash of the config that shaped it (never the config itself:
 * it may hold a salt) and the fallbacks and retries the run needed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../catalog/hash.ts';
import type { LineageKind, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { insertRows } from '../store/bulk-insert.ts';

export interface LineageEdgeInput {
  operation: string;
  fromKind: LineageKind;
  fromId: string;
  toKind: LineageKind;
  toId: string;
  config?: unknown;
}

export function configHash(config: unknown): string | null {
  return config === undefined ? null : createHash('sha256').update(canonicalJson(config)).digest('hex');
}

export async function recordLineage(prisma: PrismaClient, jobId: string | null, edges: LineageEdgeInput[], fallbacks: string[] = []): Promise<void> {
  const insert = lineageInsert(prisma, jobId, edges, fallbacks);
  if (insert) await insert;
}

/** The INSERT of `edges` (one statement for all of them), not yet run; null without edges. */
export function lineageInsert(
  prisma: PrismaClient,
  jobId: string | null,
  edges: LineageEdgeInput[],
  fallbacks: string[] = [],
): Prisma.PrismaPromise<number> | null {
  if (!edges.length) return null;
  const kind = { enum: 'LineageKind' } as const;
  return insertRows(
    prisma,
    'Lineage',
    { id: 'text', jobId: 'text', operation: 'text', fromKind: kind, fromId: 'text', toKind: kind, toId: 'text', configHash: 'text', fallbacks: 'text[]' },
    edges.map((edge) => ({
      id: randomUUID(),
      jobId,
      operation: edge.operation,
      fromKind: edge.fromKind,
      fromId: edge.fromId,
      toKind: edge.toKind,
      toId: edge.toId,
      configHash: configHash(edge.config),
      fallbacks,
    })),
  );
}
