/**
 * planSubset / formatPlan on catalogs read from the real fixtures (shared sample databases on
 * PostgreSQL; the project's edge-shapes fixture and the demo source on PGlite, always) for the
 * decisions a user sees: which root, which cycles are broken where, what is capped, what is reached how.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { Catalog, TableDef } from '../src/catalog/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { formatPlan, planSubset } from '../src/subset/planner.ts';
import { createPgliteUrl, createTestDatabase, pgAvailable } from './support/databases.ts';
import { type FixtureName, fixturesAvailable, loadFixture, loadSqlScript } from './support/load-sql.ts';
import { expectValidLoadOrder, planned } from './support/plan-catalogs.ts';

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
