/** planSubset on catalogs built in code: which cycles are broken where, the load order, and partitions. */
import { describe, expect, it } from 'vitest';
import { formatPlan, planSubset } from '../src/subset/planner.ts';
import { catalog, expectValidLoadOrder, fk, planned, SHOP, type TableSpec } from './support/plan-catalogs.ts';

describe('cycles and load order (catalogs built in code)', () => {
  it.each<{ why: string; tables: Record<string, TableSpec>; breaks: string[]; breakable: boolean }>([
    {
      why: 'two tables, one nullable FK: that one is broken',
      tables: {
        team: { cols: ['id', 'captain_id?'], fks: [fk('team_captain_fk', ['captain_id'], 'player')] },
        player: { cols: ['id', 'team_id'], fks: [fk('player_team_fk', ['team_id'], 'team')] },
      },
      breaks: ['public.team.team_captain_fk'],
      breakable: true,
    },
    {
      why: 'three tables, all nullable: one break is enough',
      tables: {
        vendor: { cols: ['id', 'carrier_id?'], fks: [fk('vendor_carrier_fk', ['carrier_id'], 'carrier')] },
        carrier: { cols: ['id', 'depot_id?'], fks: [fk('carrier_depot_fk', ['depot_id'], 'depot')] },
        depot: { cols: ['id', 'vendor_id?'], fks: [fk('depot_vendor_fk', ['vendor_id'], 'vendor')] },
      },
      breaks: ['public.carrier.carrier_depot_fk'],
      breakable: true,
    },
    {
      why: 'both nullable, one DEFERRABLE: the deferrable one is broken (demo customer ↔ address)',
      tables: {
        customer: { cols: ['id', 'default_address_id?'], fks: [fk('customer_default_address_fk', ['default_address_id'], 'address')] },
        address: { cols: ['id', 'customer_id?'], fks: [fk('address_customer_fk', ['customer_id'], 'customer', { deferrable: true })] },
      },
      breaks: ['public.address.address_customer_fk'],
      breakable: true,
    },
    {
      why: 'two cycles sharing a table: a minimal set of breaks',
      tables: {
        a: { cols: ['id', 'b_id?', 'c_id?'], fks: [fk('a_b', ['b_id'], 'b'), fk('a_c', ['c_id'], 'c')] },
        b: { cols: ['id', 'a_id'], fks: [fk('b_a', ['a_id'], 'a')] },
        c: { cols: ['id', 'a_id'], fks: [fk('c_a', ['a_id'], 'a')] },
      },
      breaks: ['public.a.a_b', 'public.a.a_c'],
      breakable: true,
    },
    {
      why: 'a composite FK with one NOT NULL column cannot be broken',
      tables: {
        x: { cols: ['id', 'y1?', 'y2'], fks: [fk('x_y', ['y1', 'y2'], 'y', { refCols: ['id', 'k'] })] },
        y: { cols: ['id', 'k', 'x_id'], fks: [fk('y_x', ['x_id'], 'x')] },
      },
      breaks: [],
      breakable: false,
    },
    {
      why: 'all NOT NULL (sakila staff ↔ store): not breakable',
      tables: {
        staff: { cols: ['id', 'store_id'], fks: [fk('staff_store_fk', ['store_id'], 'store')] },
        store: { cols: ['id', 'manager_staff_id'], fks: [fk('store_manager_fk', ['manager_staff_id'], 'staff')] },
      },
      breaks: [],
      breakable: false,
    },
  ])('$why', ({ tables, breaks, breakable }) => {
    const plan = planSubset(catalog(tables), { maxRowsPerTable: { '*': 10 } });
    expect(plan.cycles).toHaveLength(1);
    const [cycle] = plan.cycles;
    expect(cycle?.breakable).toBe(breakable);
    expect(cycle?.breaks.map((b) => `${b.table}.${b.fk}`).sort()).toEqual(breaks);
    // The breaks also appear on their tables, and only nullable FKs are ever broken.
    expect(plan.tables.flatMap((t) => t.cycleBreaks.map((b) => `${t.qualified}.${b.fk}`)).sort()).toEqual(breaks);
    expectValidLoadOrder(plan);
    if (!breakable) expect(cycle?.unresolved.length).toBeGreaterThan(0);
  });

  it('an unbreakable cycle of DEFERRABLE FKs says to defer them; of plain FKs, to create them deferrable or afterwards', () => {
    const deferrable = planSubset(
      catalog({
        a: { cols: ['id', 'b_id'], fks: [fk('a_b', ['b_id'], 'b', { deferrable: true })] },
        b: { cols: ['id', 'a_id'], fks: [fk('b_a', ['a_id'], 'a', { deferrable: true })] },
      }),
    );
    expect(deferrable.cycles[0]?.note).toMatch(/not breakable.*DEFERRABLE: load the component in one transaction with SET CONSTRAINTS ALL DEFERRED/);
    const plain = planSubset(
      catalog({
        a: { cols: ['id', 'b_id'], fks: [fk('a_b', ['b_id'], 'b')] },
        b: { cols: ['id', 'a_id'], fks: [fk('b_a', ['a_id'], 'a')] },
      }),
    );
    expect(plain.cycles[0]?.note).toMatch(/not DEFERRABLE: the target must create it DEFERRABLE, or add it after loading/);
    expect(formatPlan(plain)).toMatch(/\[not breakable\]/);
  });

  it('a self-reference is no cycle to break: the table loads once, noted for the upward closure', () => {
    const plan = planSubset(
      catalog({
        employee: { cols: ['id', 'reports_to?'], fks: [fk('employee_reports_to_fkey', ['reports_to'], 'employee')] },
        customer: { cols: ['id', 'rep_id?'], fks: [fk('rep_fk', ['rep_id'], 'employee')] },
      }),
      { maxRowsPerTable: { '*': 3 } },
    );
    expect(plan.cycles).toEqual([]);
    const employee = planned(plan, 'public.employee');
    expect(employee.dependsOn).toEqual([]);
    expect(employee.cycleBreaks).toEqual([]);
    expect(employee.foreignKeys[0]).toMatchObject({ selfReference: true, references: 'public.employee' });
    expect(plan.notes.join('\n')).toMatch(/public\.employee references itself \(employee_reports_to_fkey: reports_to\).*upward closure follows the chain/);
    expectValidLoadOrder(plan);
  });

  it('parents load before children, ties by name', () => {
    const plan = planSubset(catalog(SHOP));
    expect(plan.tables.map((t) => t.name)).toEqual(['city', 'address', 'customer', 'orders', 'product', 'order_item', 'review', 'tag']);
    expect(planned(plan, 'public.order_item').dependsOn).toEqual(['public.orders', 'public.product']);
  });
});

