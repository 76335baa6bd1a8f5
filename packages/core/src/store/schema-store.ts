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
      await tx.tableMeta.createMany({
        data: catalog.tables.map((t, position) => ({
          id: tableIds.get(`${t.schema}.${t.name}`) as string,
          schemaVersionId: sv.id,
          schemaName: t.schema,
          name: t.name,
          kind: t.kind,
          partitionOf: t.partitionOf,
          partitionKind: t.partitionKind,
          partitionBound: t.partitionBound,
          primaryKey: t.primaryKey?.columns ?? [],
          rowEstimate: toBig(t.rowEstimate),
          rowCount: toBig(t.rowCount),
          comment: t.comment,
          position,
        })),
      });
      await tx.columnMeta.createMany({
        data: catalog.tables.flatMap((t) =>
          t.columns.map((c) => ({
            tableId: tableIds.get(`${t.schema}.${t.name}`) as string,
            name: c.name,
            position: c.position,
            dataType: c.dataType,
            typeSchema: c.typeSchema,
            typeName: c.typeName,
            typeKind: c.typeKind,
            elementType: c.elementType,
            enumLabels: enumLabels(catalog, c.typeSchema, c.typeName, c.elementType),
            domainBaseType:
              c.typeKind === 'domain' ? (catalog.domains.find((d) => d.schema === c.typeSchema && d.name === c.typeName)?.baseType ?? null) : null,
            nullable: c.nullable,
            default: c.default,
            maxLength: c.maxLength,
            numericPrecision: c.numericPrecision,
            numericScale: c.numericScale,
            identity: c.identity,
            generated: c.generated,
            sequence: c.sequence,
            comment: c.comment,
          })),
        ),
      });
      await tx.constraint.createMany({
        data: catalog.tables.flatMap((t) => {
          const tableId = tableIds.get(`${t.schema}.${t.name}`) as string;
          return [
            ...(t.primaryKey
              ? [
                  {
                    tableId,
                    name: t.primaryKey.name,
                    kind: 'PRIMARY_KEY' as const,
                    columns: t.primaryKey.columns,
                    definition: `PRIMARY KEY (${t.primaryKey.columns.join(', ')})`,
                  },
                ]
              : []),
            ...t.uniques.map((u) => ({
              tableId,
              name: u.name,
              kind: 'UNIQUE' as const,
              columns: u.columns,
              definition: `UNIQUE (${u.columns.join(', ')})`,
              deferrable: u.deferrable,
            })),
            ...t.checks.map((c) => ({ tableId, name: c.name, kind: 'CHECK' as const, columns: c.columns, definition: c.expression })),
            ...t.exclusions.map((x) => ({ tableId, name: x.name, kind: 'EXCLUSION' as const, columns: [], definition: x.definition })),
          ];
        }),
      });
      await tx.indexMeta.createMany({
        data: catalog.tables.flatMap((t) =>
          t.indexes.map((i) => ({
            tableId: tableIds.get(`${t.schema}.${t.name}`) as string,
            name: i.name,
            columns: i.columns,
            unique: i.unique,
            primary: i.primary,
            method: i.method,
            definition: i.definition,
          })),
        ),
      });
      await tx.relationship.createMany({
        data: catalog.tables.flatMap((t) =>
          t.foreignKeys.flatMap((fk) => {
            const toTableId = tableIds.get(`${fk.referencedSchema}.${fk.referencedTable}`);
            // A key to a table outside the discovered schemas stays in the catalog document only.
            if (!toTableId) return [];
            return [
              {
                schemaVersionId: sv.id,
                name: fk.name,
                fromTableId: tableIds.get(`${t.schema}.${t.name}`) as string,
                columns: fk.columns,
                toTableId,
                referencedSchema: fk.referencedSchema,
                referencedTable: fk.referencedTable,
                referencedColumns: fk.referencedColumns,
                onDelete: fk.onDelete,
                onUpdate: fk.onUpdate,
                matchType: fk.matchType,
                deferrable: fk.deferrable,
                initiallyDeferred: fk.initiallyDeferred,
                selfReference: fk.referencedSchema === t.schema && fk.referencedTable === t.name,
              },
            ];
          }),
        ),
      });
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

function toBig(n: number | null): bigint | null {
  return n === null ? null : BigInt(Math.round(n));
}

function enumLabels(catalog: Catalog, schema: string, name: string, elementType: string | null): string[] {
  const direct = catalog.enums.find((e) => e.schema === schema && e.name === name);
  if (direct) return direct.labels;
  if (elementType) {
    const bare = elementType.replace(/^.*\./, '').replace(/"/g, '');
    return catalog.enums.find((e) => e.name === bare)?.labels ?? [];
  }
  return [];
}

/** Loads the catalog document of a schema version. */
export async function loadCatalog(prisma: PrismaClient, schemaVersionId: string): Promise<Catalog> {
  const sv = await prisma.schemaVersion.findUnique({ where: { id: schemaVersionId }, select: { catalog: true } });
  if (!sv) throw new NotFoundError('schema version', schemaVersionId);
  return sv.catalog as unknown as Catalog;
}
