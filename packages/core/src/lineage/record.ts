/**
 * Writing lineage: one row per edge "`from` was used to make `to` by `operation`", with the job that
 * did it (null for a direct call), the hash of the config that shaped it (never the config itself:
 * it may hold a salt) and the fallbacks and retries the run needed.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../catalog/hash.ts';
import type { LineageKind, PrismaClient } from '../generated/prisma/client.ts';

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
  if (!edges.length) return;
  await prisma.lineage.createMany({
    data: edges.map((edge) => ({
      jobId,
      operation: edge.operation,
      fromKind: edge.fromKind,
      fromId: edge.fromId,
      toKind: edge.toKind,
      toId: edge.toId,
      configHash: configHash(edge.config),
      fallbacks,
    })),
  });
}
