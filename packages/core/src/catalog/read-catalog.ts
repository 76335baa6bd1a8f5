/**
 * Reads the structure of the requested schemas of a database from pg_catalog into a `Catalog`.
 * Works the same on PostgreSQL servers and PGlite (both speak the same catalog).
 */
import type { SqlClient } from '../db/sql-client.ts';
import { quoteQualified } from '../db/quote.ts';
import { SchemaNotFoundError } from '../errors.ts';
import { EXTENSIONS_SQL, COLUMNS_SQL, CONSTRAINTS_SQL, DOMAINS_SQL, ENUMS_SQL, INDEXES_SQL, SCHEMAS_SQL, SEQUENCES_SQL, TABLES_SQL } from './queries.ts';
import { readSchemaObjects } from './read-objects.ts';
import { type SnapshotScopes, singleScope, withSharedSnapshot } from '../db/shared-snapshot.ts';
import type { Catalog, CheckDef, ColumnDef, FkAction, ForeignKeyDef, IndexDef, TableDef, TableKind, TypeKind } from './types.ts';

export interface ReadCatalogOptions {
  /** Count rows exactly (count(*)) for tables whose estimate is at most `exactCountLimit`. Default true. */
  exactCounts?: boolean;
  /** Tables estimated above this many rows keep only their estimate. Default 5,000,000. */
  exactCountLimit?: number;
}

type Row = Record<string, unknown>;

const TABLE_KINDS: Record<string, TableKind> = { r: 'TABLE', p: 'PARTITIONED_TABLE', f: 'FOREIGN_TABLE' };
const TYPE_KINDS: Record<string, TypeKind> = { b: 'base', e: 'enum', d: 'domain', c: 'composite', r: 'range', m: 'multirange', p: 'pseudo' };
const FK_ACTIONS: Record<string, FkAction> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
const MATCH_TYPES: Record<string, ForeignKeyDef['matchType']> = { s: 'SIMPLE', f: 'FULL', p: 'PARTIAL' };

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const key = (schema: unknown, table: unknown) => `${schema}.${table}`;

/** How many connections read a catalog at once (the caller's transaction and helpers sharing its snapshot). */
const CATALOG_CONNECTIONS = 3;

/** The statements of a catalog read, each sent to whichever connection is free. */
type CatalogReader = Pick<SqlClient, 'query' | 'database'> & { width: number };

function reader(database: string, scopes: SnapshotScopes): CatalogReader {
  return {
    database,
    query: (text, params) => scopes.run((scope) => scope.query(text, params)),
    get width() {
      return scopes.size;
    },
  };
}

/**
 * Reads the catalog of `schemas`; throws `SchemaNotFoundError` naming any schema that does not exist.
 * Runs in one read-only REPEATABLE READ transaction with `search_path = pg_catalog`: every type,
 * default and expression is printed schema-qualified, so the text (and the content hash) does not
 * depend on the reading role's search_path, and everything, counts included, comes from one
 * snapshot. On a server the statements run on a few connections that share that snapshot.
 */
export async function readCatalog(source: SqlClient, schemas: string[], options: ReadCatalogOptions = {}): Promise<Catalog> {
  return source.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    await tx.query(`select set_config('search_path', 'pg_catalog', true)`);
    const setup = async (scope: SqlClient) => {
      await scope.query(`select set_config('search_path', 'pg_catalog', true)`);
    };
    return withSharedSnapshot(source, tx, { connections: CATALOG_CONNECTIONS, setup }, (scopes) =>
      readInTransaction(reader(tx.database, scopes), schemas, options),
    );
  });
}

/**
 * Reads the catalog inside a transaction the caller already holds (provisioning reads the target it
 * is changing), without making it read-only. The caller sets `search_path = pg_catalog` first.
 */
export function readCatalogInTransaction(tx: SqlClient, schemas: string[], options: ReadCatalogOptions = {}): Promise<Catalog> {
  return readInTransaction(reader(tx.database, singleScope(tx)), schemas, options);
}

