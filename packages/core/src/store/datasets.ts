/** Dataset versions in the metadata store: one row per version, one per table, from the manifest. */
import { createHash } from 'node:crypto';
import type { DatasetManifest } from '../dataset/types.ts';
import type { DatasetVersion, PrismaClient } from '../generated/prisma/client.ts';

export async function saveDatasetVersion(prisma: PrismaClient, manifest: DatasetManifest, storeUri: string): Promise<DatasetVersion> {
  const totalRows = manifest.tables.reduce((n, t) => n + t.rowCount, 0);
  const bytes = manifest.tables.reduce((n, t) => n + t.bytes, 0);
  const checksum = createHash('sha256')
    .update(manifest.tables.map((t) => `${t.schema}.${t.name}:${t.checksum}`).join('\n'))
    .digest('hex');
  return prisma.datasetVersion.create({
    data: {
      id: manifest.datasetVersionId,
      name: manifest.name,
      kind: manifest.kind,
      schemaVersionId: manifest.schemaVersionId,
      parentId: manifest.parentId,
      jobId: manifest.jobId,
      storeUri,
      manifest: manifest as unknown as object,
      totalRows: BigInt(totalRows),
      bytes: BigInt(bytes),
      checksum,
      // One INSERT for every table (a nested `create` inserts them one by one).
      tables: {
        createMany: {
          data: manifest.tables.map((t) => ({
            schemaName: t.schema,
            tableName: t.name,
            path: t.file,
            rowCount: BigInt(t.rowCount),
            bytes: BigInt(t.bytes),
            checksum: t.checksum,
            columns: t.columns as unknown as object,
          })),
        },
      },
    },
  });
}

export async function loadManifest(prisma: PrismaClient, datasetVersionId: string): Promise<DatasetManifest | null> {
  const row = await prisma.datasetVersion.findUnique({ where: { id: datasetVersionId }, select: { manifest: true } });
  return row ? (row.manifest as unknown as DatasetManifest) : null;
}
