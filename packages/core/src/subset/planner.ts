/**
 * The subset planner: a pure function from a catalog and the user's options to a `SubsetPlan` — which
 * tables to read, in which order to load them, how each one is reached from the root, its cap and
 * filter, and how foreign-key cycles are broken. No database: the plan can be printed, stored in a
 * dataset manifest and tested on its own; `executeSubset` carries it out.
 *
 * Choices the plan makes (and documents in its output):
 * - Without `maxRowsPerTable` and `where` the plan is a full copy: every table, every row.
 * - A declarative partitioned table is planned once; its partitions are listed under it (rows come
 *   through the parent, each once) and the FKs declared only on partitions count as the parent's.
 *   An INHERITS child is a table of its own; its parent is then read `FROM ONLY`.
 * - Tables neither reached from the root downward (rows referencing selected rows) nor upward (rows
 *   that selected rows reference) are `unreached`. With caps they are still included by default
 *   (`includeUnreached`: true) with their cap, so a subset keeps a sample of every table — a test
 *   database missing whole tables surprises more than one with a few unrelated rows. Their rows get
 *   the same upward closure, so integrity holds either way.
 */
import { DirectedGraph } from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import { type Catalog, qualified, type TableDef } from '../catalog/types.ts';
import { InvalidInputError } from '../errors.ts';

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

// ---------------------------------------------------------------------------------------------
// Names

