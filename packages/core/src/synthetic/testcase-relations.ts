/**
 * How test-case tables relate: which entity owns which (an address belongs to its user, a payment
 * to its order), the `<owner>_id` keys that follow, and the parents-first order of the tables.
 */
import type { PlannedTable } from './testcase-plan.ts';

/** Which entity owns which: an address or a bank account belongs to its user, an order to its customer, a payment to its order. */
const OWNERS: Record<string, readonly string[]> = {
  address: ['customer', 'user'],
  bank_account: ['customer', 'user'],
  payment_method: ['customer', 'user'],
  order: ['customer', 'user'],
  cart: ['customer', 'user'],
  payment: ['order', 'customer', 'user'],
  order_item: ['order'],
  review: ['product', 'customer', 'user'],
  comment: ['user', 'customer'],
  profile: ['user', 'customer'],
};
const PERSON = ['customer', 'user'];

/** The entity a child belongs to among those the test case has, if any. */
function ownerOf(entity: string, present: ReadonlySet<string>): string | undefined {
  const listed = OWNERS[entity] ?? (PERSON.includes(entity) ? [] : PERSON);
  return listed.find((o) => o !== entity && present.has(o));
}

/** Adds `<owner>_id` keys to child tables and orders tables parents first. */
export function relate(planned: PlannedTable[]): PlannedTable[] {
  const byEntity = new Map(planned.map((p) => [p.entity.name, p]));
  const present = new Set(byEntity.keys());
  for (const p of planned) {
    const owner = ownerOf(p.entity.name, present);
    const parent = owner ? byEntity.get(owner) : undefined;
    if (!parent || parent === p) continue;
    const column = `${parent.entity.name}_id`;
    if (p.columns.some((c) => c.spec.name === column)) continue;
    p.columns.splice(1, 0, {
      field: null,
      spec: { name: column, dataType: 'bigint', nullable: false },
      constraints: { required: true, unique: false },
      parent,
    });
    p.spec.columns = p.columns.map((c) => c.spec);
    p.spec.foreignKeys = [...(p.spec.foreignKeys ?? []), { columns: [column], references: { table: parent.spec.name, columns: ['id'] } }];
  }
  // Parents before children (the owner graph has no cycles: OWNERS only points up).
  const ordered: PlannedTable[] = [];
  const visit = (p: PlannedTable) => {
    if (ordered.includes(p)) return;
    for (const c of p.columns) if (c.parent) visit(c.parent);
    ordered.push(p);
  };
  for (const p of planned) visit(p);
  return ordered;
}
