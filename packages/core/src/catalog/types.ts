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
  /** ALTER TABLE … ENABLE ROW LEVEL SECURITY (absent in catalogs read before it was recorded). */
  rowSecurity?: boolean;
  /** ALTER TABLE … FORCE ROW LEVEL SECURITY. */
  forceRowSecurity?: boolean;
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

/** A composite type made with CREATE TYPE … AS (…). */
export interface CompositeTypeDef {
  schema: string;
  name: string;
  attributes: { name: string; dataType: string }[];
}

/** A range type (CREATE TYPE … AS RANGE); functions and operator classes print schema-qualified. */
export interface RangeTypeDef {
  schema: string;
  name: string;
  subtype: string;
  /** Non-default operator class of the subtype. */
  subtypeOpclass: string | null;
  collation: string | null;
  canonical: string | null;
  subtypeDiff: string | null;
  multirangeName: string | null;
}

/** A function, procedure, aggregate or window function, with the statement that recreates it. */
export interface RoutineDef {
  schema: string;
  name: string;
  kind: 'FUNCTION' | 'PROCEDURE' | 'AGGREGATE';
  /** pg_get_function_identity_arguments(): "integer, text". */
  identityArguments: string;
  /** pg_get_functiondef() (CREATE OR REPLACE …), or the CREATE AGGREGATE built from pg_aggregate. */
  definition: string;
}

/** A view or materialized view. */
export interface ViewDef {
  schema: string;
  name: string;
  materialized: boolean;
  /** pg_get_viewdef(): the SELECT. */
  query: string;
  /** reloptions as "key=value" (check_option=local, security_barrier=true, …). */
  options: string[];
  /** A materialized view that holds data in the source (refreshed after the load). */
  populated: boolean;
  /** Indexes of a materialized view. */
  indexes: IndexDef[];
}

export interface TriggerDef {
  schema: string;
  table: string;
  name: string;
  /** pg_get_triggerdef(). */
  definition: string;
  /** pg_trigger.tgenabled: O (origin, the default), D (disabled), R (replica), A (always). */
  enabled: 'O' | 'D' | 'R' | 'A';
}

/** A rewrite rule on a table (CREATE RULE); a view's own _RETURN rule is its query. */
export interface RuleDef {
  schema: string;
  table: string;
  name: string;
  /** pg_get_ruledef(). */
  definition: string;
}

/** A row-level-security policy. */
export interface PolicyDef {
  schema: string;
  table: string;
  name: string;
  permissive: boolean;
  /** ALL, SELECT, INSERT, UPDATE or DELETE. */
  command: string;
  /** Role names; ["PUBLIC"] for everyone. */
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

/** A comment on an object other than a table or a table column (those live on TableDef / ColumnDef). */
export interface CommentDef {
  /** The object as COMMENT ON names it: `FUNCTION "public"."f"(integer)`, `VIEW "public"."v"`, `COLUMN "public"."v"."c"`. */
  object: string;
  text: string;
}

/**
 * Which object needs which, from pg_depend: `object` and `dependsOn` are designations as
 * COMMENT ON writes them (`TABLE "public"."film"`, `FUNCTION "public"."f"(integer)`, `TYPE …`,
 * `DOMAIN …`, `VIEW …`, `MATERIALIZED VIEW …`, `TRIGGER "t" ON "public"."film"`, `RULE …`,
 * `POLICY …`). Foreign keys are left out: they are added after the load, and their cycles must not
 * order the tables.
 */
export interface DependencyDef {
  object: string;
  dependsOn: string[];
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
  // The fields below are absent in catalogs read before TDM recreated whole schemas.
  compositeTypes?: CompositeTypeDef[];
  ranges?: RangeTypeDef[];
  routines?: RoutineDef[];
  views?: ViewDef[];
  triggers?: TriggerDef[];
  rules?: RuleDef[];
  policies?: PolicyDef[];
  comments?: CommentDef[];
  dependencies?: DependencyDef[];
}

export const qualified = (schema: string, name: string): string => `${schema}.${name}`;
