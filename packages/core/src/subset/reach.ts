/**
 * How each planned table is reached from the root of a subset: `down` (rows referencing selected
 * rows, selected parents-first), `up` (the rows selected rows reference), else `unreached`.
 */
import { cmp, type Model } from './plan-model.ts';
import type { PlannedForeignKey, ReachedBy } from './plan.ts';

export interface Reach {
  reached: Map<string, ReachedBy>;
  /** FK names each table is reached through. */
  via: Map<string, string[]>;
  /** Order in which the capped selections run. */
  selection: string[];
  notes: string[];
}

/** Tables referencing the root, transitively, with their distance from it. */
function walkDown(root: string, allFks: PlannedForeignKey[]): { down: Set<string>; depth: Map<string, number> } {
  const down = new Set<string>();
  const depth = new Map<string, number>([[root, 0]]);
  let frontier = [root];
  while (frontier.length) {
    const next: string[] = [];
    for (const parent of frontier) {
      for (const fk of allFks) {
        if (fk.references !== parent || fk.selfReference || fk.table === root || down.has(fk.table)) continue;
        down.add(fk.table);
        depth.set(fk.table, (depth.get(parent) ?? 0) + 1);
        next.push(fk.table);
      }
    }
    frontier = next.sort(cmp);
  }
  return { down, depth };
}

/**
 * Downward selections run parents-first so a child sees all of its selected parents; inside a
 * cycle, the table nearest the root goes first and uses the FKs into tables already selected.
 */
function selectDown(model: Model, root: string, walk: ReturnType<typeof walkDown>, out: Reach): Set<string> {
  const { down, depth } = walk;
  out.selection.push(root);
  const done = new Set([root]);
  const pending = new Set(down);
  const byDepth = (a: string, b: string) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || cmp(a, b);
  const parentsOf = (id: string) =>
    (model.fks.get(id) ?? []).filter((fk) => !fk.selfReference && (fk.references === root || down.has(fk.references))).map((fk) => fk.references);
  while (pending.size) {
    const ready = [...pending].filter((id) => parentsOf(id).every((p) => done.has(p))).sort(byDepth);
    const next = ready[0] ?? [...pending].sort(byDepth)[0];
    if (next === undefined) break;
    const used = (model.fks.get(next) ?? []).filter((fk) => !fk.selfReference && done.has(fk.references));
    out.reached.set(next, 'down');
    out.via.set(
      next,
      used.map((fk) => fk.name),
    );
    out.selection.push(next);
    done.add(next);
    pending.delete(next);
  }
  return done;
}

/** Upward: every table referenced (transitively) by a selected table. */
function closeUp(model: Model, selected: Set<string>, out: Reach): void {
  const queue = [...selected];
  while (queue.length) {
    const child = queue.shift() as string;
    for (const fk of model.fks.get(child) ?? []) {
      if (fk.selfReference) continue;
      const parent = fk.references;
      if (out.reached.get(parent) === 'up' || !out.reached.has(parent)) {
        if (!out.reached.has(parent)) queue.push(parent);
        out.reached.set(parent, 'up');
        const list = out.via.get(parent) ?? [];
        if (!list.includes(fk.name)) list.push(fk.name);
        out.via.set(parent, list);
      }
    }
  }
}

/** Reach from `root` through the plan's FKs; tables in `order` reached neither way are `unreached` (sampled when `includeUnreached`). */
export function reachFromRoot(model: Model, allFks: PlannedForeignKey[], root: string, order: string[], includeUnreached: boolean): Reach {
  const out: Reach = { reached: new Map([[root, 'root']]), via: new Map(), selection: [], notes: [] };
  const selected = selectDown(model, root, walkDown(root, allFks), out);
  closeUp(model, selected, out);
  const unreached = order.filter((id) => !out.reached.has(id));
  for (const id of unreached) out.reached.set(id, 'unreached');
  if (includeUnreached) out.selection.push(...unreached);
  if (unreached.length) {
    out.notes.push(
      includeUnreached
        ? `${unreached.length} table${unreached.length === 1 ? '' : 's'} not reachable from ${root}: sampled with ${unreached.length === 1 ? 'its' : 'their'} cap (includeUnreached), then closed upward like the rest`
        : `${unreached.length} table${unreached.length === 1 ? '' : 's'} not reachable from ${root}: left out (includeUnreached: false)`,
    );
  }
  return out;
}
