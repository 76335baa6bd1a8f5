/**
 * The model of schema evolution: the kinds of change, a change as a person reads it, and the
 * planned change (with its statements and their place in a migration) the diff produces.
 */

/** Every kind of change, in the order a report lists them. */
export const SCHEMA_CHANGE_KINDS = [
  'ADD_SCHEMA',
  'ADD_EXTENSION',
  'ADD_TABLE',
  'DROP_TABLE',
  'ADD_COLUMN',
  'DROP_COLUMN',
  'ALTER_COLUMN_TYPE',
  'ALTER_NULLABLE',
  'ALTER_DEFAULT',
  'ADD_CONSTRAINT',
  'DROP_CONSTRAINT',
  'ADD_INDEX',
  'DROP_INDEX',
  'ADD_TYPE',
  'ALTER_TYPE',
  'DROP_TYPE',
  'ADD_SEQUENCE',
  'DROP_SEQUENCE',
  'ADD_FUNCTION',
  'ALTER_FUNCTION',
  'DROP_FUNCTION',
  'ADD_VIEW',
  'ALTER_VIEW',
  'DROP_VIEW',
  'ADD_TRIGGER',
  'ALTER_TRIGGER',
  'DROP_TRIGGER',
  'ADD_RULE',
  'DROP_RULE',
  'ADD_POLICY',
  'DROP_POLICY',
  'ALTER_ROW_SECURITY',
  'ALTER_COMMENT',
] as const;

export type SchemaChangeKind = (typeof SCHEMA_CHANGE_KINDS)[number];

/** One difference between the target and the dataset's schema. */
export interface SchemaChange {
  kind: SchemaChangeKind;
  schema: string;
  /** The table (or view) it concerns, when it concerns one. */
  table: string | null;
  /** The object's name: table, column, constraint, index, type, routine (with its arguments) … */
  name: string;
  detail: string;
  /** Applying it loses data or objects the target holds (a dropped table or column, a narrowed type). */
  destructive: boolean;
}

/**
 * Order of the statements in a migration: what depends on an object is dropped before it changes,
 * objects are created before what uses them, and drops of whole objects come last.
 */
export enum Phase {
  Prepare = 0,
  DropDependents = 1,
  DropViews = 2,
  DropKeys = 3,
  Types = 4,
  Routines = 5,
  Tables = 6,
  Columns = 7,
  Keys = 8,
  ForeignKeys = 9,
  Indexes = 10,
  Views = 11,
  AfterViews = 12,
  Comments = 13,
  DropTables = 14,
  DropObjects = 15,
}

export interface PlannedChange extends SchemaChange {
  phase: Phase;
  /** Position inside the phase (creation order); lower first. */
  order: number;
  sql: string[];
  /** The dataset's rows cannot be loaded into the target until this change is applied. */
  blocksLoad: boolean;
}

export interface SchemaEvolution {
  changes: PlannedChange[];
  /** The dataset's rows can be loaded into the target as it is. */
  compatible: boolean;
  /** Some change is destructive. */
  destructive: boolean;
}

export const change = (
  c: Omit<PlannedChange, 'order' | 'blocksLoad' | 'destructive'> & { order?: number; blocksLoad?: boolean; destructive?: boolean },
): PlannedChange => ({ order: 0, blocksLoad: false, destructive: false, ...c });