async function readInTransaction(sql: CatalogReader, schemas: string[], options: ReadCatalogOptions): Promise<Catalog> {
  const wanted = [...new Set(schemas)];
  const params = [wanted];
  // Every statement is sent at once: they wait for a free connection, not for each other.
  const [found, version, tables, columns, constraints, indexes, enums, domains, sequences, extensions, objects] = await Promise.all([
    sql.query<{ name: string }>(SCHEMAS_SQL, [wanted]),
    sql.query<{ v: string }>(`select current_setting('server_version') as v`),
    sql.query(TABLES_SQL, params),
    sql.query(COLUMNS_SQL, params),
    sql.query(CONSTRAINTS_SQL, params),
    sql.query(INDEXES_SQL, params),
    sql.query(ENUMS_SQL, params),
    sql.query(DOMAINS_SQL, params),
    sql.query(SEQUENCES_SQL, params),
    sql.query(EXTENSIONS_SQL),
    readSchemaObjects(sql, wanted),
  ]);
  const present = new Set(found.rows.map((r) => r.name));
  const missing = wanted.filter((s) => !present.has(s));
  if (missing.length > 0) throw new SchemaNotFoundError(missing, sql.database);

  const byKey = new Map<string, TableDef>();
  /** Tables with (or that once had) partitions or INHERITS children: their own rows are counted apart. */
  const parents = new Set<TableDef>();
  for (const r of tables.rows) {
    const t = toTable(r);
    byKey.set(key(t.schema, t.name), t);
    if (r.has_children) parents.add(t);
  }

  for (const r of columns.rows) {
    const t = byKey.get(key(r.schema, r.table));
    if (t) t.columns.push(toColumn(r));
  }

  for (const r of constraints.rows) {
    const t = byKey.get(key(r.schema, r.table));
    if (!t) continue;
    addConstraint(t, r);
  }

  for (const r of indexes.rows) {
    const t = byKey.get(key(r.schema, r.table));
    if (!t) continue;
    t.indexes.push(toIndex(r));
  }

  const catalog: Catalog = {
    database: sql.database,
    serverVersion: version.rows[0]?.v ?? 'unknown',
    schemas: wanted,
    extensions: extensions.rows.map((r) => ({ name: String(r.name), schema: String(r.schema), version: String(r.version) })),
    enums: enums.rows.map((r) => ({ schema: String(r.schema), name: String(r.name), labels: (r.labels as string[]) ?? [] })),
    domains: domains.rows.map((r) => ({
      schema: String(r.schema),
      name: String(r.name),
      baseType: String(r.base_type),
      nullable: Boolean(r.nullable),
      default: str(r.default),
      checks: parseJson<{ name: string; expression: string }[]>(r.checks),
    })),
    sequences: sequences.rows.map((r) => ({
      schema: String(r.schema),
      name: String(r.name),
      dataType: String(r.data_type),
      start: String(r.start),
      increment: String(r.increment),
      min: String(r.min),
      max: String(r.max),
      cycle: Boolean(r.cycle),
      ownedBy: str(r.owned_by),
      lastValue: str(r.last_value),
    })),
    tables: [...byKey.values()].sort((a, b) => byName(`${a.schema}.${a.name}`, `${b.schema}.${b.name}`)),
    ...objects,
  };
  sortCatalog(catalog);
  resolveSequences(catalog);
  if (options.exactCounts !== false) await countRows(sql, catalog.tables, options.exactCountLimit ?? 5_000_000, parents);
  return catalog;
}

