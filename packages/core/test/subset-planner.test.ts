/**
 * planSubset / formatPlan: pure, table-driven. Catalogs are built in code for each rule, and read
 * from the real fixtures (shared sample databases on PostgreSQL; the project's edge-shapes fixture
 * and the demo source on PGlite, always) for the decisions a user sees: which root, which cycles
 * are broken where, what is capped, what is reached how.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog, ColumnDef, ForeignKeyDef, TableDef } from '../src/catalog/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { InvalidInputError } from '../src/errors.ts';
import { formatPlan, type PlannedTable, planSubset, type SubsetPlan } from '../src/subset/planner.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable } from './support/databases.ts';
import { type FixtureName, fixturesAvailable, loadFixture, loadSqlScript } from './support/load-sql.ts';

// ---------------------------------------------------------------------------------------------
// Catalogs built in code

/** `"id"` is NOT NULL, `"manager_id?"` nullable. */
function columns(specs: string[]): ColumnDef[] {
  return specs.map((spec, i) => {
    const nullable = spec.endsWith('?');
    return {
      name: nullable ? spec.slice(0, -1) : spec,
      position: i + 1,
      dataType: 'integer',
      typeSchema: 'pg_catalog',
      typeName: 'int4',
      typeKind: 'base',
      elementType: null,
      nullable,
      default: null,
      maxLength: null,
      numericPrecision: null,
      numericScale: null,
      identity: null,
      generated: null,
      sequence: null,
      comment: null,
    };
  });
}

interface FkSpec {
  name: string;
  cols: string[];
  /** "table" (public) or "schema.table". */
  ref: string;
  refCols?: string[];
  deferrable?: boolean;
}

