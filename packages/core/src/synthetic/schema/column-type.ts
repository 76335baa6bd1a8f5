/**
 * A column's PostgreSQL type, resolved: format_type strings (enums and domains through the catalog)
 * down to the base kind that picks the text form of generated values, with the domains' CHECKs.
 */
import type { Catalog, ColumnDef } from '../../catalog/types.ts';

export type BaseKind =
  | 'int2'
  | 'int4'
  | 'int8'
  | 'numeric'
  | 'float'
  | 'money'
  | 'text'
  | 'bpchar'
  | 'bool'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'uuid'
  | 'json'
  | 'bytea'
  | 'inet'
  | 'cidr'
  | 'macaddr'
  | 'enum'
  | 'tsvector'
  | 'tsquery'
  | 'bit'
  | 'varbit'
  | 'xml'
  | 'point'
  | 'intrange'
  | 'numrange'
  | 'daterange'
  | 'tsrange'
  | 'tstzrange'
  | 'unknown';

export interface ResolvedType {
  base: BaseKind;
  /** The base type's format_type, for semantic fitting and messages. */
  pgType: string;
  maxLength: number | null;
  precision: number | null;
  scale: number | null;
  labels: string[] | null;
  element: ResolvedType | null;
  /** CHECKs of the domains on the way to the base type (expressions over VALUE). */
  domainChecks: { name: string; expression: string }[];
  domainNotNull: boolean;
}

const unquote = (s: string) => s.replace(/"/g, '');

/** Resolves a format_type string (enums and domains through the catalog) to its base. */
export function resolveType(catalog: Catalog, dataType: string, depth = 0): ResolvedType {
  const t = dataType.trim();
  const plain: ResolvedType = {
    base: 'unknown',
    pgType: t,
    maxLength: null,
    precision: null,
    scale: null,
    labels: null,
    element: null,
    domainChecks: [],
    domainNotNull: false,
  };
  if (t.endsWith('[]')) return { ...plain, base: 'unknown', element: resolveType(catalog, t.replace(/(\[\])+$/, ''), depth + 1) };
  const name = unquote(t);
  const bare = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
  const matches = (schema: string, n: string) => name === `${schema}.${n}` || name === n;
  const en = catalog.enums.find((e) => matches(e.schema, e.name));
  if (en) return { ...plain, base: 'enum', labels: en.labels };
  const dom = depth < 8 ? catalog.domains.find((d) => matches(d.schema, d.name)) : undefined;
  if (dom) {
    const inner = resolveType(catalog, dom.baseType, depth + 1);
    return { ...inner, domainChecks: [...dom.checks, ...inner.domainChecks], domainNotNull: !dom.nullable || inner.domainNotNull };
  }
  return builtinType(t, bare, plain);
}

/** A built-in type by its format_type (`character varying(40)`, `numeric(12,2)`, `timestamp with time zone`…); `bare` is its name without a schema. */
function builtinType(t: string, bare: string, plain: ResolvedType): ResolvedType {
  const args = /\(([^)]*)\)/
    .exec(t)?.[1]
    ?.split(',')
    .map((x) => Number(x.trim()));
  const head = t.replace(/\([^)]*\)/, '').trim();
  const n0 = args?.[0] ?? null;
  switch (head) {
    case 'smallint':
      return { ...plain, base: 'int2' };
    case 'integer':
      return { ...plain, base: 'int4' };
    case 'bigint':
      return { ...plain, base: 'int8' };
    case 'numeric':
    case 'decimal':
      return { ...plain, base: 'numeric', precision: n0, scale: args?.[1] ?? (n0 === null ? null : 0) };
    case 'real':
    case 'double precision':
      return { ...plain, base: 'float' };
    case 'money':
      return { ...plain, base: 'money' };
    case 'text':
    case 'name':
    case 'citext':
    case 'character varying':
      return { ...plain, base: 'text', maxLength: n0 };
    case 'character':
    case '"char"':
      return { ...plain, base: 'bpchar', maxLength: n0 ?? 1 };
    case 'boolean':
      return { ...plain, base: 'bool' };
    case 'date':
      return { ...plain, base: 'date' };
    case 'time without time zone':
    case 'time':
      return { ...plain, base: 'time' };
    case 'time with time zone':
      return { ...plain, base: 'timetz' };
    case 'timestamp without time zone':
    case 'timestamp':
      return { ...plain, base: 'timestamp' };
    case 'timestamp with time zone':
      return { ...plain, base: 'timestamptz' };
    case 'uuid':
    case 'json':
    case 'bytea':
    case 'inet':
    case 'cidr':
    case 'tsvector':
    case 'tsquery':
    case 'xml':
    case 'point':
    case 'daterange':
    case 'numrange':
    case 'tsrange':
    case 'tstzrange':
      return { ...plain, base: head };
    case 'jsonb':
      return { ...plain, base: 'json' };
    case 'macaddr':
    case 'macaddr8':
      return { ...plain, base: 'macaddr' };
    case 'bit':
      return { ...plain, base: 'bit', maxLength: n0 ?? 1 };
    case 'bit varying':
      return { ...plain, base: 'varbit', maxLength: n0 };
    case 'int4range':
    case 'int8range':
      return { ...plain, base: 'intrange' };
    default:
      return head.startsWith('interval') ? { ...plain, base: 'interval' } : bare === 'citext' ? { ...plain, base: 'text' } : plain;
  }
}

export function columnType(catalog: Catalog, column: ColumnDef): ResolvedType {
  if (column.typeKind === 'array' && column.elementType) return { ...resolveType(catalog, column.dataType), element: resolveType(catalog, column.elementType) };
  return resolveType(catalog, column.dataType);
}

/** Whether the type can be generated at all (unknown types are left NULL when the column allows it). */
export function generatable(type: ResolvedType): boolean {
  return type.base !== 'unknown' || type.element !== null;
}

/** Integer limits of a base type. */
export function intLimits(base: BaseKind): [number, number] {
  if (base === 'int2') return [-32768, 32767];
  if (base === 'int4') return [-2147483648, 2147483647];
  return [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
}