describe('partitions (catalogs built in code)', () => {
  const parts = catalog({
    customer: { cols: ['id'] },
    payment: { cols: ['id', 'day', 'customer_id'], pk: ['id', 'day'], kind: 'PARTITIONED_TABLE', rows: 30 },
    payment_2024: {
      cols: ['id', 'day', 'customer_id'],
      pk: ['id', 'day'],
      partitionOf: 'public.payment',
      partitionKind: 'DECLARATIVE',
      fks: [fk('p24_customer', ['customer_id'], 'customer')],
    },
    payment_2025: {
      cols: ['id', 'day', 'customer_id'],
      pk: ['id', 'day'],
      partitionOf: 'public.payment',
      partitionKind: 'DECLARATIVE',
      fks: [fk('p25_customer', ['customer_id'], 'customer')],
    },
    log: { cols: ['id', 'customer_id?'], fks: [fk('log_customer', ['customer_id'], 'customer')], rows: 9 },
    log_archive: { cols: ['id', 'customer_id?'], pk: null, partitionOf: 'public.log', partitionKind: 'INHERITS', rows: 4 },
    nokey: { cols: ['a', 'b'], pk: null, kind: 'PARTITIONED_TABLE' },
  });
  const plan = planSubset(parts, { rootTable: 'customer', maxRowsPerTable: { '*': 5 } });

  it('a declarative partitioned table is one planned table, its partitions listed under it', () => {
    expect(plan.tables.map((t) => t.qualified).sort()).toEqual(['public.customer', 'public.log', 'public.log_archive', 'public.nokey', 'public.payment']);
    expect(planned(plan, 'public.payment')).toMatchObject({
      partitions: ['public.payment_2024', 'public.payment_2025'],
      only: false,
      reachedBy: 'down',
      sourceRows: 30,
    });
  });

  it('FKs declared only on partitions count once for the parent', () => {
    const payment = planned(plan, 'public.payment');
    expect(payment.foreignKeys).toHaveLength(1);
    expect(payment.foreignKeys[0]).toMatchObject({
      name: 'p24_customer',
      references: 'public.customer',
      declaredOn: ['public.payment_2024', 'public.payment_2025'],
    });
    expect(payment.dependsOn).toEqual(['public.customer']);
  });

  it('an INHERITS parent is read FROM ONLY; its child is a table of its own', () => {
    expect(planned(plan, 'public.log')).toMatchObject({ only: true, inherits: null, sourceRows: 9 });
    expect(planned(plan, 'public.log_archive')).toMatchObject({ only: false, inherits: 'public.log', key: { kind: 'ctid', columns: ['ctid'] } });
  });

  it('rows without a primary key are keyed by ctid, with tableoid across partitions', () => {
    expect(planned(plan, 'public.nokey').key).toEqual({ kind: 'ctid', columns: ['tableoid', 'ctid'] });
    expect(planned(plan, 'public.payment').key).toEqual({ kind: 'primaryKey', columns: ['id', 'day'] });
  });

  it('a partition cannot be named as root: the parent is', () => {
    expect(() => planSubset(parts, { rootTable: 'payment_2024' })).toThrow(/public\.payment_2024 is a partition of public\.payment/);
  });
});
