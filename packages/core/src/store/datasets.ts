/** Dataset versions in the metadata store: one row per version, one per table, from the manifest. */
import { createHash, randomUUID } from 'node:crypto';
import type { DatasetManifest } from '../dataset/types.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { insertRows } from './bulk-insert.ts';

/** The version's row and one row per table, in one transaction of two statements (nothing read back). */
export async function saveDatasetVersion(prisma: PrismaClient, manifest: DatasetManifest, storeUri: string): Promise<void> {
  const totalRows = manifest.tables.reduce((n, t) => n + t.rowCount, 0);
  const bytes = manifest.tables.reduce((n, t) => n + t.bytes, 0);
  const checksum = createHash('sha256')
    .update(manifest.tables.map((t) => `${t.schema}.${t.name}:${t.checksum}`).join('\n'))
    .digest('hex');
  const version = insertRows(
    prisma,
    'DatasetVersion',
    {
      id: 'text',
      name: 'text',
      kind: { enum: 'DatasetKind' },
      schemaVersionId: 'text',
      parentId: 'text',
      jobId: 'text',
      storeUri: 'text',
      manifest: 'jsonb',
      totalRows: 'int8',
      bytes: 'int8',
      checksum: 'text',
    },
    [
      {
        id: manifest.datasetVersionId,
        name: manifest.name,
        kind: manifest.kind,
        schemaVersionId: manifest.schemaVersionId,
        parentId: manifest.parentId,
        jobId: manifest.jobId,
        storeUri,
        manifest,
        totalRows,
        bytes,
        checksum,
      },
    ],
  );
  const tables = insertRows(
    prisma,
    'DatasetTable',
    {
      id: 'text',
      datasetVersionId: 'text',
      schemaName: 'text',
      tableName: 'text',
      path: 'text',
      rowCount: 'int8',
      bytes: 'int8',
      checksum: 'text',
      columns: 'jsonb',
    },
    manifest.tables.map((t) => ({
      id: randomUUID(),
      datasetVersionId: manifest.datasetVersionId,
      schemaName: t.schema,
      tableName: t.name,
      path: t.file,
      rowCount: t.rowCount,
      bytes: t.bytes,
      checksum: t.checksum,
      columns: t.columns,
    })),
  );
  await prisma.$transaction([version, tables]);
}

export async function loadManifest(prisma: PrismaClient, datasetVersionId: string): Promise<DatasetManifest | null> {
  const row = await prisma.datasetVersion.findUnique({ where: { id: datasetVersionId }, select: { manifest: true } });
  return row ? (row.manifest as unknown as DatasetManifest) : null;
}
