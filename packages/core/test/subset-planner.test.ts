/**
 * planSubset / formatPlan on catalogs built in code: which root is inferred, and what an explicit
 * root, caps and filters do. Cycles and partitions: subset-planner-cycles.test.ts; plans on the real
 * fixtures: subset-planner-fixtures.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.ts';
import { formatPlan, planSubset } from '../src/subset/planner.ts';
import { catalog, fk, planned, SHOP, type TableSpec } from './support/plan-catalogs.ts';

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
