/**
 * What a dataset's tables need from the catalog, in the order they can be created: the tables
 * themselves (partition and INHERITS parents before their children), the enums and domains their
 * columns use (a domain after the enum or domain it is built on) and the sequences their columns
 * draw from, and the schema objects beside them (`extras`, see schema-objects.ts): the whole schema
 * when the dataset holds every table of its catalog, what the tables need otherwise.
 */
import type { Catalog, DomainDef, EnumDef, SequenceDef, TableDef } from '../catalog/types.ts';
import type { TableRef } from '../dataset/types.ts';
import { quoteQualified } from '../db/quote.ts';
import { InvalidInputError } from '../errors.ts';
import { designation, type SchemaExtras, selectExtras } from './schema-objects.ts';

export interface NeededSequence {
  def: SequenceDef;
  /** Created by an identity column (`GENERATED … AS IDENTITY (SEQUENCE NAME …)`), not by CREATE SEQUENCE. */
  identity: boolean;
  /** Columns of the dataset's tables drawing from it (identity, serial default or OWNED BY). */
  usedBy: { table: TableDef; column: string }[];
}

export interface DatasetObjects {
  /** Schemas holding anything below, sorted. */
  schemas: string[];
  enums: EnumDef[];
  /** Dependency order: a domain after the domains and enums it is built on. */
  domains: DomainDef[];
  sequences: NeededSequence[];
  /** Creation order: a declarative or INHERITS parent before its children, else catalog order. */
  tables: TableDef[];
  /** The parent a table is created under, when that parent is provisioned too. */
  parentOf: Map<TableDef, TableDef>;
  /** Types, routines, views, triggers, rules, policies and comments beside the tables. */
  extras: SchemaExtras;
}

export const tableKey = (t: TableRef): string => `${t.schema}.${t.name}`;

/**
 * Splits a `format_type()` name into schema and name: `public.mood[]`, `"Other Schema"."My Type"`,
 * `public.us_zip`. Built-in types print unqualified (`character varying(10)`, `integer[]`) and give null.
 */
export function parseTypeName(text: string): { schema: string; name: string } | null {
  let s = text.trim();
  while (s.endsWith('[]')) s = s.slice(0, -2).trimEnd();
  const parts: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      let part = '';
      while (j < s.length) {
        if (s[j] === '"' && s[j + 1] === '"') {
          part += '"';
          j += 2;
        } else if (s[j] === '"') break;
        else part += s[j++];
      }
      parts.push(part);
      i = j + 1;
    } else {
      const m = /^[^."(\s]+/.exec(s.slice(i));
      if (!m) break;
      parts.push(m[0]);
      i += m[0].length;
    }
    if (s[i] !== '.') break;
    i++;
  }
  // Anything left (a typmod, a space in "double precision") means a built-in type unless two parts were read.
  if (parts.length !== 2) return null;
  const [schema, name] = parts as [string, string];
  return { schema, name };
}

/** The tables in `refs` (all provisionable tables of the catalog when absent), checked against the catalog. */
export function resolveTables(catalog: Catalog, refs?: TableRef[]): TableDef[] {
  const byKey = new Map(catalog.tables.map((t) => [tableKey(t), t]));
  const wanted = refs ?? catalog.tables.filter((t) => t.kind !== 'FOREIGN_TABLE');
  const missing = wanted.filter((r) => !byKey.has(tableKey(r)));
  if (missing.length) {
    throw new InvalidInputError(`the catalog does not describe ${missing.map((r) => JSON.stringify(tableKey(r))).join(', ')}`, {
      tables: missing.map(tableKey),
    });
  }
  const tables = [...new Map(wanted.map((r) => [tableKey(r), byKey.get(tableKey(r)) as TableDef])).values()];
  // A dataset holds a declaratively partitioned table's rows under the parent: its partitions
  // (and theirs) must exist for the rows to be routed to.
  const have = new Set(tables.map(tableKey));
  for (let i = 0; i < tables.length; i++) {
    const parent = tables[i] as TableDef;
    if (parent.kind !== 'PARTITIONED_TABLE') continue;
    for (const child of catalog.tables) {
      if (child.partitionKind === 'DECLARATIVE' && child.partitionOf === tableKey(parent) && !have.has(tableKey(child))) {
        have.add(tableKey(child));
        tables.push(child);
      }
    }
  }
  const foreign = tables.filter((t) => t.kind === 'FOREIGN_TABLE');
  if (foreign.length) {
    throw new InvalidInputError(`foreign tables cannot be provisioned: ${foreign.map((t) => JSON.stringify(tableKey(t))).join(', ')}`, {
      tables: foreign.map(tableKey),
    });
  }
  return tables;
}

