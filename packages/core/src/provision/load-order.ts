/**
 * The order tables are loaded in: referenced tables before the tables referencing them. Foreign
 * keys are only added after the load, so a cycle (team ↔ player) cannot block it: it is broken at
 * the first table of the cycle in the given order, which keeps the result deterministic.
 */
import type { TableDef } from '../catalog/types.ts';
import { tableKey } from './objects.ts';

export function fkLoadOrder(tables: TableDef[]): TableDef[] {
  const byKey = new Map(tables.map((t) => [tableKey(t), t]));
  const parents = new Map<TableDef, Set<TableDef>>();
  for (const t of tables) {
    const set = new Set<TableDef>();
    for (const fk of t.foreignKeys) {
      const p = byKey.get(`${fk.referencedSchema}.${fk.referencedTable}`);
      if (p && p !== t) set.add(p);
    }
    parents.set(t, set);
  }
  const order: TableDef[] = [];
  const done = new Set<TableDef>();
  while (order.length < tables.length) {
    const ready = tables.find((t) => !done.has(t) && [...(parents.get(t) ?? [])].every((p) => done.has(p)));
    const next = ready ?? tables.find((t) => !done.has(t)); // only cycles left: break one
    if (!next) break;
    done.add(next);
    order.push(next);
  }
  return order;
}