interface TableSpec {
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

function table(qualifiedName: string, spec: TableSpec): TableDef {
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

function catalog(tables: Record<string, TableSpec>): Catalog {
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

const fk = (name: string, cols: string[], ref: string, extra: Partial<FkSpec> = {}): FkSpec => ({ name, cols, ref, ...extra });

function planned(plan: SubsetPlan, id: string): PlannedTable {
  const t = plan.tables.find((x) => x.qualified === id);
  if (!t) throw new Error(`${id} is not in the plan (${plan.tables.map((x) => x.qualified).join(', ')})`);
  return t;
}

/** Load order invariants every plan must keep. */
function expectValidLoadOrder(plan: SubsetPlan): void {
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
const SHOP = {
  customer: { cols: ['id', 'address_id?'], fks: [fk('customer_address_fk', ['address_id'], 'address')] },
  address: { cols: ['id', 'city_id'], fks: [fk('address_city_fk', ['city_id'], 'city')] },
  city: { cols: ['id'] },
  orders: { cols: ['id', 'customer_id'], fks: [fk('orders_customer_fk', ['customer_id'], 'customer')] },
  order_item: { cols: ['id', 'order_id', 'product_id'], fks: [fk('item_order_fk', ['order_id'], 'orders'), fk('item_product_fk', ['product_id'], 'product')] },
  product: { cols: ['id'] },
  review: { cols: ['id', 'customer_id'], fks: [fk('review_customer_fk', ['customer_id'], 'customer')] },
  tag: { cols: ['id'] },
} satisfies Record<string, TableSpec>;

describe('root inference (catalogs built in code)', () => {
  it.each<{ why: string; tables: Record<string, TableSpec>; root: string }>([
    {
      why: 'a people-like name wins over a table with more children',
      tables: {
        ...SHOP,
        product: { cols: ['id'] },
        wishlist: { cols: ['id', 'product_id'], fks: [fk('w1', ['product_id'], 'product')] },
        stock: { cols: ['id', 'product_id'], fks: [fk('s1', ['product_id'], 'product')] },
        price: { cols: ['id', 'product_id'], fks: [fk('p1', ['product_id'], 'product')] },
      },
      root: 'public.customer',
    },
    {
      why: 'among people-like tables, the one with the most referencing tables',
      tables: {
        app_user: { cols: ['id'] },
        session: { cols: ['id', 'user_id'], fks: [fk('session_user_fk', ['user_id'], 'app_user')] },
        login: { cols: ['id', 'user_id'], fks: [fk('login_user_fk', ['user_id'], 'app_user')] },
        customer: { cols: ['id'] },
        invoice: { cols: ['id', 'customer_id'], fks: [fk('invoice_customer_fk', ['customer_id'], 'customer')] },
      },
      root: 'public.app_user',
    },
    {
      why: 'self-references are not children (employee.manager_id)',
      tables: {
        employee: {
          cols: ['id', 'manager_id?', 'mentor_id?'],
          fks: [fk('manager_fk', ['manager_id'], 'employee'), fk('mentor_fk', ['mentor_id'], 'employee')],
        },
        customer: { cols: ['id'] },
        invoice: { cols: ['id', 'customer_id'], fks: [fk('invoice_customer_fk', ['customer_id'], 'customer')] },
      },
      root: 'public.customer',
    },
    {
      why: 'on equal children, the one its children cannot exist without (NOT NULL FKs) — chinook',
      tables: {
        employee: { cols: ['id', 'reports_to?'], fks: [fk('reports_to_fk', ['reports_to'], 'employee')] },
        customer: { cols: ['id', 'support_rep_id?'], fks: [fk('support_rep_fk', ['support_rep_id'], 'employee')] },
        invoice: { cols: ['id', 'customer_id'], fks: [fk('invoice_customer_fk', ['customer_id'], 'customer')] },
      },
      root: 'public.customer',
    },
    {
      why: 'a table in a cycle with the candidate is a peer, not a child — sakila staff ↔ store',
      tables: {
        staff: { cols: ['id', 'store_id'], fks: [fk('staff_store_fk', ['store_id'], 'store')] },
        store: { cols: ['id', 'manager_id'], fks: [fk('store_manager_fk', ['manager_id'], 'staff')] },
        customer: { cols: ['id'] },
        rental: { cols: ['id', 'customer_id', 'staff_id'], fks: [fk('r_customer', ['customer_id'], 'customer'), fk('r_staff', ['staff_id'], 'staff')] },
      },
      root: 'public.customer',
    },
    {
      why: 'on a full tie, customers come before users/accounts before employees/staff — pagila',
      tables: {
        staff: { cols: ['id'], rows: 5000 },
        customer: { cols: ['id'], rows: 10 },
        rental: { cols: ['id', 'customer_id', 'staff_id'], fks: [fk('r_customer', ['customer_id'], 'customer'), fk('r_staff', ['staff_id'], 'staff')] },
      },
      root: 'public.customer',
    },
    {
      why: 'the head noun decides: user_type is a lookup, not people; CustomerAccount is',
      tables: {
        user_type: { cols: ['id'] },
        a: { cols: ['id', 't'], fks: [fk('a_t', ['t'], 'user_type')] },
        b: { cols: ['id', 't'], fks: [fk('b_t', ['t'], 'user_type')] },
        CustomerAccount: { cols: ['id'] },
        c: { cols: ['id', 'acc'], fks: [fk('c_acc', ['acc'], 'CustomerAccount')] },
      },
      root: 'public.CustomerAccount',
    },
    {
      why: 'no people-like table: most referencing tables, then NOT NULL ones — world picks country over city',
      tables: {
        city: { cols: ['id'] },
        country: { cols: ['code', 'capital?'], pk: ['code'], fks: [fk('country_capital_fkey', ['capital'], 'city')] },
        countrylanguage: {
          cols: ['countrycode', 'language'],
          pk: ['countrycode', 'language'],
          fks: [fk('cl_country', ['countrycode'], 'country', { refCols: ['code'] })],
        },
      },
      root: 'public.country',
    },
    {
      why: 'a people-like table referenced only from inside its cycle still beats unrelated tables — edgecases customers',
      tables: {
        customers: { cols: ['id', 'address_id?'], fks: [fk('fk_address', ['address_id'], 'addresses')] },
        addresses: { cols: ['id', 'order_id?'], fks: [fk('fk_order', ['order_id'], 'orders')] },
        orders: { cols: ['id', 'customer_id?'], fks: [fk('fk_customer', ['customer_id'], 'customers')] },
        company: { cols: ['id'] },
        department: { cols: ['id', 'company_id'], fks: [fk('dept_company', ['company_id'], 'company')] },
      },
      root: 'public.customers',
    },
    {
      why: 'a people-like table nobody references is no root',
      tables: {
        users: { cols: ['id'] },
        product: { cols: ['id'] },
        stock: { cols: ['id', 'product_id'], fks: [fk('s1', ['product_id'], 'product')] },
      },
      root: 'public.product',
    },
  ])('$why', ({ tables, root }) => {
    const plan = planSubset(catalog(tables), { maxRowsPerTable: { '*': 10 } });
    expect(plan.root).toBe(root);
    expect(plan.rootReason).toContain(root);
    expect(planned(plan, root).reachedBy).toBe('root');
  });

  it('says why in rootReason: the name, the referencing tables and the runner-up', () => {
    const plan = planSubset(
      catalog({
        staff: { cols: ['id'] },
        customer: { cols: ['id'] },
        rental: { cols: ['id', 'customer_id', 'staff_id'], fks: [fk('r_customer', ['customer_id'], 'customer'), fk('r_staff', ['staff_id'], 'staff')] },
      }),
    );
    expect(plan.rootReason).toMatch(/people-like name \(customer\)/);
    expect(plan.rootReason).toMatch(/1 referencing table \(public\.rental\)/);
    expect(plan.rootReason).toMatch(/runner-up public\.staff/);
    expect(plan.rootReason).toMatch(/tie broken by name/);
  });

  it('an empty catalog has no root and an empty plan', () => {
    const plan = planSubset(catalog({}), { maxRowsPerTable: { '*': 5 } });
    expect(plan.root).toBeNull();
    expect(plan.tables).toEqual([]);
    expect(formatPlan(plan)).toContain('no tables');
  });
});

describe('explicit root, caps, filters (catalogs built in code)', () => {
  const shop = catalog({ ...SHOP, 'sales.customer': { cols: ['id'] } });

  it.each([
    ['public.orders', 'public.orders'],
    ['orders', 'public.orders'],
    ['"public"."orders"', 'public.orders'],
    ['sales.customer', 'sales.customer'],
    ['"sales".customer', 'sales.customer'],
  ])('rootTable %s is %s', (input, expected) => {
    const plan = planSubset(shop, { rootTable: input, maxRowsPerTable: { '*': 10 } });
    expect(plan.root).toBe(expected);
    expect(plan.rootReason).toContain('given as rootTable');
    expect(planned(plan, expected).reachedBy).toBe('root');
  });

  it.each([
    [{ rootTable: 'nope' }, /rootTable: table "nope" is not in the catalog/],
    [{ rootTable: 'public.nope' }, /not in the catalog/],
    [{ rootTable: 'customer' }, /ambiguous \(public\.customer, sales\.customer\)/],
    [{ maxRowsPerTable: { nope: 5 } }, /maxRowsPerTable: table "nope"/],
    [{ maxRowsPerTable: { orders: -1 } }, /non-negative integer/],
    [{ maxRowsPerTable: { orders: 1.5 } }, /non-negative integer/],
    [{ where: { nope: 'id > 1' } }, /where: table "nope"/],
    [{ where: { orders: '  ' } }, /non-empty SQL expression/],
  ])('%j is rejected with InvalidInputError', (options, message) => {
    expect(() => planSubset(shop, options)).toThrow(InvalidInputError);
    expect(() => planSubset(shop, options)).toThrow(message);
  });

  it('an InvalidInputError carries code INVALID_INPUT', () => {
    try {
      planSubset(shop, { rootTable: 'nope' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).code).toBe('INVALID_INPUT');
    }
  });

  it('caps: a table’s own cap beats "*"; tables only reached upward have none (they take what integrity needs)', () => {
    const plan = planSubset(shop, { rootTable: 'public.customer', maxRowsPerTable: { '*': 5000, orders: 50000, 'public.tag': 7 } });
    expect(plan.mode).toBe('subset');
    const caps = Object.fromEntries(plan.tables.map((t) => [t.qualified, [t.reachedBy, t.cap]]));
    expect(caps).toEqual({
      'public.customer': ['root', 5000],
      'public.orders': ['down', 50000],
      'public.order_item': ['down', 5000],
      'public.review': ['down', 5000],
      'public.address': ['up', null],
      'public.city': ['up', null],
      'public.product': ['up', null],
      'public.tag': ['unreached', 7],
      'sales.customer': ['unreached', 5000],
    });
    expect(planned(plan, 'public.order_item').via).toEqual(['item_order_fk']);
    expect(planned(plan, 'public.product').via).toEqual(['item_product_fk']);
    expect(plan.selection.slice(0, 4)).toEqual(['public.customer', 'public.orders', 'public.review', 'public.order_item']);
  });

  it('without caps and filters the plan is a full copy of every table', () => {
    const plan = planSubset(shop, { rootTable: 'public.customer' });
    expect(plan.mode).toBe('full');
    expect(plan.tables.every((t) => t.reachedBy === 'full' && t.cap === null && t.where === null && t.included)).toBe(true);
    expect(plan.selection).toHaveLength(plan.tables.length);
    expect(formatPlan(plan)).toContain('full copy of 9 tables');
  });

  it('where filters are kept on the tables whose rows are chosen, and noted when they cannot apply', () => {
    const plan = planSubset(shop, {
      rootTable: 'public.customer',
      maxRowsPerTable: { '*': 10 },
      where: { 'public.customer': 'customer.id % 2 = 0', orders: 'id > 100', tag: 'id <> 3', city: 'id = 1' },
    });
    expect(planned(plan, 'public.customer').where).toBe('customer.id % 2 = 0');
    expect(planned(plan, 'public.orders').where).toBe('id > 100');
    expect(planned(plan, 'public.tag').where).toBe('id <> 3');
    expect(planned(plan, 'public.city').where).toBeNull();
    expect(plan.notes.join('\n')).toMatch(/where filter on public\.city not applied: the table is only reached upward/);
  });

  it('a where filter alone makes a subset without caps', () => {
    const plan = planSubset(shop, { rootTable: 'public.customer', where: { 'public.customer': 'id < 10' } });
    expect(plan.mode).toBe('subset');
    expect(plan.tables.every((t) => t.cap === null)).toBe(true);
    expect(planned(plan, 'public.customer').where).toBe('id < 10');
  });

  it('includeUnreached: false leaves the unreached tables out of the selection', () => {
    const on = planSubset(shop, { rootTable: 'public.customer', maxRowsPerTable: { '*': 10 } });
    const off = planSubset(shop, { rootTable: 'public.customer', maxRowsPerTable: { '*': 10 }, includeUnreached: false });
    expect(on.includeUnreached).toBe(true);
    expect(planned(on, 'public.tag')).toMatchObject({ reachedBy: 'unreached', included: true, cap: 10 });
    expect(on.selection).toContain('public.tag');
    expect(planned(off, 'public.tag')).toMatchObject({ reachedBy: 'unreached', included: false });
    expect(off.selection).not.toContain('public.tag');
    expect(off.notes.join('\n')).toMatch(/left out \(includeUnreached: false\)/);
    expect(formatPlan(off)).toMatch(/public\.tag \(skipped\)/);
  });
});

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

// ---------------------------------------------------------------------------------------------
// Catalogs read from the fixtures

const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');
const pgUp = await pgAvailable();
const haveFixtures = fixturesAvailable();
if (!pgUp) console.warn('PostgreSQL is not reachable: planner tests on the shared sample databases are SKIPPED');
else if (!haveFixtures) console.warn('shared sample databases not found: planner tests on them are SKIPPED');

const catalogs = new Map<string, Catalog>();
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const pglite = async (name: string, load: (sql: Awaited<ReturnType<typeof openSqlClient>>) => Promise<void>, schemas: string[]) => {
    const db = await createPgliteUrl();
    const sql = await openSqlClient(db.url);
    try {
      await load(sql);
      catalogs.set(name, await readCatalog(sql, schemas));
    } finally {
      await sql.close();
      await db.drop();
    }
  };
  await pglite('edge-shapes', (sql) => loadSqlScript(sql, EDGE_SHAPES), ['public', 'Other Schema']);
  await pglite('demo', (sql) => seedDemoSource(sql, { customers: 20, products: 10, orders: 30 }), ['public']);
  if (!pgUp || !haveFixtures) return;
  await Promise.all(
    (['pagila', 'chinook', 'sakila', 'world', 'edgecases'] as FixtureName[]).map(async (name) => {
      const db = await createTestDatabase(`plan_${name}`);
      cleanups.push(() => db.drop());
      const sql = await openSqlClient(db.url);
      try {
        await loadFixture(sql, name);
        catalogs.set(name, await readCatalog(sql, ['public']));
      } finally {
        await sql.close();
      }
    }),
  );
});

afterAll(async () => {
  for (const drop of cleanups) await drop().catch(() => {});
});

const fixtureCases: { fixture: string; root: string; shared: boolean }[] = [
  { fixture: 'pagila', root: 'public.customer', shared: true },
  // chinook: customer and employee are both people-like and both have one referencing table
  // (invoice, customer.support_rep_id); customer wins because invoices cannot exist without their
  // customer (NOT NULL FK) while a customer's support rep is optional — and subsetting by customer
  // gives the useful slice (their invoices, lines, tracks), with the reps pulled up the reports_to chain.
  { fixture: 'chinook', root: 'public.customer', shared: true },
  // sakila: staff is also referenced by store, but store ↔ staff is a cycle (peers); on the tie, customer wins by name.
  { fixture: 'sakila', root: 'public.customer', shared: true },
  // world: no people-like table; country and city each have one referencing table, but
  // countrylanguage cannot exist without its country while country.capital is optional.
  { fixture: 'world', root: 'public.country', shared: true },
  { fixture: 'edgecases', root: 'public.customers', shared: true },
  { fixture: 'edge-shapes', root: 'public.employee', shared: false },
  { fixture: 'demo', root: 'public.customer', shared: false },
];

describe.each(fixtureCases)('plans on $fixture', ({ fixture, root, shared }) => {
  const skip = shared && (!pgUp || !haveFixtures);
  const get = () => catalogs.get(fixture) as Catalog;

  it.skipIf(skip)(`infers ${root} as root and gives a reason`, () => {
    const plan = planSubset(get(), { maxRowsPerTable: { '*': 50 } });
    expect(plan.root).toBe(root);
    expect(plan.rootReason.startsWith(`${root}:`)).toBe(true);
  });

  it.skipIf(skip)('keeps a valid load order, breaking only nullable FKs', () => {
    const c = get();
    for (const options of [{}, { maxRowsPerTable: { '*': 50 } }]) {
      const plan = planSubset(c, options);
      expectValidLoadOrder(plan);
      for (const cycle of plan.cycles) {
        for (const b of cycle.breaks) {
          const t = c.tables.find((x) => `${x.schema}.${x.name}` === b.table) as TableDef;
          for (const column of b.columns) expect(t.columns.find((x) => x.name === column)?.nullable, `${b.table}.${column}`).toBe(true);
        }
      }
      // Partitions never appear as tables of their own.
      const partitions = c.tables.filter((t) => t.partitionKind === 'DECLARATIVE').map((t) => `${t.schema}.${t.name}`);
      expect(plan.tables.map((t) => t.qualified).filter((q) => partitions.includes(q))).toEqual([]);
      expect(plan.tables.flatMap((t) => t.partitions).sort()).toEqual(partitions.sort());
    }
  });

  it.skipIf(skip)('is plain data: stored as JSON and read back, it is the same plan', () => {
    const plan = planSubset(get(), { maxRowsPerTable: { '*': 50 } });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it.skipIf(skip)('prints every table in load order', () => {
    const plan = planSubset(get(), { maxRowsPerTable: { '*': 50 } });
    const text = formatPlan(plan);
    expect(text).toContain(`from root ${root}`);
    let at = 0;
    for (const t of plan.tables) {
      const found = text.indexOf(` ${t.qualified}`, at);
      expect(found, t.qualified).toBeGreaterThan(at - 1);
      at = found;
    }
  });
});

describe.skipIf(!pgUp || !haveFixtures)('fixture shapes the plan must get right', () => {
  it('pagila: payment is planned once through its 7 partitions, reached downward from customer with FKs from the partitions', () => {
    const plan = planSubset(catalogs.get('pagila') as Catalog, { maxRowsPerTable: { '*': 50 } });
    const payment = planned(plan, 'public.payment');
    expect(payment.partitions).toHaveLength(7);
    expect(payment.reachedBy).toBe('down');
    expect(payment.foreignKeys.map((f) => f.references).sort()).toEqual(['public.customer', 'public.rental', 'public.staff']);
    const reached = Object.fromEntries(plan.tables.map((t) => [t.name, t.reachedBy]));
    expect(reached).toEqual({
      customer: 'root',
      rental: 'down',
      payment: 'down',
      address: 'up',
      city: 'up',
      country: 'up',
      store: 'up',
      staff: 'up',
      inventory: 'up',
      film: 'up',
      language: 'up',
      actor: 'unreached',
      category: 'unreached',
      film_actor: 'unreached',
      film_category: 'unreached',
    });
    expect(plan.cycles).toEqual([]);
  });

  it('sakila: staff ↔ store is found and reported not breakable (both FKs NOT NULL, not deferrable)', () => {
    const plan = planSubset(catalogs.get('sakila') as Catalog, { maxRowsPerTable: { '*': 50 } });
    expect(plan.cycles).toHaveLength(1);
    const [cycle] = plan.cycles;
    expect(cycle?.tables).toEqual(['public.staff', 'public.store']);
    expect(cycle?.foreignKeys.map((f) => [f.fk, f.nullable]).sort()).toEqual([
      ['staff_store_id_fkey', false],
      ['store_manager_staff_id_fkey', false],
    ]);
    expect(cycle?.breakable).toBe(false);
    expect(cycle?.breaks).toEqual([]);
    expect(cycle?.note).toMatch(/no nullable FK/);
    // The INHERITS children of payment are tables of their own; payment itself is read FROM ONLY.
    expect(planned(plan, 'public.payment').only).toBe(true);
    expect(planned(plan, 'public.payment_p2007_01')).toMatchObject({ inherits: 'public.payment', key: { kind: 'ctid' }, reachedBy: 'down' });
  });

  it('edgecases: the customers → addresses → orders cycle is broken through one nullable FK', () => {
    const plan = planSubset(catalogs.get('edgecases') as Catalog, { maxRowsPerTable: { '*': 50 } });
    expect(plan.cycles).toHaveLength(1);
    const [cycle] = plan.cycles;
    expect(cycle?.tables).toEqual(['public.addresses', 'public.customers', 'public.orders']);
    expect(cycle?.breakable).toBe(true);
    expect(cycle?.breaks).toHaveLength(1);
    expect(formatPlan(plan)).toMatch(/insert NULL, update after/);
    expect(planned(plan, 'public.orders').reachedBy).toBe('down');
    expect(planned(plan, 'public.addresses').reachedBy).toBe('down');
  });

  it('chinook: employee.reports_to is a self-reference, not a cycle; employee is reached upward from customer', () => {
    const plan = planSubset(catalogs.get('chinook') as Catalog, { maxRowsPerTable: { '*': 50 } });
    expect(plan.cycles).toEqual([]);
    expect(planned(plan, 'public.employee')).toMatchObject({ reachedBy: 'up', via: ['customer_support_rep_id_fkey'], cap: null });
    expect(plan.notes.join('\n')).toMatch(/public\.employee references itself \(employee_reports_to_fkey: reports_to\)/);
  });

  it('world: country.capital → city is followed upward; countrylanguage downward', () => {
    const plan = planSubset(catalogs.get('world') as Catalog, { maxRowsPerTable: { '*': 50 } });
    expect(Object.fromEntries(plan.tables.map((t) => [t.name, [t.reachedBy, t.cap]]))).toEqual({
      country: ['root', 50],
      countrylanguage: ['down', 50],
      city: ['up', null],
    });
  });
});

describe('edge-shapes and demo plans (PGlite)', () => {
  it('edge-shapes: team ↔ player broken at team.captain_id, vendor → carrier → depot broken once; partitions and INHERITS', () => {
    const plan = planSubset(catalogs.get('edge-shapes') as Catalog, { maxRowsPerTable: { '*': 2 } });
    const cycles = Object.fromEntries(plan.cycles.map((c) => [c.tables.join(' '), c.breaks.map((b) => `${b.table}.${b.fk}`)]));
    expect(cycles).toEqual({
      'public.player public.team': ['public.team.team_captain_fk'],
      'public.carrier public.depot public.vendor': ['public.carrier.carrier_depot_fk'],
    });
    expect(planned(plan, 'public.reading')).toMatchObject({
      partitions: ['public.reading_2024', 'public.reading_2025'],
      key: { kind: 'primaryKey', columns: ['gadget_id', 'taken_on'] },
    });
    expect(planned(plan, 'public.event_log').only).toBe(true);
    expect(planned(plan, 'public.event_log_archive')).toMatchObject({ inherits: 'public.event_log', key: { kind: 'ctid', columns: ['ctid'] } });
    expect(planned(plan, 'public.audit_note').key.kind).toBe('ctid');
    expect(planned(plan, 'Other Schema.ticket')).toMatchObject({ reachedBy: 'down', via: ['ticket_employee_fk'] });
    expect(planned(plan, 'public.country')).toMatchObject({ reachedBy: 'up', via: ['employee_country_fk'] });
    expect(planned(plan, 'public.shipment_item').foreignKeys[0]).toMatchObject({
      columns: ['order_no', 'line_no'],
      referencedColumns: ['order_no', 'line_no'],
    });
  });

  it('edge-shapes: an explicit root in a quoted schema', () => {
    const plan = planSubset(catalogs.get('edge-shapes') as Catalog, { rootTable: '"Other Schema"."ticket"', maxRowsPerTable: { '*': 1 } });
    expect(plan.root).toBe('Other Schema.ticket');
    expect(planned(plan, 'public.employee').reachedBy).toBe('up');
    expect(formatPlan(plan)).toContain('Other Schema.ticket');
  });

  it('demo: customer ↔ address is broken at the deferrable address.customer_id', () => {
    const plan = planSubset(catalogs.get('demo') as Catalog, { maxRowsPerTable: { '*': 50 } });
    expect(plan.cycles.map((c) => [c.tables, c.breaks.map((b) => b.fk)])).toEqual([[['public.address', 'public.customer'], ['address_customer_fk']]]);
    expect(planned(plan, 'public.order')).toMatchObject({ reachedBy: 'down' });
    expectValidLoadOrder(plan);
  });
});
