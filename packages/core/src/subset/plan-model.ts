/**
 * The planner's model of a catalog: one planned table per declarative partition family, INHERITS
 * children, and the foreign keys between planned tables (merged when only partitions declare them).
 */
import { type Catalog, qualified, type TableDef } from '../catalog/types.ts';
import type { PlannedForeignKey } from './plan.ts';

export interface Model {
  /** Planned tables by qualified name, in catalog order. */
  tables: Map<string, TableDef>;
  partitions: Map<string, string[]>;
  inheritedBy: Map<string, string[]>;
  fks: Map<string, PlannedForeignKey[]>;
  notes: string[];
}

export function buildModel(catalog: Catalog): { model: Model; plannedOf: (t: TableDef) => TableDef } {
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

/** Code-point order, so plans do not depend on the locale. */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
