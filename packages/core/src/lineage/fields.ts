/**
 * Field-level lineage: per column of a dataset version or a provisioned table, where its values came
 * from (a source column, a test-case field, a form input, a domain-pack field, a column of the parent
 * dataset) and what was done to them (a transformer with the hash of its params, a generator).
 */
import { randomUUID } from 'node:crypto';
import type { FieldLineage, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { insertRows } from '../store/bulk-insert.ts';
import { configHash } from './record.ts';

export type FieldOriginKind = 'SOURCE_COLUMN' | 'SCHEMA_COLUMN' | 'DATASET_COLUMN' | 'TEST_CASE_FIELD' | 'FORM_INPUT' | 'PACK_FIELD' | 'GENERATED';

export interface FieldLineageInput {
  schema: string;
  table: string;
  column: string;
  originKind: FieldOriginKind;
  origin: string;
  originId?: string | null;
  /** Transformer or generator; absent when the values were copied unchanged. */
  transform?: string | null;
  /** Hashed, never stored. */
  params?: unknown;
}

/** The columns of one artifact: a dataset version or a provisioned table. */
export interface FieldLineageSet {
  owner: { kind: 'DATASET_VERSION' | 'TABLE'; id: string };
  fields: FieldLineageInput[];
}

interface TableColumns {
  schema: string;
  name: string;
  columns: { name: string }[];
}

/** Every column of `tables` copied unchanged from the same-named column of `originKind` `originId`. */
export function copiedColumns(tables: TableColumns[], originKind: FieldOriginKind, originId: string): FieldLineageInput[] {
  return tables.flatMap((t) =>
    t.columns.map((c) => ({ schema: t.schema, table: t.name, column: c.name, originKind, origin: `${t.schema}.${t.name}.${c.name}`, originId })),
  );
}

export async function recordFieldLineage(prisma: PrismaClient, jobId: string | null, sets: FieldLineageSet[]): Promise<void> {
  const insert = fieldLineageInsert(prisma, jobId, sets);
  if (insert) await insert;
}

/** The INSERT of every field of `sets` (one statement), not yet run; null when there is none. */
export function fieldLineageInsert(prisma: PrismaClient, jobId: string | null, sets: FieldLineageSet[]): Prisma.PrismaPromise<number> | null {
  const data = sets.flatMap((set) =>
    set.fields.map((f) => ({
      id: randomUUID(),
      ownerKind: set.owner.kind,
      ownerId: set.owner.id,
      schemaName: f.schema,
      tableName: f.table,
      columnName: f.column,
      originKind: f.originKind,
      origin: f.origin,
      originId: f.originId ?? null,
      transform: f.transform ?? null,
      paramsHash: f.transform && f.params !== undefined ? configHash(f.params) : null,
      jobId,
    })),
  );
  if (!data.length) return null;
  const columns = {
    id: 'text',
    ownerKind: { enum: 'LineageKind' },
    ownerId: 'text',
    schemaName: 'text',
    tableName: 'text',
    columnName: 'text',
    originKind: 'text',
    origin: 'text',
    originId: 'text',
    transform: 'text',
    paramsHash: 'text',
    jobId: 'text',
  } as const;
  return insertRows(prisma, 'FieldLineage', columns, data);
}

/** Field lineage of the given artifacts, by table and column position of insertion. */
export async function fieldLineageOf(prisma: PrismaClient, owners: { kind: string; id: string }[]): Promise<FieldLineage[]> {
  const wanted = owners.filter((o) => o.kind === 'DATASET_VERSION' || o.kind === 'TABLE');
  if (!wanted.length) return [];
  return prisma.fieldLineage.findMany({
    where: { OR: wanted.map((o) => ({ ownerKind: o.kind as 'DATASET_VERSION' | 'TABLE', ownerId: o.id })) },
    orderBy: [{ createdAt: 'asc' }, { schemaName: 'asc' }, { tableName: 'asc' }],
  });
}
