/**
 * Catalogs for the tables a synthetic mode invents (domain entities, test-case entities, form
 * tables): the same document discover reads from a database, so provisioning creates these tables
 * — keys, uniques, checks, foreign keys — exactly as it creates a subset's.
 */
import type { Catalog, CheckDef, ColumnDef, EnumDef, ForeignKeyDef, TableDef, TypeKind } from '../catalog/types.ts';

export interface ColumnSpec {
  name: string;
  /** A PostgreSQL type as format_type() spells it: "bigint", "character varying(254)", "numeric(12,2)", "public.order_status". */
  dataType: string;
  nullable?: boolean;
  comment?: string | null;
}

export interface TableSpec {
  schema?: string;
  name: string;
  columns: ColumnSpec[];
  primaryKey?: string[];
  uniques?: string[][];
  /** CHECK expressions in PostgreSQL syntax over quoted or plain column names. */
  checks?: { name?: string; expression: string; columns: string[] }[];
  foreignKeys?: { columns: string[]; references: { schema?: string; table: string; columns: string[] }; name?: string }[];
  comment?: string | null;
}

const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

/** A constraint name PostgreSQL accepts (≤ 63 bytes), unique enough within a table. */
function constraintName(table: string, suffix: string): string {
  const name = `${table}_${suffix}`;
  return name.length <= 63 ? name : `${name.slice(0, 54)}_${(hashCode(name) >>> 0).toString(36)}`;
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function columnDef(spec: ColumnSpec, position: number, enums: Set<string>): ColumnDef {
  const t = spec.dataType.trim();
  const length = /^(?:character varying|character)\((\d+)\)$/.exec(t);
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(t);
  const isArray = t.endsWith('[]');
  const base = isArray ? t.slice(0, -2) : t;
  const dot = base.indexOf('.');
  const typeKind: TypeKind = isArray ? 'array' : enums.has(base) ? 'enum' : 'base';
  return {
    name: spec.name,
    position,
    dataType: t,
    typeSchema: dot > 0 && enums.has(base) ? base.slice(0, dot) : 'pg_catalog',
    typeName: dot > 0 && enums.has(base) ? base.slice(dot + 1) : base.replace(/\(.*\)$/, ''),
    typeKind,
    elementType: isArray ? base : null,
    nullable: spec.nullable ?? true,
    default: null,
    maxLength: length ? Number(length[1]) : null,
    numericPrecision: numeric ? Number(numeric[1]) : null,
    numericScale: numeric ? Number(numeric[2]) : null,
    identity: null,
    generated: null,
    sequence: null,
    comment: spec.comment ?? null,
  };
}

/** Builds the TableDef of an invented table. */
export function tableDef(spec: TableSpec, enums: Set<string> = new Set()): TableDef {
  const schema = spec.schema ?? 'public';
  const pk = spec.primaryKey ?? [];
  const nonNull = new Set(pk);
  const columns = spec.columns.map((c, i) => columnDef(nonNull.has(c.name) ? { ...c, nullable: false } : c, i + 1, enums));
  const safe = (s: string) => (SQL_NAME.test(s) ? s : s.toLowerCase().replace(/[^a-z0-9_]+/g, '_'));
  const checks: CheckDef[] = (spec.checks ?? []).map((c, i) => ({
    name: c.name ?? constraintName(safe(spec.name), `check_${i + 1}`),
    expression: c.expression,
    columns: c.columns,
    inherited: false,
    noInherit: false,
  }));
  const foreignKeys: ForeignKeyDef[] = (spec.foreignKeys ?? []).map((fk) => ({
    name: fk.name ?? constraintName(safe(spec.name), `${fk.columns.map(safe).join('_')}_fkey`),
    columns: fk.columns,
    referencedSchema: fk.references.schema ?? schema,
    referencedTable: fk.references.table,
    referencedColumns: fk.references.columns,
    onDelete: 'NO ACTION',
    onUpdate: 'NO ACTION',
    matchType: 'SIMPLE',
    deferrable: false,
    initiallyDeferred: false,
    notValid: false,
  }));
  return {
    schema,
    name: spec.name,
    kind: 'TABLE',
    partitionOf: null,
    partitionKind: null,
    partitionBound: null,
    partitionKey: null,
    columns,
    primaryKey: pk.length ? { name: constraintName(safe(spec.name), 'pkey'), columns: pk } : null,
    foreignKeys,
    uniques: (spec.uniques ?? []).map((cols) => ({
      name: constraintName(safe(spec.name), `${cols.map(safe).join('_')}_key`),
      columns: cols,
      deferrable: false,
      nullsNotDistinct: false,
    })),
    checks,
    exclusions: [],
    indexes: [],
    rowEstimate: null,
    rowCount: null,
    ownRowCount: null,
    comment: spec.comment ?? null,
  };
}

/** A whole catalog of invented tables (and the enum types they use). */
export function syntheticCatalog(database: string, tables: TableSpec[], enums: EnumDef[] = []): Catalog {
  const enumNames = new Set(enums.map((e) => `${e.schema}.${e.name}`));
  const schemas = [...new Set(tables.map((t) => t.schema ?? 'public'))].sort();
  return {
    database,
    serverVersion: 'synthetic',
    schemas,
    extensions: [],
    enums,
    domains: [],
    sequences: [],
    tables: tables.map((t) => tableDef(t, enumNames)),
  };
}
