/**
 * The vocabulary of a subset plan: what `planSubset` produces and `executeSubset` carries out. Plain
 * data (JSON-safe), so a plan is stored with the dataset it produced and printed with `formatPlan`.
 */
/**
 * How a table gets its rows: `root` (the capped, filtered start), `down` (rows referencing selected
 * rows), `up` (only the rows selected rows reference), `unreached` (a capped sample of its own) or
 * `full` (every row, in a full copy).
 */
export type ReachedBy = 'root' | 'down' | 'up' | 'unreached' | 'full';

/** What the user asks of a subset: where to start, how many rows, which rows. */
export interface SubsetOptions {
  /** `"schema.table"` or `"table"` (also `"Schema"."Table"`); inferred when absent. */
  rootTable?: string;
  /** Row caps per table, `"*"` for every other table: `{"*": 5000, "orders": 50000}`. Absent → no caps. */
  maxRowsPerTable?: Record<string, number>;
  /** SQL boolean expressions per table, applied where the table's rows are chosen (root, down, unreached). */
  where?: Record<string, string>;
  /** Whether tables not reachable from the root are sampled (with their cap) when the plan has caps. Default true. */
  includeUnreached?: boolean;
}

/** A foreign key as the plan follows it: between planned tables, merged from partitions when declared there. */
export interface PlannedForeignKey {
  name: string;
  /** Qualified name of the referencing planned table. */
  table: string;
  columns: string[];
  /** Qualified name of the referenced planned table. */
  references: string;
  referencedColumns: string[];
  /** Every referencing column is nullable: a row can be inserted with NULL there and updated later. */
  nullable: boolean;
  deferrable: boolean;
  selfReference: boolean;
  /** Tables declaring the constraint: the table itself, or its partitions when only they declare it. */
  declaredOn: string[];
}

/** An FK loaded in two steps to get through a cycle: its columns inserted as NULL, then set by UPDATE. */
export interface CycleBreak {
  fk: string;
  columns: string[];
  references: string;
}

/** How the executor identifies a row: its primary key, else the physical row id. */
export interface RowKey {
  kind: 'primaryKey' | 'ctid';
  /** PK columns, or `["ctid"]` (`["tableoid", "ctid"]` for a partitioned table without PK: ctid repeats across partitions). */
  columns: string[];
}

/** One table of the plan: how it is reached, capped, filtered, keyed and ordered for loading. */
export interface PlannedTable {
  schema: string;
  name: string;
  /** `schema.name`, the id used in `dependsOn`, `references` and cycle entries. */
  qualified: string;
  /** 1-based position in the load order (parents before children, cycles broken). */
  order: number;
  reachedBy: ReachedBy;
  /** FK names the table is reached through: for `down` its FKs into selected tables, for `up` the FKs of selected tables into it. */
  via: string[];
  /** Rows taken by the capped selection (root, down, unreached); rows needed for integrity come on top. */
  cap: number | null;
  where: string | null;
  /** Whether the table is read at all (false only for unreached tables when `includeUnreached` is off). */
  included: boolean;
  /** Tables to load before this one (self excluded, broken FKs excluded). */
  dependsOn: string[];
  /** FKs of this table to insert as NULL and set by an UPDATE once their targets are loaded. */
  cycleBreaks: CycleBreak[];
  key: RowKey;
  /** Read `FROM ONLY`: the table has INHERITS children, planned separately. */
  only: boolean;
  /** INHERITS parent, when this table is an INHERITS child. */
  inherits: string | null;
  /** Declarative partitions whose rows are read through this table. */
  partitions: string[];
  foreignKeys: PlannedForeignKey[];
  /** Source rows (own rows for a `FROM ONLY` table) according to the catalog. */
  sourceRows: number | null;
}

/** A strongly connected component of more than one table, and how its cycles are broken. */
export interface PlannedCycle {
  tables: string[];
  /** FKs between members of the component. */
  foreignKeys: { table: string; fk: string; columns: string[]; references: string; nullable: boolean; deferrable: boolean }[];
  /** Nullable FKs inserted as NULL and updated after the component is loaded. */
  breaks: { table: string; fk: string; columns: string[]; references: string }[];
  /** False when some cycle has only NOT NULL FKs: no load order satisfies it row by row. */
  breakable: boolean;
  /** FKs the load order cannot satisfy (empty when breakable). */
  unresolved: { table: string; fk: string; references: string; deferrable: boolean }[];
  note: string;
}

/**
 * The plan `executeSubset` carries out and a provisioner loads by: plain data (JSON-safe), so it is
 * stored with the dataset it produced and printed with `formatPlan`.
 */
export interface SubsetPlan {
  mode: 'full' | 'subset';
  /** Qualified root table (null only for an empty catalog). */
  root: string | null;
  rootReason: string;
  includeUnreached: boolean;
  /** Tables in load order. */
  tables: PlannedTable[];
  /** Order in which the capped selections run: the root, then downward tables parents-first, then unreached tables. */
  selection: string[];
  cycles: PlannedCycle[];
  notes: string[];
}
