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
import { breakCycles, loadOrder, settleCycles } from './cycles.ts';
import { buildModel, cmp, type Model } from './plan-model.ts';
import type { PlannedCycle, PlannedForeignKey, PlannedTable, ReachedBy, RowKey, SubsetOptions, SubsetPlan } from './plan.ts';
import { reachFromRoot } from './reach.ts';
import { inferRoot } from './root.ts';
import { TableResolver } from './table-names.ts';

export type { CycleBreak, PlannedCycle, PlannedForeignKey, PlannedTable, ReachedBy, RowKey, SubsetOptions, SubsetPlan } from './plan.ts';
export { formatPlan } from './format-plan.ts';

function rowKey(t: TableDef): RowKey {
  if (t.primaryKey && t.primaryKey.columns.length > 0) return { kind: 'primaryKey', columns: [...t.primaryKey.columns] };
  return { kind: 'ctid', columns: t.kind === 'PARTITIONED_TABLE' ? ['tableoid', 'ctid'] : ['ctid'] };
}

const idOf = (t: TableDef) => qualified(t.schema, t.name);

/** The options' caps and filters keyed by planned table; invalid values and unknown tables are InvalidInputError. */
function readOptions(options: SubsetOptions, resolver: TableResolver) {
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
  return { caps, defaultCap, filters, mode, includeUnreached: options.includeUnreached ?? true };
}
type Options = ReturnType<typeof readOptions>;

/** Strongly connected components over the FKs between distinct planned tables. */
function componentsOf(model: Model, allFks: PlannedForeignKey[]): { components: string[][]; componentOf: Map<string, number> } {
  const graph = new DirectedGraph();
  for (const id of model.tables.keys()) graph.addNode(id);
  for (const fk of allFks) if (!fk.selfReference) graph.mergeEdge(fk.table, fk.references);
  const components = stronglyConnectedComponents(graph);
  const componentOf = new Map<string, number>();
  components.forEach((members, i) => {
    for (const m of members) componentOf.set(m, i);
  });
  return { components, componentOf };
}

/** The root: given, else the table of a single where filter, else inferred. */
function chooseRoot(options: SubsetOptions, opts: Options, resolver: TableResolver, model: Model, componentOf: Map<string, number>) {
  if (options.rootTable !== undefined) {
    const root = idOf(resolver.resolve(options.rootTable, 'rootTable'));
    return { root, reason: `${root}: given as rootTable` };
  }
  if (opts.filters.size === 1) {
    // A filter names its table: without rootTable, that table is where the subset starts.
    const root = [...opts.filters.keys()][0] as string;
    return { root, reason: `${root}: the table of the where filter` };
  }
  return inferRoot(model, componentOf);
}

interface TableContext {
  model: Model;
  options: SubsetOptions;
  opts: Options;
  root: string | null;
  reached: Map<string, ReachedBy>;
  via: Map<string, string[]>;
  broken: Set<PlannedForeignKey>;
  unresolvedKeys: Set<string>;
  position: Map<string, number>;
  notes: string[];
}

