/**
 * DDL for a dataset's tables, generated from the catalog: what to run before the rows are loaded
 * (`pre`) and after (`post`). Everything is schema-qualified and quoted, and the expressions come
 * from the catalog as PostgreSQL printed them with `search_path = pg_catalog`, so the statements
 * mean the same whatever the target's search_path. A plan is plain data: it can be printed, stored
 * and tested without a database.
 */
import type { Catalog, ColumnDef, ForeignKeyDef, IndexDef, TableDef } from '../catalog/types.ts';
import type { TableRef } from '../dataset/types.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/quote.ts';
import { afterLoad, extraNodes, orderByDependencies, type PreNode, sequenceOptions } from './ddl-objects.ts';
import { type DatasetObjects, datasetObjects, depthOf, type NeededSequence, tableKey } from './objects.ts';
import { designation } from './schema-objects.ts';

export interface DdlPlan {
  /**
   * Before the load: schemas (IF NOT EXISTS), then in pg_depend order sequences, types (enums,
   * ranges, domains, composites), routines, tables with columns, defaults, identity and generated
   * columns, partitions and INHERITS children, comments, and views (materialized ones WITH NO DATA);
   * then primary keys, uniques, exclusions and checks (they check the rows as COPY loads them).
   */
  pre: string[];
  /**
   * After the load: indexes that back no constraint, foreign keys (validated as they are added),
   * sequence OWNED BY, materialized views refreshed and indexed, triggers, rules, row-level
   * security, policies, comments on the other objects.
   */
  post: string[];
}

const q = (t: { schema: string; name: string }) => quoteQualified(t.schema, t.name);
const cols = (names: string[]) => names.map(quoteIdent).join(', ');

function identityClause(c: ColumnDef, sequence: NeededSequence | undefined): string {
  const kind = c.identity === 'ALWAYS' ? 'ALWAYS' : 'BY DEFAULT';
  // SEQUENCE NAME keeps the source's sequence name (PostgreSQL would otherwise pick table_column_seq).
  const options = sequence ? ` (SEQUENCE NAME ${q(sequence.def)} ${sequenceOptions(sequence.def, false)})` : '';
  return `GENERATED ${kind} AS IDENTITY${options}`;
}

export function columnSql(c: ColumnDef, identitySequences: Map<string, NeededSequence>): string {
  let sql = `${quoteIdent(c.name)} ${c.dataType}`;
  const identity = c.identity !== null && c.sequence !== null ? identitySequences.get(c.sequence) : undefined;
  if (c.generated !== null) sql += ` GENERATED ALWAYS AS (${c.generated}) STORED`;
  else if (c.identity !== null) sql += ` ${identityClause(c, identity)}`;
  else if (c.default !== null) sql += ` DEFAULT ${c.default}`;
  if (!c.nullable) sql += ' NOT NULL';
  return sql;
}

/**
 * A child created under its parent (PARTITION OF / INHERITS) gets the parent's columns with their
 * defaults and NOT NULL; these statements give it back what its own columns say differently.
 */
function inheritedColumnFixes(table: TableDef, parent: TableDef, identitySequences: Map<string, NeededSequence>): string[] {
  const out: string[] = [];
  const alter = `ALTER TABLE ONLY ${q(table)} ALTER COLUMN`;
  for (const c of table.columns) {
    const p = parent.columns.find((x) => x.name === c.name);
    if (!p || c.generated !== null) continue;
    const col = quoteIdent(c.name);
    if (c.identity === null && c.default !== p.default)
      out.push(c.default === null ? `${alter} ${col} DROP DEFAULT` : `${alter} ${col} SET DEFAULT ${c.default}`);
    if (!c.nullable && p.nullable) out.push(`${alter} ${col} SET NOT NULL`);
    // INHERITS does not pass identity on; a declarative partition shares its parent's.
    if (c.identity !== null && p.identity === null && table.partitionKind === 'INHERITS') {
      const identity = c.sequence === null ? undefined : identitySequences.get(c.sequence);
      out.push(`${alter} ${col} ADD ${identityClause(c, identity)}`);
    }
  }
  return out;
}

