/**
 * A unified schema as a catalog synthetic schema mode can generate from: one table per entity, the
 * chosen types, NOT NULL, primary and unique keys, foreign keys between entities, and CHECKs for
 * value lists and numeric bounds (the generator honours them by construction).
 */
import type { Catalog } from '../catalog/types.ts';
import { quoteIdent, quoteLiteral } from '../db/quote.ts';
import { type ColumnSpec, syntheticCatalog, type TableSpec } from '../synthetic/catalog.ts';
import { snakeCase } from './normalize.ts';
import type { UnifiedEntity, UnifiedField } from './types.ts';

const NUMERIC = /^(smallint|integer|bigint|numeric|double precision|real)/;

function columnType(f: UnifiedField): string {
  if (f.dataType === 'text' && f.maxLength) return `character varying(${f.maxLength})`;
  if (f.dataType === 'jsonb' || f.dataType === 'json') return 'text';
  return f.dataType;
}

function checksOf(table: string, f: UnifiedField, column: string): TableSpec['checks'] {
  const out: NonNullable<TableSpec['checks']> = [];
  const q = quoteIdent(column);
  if (f.enumValues?.length && !NUMERIC.test(f.dataType) && f.dataType !== 'boolean')
    out.push({
      name: `${table}_${column}_values`.slice(0, 63),
      expression: `${q} IN (${f.enumValues.map((v) => quoteLiteral(v)).join(', ')})`,
      columns: [column],
    });
  if (NUMERIC.test(f.dataType)) {
    if (f.min !== null && Number.isFinite(Number(f.min)))
      out.push({ name: `${table}_${column}_min`.slice(0, 63), expression: `${q} >= ${Number(f.min)}`, columns: [column] });
    if (f.max !== null && Number.isFinite(Number(f.max)))
      out.push({ name: `${table}_${column}_max`.slice(0, 63), expression: `${q} <= ${Number(f.max)}`, columns: [column] });
  }
  return out;
}

/** The tables of a unified schema (names as snake_case identifiers). */
export function unifiedTables(entities: UnifiedEntity[]): TableSpec[] {
  const tableName = new Map(entities.map((e) => [e.name, snakeCase(e.name)]));
  return entities.map((e) => {
    const table = tableName.get(e.name) as string;
    const cols = e.fields.map((f) => ({ f, column: snakeCase(f.name) || 'field' }));
    const pk = cols.filter(({ f }) => f.primaryKey).map(({ column }) => column);
    const columns: ColumnSpec[] = cols.map(({ f, column }) => ({ name: column, dataType: columnType(f), nullable: pk.includes(column) ? false : f.nullable }));
    return {
      schema: 'public',
      name: table,
      columns,
      primaryKey: pk.length ? pk : undefined,
      uniques: cols.filter(({ f, column }) => f.unique && !pk.includes(column)).map(({ column }) => [column]),
      checks: cols.flatMap(({ f, column }) => checksOf(table, f, column) ?? []),
      foreignKeys: cols.flatMap(({ f, column }) => {
        const target = f.references && entities.find((x) => x.name === f.references?.entity);
        const targetField = target?.fields.find((x) => x.primaryKey);
        return target && targetField
          ? [{ columns: [column], references: { table: tableName.get(target.name) as string, columns: [snakeCase(targetField.name)] } }]
          : [];
      }),
    };
  });
}

export function unifiedCatalog(name: string, entities: UnifiedEntity[]): Catalog {
  return syntheticCatalog(name, unifiedTables(entities));
}