/** One table of the plan; a where filter that cannot apply is an error without rootTable, else a note. */
function planTable(id: string, i: number, c: TableContext): PlannedTable {
  const t = c.model.tables.get(id) as TableDef;
  const reachedBy = c.reached.get(id) ?? 'unreached';
  const fks = c.model.fks.get(id) ?? [];
  const capped = reachedBy === 'root' || reachedBy === 'down' || reachedBy === 'unreached';
  const filter = c.opts.filters.get(id) ?? null;
  if (filter !== null && !capped && c.options.rootTable === undefined) {
    throw new InvalidInputError(
      `where: the filter on ${id} cannot apply from the inferred root ${c.root} (the table is ${reachedBy === 'up' ? 'only reached upward' : 'copied in full'}); give rootTable`,
      { table: id, root: c.root },
    );
  }
  if (filter !== null && !capped) {
    c.notes.push(
      reachedBy === 'up'
        ? `where filter on ${id} not applied: the table is only reached upward, so it holds exactly the rows that selected rows reference`
        : `where filter on ${id} not applied in a full copy`,
    );
  }
  const only = (c.model.inheritedBy.get(id)?.length ?? 0) > 0;
  return {
    schema: t.schema,
    name: t.name,
    qualified: id,
    order: i + 1,
    reachedBy,
    via: c.via.get(id) ?? [],
    cap: capped && c.opts.mode === 'subset' ? (c.opts.caps.get(id) ?? c.opts.defaultCap) : null,
    where: capped ? filter : null,
    included: reachedBy !== 'unreached' || c.opts.includeUnreached,
    dependsOn: [
      ...new Set(fks.filter((fk) => !fk.selfReference && !c.broken.has(fk) && !c.unresolvedKeys.has(`${fk.table}\0${fk.name}`)).map((fk) => fk.references)),
    ].sort((a, b) => (c.position.get(a) ?? 0) - (c.position.get(b) ?? 0)),
    cycleBreaks: fks.filter((fk) => c.broken.has(fk)).map((fk) => ({ fk: fk.name, columns: fk.columns, references: fk.references })),
    key: rowKey(t),
    only,
    inherits: t.partitionKind === 'INHERITS' ? t.partitionOf : null,
    partitions: [...(c.model.partitions.get(id) ?? [])].sort(cmp),
    foreignKeys: fks,
    sourceRows: only ? t.ownRowCount : t.rowCount,
  };
}

/** Notes on self-references and tables without a primary key. */
function tableNotes(tables: PlannedTable[]): string[] {
  const notes: string[] = [];
  for (const t of tables) {
    const self = t.foreignKeys.filter((fk) => fk.selfReference);
    if (self.length) {
      notes.push(
        `${t.qualified} references itself (${self.map((fk) => `${fk.name}: ${fk.columns.join(', ')}`).join('; ')}): not a load-order cycle; the upward closure follows the chain to its top${self.every((fk) => fk.nullable) ? '' : ' (a NOT NULL self-reference: rows must be loaded parents-first or with the FK deferred)'}`,
      );
    }
    if (t.key.kind === 'ctid') notes.push(`${t.qualified} has no primary key: its rows are identified by ${t.key.columns.join(', ')} inside the snapshot`);
  }
  return notes;
}

/**
 * Plans a subset (or a full copy) of `catalog`. Throws `InvalidInputError` for an unknown or
 * ambiguous table name in any option and for a negative or fractional cap.
 */
export function planSubset(catalog: Catalog, options: SubsetOptions = {}): SubsetPlan {
  const { model, plannedOf } = buildModel(catalog);
  const notes = [...model.notes];
  const resolver = new TableResolver(catalog.tables, plannedOf);
  const opts = readOptions(options, resolver);
  const allFks = [...model.fks.values()].flat();
  const { components, componentOf } = componentsOf(model, allFks);
  const { root, reason: rootReason } = chooseRoot(options, opts, resolver, model, componentOf);

  const { cycles, broken } = breakCycles(components, allFks);
  const order = loadOrder(model.tables.keys(), allFks, broken, componentOf);
  const position = new Map(order.map((id, i) => [id, i]));
  settleCycles(cycles, allFks, broken, position);
  const unresolvedKeys = new Set(cycles.flatMap((c: PlannedCycle) => c.unresolved.map((u) => `${u.table}\0${u.fk}`)));

  let reached = new Map<string, ReachedBy>();
  let via = new Map<string, string[]>();
  const selection: string[] = [];
  if (opts.mode === 'subset' && root) {
    const reach = reachFromRoot(model, allFks, root, order, opts.includeUnreached);
    ({ reached, via } = reach);
    selection.push(...reach.selection);
    notes.push(...reach.notes);
  } else if (opts.mode === 'full') {
    for (const id of order) reached.set(id, 'full');
    selection.push(...order);
  }

  const context: TableContext = { model, options, opts, root, reached, via, broken, unresolvedKeys, position, notes };
  const tables = order.map((id, i) => planTable(id, i, context));
  notes.push(...tableNotes(tables));
  if (opts.mode === 'full') notes.unshift('full copy: no maxRowsPerTable and no where filter, so every row of every table is read');

  return {
    mode: opts.mode,
    root,
    rootReason,
    includeUnreached: opts.includeUnreached,
    tables,
    selection: selection.filter((id) => tables.find((t) => t.qualified === id)?.included),
    cycles,
    notes,
  };
}