export function createTable(table: TableDef, parent: TableDef | undefined, identitySequences: Map<string, NeededSequence>): string[] {
  const partitionBy = table.kind === 'PARTITIONED_TABLE' && table.partitionKey ? ` PARTITION BY ${table.partitionKey}` : '';
  if (parent && table.partitionKind === 'DECLARATIVE' && table.partitionBound) {
    return [
      `CREATE TABLE ${q(table)} PARTITION OF ${q(parent)} ${table.partitionBound}${partitionBy}`,
      ...inheritedColumnFixes(table, parent, identitySequences),
    ];
  }
  if (parent) {
    // INHERITS puts the parent's columns first: declare only the child's own.
    const own = table.columns.filter((c) => !parent.columns.some((p) => p.name === c.name));
    return [
      `CREATE TABLE ${q(table)} (${own.map((c) => columnSql(c, identitySequences)).join(', ')}) INHERITS (${q(parent)})${partitionBy}`,
      ...inheritedColumnFixes(table, parent, identitySequences),
    ];
  }
  return [`CREATE TABLE ${q(table)} (${table.columns.map((c) => columnSql(c, identitySequences)).join(', ')})${partitionBy}`];
}

export function comments(table: TableDef): string[] {
  const out: string[] = [];
  if (table.comment !== null) out.push(`COMMENT ON TABLE ${q(table)} IS ${quoteLiteral(table.comment)}`);
  for (const c of table.columns) {
    if (c.comment !== null) out.push(`COMMENT ON COLUMN ${q(table)}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment)}`);
  }
  return out;
}

/** ` INCLUDE (…)` of the index backing a key constraint, as pg_get_indexdef printed it. */
function includeOf(table: TableDef, constraint: string): string {
  const index = table.indexes.find((i) => i.constraint === constraint);
  const m = index ? / INCLUDE \(([^)]*)\)/.exec(index.definition) : null;
  return m ? ` INCLUDE (${m[1]})` : '';
}

/** The PRIMARY KEY, UNIQUE, EXCLUDE and CHECK constraints of a table, each with the statement that adds it. */
export function keyConstraintDefs(table: TableDef, createdUnderParent: boolean): { name: string; sql: string; kind: 'KEY' | 'CHECK' }[] {
  const alter = `ALTER TABLE ${q(table)} ADD CONSTRAINT`;
  const out: { name: string; sql: string; kind: 'KEY' | 'CHECK' }[] = [];
  const pk = table.primaryKey;
  if (pk) out.push({ name: pk.name, kind: 'KEY', sql: `${alter} ${quoteIdent(pk.name)} PRIMARY KEY (${cols(pk.columns)})${includeOf(table, pk.name)}` });
  for (const u of table.uniques) {
    out.push({
      name: u.name,
      kind: 'KEY',
      sql: `${alter} ${quoteIdent(u.name)} UNIQUE${u.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''} (${cols(u.columns)})${includeOf(table, u.name)}${u.deferrable ? ' DEFERRABLE' : ''}`,
    });
  }
  for (const x of table.exclusions) out.push({ name: x.name, kind: 'KEY', sql: `${alter} ${quoteIdent(x.name)} ${x.definition}` });
  for (const c of table.checks) {
    // An inherited CHECK arrives with the parent's (added after the child's, see planDdl).
    if (c.inherited && createdUnderParent) continue;
    out.push({ name: c.name, kind: 'CHECK', sql: `${alter} ${quoteIdent(c.name)} CHECK (${c.expression})${c.noInherit ? ' NO INHERIT' : ''}` });
  }
  return out;
}

/**
 * The tables whose primary key, unique and exclusion constraints are added after the load, as
 * pg_restore does: an index built once over the loaded rows (a sort) costs a fraction of one kept up
 * to date row by row (≈ 1.1 s instead of ≈ 1.5 s for COPY of a million rows into an int8-keyed table).
 * Tables in an inheritance or partition tree keep theirs before the load: a parent's key attaches
 * its children's, which must exist when the parent's is added.
 */