/** Splits `"Other Schema"."ticket"` / `public.customer` / `customer` into parts; null when not parseable as quoted parts. */
function parseQuotedName(input: string): string[] | null {
  if (!input.includes('"')) return null;
  const parts: string[] = [];
  let i = 0;
  while (i < input.length) {
    if (input[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= input.length) return null;
        if (input[i] === '"') {
          if (input[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += input[i++];
      }
      parts.push(part);
    } else {
      const dot = input.indexOf('.', i);
      const end = dot === -1 ? input.length : dot;
      parts.push(input.slice(i, end).trim());
      i = end;
    }
    if (i < input.length) {
      if (input[i] !== '.') return null;
      i++;
    }
  }
  return parts.length >= 1 && parts.length <= 2 ? parts : null;
}

class TableResolver {
  readonly #byQualified = new Map<string, TableDef>();
  readonly #byName = new Map<string, TableDef[]>();
  readonly #planned: (t: TableDef) => TableDef;

  constructor(tables: TableDef[], planned: (t: TableDef) => TableDef) {
    this.#planned = planned;
    for (const t of tables) {
      this.#byQualified.set(qualified(t.schema, t.name), t);
      const list = this.#byName.get(t.name) ?? [];
      list.push(t);
      this.#byName.set(t.name, list);
    }
  }

  /** The planned table a user's name designates; `what` names the option in errors. */
  resolve(input: string, what: string): TableDef {
    const quoted = parseQuotedName(input);
    let found: TableDef | undefined;
    if (quoted) {
      found = quoted.length === 2 ? this.#byQualified.get(qualified(quoted[0] as string, quoted[1] as string)) : this.#unique(quoted[0] as string, input, what);
    } else {
      found = this.#byQualified.get(input) ?? this.#unique(input, input, what);
    }
    if (!found) {
      throw new InvalidInputError(`${what}: table ${JSON.stringify(input)} is not in the catalog`, { table: input, option: what });
    }
    const planned = this.#planned(found);
    if (planned !== found) {
      throw new InvalidInputError(
        `${what}: ${qualified(found.schema, found.name)} is a partition of ${qualified(planned.schema, planned.name)}; name the partitioned table (its partitions are read through it)`,
        { table: input, option: what },
      );
    }
    return found;
  }

  #unique(name: string, input: string, what: string): TableDef | undefined {
    const list = this.#byName.get(name) ?? [];
    if (list.length > 1) {
      throw new InvalidInputError(
        `${what}: table name ${JSON.stringify(input)} is ambiguous (${list.map((t) => qualified(t.schema, t.name)).join(', ')}); qualify it with its schema`,
        {
          table: input,
          option: what,
        },
      );
    }
    return list[0];
  }
}

// ---------------------------------------------------------------------------------------------
// Graph

interface Model {
  /** Planned tables by qualified name, in catalog order. */
  tables: Map<string, TableDef>;
  partitions: Map<string, string[]>;
  inheritedBy: Map<string, string[]>;
  fks: Map<string, PlannedForeignKey[]>;
  notes: string[];
}

function buildModel(catalog: Catalog): { model: Model; plannedOf: (t: TableDef) => TableDef } {
  const byQualified = new Map(catalog.tables.map((t) => [qualified(t.schema, t.name), t]));
  const plannedOf = (t: TableDef): TableDef => {
    let current = t;
    const seen = new Set<TableDef>();
    while (current.partitionKind === 'DECLARATIVE' && current.partitionOf && !seen.has(current)) {
      seen.add(current);
      const parent = byQualified.get(current.partitionOf);
      if (!parent) break;
      current = parent;
    }
    return current;
  };
  const model: Model = { tables: new Map(), partitions: new Map(), inheritedBy: new Map(), fks: new Map(), notes: [] };
  for (const t of catalog.tables) {
    const planned = plannedOf(t);
    const id = qualified(planned.schema, planned.name);
    if (planned === t) {
      model.tables.set(id, t);
      if (!model.fks.has(id)) model.fks.set(id, []);
    } else {
      const list = model.partitions.get(id) ?? [];
      list.push(qualified(t.schema, t.name));
      model.partitions.set(id, list);
    }
    if (t.partitionKind === 'INHERITS' && t.partitionOf && byQualified.has(t.partitionOf)) {
      const list = model.inheritedBy.get(t.partitionOf) ?? [];
      list.push(qualified(t.schema, t.name));
      model.inheritedBy.set(t.partitionOf, list);
    }
  }
  // The table's own FKs first, so a merged FK keeps the parent's name when the parent declares it.
  const declaring = [...catalog.tables].sort((a, b) => Number(plannedOf(a) !== a) - Number(plannedOf(b) !== b));
  for (const t of declaring) {
    const child = plannedOf(t);
    const childId = qualified(child.schema, child.name);
    const list = model.fks.get(childId) ?? [];
    for (const fk of t.foreignKeys) {
      const target = byQualified.get(qualified(fk.referencedSchema, fk.referencedTable));
      if (!target) {
        model.notes.push(
          `${qualified(t.schema, t.name)}.${fk.name} references ${qualified(fk.referencedSchema, fk.referencedTable)}, outside the planned schemas: not followed (the target must already hold those rows)`,
        );
        continue;
      }
      const parent = plannedOf(target);
      const parentId = qualified(parent.schema, parent.name);
      const signature = (x: PlannedForeignKey) =>
        x.columns.join('\0') === fk.columns.join('\0') && x.references === parentId && x.referencedColumns.join('\0') === fk.referencedColumns.join('\0');
      const existing = list.find(signature);
      if (existing) {
        existing.declaredOn.push(qualified(t.schema, t.name));
        existing.deferrable &&= fk.deferrable;
        continue;
      }
      list.push({
        name: fk.name,
        table: childId,
        columns: [...fk.columns],
        references: parentId,
        referencedColumns: [...fk.referencedColumns],
        nullable: fk.columns.every((c) => child.columns.find((col) => col.name === c)?.nullable ?? false),
        deferrable: fk.deferrable,
        selfReference: childId === parentId,
        declaredOn: [qualified(t.schema, t.name)],
      });
    }
    model.fks.set(childId, list);
  }
  for (const list of model.fks.values()) list.sort((a, b) => cmp(a.name, b.name) || cmp(a.references, b.references));
  return { model, plannedOf };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function hasCycle(nodes: string[], edges: { from: string; to: string }[]): boolean {
  const out = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) out.get(e.from)?.push(e.to);
  const state = new Map<string, 1 | 2>();
  const visit = (n: string): boolean => {
    state.set(n, 1);
    for (const m of out.get(n) ?? []) {
      const s = state.get(m);
      if (s === 1) return true;
      if (s === undefined && visit(m)) return true;
    }
    state.set(n, 2);
    return false;
  };
  return nodes.some((n) => state.get(n) === undefined && visit(n));
}

/** Chooses the nullable FKs to break in one component: a minimal set, deferrable FKs first, then by name. */
function breakComponent(members: string[], fks: PlannedForeignKey[]): PlannedCycle {
  const edgeOf = (fk: PlannedForeignKey) => ({ from: fk.table, to: fk.references });
  const candidates = fks
    .filter((fk) => fk.nullable)
    .sort((a, b) => Number(b.deferrable) - Number(a.deferrable) || cmp(a.table, b.table) || cmp(a.name, b.name));
  const without = (removed: Set<PlannedForeignKey>) => fks.filter((fk) => !removed.has(fk)).map(edgeOf);

  let removed = new Set<PlannedForeignKey>();
  const single = candidates.find((fk) => !hasCycle(members, without(new Set([fk]))));
  if (single) removed = new Set([single]);
  else {
    for (const fk of candidates) {
      removed.add(fk);
      if (!hasCycle(members, without(removed))) break;
    }
    // Put back every break the others make unnecessary.
    for (const fk of [...removed].reverse()) {
      removed.delete(fk);
      if (hasCycle(members, without(removed))) removed.add(fk);
    }
  }
  const breakable = !hasCycle(members, without(removed));
  return {
    tables: [...members].sort(cmp),
    foreignKeys: fks.map((fk) => ({
      table: fk.table,
      fk: fk.name,
      columns: fk.columns,
      references: fk.references,
      nullable: fk.nullable,
      deferrable: fk.deferrable,
    })),
    breaks: [...removed].map((fk) => ({ table: fk.table, fk: fk.name, columns: fk.columns, references: fk.references })),
    breakable,
    unresolved: [],
    note: '',
  };
}

// ---------------------------------------------------------------------------------------------
// Root inference

/** Head nouns of tables that hold people or accounts, in order of preference on a tie. */
const PEOPLE_WORDS: string[][] = [
  ['customer', 'customers', 'client', 'clients', 'buyer', 'buyers', 'shopper', 'shoppers', 'subscriber', 'subscribers', 'patron', 'patrons'],
  [
    'user',
    'users',
    'account',
    'accounts',
    'member',
    'members',
    'person',
    'persons',
    'people',
    'contact',
    'contacts',
    'patient',
    'patients',
    'student',
    'students',
  ],
  ['employee', 'employees', 'staff', 'staffs', 'worker', 'workers'],
];

/** The last word of a snake_case, kebab-case, spaced or camelCase name: `app_user` → user, `CustomerAccount` → account. */
function headNoun(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return (words.at(-1) ?? '').toLowerCase();
}

function peopleRank(name: string): number {
  const head = headNoun(name);
  const rank = PEOPLE_WORDS.findIndex((words) => words.includes(head));
  return rank === -1 ? Number.POSITIVE_INFINITY : rank;
}

interface RootCandidate {
  id: string;
  /** Referencing tables outside the candidate's own cycle (a partition family counted once). */
  children: string[];
  /** Of those, the ones referencing it through a NOT NULL FK (rows that cannot exist without it). */
  strongChildren: string[];
  /** Referencing tables inside its cycle (peers, not children). */
  peers: string[];
  people: number;
  rows: number;
}

function inferRoot(model: Model, componentOf: Map<string, number>): { root: string | null; reason: string } {
  if (model.tables.size === 0) return { root: null, reason: 'the catalog has no tables' };
  const family = (id: string): string => {
    let current = id;
    for (let i = 0; i < 64; i++) {
      const parent = model.tables.get(current)?.partitionOf;
      if (!parent || model.tables.get(current)?.partitionKind !== 'INHERITS' || !model.tables.has(parent)) break;
      current = parent;
    }
    return current;
  };
  const candidates: RootCandidate[] = [...model.tables.keys()].map((id) => ({
    id,
    children: [],
    strongChildren: [],
    peers: [],
    people: peopleRank(model.tables.get(id)?.name ?? ''),
    rows: model.tables.get(id)?.rowCount ?? 0,
  }));
  const byId = new Map(candidates.map((c) => [c.id, c]));
  for (const list of model.fks.values()) {
    for (const fk of list) {
      if (fk.selfReference) continue;
      const target = byId.get(fk.references);
      if (!target) continue;
      const child = family(fk.table);
      if (child === family(fk.references)) continue;
      const bucket = componentOf.get(fk.table) === componentOf.get(fk.references) ? target.peers : target.children;
      if (!bucket.includes(child)) bucket.push(child);
      if (bucket === target.children && !fk.nullable && !target.strongChildren.includes(child)) target.strongChildren.push(child);
    }
  }
  const better = (a: RootCandidate, b: RootCandidate) =>
    b.children.length - a.children.length || b.strongChildren.length - a.strongChildren.length || a.people - b.people || b.rows - a.rows || cmp(a.id, b.id);
  const people = candidates.filter((c) => Number.isFinite(c.people) && c.children.length + c.peers.length > 0).sort(better);
  const describe = (c: RootCandidate) =>
    `${c.children.length} referencing table${c.children.length === 1 ? '' : 's'}${c.children.length ? ` (${[...c.children].sort(cmp).join(', ')})` : ''}, ${c.strongChildren.length} through NOT NULL keys${c.peers.length ? `; ${[...c.peers].sort(cmp).join(', ')} only in a cycle with it` : ''}`;
  const [first, second] = people;
  if (first) {
    const runnerUp = second
      ? `; runner-up ${second.id}: ${describe(second)}${second.children.length === first.children.length && second.strongChildren.length === first.strongChildren.length ? ' — tie broken by name (customers before users/accounts before employees/staff)' : ''}`
      : '';
    return { root: first.id, reason: `${first.id}: people-like name (${headNoun(model.tables.get(first.id)?.name ?? '')}), ${describe(first)}${runnerUp}` };
  }
  const all = [...candidates].sort(better);
  const best = all[0] as RootCandidate;
  return { root: best.id, reason: `${best.id}: no people-like table; ${describe(best)}${all[1] ? `; runner-up ${all[1].id}: ${describe(all[1])}` : ''}` };
}

// ---------------------------------------------------------------------------------------------
// planSubset

function rowKey(t: TableDef): RowKey {
  if (t.primaryKey && t.primaryKey.columns.length > 0) return { kind: 'primaryKey', columns: [...t.primaryKey.columns] };
  return { kind: 'ctid', columns: t.kind === 'PARTITIONED_TABLE' ? ['tableoid', 'ctid'] : ['ctid'] };
}

/**
 * Plans a subset (or a full copy) of `catalog`. Throws `InvalidInputError` for an unknown or
 * ambiguous table name in any option and for a negative or fractional cap.
 */
export function planSubset(catalog: Catalog, options: SubsetOptions = {}): SubsetPlan {
  const { model, plannedOf } = buildModel(catalog);
  const notes = [...model.notes];
  const resolver = new TableResolver(catalog.tables, plannedOf);
  const idOf = (t: TableDef) => qualified(t.schema, t.name);

  const caps = new Map<string, number>();
  let defaultCap: number | null = null;
  for (const [key, value] of Object.entries(options.maxRowsPerTable ?? {})) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new InvalidInputError(`maxRowsPerTable: the cap of ${JSON.stringify(key)} must be a non-negative integer`, { table: key, value });
    }
    if (key === '*') defaultCap = value;
    else caps.set(idOf(resolver.resolve(key, 'maxRowsPerTable')), value);
  }
  const filters = new Map<string, string>();
  for (const [key, value] of Object.entries(options.where ?? {})) {
    if (typeof value !== 'string' || value.trim() === '')
      throw new InvalidInputError(`where: the filter of ${JSON.stringify(key)} must be a non-empty SQL expression`, { table: key });
    filters.set(idOf(resolver.resolve(key, 'where')), value.trim());
  }
  const mode: SubsetPlan['mode'] = options.maxRowsPerTable === undefined && options.where === undefined ? 'full' : 'subset';
  const includeUnreached = options.includeUnreached ?? true;

  // Components over FKs between distinct planned tables.
  const graph = new DirectedGraph();
  for (const id of model.tables.keys()) graph.addNode(id);
  const allFks = [...model.fks.values()].flat();
  for (const fk of allFks) if (!fk.selfReference) graph.mergeEdge(fk.table, fk.references);
  const components = stronglyConnectedComponents(graph);
  const componentOf = new Map<string, number>();
  components.forEach((members, i) => {
    for (const m of members) componentOf.set(m, i);
  });

  // Root.
  let root: string | null;
  let rootReason: string;
  if (options.rootTable !== undefined) {
    root = idOf(resolver.resolve(options.rootTable, 'rootTable'));
    rootReason = `${root}: given as rootTable`;
  } else if (filters.size === 1) {
    // A filter names its table: without rootTable, that table is where the subset starts.
    root = [...filters.keys()][0] as string;
    rootReason = `${root}: the table of the where filter`;
  } else {
    ({ root, reason: rootReason } = inferRoot(model, componentOf));
  }

  // Cycles: break each multi-table component through nullable FKs.
  const cycles: PlannedCycle[] = [];
  const broken = new Set<PlannedForeignKey>();
  for (const members of components) {
    if (members.length < 2) continue;
    const set = new Set(members);
    const inside = allFks.filter((fk) => !fk.selfReference && set.has(fk.table) && set.has(fk.references));
    const cycle = breakComponent(members, inside);
    for (const b of cycle.breaks) {
      const fk = inside.find((x) => x.table === b.table && x.name === b.fk);
      if (fk) broken.add(fk);
    }
    cycles.push(cycle);
  }

  // Load order: Kahn over the FKs left, parents first; a component that cannot be broken is entered
  // at its table with the fewest unmet dependencies, and its unmet FKs are reported as unresolved.
  const deps = new Map<string, Set<string>>([...model.tables.keys()].map((id) => [id, new Set<string>()]));
  for (const fk of allFks) if (!fk.selfReference && !broken.has(fk)) deps.get(fk.table)?.add(fk.references);
  const order: string[] = [];
  const placed = new Set<string>();
  const remaining = new Set(model.tables.keys());
  while (remaining.size > 0) {
    const unmet = (id: string) => [...(deps.get(id) ?? [])].filter((d) => !placed.has(d));
    const ready = [...remaining].filter((id) => unmet(id).length === 0).sort(cmp);
    // Stuck on an unbreakable cycle: enter a component whose other dependencies are all loaded.
    const enterable = () =>
      [...remaining]
        .filter((id) => unmet(id).every((d) => componentOf.get(d) === componentOf.get(id)))
        .sort((a, b) => unmet(a).length - unmet(b).length || cmp(a, b));
    const next = ready[0] ?? enterable()[0] ?? [...remaining].sort(cmp)[0];
    if (next === undefined) break;
    order.push(next);
    placed.add(next);
    remaining.delete(next);
  }
  const position = new Map(order.map((id, i) => [id, i]));
  for (const cycle of cycles) {
    // A break whose target ends up loaded first anyway needs no NULL-then-UPDATE.
    cycle.breaks = cycle.breaks.filter((b) => {
      const needed = (position.get(b.references) ?? 0) > (position.get(b.table) ?? 0);
      if (!needed) for (const fk of allFks) if (fk.table === b.table && fk.name === b.fk) broken.delete(fk);
      return needed;
    });
    const members = new Set(cycle.tables);
    cycle.unresolved = allFks
      .filter((fk) => members.has(fk.table) && members.has(fk.references) && !fk.selfReference && !broken.has(fk))
      .filter((fk) => (position.get(fk.references) ?? 0) > (position.get(fk.table) ?? 0))
      .map((fk) => ({ table: fk.table, fk: fk.name, references: fk.references, deferrable: fk.deferrable }));
    cycle.breakable = cycle.unresolved.length === 0;
    const loop = `${cycle.tables.join(' ↔ ')}`;
    if (cycle.breakable) {
      cycle.note = `${loop}: insert ${cycle.breaks.map((b) => `${b.table}.${b.fk} (${b.columns.join(', ')})`).join(', ')} as NULL, update after the component is loaded`;
    } else if (cycle.unresolved.every((u) => u.deferrable)) {
      cycle.note = `${loop}: not breakable — no nullable FK closes the cycle; ${cycle.unresolved.map((u) => `${u.table}.${u.fk}`).join(', ')} ${cycle.unresolved.length === 1 ? 'is' : 'are'} DEFERRABLE: load the component in one transaction with SET CONSTRAINTS ALL DEFERRED`;
    } else {
      cycle.note = `${loop}: not breakable — no nullable FK closes the cycle and ${cycle.unresolved
        .filter((u) => !u.deferrable)
        .map((u) => `${u.table}.${u.fk}`)
        .join(
          ', ',
        )} ${cycle.unresolved.filter((u) => !u.deferrable).length === 1 ? 'is' : 'are'} not DEFERRABLE: the target must create ${cycle.unresolved.length === 1 ? 'it' : 'them'} DEFERRABLE, or add ${cycle.unresolved.length === 1 ? 'it' : 'them'} after loading`;
    }
  }
  const unresolvedKeys = new Set(cycles.flatMap((c) => c.unresolved.map((u) => `${u.table}\0${u.fk}`)));

  // Reach from the root: down through referencing tables, then up through referenced ones.
  const reached = new Map<string, ReachedBy>();
  const via = new Map<string, string[]>();
  const selection: string[] = [];
  if (mode === 'subset' && root) {
    reached.set(root, 'root');
    const down = new Set<string>();
    let frontier = [root];
    const depth = new Map<string, number>([[root, 0]]);
    while (frontier.length) {
      const next: string[] = [];
      for (const parent of frontier) {
        for (const fk of allFks) {
          if (fk.references !== parent || fk.selfReference || reached.has(fk.table) || down.has(fk.table)) continue;
          down.add(fk.table);
          depth.set(fk.table, (depth.get(parent) ?? 0) + 1);
          next.push(fk.table);
        }
      }
      frontier = next.sort(cmp);
    }
    // Downward selections run parents-first so a child sees all of its selected parents; inside a
    // cycle, the table nearest the root goes first and uses the FKs into tables already selected.
    selection.push(root);
    const done = new Set([root]);
    const pending = new Set(down);
    while (pending.size) {
      const parentsOf = (id: string) =>
        (model.fks.get(id) ?? []).filter((fk) => !fk.selfReference && (fk.references === root || down.has(fk.references))).map((fk) => fk.references);
      const ready = [...pending].filter((id) => parentsOf(id).every((p) => done.has(p))).sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || cmp(a, b));
      const next = ready[0] ?? [...pending].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || cmp(a, b))[0];
      if (next === undefined) break;
      const used = (model.fks.get(next) ?? []).filter((fk) => !fk.selfReference && done.has(fk.references));
      reached.set(next, 'down');
      via.set(
        next,
        used.map((fk) => fk.name),
      );
      selection.push(next);
      done.add(next);
      pending.delete(next);
    }
    // Upward: every table referenced (transitively) by a selected table.
    const queue = [...done];
    while (queue.length) {
      const child = queue.shift() as string;
      for (const fk of model.fks.get(child) ?? []) {
        if (fk.selfReference) continue;
        const parent = fk.references;
        if (reached.get(parent) === 'up' || !reached.has(parent)) {
          if (!reached.has(parent)) queue.push(parent);
          reached.set(parent, 'up');
          const list = via.get(parent) ?? [];
          if (!list.includes(fk.name)) list.push(fk.name);
          via.set(parent, list);
        }
      }
    }
    const unreached = order.filter((id) => !reached.has(id));
    for (const id of unreached) reached.set(id, 'unreached');
    if (includeUnreached) selection.push(...unreached);
    if (unreached.length) {
      notes.push(
        includeUnreached
          ? `${unreached.length} table${unreached.length === 1 ? '' : 's'} not reachable from ${root}: sampled with ${unreached.length === 1 ? 'its' : 'their'} cap (includeUnreached), then closed upward like the rest`
          : `${unreached.length} table${unreached.length === 1 ? '' : 's'} not reachable from ${root}: left out (includeUnreached: false)`,
      );
    }
  } else if (mode === 'full') {
    for (const id of order) reached.set(id, 'full');
    selection.push(...order);
  }

  const tables: PlannedTable[] = order.map((id, i) => {
    const t = model.tables.get(id) as TableDef;
    const reachedBy = reached.get(id) ?? 'unreached';
    const fks = model.fks.get(id) ?? [];
    const capped = reachedBy === 'root' || reachedBy === 'down' || reachedBy === 'unreached';
    const filter = filters.get(id) ?? null;
    if (filter !== null && !capped && options.rootTable === undefined) {
      throw new InvalidInputError(
        `where: the filter on ${id} cannot apply from the inferred root ${root} (the table is ${reachedBy === 'up' ? 'only reached upward' : 'copied in full'}); give rootTable`,
        { table: id, root },
      );
    }
    if (filter !== null && !capped) {
      notes.push(
        reachedBy === 'up'
          ? `where filter on ${id} not applied: the table is only reached upward, so it holds exactly the rows that selected rows reference`
          : `where filter on ${id} not applied in a full copy`,
      );
    }
    const only = (model.inheritedBy.get(id)?.length ?? 0) > 0;
    return {
      schema: t.schema,
      name: t.name,
      qualified: id,
      order: i + 1,
      reachedBy,
      via: via.get(id) ?? [],
      cap: capped && mode === 'subset' ? (caps.get(id) ?? defaultCap) : null,
      where: capped ? filter : null,
      included: reachedBy !== 'unreached' || includeUnreached,
      dependsOn: [
        ...new Set(fks.filter((fk) => !fk.selfReference && !broken.has(fk) && !unresolvedKeys.has(`${fk.table}\0${fk.name}`)).map((fk) => fk.references)),
      ].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0)),
      cycleBreaks: fks.filter((fk) => broken.has(fk)).map((fk) => ({ fk: fk.name, columns: fk.columns, references: fk.references })),
      key: rowKey(t),
      only,
      inherits: t.partitionKind === 'INHERITS' ? t.partitionOf : null,
      partitions: [...(model.partitions.get(id) ?? [])].sort(cmp),
      foreignKeys: fks,
      sourceRows: only ? t.ownRowCount : t.rowCount,
    };
  });

  for (const t of tables) {
    const self = t.foreignKeys.filter((fk) => fk.selfReference);
    if (self.length) {
      notes.push(
        `${t.qualified} references itself (${self.map((fk) => `${fk.name}: ${fk.columns.join(', ')}`).join('; ')}): not a load-order cycle; the upward closure follows the chain to its top${self.every((fk) => fk.nullable) ? '' : ' (a NOT NULL self-reference: rows must be loaded parents-first or with the FK deferred)'}`,
      );
    }
    if (t.key.kind === 'ctid') notes.push(`${t.qualified} has no primary key: its rows are identified by ${t.key.columns.join(', ')} inside the snapshot`);
  }
  if (mode === 'full') notes.unshift('full copy: no maxRowsPerTable and no where filter, so every row of every table is read');

  return {
    mode,
    root,
    rootReason,
    includeUnreached,
    tables,
    selection: selection.filter((id) => tables.find((t) => t.qualified === id)?.included),
    cycles,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// formatPlan

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The plan as text for logs and job summaries: one line per table in load order, then cycles and notes. */
export function formatPlan(plan: SubsetPlan): string {
  const lines: string[] = [];
  const included = plan.tables.filter((t) => t.included).length;
  lines.push(
    plan.mode === 'full'
      ? `Subset plan: full copy of ${plan.tables.length} table${plan.tables.length === 1 ? '' : 's'}`
      : `Subset plan: ${included} of ${plan.tables.length} table${plan.tables.length === 1 ? '' : 's'} from root ${plan.root ?? '(none)'}`,
  );
  lines.push(`Root: ${plan.rootReason}`);
  const header = ['#', 'table', 'reached', 'cap', 'via', 'depends on', 'where'];
  const rows = plan.tables.map((t) => [
    String(t.order),
    `${t.qualified}${t.only ? ' (ONLY)' : ''}${t.partitions.length ? ` [${t.partitions.length} partition${t.partitions.length === 1 ? '' : 's'}]` : ''}${t.included ? '' : ' (skipped)'}`,
    t.reachedBy,
    t.cap === null ? '-' : String(t.cap),
    t.via.join(', ') || '-',
    t.dependsOn.join(', ') || '-',
    t.where ?? '-',
  ]);
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] as string).length))));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] as number))).join('  ')}`.trimEnd();
  lines.push(line(header));
  for (const r of rows) lines.push(line(r));
  const breaks = plan.tables.flatMap((t) =>
    t.cycleBreaks.map((b) => `  ${t.qualified}.${b.fk} (${b.columns.join(', ')}) → ${b.references}: insert NULL, update after`),
  );
  if (plan.cycles.length) {
    lines.push('Cycles:');
    for (const c of plan.cycles) lines.push(`  ${c.breakable ? '' : '[not breakable] '}${c.note}`);
  }
  if (breaks.length) {
    lines.push('Cycle breaks:');
    lines.push(...breaks);
  }
  const partitioned = plan.tables.filter((t) => t.partitions.length);
  if (partitioned.length) {
    lines.push('Partitions read through their parent:');
    for (const t of partitioned) lines.push(`  ${t.qualified}: ${t.partitions.join(', ')}`);
  }
  if (plan.notes.length) {
    lines.push('Notes:');
    for (const n of plan.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n');
}