/** A table of the tables query, without its columns, constraints and indexes yet. */
function toTable(r: Row): TableDef {
  const kind = TABLE_KINDS[String(r.kind)] ?? 'TABLE';
  const parent = str(r.parent);
  return {
    schema: String(r.schema),
    name: String(r.name),
    kind,
    partitionOf: parent,
    partitionKind: parent === null ? null : r.is_partition ? 'DECLARATIVE' : 'INHERITS',
    partitionBound: str(r.partition_bound),
    partitionKey: str(r.partition_key),
    columns: [],
    primaryKey: null,
    foreignKeys: [],
    uniques: [],
    checks: [],
    exclusions: [],
    indexes: [],
    rowEstimate: num(r.row_estimate),
    rowCount: null,
    ownRowCount: null,
    comment: str(r.comment),
    rowSecurity: Boolean(r.row_security),
    forceRowSecurity: Boolean(r.force_row_security),
  };
}

/** Adds a constraint of the constraints query to its table: primary key, unique, CHECK, exclusion or foreign key. */
function addConstraint(t: TableDef, r: Row): void {
  const name = String(r.name);
  const cols = (r.columns as string[]) ?? [];
  switch (r.type) {
    case 'p':
      t.primaryKey = { name, columns: cols };
      break;
    case 'u':
      t.uniques.push({ name, columns: cols, deferrable: Boolean(r.deferrable), nullsNotDistinct: Boolean(r.nulls_not_distinct) });
      break;
    case 'c':
      t.checks.push(toCheck(r, name, cols));
      break;
    case 'x':
      t.exclusions.push({ name, definition: String(r.definition) });
      break;
    case 'f':
      t.foreignKeys.push({
        name,
        columns: cols,
        referencedSchema: String(r.ref_schema),
        referencedTable: String(r.ref_table),
        referencedColumns: (r.ref_columns as string[]) ?? [],
        onDelete: FK_ACTIONS[String(r.on_delete)] ?? 'NO ACTION',
        onUpdate: FK_ACTIONS[String(r.on_update)] ?? 'NO ACTION',
        matchType: MATCH_TYPES[String(r.match_type)] ?? 'SIMPLE',
        deferrable: Boolean(r.deferrable),
        initiallyDeferred: Boolean(r.deferred),
        notValid: !r.validated,
      });
      break;
  }
}

function toIndex(r: Row): IndexDef {
  return {
    name: String(r.name),
    columns: (r.columns as string[]) ?? [],
    unique: Boolean(r.unique),
    primary: Boolean(r.primary),
    method: String(r.method),
    definition: String(r.definition),
    constraint: str(r.constraint),
  };
}

/** Sorts every list of the catalog in JS: the database's collation must not decide the order (and so the content hash). */
function sortCatalog(catalog: Catalog): void {
  for (const t of catalog.tables) {
    for (const list of [t.foreignKeys, t.uniques, t.checks, t.exclusions, t.indexes]) list.sort((a, b) => byName(a.name, b.name));
  }
  for (const v of catalog.views ?? []) v.indexes.sort((a, b) => byName(a.name, b.name));
  const qualifiedOrder = (a: { schema: string; name: string }, b: { schema: string; name: string }) => byName(`${a.schema}.${a.name}`, `${b.schema}.${b.name}`);
  for (const list of [catalog.compositeTypes, catalog.ranges, catalog.views]) list?.sort(qualifiedOrder);
  catalog.routines?.sort((a, b) => byName(`${a.schema}.${a.name}(${a.identityArguments})`, `${b.schema}.${b.name}(${b.identityArguments})`));
  for (const list of [catalog.triggers, catalog.rules, catalog.policies])
    list?.sort((a, b) => byName(`${a.schema}.${a.table}.${a.name}`, `${b.schema}.${b.table}.${b.name}`));
  catalog.comments?.sort((a, b) => byName(a.object, b.object));
  catalog.dependencies?.sort((a, b) => byName(a.object, b.object));
  for (const d of catalog.dependencies ?? []) d.dependsOn.sort(byName);
  for (const p of catalog.policies ?? []) p.roles.sort(byName);
}

