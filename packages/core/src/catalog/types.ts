/**
 * The catalog document: what TDM knows about a source database's structure. Produced by
 * `readCatalog`, stored whole on a SchemaVersion and read by every later step (subset planner,
 * provisioner, generators). Names are unquoted; qualified names are "schema.name".
 */
export type TableKind = 'TABLE' | 'PARTITIONED_TABLE' | 'FOREIGN_TABLE';
export type TypeKind = 'base' | 'enum' | 'domain' | 'array' | 'composite' | 'range' | 'multirange' | 'pseudo';
export type FkAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

export interface ColumnDef {
  name: string;
  /** 1-based position among the table's live columns. */
  position: number;
  /** format_type(): "character varying(40)", "numeric(5,2)", "text[]", "public.mpaa_rating". */
  dataType: string;
  typeSchema: string;
  typeName: string;
  typeKind: TypeKind;
  /** For arrays: the element type (format_type), e.g. "text" or "public.mpaa_rating". */
  elementType: string | null;
  nullable: boolean;
  default: string | null;
  maxLength: number | null;
  numericPrecision: number | null;
  numericScale: number | null;
  identity: 'ALWAYS' | 'BY_DEFAULT' | null;
  /** Expression of a generated column (STORED or VIRTUAL). */
  generated: string | null;
  /** "schema.sequence" owned by this column (serial/identity) or used in its default. */
  sequence: string | null;
  comment: string | null;
}

export interface KeyDef {
  name: string;
  columns: string[];
}

export interface UniqueDef extends KeyDef {
  deferrable: boolean;
  /** NULLS NOT DISTINCT (PostgreSQL 15+). */
  nullsNotDistinct: boolean;
}

export interface CheckDef {
  name: string;
  /** The boolean expression, e.g. "((rating >= 0) AND (rating <= 5))". */
  expression: string;
  columns: string[];
  /** Inherited from an INHERITS parent rather than declared here. */
  inherited: boolean;
  noInherit: boolean;
}

export interface ForeignKeyDef {
  name: string;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
  onDelete: FkAction;
  onUpdate: FkAction;
  matchType: 'SIMPLE' | 'FULL' | 'PARTIAL';
  deferrable: boolean;
  initiallyDeferred: boolean;
  /** Not yet validated (added with NOT VALID). */
  notValid: boolean;
}

export interface IndexDef {
  name: string;
  /** Column names; expression parts appear as their expression text. */
  columns: string[];
  unique: boolean;
  primary: boolean;
  method: string;
  /** pg_get_indexdef(), ready to replay. */
  definition: string;
  /** Backs a PRIMARY KEY / UNIQUE / EXCLUDE constraint (created with it). */
  constraint: string | null;
}

export interface TableDef {
  schema: string;
  name: string;
  kind: TableKind;
  /** "schema.table" of the parent: declarative partition parent or INHERITS parent. */
  partitionOf: string | null;
  partitionKind: 'DECLARATIVE' | 'INHERITS' | null;
  /** FOR VALUES … of a declarative partition. */
  partitionBound: string | null;
  /** PARTITION BY … of a partitioned table. */
  partitionKey: string | null;
  columns: ColumnDef[];
  primaryKey: KeyDef | null;
  foreignKeys: ForeignKeyDef[];
  uniques: UniqueDef[];
  checks: CheckDef[];
  exclusions: { name: string; definition: string }[];
  indexes: IndexDef[];
  /** pg_class.reltuples; null when the table was never analyzed. */
  rowEstimate: number | null;
  /** count(*) through the table, partitions and INHERITS children included; null when not counted. */
  rowCount: number | null;
  /** count(*) of the table's own rows (FROM ONLY). */
  ownRowCount: number | null;
  comment: string | null;
}

export interface EnumDef {
  schema: string;
  name: string;
  labels: string[];
}

export interface DomainDef {
  schema: string;
  name: string;
  baseType: string;
  nullable: boolean;
  default: string | null;
  checks: { name: string; expression: string }[];
}

export interface SequenceDef {
  schema: string;
  name: string;
  dataType: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cycle: boolean;
  /** "schema.table.column" owning it (serial, identity, OWNED BY). */
  ownedBy: string | null;
  /** Current value when readable; not part of the content hash. */
  lastValue: string | null;
}

export interface ExtensionDef {
  name: string;
  /** Schema its objects live in (e.g. uuid-ossp's functions in public). */
  schema: string;
  version: string;
}

export interface Catalog {
  database: string;
  serverVersion: string;
  schemas: string[];
  /** Installed extensions other than plpgsql (defaults such as uuid_generate_v4() need them). */
  extensions?: ExtensionDef[];
  enums: EnumDef[];
  domains: DomainDef[];
  sequences: SequenceDef[];
  tables: TableDef[];
}

export const qualified = (schema: string, name: string): string => `${schema}.${name}`;