function indexesBuiltAfterLoad(objects: DatasetObjects): Set<TableDef> {
  const inTree = new Set<TableDef>();
  for (const [child, parent] of objects.parentOf) inTree.add(child).add(parent);
  return new Set(objects.tables.filter((t) => t.kind === 'TABLE' && !inTree.has(t)));
}

/**
 * pg_get_indexdef prints an index of a partitioned table as `CREATE INDEX … ON ONLY parent`, which
 * would leave it invalid until each partition's index is attached by hand. Without ONLY, PostgreSQL
 * attaches the partitions' matching indexes (created just before, names kept) and creates the missing ones.
 */
export function withoutOnly(definition: string): string {
  const m = /^CREATE (?:UNIQUE )?INDEX /.exec(definition);
  if (!m) return definition;
  let i = m[0].length;
  if (definition[i] === '"') {
    i++;
    while (i < definition.length) {
      if (definition[i] === '"' && definition[i + 1] === '"') i += 2;
      else if (definition[i] === '"') break;
      else i++;
    }
    i++;
  } else {
    while (i < definition.length && definition[i] !== ' ') i++;
  }
  const rest = definition.slice(i);
  return rest.startsWith(' ON ONLY ') ? `${definition.slice(0, i)} ON ${rest.slice(' ON ONLY '.length)}` : definition;
}

export function indexSql(table: TableDef, index: IndexDef): string {
  return table.kind === 'PARTITIONED_TABLE' ? withoutOnly(index.definition) : index.definition;
}

const FK_ACTIONS = (fk: ForeignKeyDef) =>
  `${fk.onUpdate === 'NO ACTION' ? '' : ` ON UPDATE ${fk.onUpdate}`}${fk.onDelete === 'NO ACTION' ? '' : ` ON DELETE ${fk.onDelete}`}`;

export function foreignKeySql(table: TableDef, fk: ForeignKeyDef): string {
  const referenced = quoteQualified(fk.referencedSchema, fk.referencedTable);
  const match = fk.matchType === 'FULL' ? ' MATCH FULL' : '';
  const deferrable = fk.deferrable ? ` DEFERRABLE INITIALLY ${fk.initiallyDeferred ? 'DEFERRED' : 'IMMEDIATE'}` : '';
  // A key the source never validated stays unvalidated: its rows may legitimately break it.
  const notValid = fk.notValid ? ' NOT VALID' : '';
  return `ALTER TABLE ${q(table)} ADD CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${cols(fk.columns)}) REFERENCES ${referenced} (${cols(fk.referencedColumns)})${match}${FK_ACTIONS(fk)}${deferrable}${notValid}`;
}

/** The foreign keys that can be created: both ends are among the dataset's tables. */
export function provisionedForeignKeys(objects: DatasetObjects): { table: TableDef; fk: ForeignKeyDef }[] {
  const keys = new Set(objects.tables.map(tableKey));
  return objects.tables.flatMap((table) =>
    table.foreignKeys.filter((fk) => keys.has(`${fk.referencedSchema}.${fk.referencedTable}`)).map((fk) => ({ table, fk })),
  );
}

/**
 * Plans the DDL that recreates `tables` (default: every table of the catalog) and only what they
 * need. Ordering rules:
 * - schemas, then enums, then domains (each after the enum or domain it is built on), then the
 *   sequences serial-like defaults call (`nextval('…')`), then tables;
 * - a partition (PARTITION OF … FOR VALUES …) or INHERITS child after its parent; a child whose
 *   parent is not in the dataset is created as a plain table with all its columns and checks;
 * - key, exclusion and CHECK constraints after all tables, children before parents: a parent's
 *   primary key or unique then attaches the partitions' existing ones (their names kept), and a
 *   parent's CHECK reaches INHERITS children by inheritance, so inherited checks are not re-declared;
 * - post: non-constraint indexes (children first, parents without ONLY), foreign keys whose both
 *   ends are provisioned, then `OWNED BY` for sequences owned by a column of a provisioned table
 *   in the same schema (PostgreSQL allows no other).
 */
export function planDdl(catalog: Catalog, tables?: TableRef[]): DdlPlan {
  return planFor(datasetObjects(catalog, tables));
}