function toColumn(r: Row): ColumnDef {
  const typtype = String(r.typtype);
  const typeKind: TypeKind = r.typcategory === 'A' ? 'array' : (TYPE_KINDS[typtype] ?? 'base');
  const base = String(r.base_type_name);
  const typmod = Number(r.base_typmod);
  let maxLength: number | null = null;
  let numericPrecision: number | null = null;
  let numericScale: number | null = null;
  if ((base === 'varchar' || base === 'bpchar') && typmod > 4) maxLength = typmod - 4;
  if (base === 'numeric' && typmod > 4) {
    numericPrecision = ((typmod - 4) >> 16) & 0xffff;
    numericScale = (typmod - 4) & 0xffff;
  }
  const identity = r.identity === 'a' ? 'ALWAYS' : r.identity === 'd' ? 'BY_DEFAULT' : null;
  return {
    name: String(r.name),
    position: Number(r.position),
    dataType: String(r.data_type),
    typeSchema: String(r.type_schema),
    typeName: String(r.type_name),
    typeKind,
    elementType: str(r.element_type),
    nullable: Boolean(r.nullable),
    default: str(r.default),
    maxLength,
    numericPrecision,
    numericScale,
    identity,
    generated: str(r.generated),
    sequence: str(r.owned_sequence),
    comment: str(r.comment),
  };
}

function toCheck(r: Row, name: string, columns: string[]): CheckDef {
  return {
    name,
    expression: str(r.check_expression) ?? String(r.definition),
    columns,
    inherited: !r.is_local,
    noInherit: Boolean(r.no_inherit),
  };
}

function parseJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * Serial columns whose sequence is not OWNED BY them (common in dumps such as pagila) get their
 * sequence from their default (COLUMNS_SQL); this fills the sequences' `ownedBy` from the columns' side.
 */
function resolveSequences(catalog: Catalog): void {
  const seqs = new Map(catalog.sequences.map((s) => [`${s.schema}.${s.name}`, s]));
  for (const t of catalog.tables) {
    for (const c of t.columns) {
      const seq = c.sequence === null ? undefined : seqs.get(c.sequence);
      if (seq && seq.ownedBy === null) seq.ownedBy = `${t.schema}.${t.name}.${c.name}`;
    }
  }
}

async function countRows(sql: CatalogReader, tables: TableDef[], limit: number, parents: Set<TableDef>): Promise<void> {
  const countable = tables.filter((t) => t.kind !== 'FOREIGN_TABLE' && (t.rowEstimate === null || t.rowEstimate <= limit));
  // Few statements for all tables (a round trip per table would dominate on small databases), one
  // per connection at least so they count side by side; tables dealt out by estimate, largest first.
  const statements = Math.min(countable.length, Math.max(Math.ceil(countable.length / 50), sql.width));
  const chunks: TableDef[][] = Array.from({ length: statements }, () => []);
  const estimates = [...countable].sort((a, b) => (b.rowEstimate ?? 0) - (a.rowEstimate ?? 0));
  for (const [i, t] of estimates.entries()) chunks[i % statements]?.push(t);
  await Promise.all(chunks.map((chunk) => countChunk(sql, chunk, parents)));
}

/** The counts of `chunk`'s tables in one statement; a table without children is read once (its own rows are all its rows). */
async function countChunk(sql: CatalogReader, chunk: TableDef[], parents: Set<TableDef>): Promise<void> {
  const parts = chunk.map((t, i) => {
    const table = quoteQualified(t.schema, t.name);
    const own = parents.has(t) ? `(select count(*) from only ${table})::int8::text` : 'null::text';
    return `(select ${i} as i, (select count(*) from ${table})::int8::text as total, ${own} as own)`;
  });
  const { rows } = await sql.query<{ i: number; total: string; own: string | null }>(parts.join(' union all '));
  for (const r of rows) {
    const t = chunk[Number(r.i)];
    if (t) {
      t.rowCount = Number(r.total);
      t.ownRowCount = Number(r.own ?? r.total);
    }
  }
}
