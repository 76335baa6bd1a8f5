/**
 * Foreign-key cycles of a subset plan: which nullable FKs to insert as NULL and update later so a
 * component of tables referencing each other can be loaded row by row.
 */
import { cmp } from './plan-model.ts';
import type { PlannedCycle, PlannedForeignKey } from './plan.ts';

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
export function breakComponent(members: string[], fks: PlannedForeignKey[]): PlannedCycle {
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

/**
 * Breaks every component of more than one table through nullable FKs; returns the cycles and the
 * FKs broken (loaded as NULL, then updated).
 */
export function breakCycles(components: string[][], allFks: PlannedForeignKey[]): { cycles: PlannedCycle[]; broken: Set<PlannedForeignKey> } {
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
  return { cycles, broken };
}

/**
 * Once the load order is known: drops the breaks it makes unnecessary (their target is loaded first
 * anyway; removed from `broken` too), lists the FKs no order satisfies and says how to load each cycle.
 */
export function settleCycles(cycles: PlannedCycle[], allFks: PlannedForeignKey[], broken: Set<PlannedForeignKey>, position: Map<string, number>): void {
  for (const cycle of cycles) {
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
    cycle.note = cycleNote(cycle);
  }
}

function cycleNote(cycle: PlannedCycle): string {
  const loop = `${cycle.tables.join(' ↔ ')}`;
  if (cycle.breakable) {
    return `${loop}: insert ${cycle.breaks.map((b) => `${b.table}.${b.fk} (${b.columns.join(', ')})`).join(', ')} as NULL, update after the component is loaded`;
  }
  if (cycle.unresolved.every((u) => u.deferrable)) {
    return `${loop}: not breakable — no nullable FK closes the cycle; ${cycle.unresolved.map((u) => `${u.table}.${u.fk}`).join(', ')} ${cycle.unresolved.length === 1 ? 'is' : 'are'} DEFERRABLE: load the component in one transaction with SET CONSTRAINTS ALL DEFERRED`;
  }
  return `${loop}: not breakable — no nullable FK closes the cycle and ${cycle.unresolved
    .filter((u) => !u.deferrable)
    .map((u) => `${u.table}.${u.fk}`)
    .join(
      ', ',
    )} ${cycle.unresolved.filter((u) => !u.deferrable).length === 1 ? 'is' : 'are'} not DEFERRABLE: the target must create ${cycle.unresolved.length === 1 ? 'it' : 'them'} DEFERRABLE, or add ${cycle.unresolved.length === 1 ? 'it' : 'them'} after loading`;
}

/**
 * Load order: Kahn over the FKs left, parents first; a component that cannot be broken is entered
 * at its table with the fewest unmet dependencies (its unmet FKs are then reported as unresolved).
 */
export function loadOrder(tables: Iterable<string>, allFks: PlannedForeignKey[], broken: Set<PlannedForeignKey>, componentOf: Map<string, number>): string[] {
  const ids = [...tables];
  const deps = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  for (const fk of allFks) if (!fk.selfReference && !broken.has(fk)) deps.get(fk.table)?.add(fk.references);
  const order: string[] = [];
  const placed = new Set<string>();
  const remaining = new Set(ids);
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
  return order;
}
