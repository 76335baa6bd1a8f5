/**
 * The relational rows of a catalog saved as a schema version: its tables, columns, constraints,
 * indexes and relationships, keyed by the ids given to the tables. The catalog document itself is
 * stored whole on the version; these rows are what queries over a version's tables read.
 */
import type { Catalog } from '../catalog/types.ts';

/** Table ids by "schema.table". */
export type TableIds = ReadonlyMap<string, string>;

export function toBig(n: number | null): bigint | null {
  return n === null ? null : BigInt(Math.round(n));
}

/** The catalog's tables, in catalog order. */
export function tableRows(catalog: Catalog, schemaVersionId: string, tableIds: TableIds) {
  return catalog.tables.map((t, position) => ({
    id: tableIds.get(`${t.schema}.${t.name}`) as string,
    schemaVersionId,
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
  }));
}

/** Every column of every table, with its enum labels and domain base type resolved. */
export function columnRows(catalog: Catalog, tableIds: TableIds) {
  return catalog.tables.flatMap((t) =>
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
      domainBaseType: c.typeKind === 'domain' ? (catalog.domains.find((d) => d.schema === c.typeSchema && d.name === c.typeName)?.baseType ?? null) : null,
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
  );
}

/** Primary keys, uniques, CHECKs and exclusion constraints. */
export function constraintRows(catalog: Catalog, tableIds: TableIds) {
  return catalog.tables.flatMap((t) => {
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
  });
}

export function indexRows(catalog: Catalog, tableIds: TableIds) {
  return catalog.tables.flatMap((t) =>
    t.indexes.map((i) => ({
      tableId: tableIds.get(`${t.schema}.${t.name}`) as string,
      name: i.name,
      columns: i.columns,
      unique: i.unique,
      primary: i.primary,
      method: i.method,
      definition: i.definition,
    })),
  );
}

/** Foreign keys between the catalog's tables; a key to a table outside them stays in the catalog document only. */
export function relationshipRows(catalog: Catalog, schemaVersionId: string, tableIds: TableIds) {
  return catalog.tables.flatMap((t) =>
    t.foreignKeys.flatMap((fk) => {
      const toTableId = tableIds.get(`${fk.referencedSchema}.${fk.referencedTable}`);
      // A key to a table outside the discovered schemas stays in the catalog document only.
      if (!toTableId) return [];
      return [
        {
          schemaVersionId,
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
  );
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
