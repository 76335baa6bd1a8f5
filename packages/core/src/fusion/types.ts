/**
 * The vocabulary of schema fusion: what each source (a database's catalog, an OpenAPI document,
 * crawled forms, a test case, a domain pack) says about entities and fields, and the unified schema
 * made from them — every source's fields kept, the higher-weight source deciding types and
 * constraints, and a conflict recorded wherever sources disagree.
 */
export const SOURCE_KINDS = ['DB', 'API', 'UI', 'TEST_CASE', 'DOMAIN'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Default precedence: DB > API > UI > test case > domain. */
export const DEFAULT_WEIGHTS: Record<SourceKind, number> = { DB: 5, API: 4, UI: 3, TEST_CASE: 2, DOMAIN: 1 };

/** A field as one source describes it. `dataType` is a PostgreSQL type (format_type spelling). */
export interface SourceField {
  name: string;
  dataType: string | null;
  maxLength: number | null;
  nullable: boolean | null;
  unique: boolean | null;
  enumValues: string[] | null;
  pattern: string | null;
  min: string | null;
  max: string | null;
  exampleValues: string[];
  /** A foreign key: the entity (source name) and field it points at. */
  references: { entity: string; field: string } | null;
  primaryKey: boolean;
}

export interface SourceEntity {
  kind: SourceKind;
  /** Which document of that kind: a schema version id, a spec title, a URL, a file name, a pack. */
  ref: string;
  name: string;
  fields: SourceField[];
}

export interface FieldOrigin {
  kind: SourceKind;
  ref: string;
  /** The entity and field name in that source. */
  entity: string;
  name: string;
  dataType: string | null;
}

export interface UnifiedField {
  name: string;
  dataType: string;
  maxLength: number | null;
  nullable: boolean;
  unique: boolean;
  enumValues: string[] | null;
  pattern: string | null;
  min: string | null;
  max: string | null;
  exampleValues: string[];
  /** Share (0–1) of the entity's source weight that knows this field. */
  confidence: number;
  chosenFrom: SourceKind;
  primaryKey: boolean;
  references: { entity: string; field: string } | null;
  sources: FieldOrigin[];
}

export interface UnifiedEntity {
  name: string;
  sources: { kind: SourceKind; ref: string; name: string }[];
  fields: UnifiedField[];
}

export interface FusionConflict {
  entity: string;
  field: string;
  property: string;
  values: { kind: SourceKind; value: string }[];
  chosen: string;
  chosenFrom: SourceKind;
}

export interface FusedSchema {
  entities: UnifiedEntity[];
  conflicts: FusionConflict[];
  weights: Record<SourceKind, number>;
}
