/** Catalog objects built in code for tests that need no database: columns, tables, sequences, whole catalogs. */
import type { Catalog, ColumnDef, TableDef } from '../../src/catalog/types.ts';

export function col(name: string, dataType: string, extra: Partial<ColumnDef> = {}): ColumnDef {
  return {
    name,
    position: 0,
    dataType,
    typeSchema: 'pg_catalog',
    typeName: dataType,
    typeKind: 'base',
    elementType: null,
    nullable: true,
    default: null,
    maxLength: null,
    numericPrecision: null,
    numericScale: null,
    identity: null,
    generated: null,
    sequence: null,
    comment: null,
    ...extra,
  };
}

export function tbl(qualifiedName: string, columns: ColumnDef[], extra: Partial<TableDef> = {}): TableDef {
  const dot = qualifiedName.indexOf('.');
  return {
    schema: qualifiedName.slice(0, dot),
    name: qualifiedName.slice(dot + 1),
    kind: 'TABLE',
    partitionOf: null,
    partitionKind: null,
    partitionBound: null,
    partitionKey: null,
    columns: columns.map((c, i) => ({ ...c, position: i + 1 })),
    primaryKey: null,
    foreignKeys: [],
    uniques: [],
    checks: [],
    exclusions: [],
    indexes: [],
    rowEstimate: null,
    rowCount: null,
    ownRowCount: null,
    comment: null,
    ...extra,
  };
}

export function catalog(parts: Partial<Catalog>): Catalog {
  return { database: 'src', serverVersion: '15', schemas: ['public'], enums: [], domains: [], sequences: [], tables: [], ...parts };
}

export const seq = (schema: string, name: string, extra: Partial<Catalog['sequences'][number]> = {}): Catalog['sequences'][number] => ({
  schema,
  name,
  dataType: 'integer',
  start: '1',
  increment: '1',
  min: '1',
  max: '2147483647',
  cycle: false,
  ownedBy: null,
  lastValue: null,
  ...extra,
});

/** Index of the first statement matching `pattern`; fails the test when none does. */
export function at(statements: string[], pattern: RegExp | string): number {
  const i = statements.findIndex((s) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s)));
  if (i < 0) throw new Error(`no statement matches ${pattern}:\n${statements.join('\n')}`);
  return i;
}
