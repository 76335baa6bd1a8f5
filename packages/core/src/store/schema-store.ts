/**
 * Persists discovered catalogs as SchemaVersions. A version is identified by its content hash:
 * saving an unchanged catalog returns the existing version (with fresh row counts), a changed one
 * creates version n+1.
 */
import { createHash, randomUUID } from 'node:crypto';
import { catalogHash } from '../catalog/hash.ts';
import type { Catalog } from '../catalog/types.ts';
import { NotFoundError } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { columnRows, constraintRows, indexRows, relationshipRows, tableRows, toBig } from './catalog-rows.ts';

export interface SaveCatalogInput {
  /** Password-free url of the source. */
  sourceUrl: string;
  name?: string;
  connectionId?: string | null;
  catalog: Catalog;
}

export interface SavedCatalog {
  schemaId: string;
  schemaVersionId: string;
  version: number;
  contentHash: string;
  /** False when an identical version already existed and was returned. */
  created: boolean;
}

/** Identity of a source: its password-free url (query string dropped) and the schema names read. */
export function sourceKey(sourceUrl: string, schemas: string[]): string {
  const base = sourceUrl.split('?')[0] ?? sourceUrl;
  return createHash('sha256')
    .update(`${base}\n${[...schemas].sort().join('\n')}`)
    .digest('hex');
}

export async function saveCatalog(prisma: PrismaClient, input: SaveCatalogInput): Promise<SavedCatalog> {
  const { catalog } = input;
  const contentHash = catalogHash(catalog);
  const key = sourceKey(input.sourceUrl, catalog.schemas);
  const name = input.name ?? `${catalog.database} (${catalog.schemas.join(', ')})`;

  const unchanged = await saveUnchanged(prisma, input, key, contentHash);
  if (unchanged) return unchanged;

  return prisma.$transaction(
    async (tx) => {
      const schema = await tx.schema.upsert({
        where: { sourceKey: key },
        create: { name, sourceKey: key, sourceUrl: input.sourceUrl, schemaNames: catalog.schemas, connectionId: input.connectionId ?? null },
        update: { sourceUrl: input.sourceUrl, ...(input.connectionId ? { connectionId: input.connectionId } : {}) },
      });
      const existing = await tx.schemaVersion.findUnique({ where: { schemaId_contentHash: { schemaId: schema.id, contentHash } } });
      if (existing) {
        await tx.schemaVersion.update({ where: { id: existing.id }, data: { lastSeenAt: new Date(), catalog: catalog as object } });
        for (const t of catalog.tables) {
          await tx.tableMeta.updateMany({
            where: { schemaVersionId: existing.id, schemaName: t.schema, name: t.name },
            data: { rowCount: toBig(t.rowCount), rowEstimate: toBig(t.rowEstimate) },
          });
        }
        return { schemaId: schema.id, schemaVersionId: existing.id, version: existing.version, contentHash, created: false };
      }

      const last = await tx.schemaVersion.findFirst({ where: { schemaId: schema.id }, orderBy: { version: 'desc' }, select: { version: true } });
      const version = (last?.version ?? 0) + 1;
      const sv = await tx.schemaVersion.create({
        data: {
          schemaId: schema.id,
          version,
          contentHash,
          catalog: catalog as object,
          tableCount: catalog.tables.length,
          serverVersion: catalog.serverVersion,
        },
      });

      const tableIds = new Map<string, string>();
      for (const t of catalog.tables) tableIds.set(`${t.schema}.${t.name}`, randomUUID());
      await tx.tableMeta.createMany({ data: tableRows(catalog, sv.id, tableIds) });
      await tx.columnMeta.createMany({ data: columnRows(catalog, tableIds) });
      await tx.constraint.createMany({ data: constraintRows(catalog, tableIds) });
      await tx.indexMeta.createMany({ data: indexRows(catalog, tableIds) });
      await tx.relationship.createMany({ data: relationshipRows(catalog, sv.id, tableIds) });
      return { schemaId: schema.id, schemaVersionId: sv.id, version, contentHash, created: true };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

/**
 * Rediscovery of an unchanged catalog (the common case): the version is found without a lock, then
 * refreshed (schema url, lastSeenAt, catalog document, row counts) in one batch of three statements.
 * The schema row is locked only for that batch, not for a whole interactive transaction with one
 * statement per table: concurrent discoveries of one source used to queue behind each other on it.
 * Returns null when there is no such version yet (or it went away meanwhile): the caller creates it.
 */
async function saveUnchanged(prisma: PrismaClient, input: SaveCatalogInput, key: string, contentHash: string): Promise<SavedCatalog | null> {
  const { catalog } = input;
  const schema = await prisma.schema.findUnique({ where: { sourceKey: key }, select: { id: true } });
  if (!schema) return null;
  const existing = await prisma.schemaVersion.findUnique({
    where: { schemaId_contentHash: { schemaId: schema.id, contentHash } },
    select: { id: true, version: true },
  });
  if (!existing) return null;
  const counts = JSON.stringify(
    catalog.tables.map((t) => ({
      s: t.schema,
      n: t.name,
      c: t.rowCount === null ? null : Math.round(t.rowCount),
      e: t.rowEstimate === null ? null : Math.round(t.rowEstimate),
    })),
  );
  const [, refreshed] = await prisma.$transaction([
    prisma.schema.updateMany({
      where: { id: schema.id },
      data: { sourceUrl: input.sourceUrl, ...(input.connectionId ? { connectionId: input.connectionId } : {}) },
    }),
    prisma.schemaVersion.updateMany({ where: { id: existing.id }, data: { lastSeenAt: new Date(), catalog: catalog as object } }),
    // Every table's counts in one statement, rows locked in id order (no deadlock between two of these).
    prisma.$executeRaw`
      UPDATE "TableMeta" AS t SET "rowCount" = v.c, "rowEstimate" = v.e
        FROM (SELECT m.id, r.c, r.e
                FROM "TableMeta" m
                JOIN jsonb_to_recordset(${counts}::jsonb) AS r(s text, n text, c bigint, e bigint) ON m."schemaName" = r.s AND m."name" = r.n
               WHERE m."schemaVersionId" = ${existing.id}
               ORDER BY m.id
                 FOR UPDATE OF m) AS v
       WHERE t.id = v.id`,
  ]);
  if (refreshed.count === 0) return null;
  return { schemaId: schema.id, schemaVersionId: existing.id, version: existing.version, contentHash, created: false };
}

/** Loads the catalog document of a schema version. */
export async function loadCatalog(prisma: PrismaClient, schemaVersionId: string): Promise<Catalog> {
  const sv = await prisma.schemaVersion.findUnique({ where: { id: schemaVersionId }, select: { catalog: true } });
  if (!sv) throw new NotFoundError('schema version', schemaVersionId);
  return sv.catalog as unknown as Catalog;
}