export function planFor(objects: DatasetObjects): DdlPlan {
  const pre: string[] = [];
  const post: string[] = [];
  for (const s of objects.schemas) pre.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`);
  const ordered = preLoadNodes(objects);
  for (const n of ordered) pre.push(...n.statements);

  // Deepest first; ties keep creation order (the sort is stable).
  const childrenFirst = [...objects.tables].sort((a, b) => depthOf(objects, b) - depthOf(objects, a));
  const built = indexesBuiltAfterLoad(objects);
  for (const t of childrenFirst) {
    for (const c of keyConstraintDefs(t, objects.parentOf.has(t))) (built.has(t) && c.kind !== 'CHECK' ? post : pre).push(c.sql);
  }

  for (const t of childrenFirst) {
    for (const index of t.indexes) if (index.constraint === null) post.push(indexSql(t, index));
  }
  for (const { table, fk } of provisionedForeignKeys(objects)) post.push(foreignKeySql(table, fk));
  const provisioned = new Set(objects.tables.map(tableKey));
  for (const s of objects.sequences) {
    if (s.identity || s.def.ownedBy === null) continue;
    const dot = s.def.ownedBy.lastIndexOf('.');
    const owner = s.def.ownedBy.slice(0, dot);
    const table = objects.tables.find((t) => tableKey(t) === owner);
    if (!table || !provisioned.has(owner) || table.schema !== s.def.schema) continue;
    post.push(`ALTER SEQUENCE ${q(s.def)} OWNED BY ${q(table)}.${quoteIdent(s.def.ownedBy.slice(dot + 1))}`);
  }
  const views = new Map(objects.extras.views.map((v) => [designation.view(v), v]));
  post.push(
    ...afterLoad(
      objects,
      ordered.flatMap((n) => views.get(n.key) ?? []),
    ),
  );
  return { pre, post };
}

/**
 * Everything created before the load, in dependency order: sequences (they need nothing), types
 * (enums, ranges, domains, composites), routines, tables, views. The base order is that one; pg_depend moves an
 * object after what it needs (a function returning a table's rows after the table, a view after
 * the views and functions it reads, a table after the function its default calls).
 */
function preLoadNodes(objects: DatasetObjects): PreNode[] {
  const identitySequences = new Map<string, NeededSequence>();
  const sequences: PreNode[] = [];
  for (const s of objects.sequences) {
    if (s.identity) identitySequences.set(tableKey(s.def), s);
    else
      sequences.push({
        key: designation.sequence(s.def),
        statements: [`CREATE SEQUENCE ${q(s.def)} ${sequenceOptions(s.def, true)}`],
        drop: `DROP SEQUENCE IF EXISTS ${q(s.def)}`,
      });
  }
  const tables: PreNode[] = objects.tables.map((t) => ({
    key: designation.table(t),
    statements: [...createTable(t, objects.parentOf.get(t), identitySequences), ...comments(t)],
    drop: null,
  }));
  const { types, routines, views } = extraNodes(objects);
  const dependsOn = new Map(objects.extras.dependsOn);
  // Parents first even for a catalog read before dependencies were recorded.
  for (const [child, parent] of objects.parentOf) {
    const key = designation.table(child);
    dependsOn.set(key, [...(dependsOn.get(key) ?? []), designation.table(parent)]);
  }
  return orderByDependencies([...sequences, ...types, ...routines, ...tables, ...views], dependsOn);
}

/**
 * What `resetEnv` drops before creating: the dataset's views, then its tables (CASCADE: views and
 * foreign keys of other tables on them go too), then its routines, types and sequences in reverse
 * creation order without CASCADE, so a type or function still used by a table outside the dataset
 * stops the reset instead of silently losing a column. Schemas are never dropped.
 */
export function planReset(objects: DatasetObjects): string[] {
  const out: string[] = [];
  const nodes = preLoadNodes(objects).reverse();
  const views = nodes.filter((n) => n.key.includes('VIEW '));
  for (const v of views) if (v.drop) out.push(v.drop);
  if (objects.tables.length) out.push(`DROP TABLE IF EXISTS ${objects.tables.map(q).join(', ')} CASCADE`);
  for (const n of nodes) if (n.drop && !views.includes(n)) out.push(n.drop);
  return out;
}
