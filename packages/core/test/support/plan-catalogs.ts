/** Catalogs built in code for the subset planner tests, and the load-order invariants every plan keeps. */
import { expect } from 'vitest';
import type { Catalog, ColumnDef, ForeignKeyDef, TableDef } from '../../src/catalog/types.ts';
import type { PlannedTable, SubsetPlan } from '../../src/subset/planner.ts';
import { col } from './catalog-builders.ts';

/** `"id"` is NOT NULL, `"manager_id?"` nullable. */
export function columns(specs: string[]): ColumnDef[] {
  return specs.map((spec, i) => {
    const nullable = spec.endsWith('?');
    return col(nullable ? spec.slice(0, -1) : spec, 'integer', { position: i + 1, typeName: 'int4', nullable });
  });
}

export interface FkSpec {
  name: string;
  cols: string[];
  /** "table" (public) or "schema.table". */
  ref: string;
  refCols?: string[];
  deferrable?: boolean;
}

export interface TableSpec {
  cols: string[];
  pk?: string[] | null;
  fks?: FkSpec[];
  rows?: number;
  kind?: TableDef['kind'];
  partitionOf?: string;
  partitionKind?: TableDef['partitionKind'];
}

const split = (q: string): [string, string] => {
  const dot = q.indexOf('.');
  return dot === -1 ? ['public', q] : [q.slice(0, dot), q.slice(dot + 1)];
};

export function table(qualifiedName: string, spec: TableSpec): TableDef {
  const [schema, name] = split(qualifiedName);
  const fks: ForeignKeyDef[] = (spec.fks ?? []).map((fk) => {
    const [refSchema, refTable] = split(fk.ref);
    return {
      name: fk.name,
      columns: fk.cols,
      referencedSchema: refSchema,
      referencedTable: refTable,
      referencedColumns: fk.refCols ?? ['id'],
      onDelete: 'NO ACTION',
      onUpdate: 'NO ACTION',
      matchType: 'SIMPLE',
      deferrable: fk.deferrable ?? false,
      initiallyDeferred: false,
      notValid: false,
    };
  });
  const pk = spec.pk === undefined ? ['id'] : spec.pk;
  return {
    schema,
    name,
    kind: spec.kind ?? 'TABLE',
    partitionOf: spec.partitionOf ?? null,
    partitionKind: spec.partitionKind ?? null,
    partitionBound: null,
    partitionKey: null,
    columns: columns(spec.cols),
    primaryKey: pk ? { name: `${name}_pkey`, columns: pk } : null,
    foreignKeys: fks,
    uniques: [],
    checks: [],
    exclusions: [],
    indexes: [],
    rowEstimate: null,
    rowCount: spec.rows ?? 100,
    ownRowCount: spec.rows ?? 100,
    comment: null,
  };
}

export function catalog(tables: Record<string, TableSpec>): Catalog {
  return {
    database: 'code',
    serverVersion: '15',
    schemas: ['public'],
    enums: [],
    domains: [],
    sequences: [],
    tables: Object.entries(tables).map(([name, spec]) => table(name, spec)),
  };
}

export const fk = (name: string, cols: string[], ref: string, extra: Partial<FkSpec> = {}): FkSpec => ({ name, cols, ref, ...extra });

export function planned(plan: SubsetPlan, id: string): PlannedTable {
  const t = plan.tables.find((x) => x.qualified === id);
  if (!t) throw new Error(`${id} is not in the plan (${plan.tables.map((x) => x.qualified).join(', ')})`);
  return t;
}

/** Load order invariants every plan must keep. */
export function expectValidLoadOrder(plan: SubsetPlan): void {
  const order = new Map(plan.tables.map((t) => [t.qualified, t.order]));
  expect(plan.tables.map((t) => t.order)).toEqual(plan.tables.map((_t, i) => i + 1));
  const unresolved = new Set(plan.cycles.flatMap((c) => c.unresolved.map((u) => `${u.table}.${u.fk}`)));
  for (const t of plan.tables) {
    for (const d of t.dependsOn) expect(order.get(d), `${t.qualified} depends on ${d}`).toBeLessThan(t.order);
    for (const f of t.foreignKeys) {
      if (f.selfReference || unresolved.has(`${t.qualified}.${f.name}`)) continue;
      const broken = t.cycleBreaks.some((b) => b.fk === f.name);
      // Every FK is either satisfied by the order or broken (then its target comes later and its columns are nullable).
      if (broken) {
        expect(f.nullable, `${t.qualified}.${f.name} broken but NOT NULL`).toBe(true);
        expect(order.get(f.references)).toBeGreaterThan(t.order);
      } else expect(order.get(f.references), `${t.qualified}.${f.name} → ${f.references}`).toBeLessThan(t.order);
    }
  }
}

// Shapes reused by several cases.
export const SHOP = {
  customer: { cols: ['id', 'address_id?'], fks: [fk('customer_address_fk', ['address_id'], 'address')] },
  address: { cols: ['id', 'city_id'], fks: [fk('address_city_fk', ['city_id'], 'city')] },
  city: { cols: ['id'] },
  orders: { cols: ['id', 'customer_id'], fks: [fk('orders_customer_fk', ['customer_id'], 'customer')] },
  order_item: { cols: ['id', 'order_id', 'product_id'], fks: [fk('item_order_fk', ['order_id'], 'orders'), fk('item_product_fk', ['product_id'], 'product')] },
  product: { cols: ['id'] },
  review: { cols: ['id', 'customer_id'], fks: [fk('review_customer_fk', ['customer_id'], 'customer')] },
  tag: { cols: ['id'] },
} satisfies Record<string, TableSpec>;
