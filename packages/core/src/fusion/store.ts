/**
 * Unified schemas in the metadata store: a `UnifiedSchemaVersion` per distinct fusion result of a
 * name (same entities, same content hash → the same version is returned), numbered 1, 2, 3…
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../catalog/hash.ts';
import { NotFoundError } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { FusedSchema, FusionConflict, SourceKind, UnifiedEntity } from './types.ts';

export interface StoredUnifiedSchema {
  id: string;
  name: string;
  version: number;
  entities: UnifiedEntity[];
  conflicts: FusionConflict[];
  weights: Record<SourceKind, number>;
  sources: { kind: SourceKind; ref: string }[];
  createdAt: Date;
  created: boolean;
}

export async function saveUnifiedSchema(
  prisma: PrismaClient,
  name: string,
  fused: FusedSchema,
  sources: { kind: SourceKind; ref: string }[],
  jobId: string | null,
): Promise<StoredUnifiedSchema> {
  const body = { entities: fused.entities, conflicts: fused.conflicts, weights: fused.weights };
  const contentHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  const existing = await prisma.unifiedSchemaVersion.findUnique({ where: { name_contentHash: { name, contentHash } } });
  if (existing) return { ...fromRow(existing), created: false };
  const last = await prisma.unifiedSchemaVersion.findFirst({ where: { name }, orderBy: { version: 'desc' }, select: { version: true } });
  const row = await prisma.unifiedSchemaVersion.create({
    data: { name, version: (last?.version ?? 0) + 1, contentHash, sources: sources as object, entities: body as object, jobId },
  });
  return { ...fromRow(row), created: true };
}

function fromRow(row: { id: string; name: string; version: number; sources: unknown; entities: unknown; createdAt: Date }): StoredUnifiedSchema {
  const body = row.entities as { entities: UnifiedEntity[]; conflicts: FusionConflict[]; weights: Record<SourceKind, number> };
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    ...body,
    sources: row.sources as StoredUnifiedSchema['sources'],
    createdAt: row.createdAt,
    created: false,
  };
}

export async function loadUnifiedSchema(prisma: PrismaClient, id: string): Promise<StoredUnifiedSchema> {
  const row = await prisma.unifiedSchemaVersion.findUnique({ where: { id } });
  if (!row) throw new NotFoundError('unified schema', id);
  return fromRow(row);
}