/** Everything the dataset's tables need, in creation order. */
export function datasetObjects(catalog: Catalog, refs?: TableRef[]): DatasetObjects {
  const selected = resolveTables(catalog, refs);
  const selectedKeys = new Map(selected.map((t) => [tableKey(t), t]));
  const parentOf = provisionedParents(selected, selectedKeys);
  const tables = parentsFirst(selected, parentOf);

  const types = new TypeUse(catalog);
  for (const t of tables) for (const c of t.columns) types.use(c.dataType);
  const included = new Set<string>([...types.enums].map((k) => designation.enum(types.enumDefs.get(k) as EnumDef)));
  for (const d of types.domains) included.add(designation.domain(d));
  const extras = selectExtras(catalog, tables, included);
  // Enums and domains the extras pulled in (every one of them for a whole schema), domains after their base types.
  for (const e of catalog.enums) if (included.has(designation.enum(e))) types.enums.add(`${e.schema}.${e.name}`);
  for (const d of catalog.domains) if (included.has(designation.domain(d))) types.use(`${quoteQualified(d.schema, d.name)}`);

  const sequences = neededSequences(catalog, tables, parentOf, selectedKeys, extras.full);

  const schemas = new Set<string>();
  for (const t of tables) schemas.add(t.schema);
  for (const key of types.enums) schemas.add((types.enumDefs.get(key) as EnumDef).schema);
  for (const d of types.domains) schemas.add(d.schema);
  for (const s of sequences.values()) schemas.add(s.def.schema);
  for (const o of [...extras.compositeTypes, ...extras.ranges, ...extras.routines, ...extras.views]) schemas.add(o.schema);
  if (extras.full) for (const s of catalog.schemas) schemas.add(s);

  return {
    schemas: [...schemas].sort(),
    enums: catalog.enums.filter((e) => types.enums.has(`${e.schema}.${e.name}`)),
    domains: types.domains,
    sequences: [...sequences.values()].sort((a, b) => (tableKey(a.def) < tableKey(b.def) ? -1 : 1)),
    tables,
    parentOf,
    extras,
  };
}

/** The parent each selected partition or INHERITS child is created under, when that parent is selected too. */
function provisionedParents(selected: TableDef[], selectedKeys: Map<string, TableDef>): Map<TableDef, TableDef> {
  const parentOf = new Map<TableDef, TableDef>();
  for (const t of selected) {
    const parent = t.partitionOf === null ? undefined : selectedKeys.get(t.partitionOf);
    if (parent) parentOf.set(t, parent);
  }
  return parentOf;
}

/** Parents first; otherwise the catalog's (sorted) order, so the plan is stable. */
function parentsFirst(selected: TableDef[], parentOf: Map<TableDef, TableDef>): TableDef[] {
  const tables: TableDef[] = [];
  const placed = new Set<TableDef>();
  const place = (t: TableDef, path: Set<TableDef>) => {
    if (placed.has(t) || path.has(t)) return;
    path.add(t);
    const parent = parentOf.get(t);
    if (parent) place(parent, path);
    placed.add(t);
    tables.push(t);
  };
  for (const t of selected) place(t, new Set());
  return tables;
}

/** The enums and domains a set of column types uses; a domain comes after what it is built on. */
class TypeUse {
  readonly enumDefs: Map<string, EnumDef>;
  private readonly domainDefs: Map<string, DomainDef>;
  /** `schema.name` of every enum used. */
  readonly enums = new Set<string>();
  /** Domains used, in dependency order. */
  readonly domains: DomainDef[] = [];
  private readonly visiting = new Set<string>();

  constructor(catalog: Catalog) {
    this.enumDefs = new Map(catalog.enums.map((e) => [`${e.schema}.${e.name}`, e]));
    this.domainDefs = new Map(catalog.domains.map((d) => [`${d.schema}.${d.name}`, d]));
  }

  /** Notes the type a `format_type()` name designates, if it is one of the catalog's enums or domains. */
  use(text: string | null): void {
    if (text === null) return;
    const parsed = parseTypeName(text);
    if (!parsed) return;
    const key = `${parsed.schema}.${parsed.name}`;
    if (this.enumDefs.has(key)) this.enums.add(key);
    const domain = this.domainDefs.get(key);
    if (domain && !this.visiting.has(key)) {
      this.visiting.add(key);
      this.use(domain.baseType); // what it is built on first
      this.domains.push(domain);
    }
  }
}

/** The sequences the tables' columns draw from or that they own, by `schema.name`; all of them for a whole schema. */
function neededSequences(
  catalog: Catalog,
  tables: TableDef[],
  parentOf: Map<TableDef, TableDef>,
  selectedKeys: Map<string, TableDef>,
  full: boolean,
): Map<string, NeededSequence> {
  const sequences = new Map(catalog.sequences.map((s) => [`${s.schema}.${s.name}`, s]));
  const needed = new Map<string, NeededSequence>();
  const useSequence = (key: string, table: TableDef, column: string, identity: boolean) => {
    const def = sequences.get(key);
    if (!def) return;
    let entry = needed.get(key);
    if (!entry) {
      entry = { def, identity: false, usedBy: [] };
      needed.set(key, entry);
    }
    entry.identity ||= identity;
    if (!entry.usedBy.some((u) => u.table === table && u.column === column)) entry.usedBy.push({ table, column });
  };
  for (const t of tables) {
    for (const c of t.columns) {
      // A partition's identity belongs to its parent's column (PostgreSQL 17+ reports it on both).
      const inheritedIdentity = c.identity !== null && parentOf.get(t)?.columns.some((p) => p.name === c.name && p.identity !== null);
      if (c.sequence !== null) useSequence(c.sequence, t, c.name, c.identity !== null && !inheritedIdentity);
    }
  }
  // A whole schema keeps its sequences even when no column draws from them.
  if (full)
    for (const s of catalog.sequences) if (!needed.has(`${s.schema}.${s.name}`)) needed.set(`${s.schema}.${s.name}`, { def: s, identity: false, usedBy: [] });
  for (const s of catalog.sequences) {
    if (s.ownedBy === null) continue;
    const dot = s.ownedBy.lastIndexOf('.');
    const table = selectedKeys.get(s.ownedBy.slice(0, dot));
    if (table) useSequence(`${s.schema}.${s.name}`, table, s.ownedBy.slice(dot + 1), false);
  }
  return needed;
}

/** Depth in the provisioned parent chain: 0 for a table created on its own. */
export function depthOf(objects: DatasetObjects, table: TableDef): number {
  let depth = 0;
  for (let p = objects.parentOf.get(table); p; p = objects.parentOf.get(p)) depth++;
  return depth;
}
