/**
 * Domain mode as a user runs it: every pack and scenario generates, is written to the dataset store
 * and provisioned with all its constraints into a fresh PostgreSQL database (ecommerce b2c also into
 * PGlite); in the target, every foreign key holds and the cross-field rules hold — the pack's own
 * rule queries and hand-written ones for the rules users ask about (order totals, payments,
 * country → currency and phone format, adult bank customers). Plus the seed's example 3 counts,
 * determinism and bad input.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlClient } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { redactConnectionString } from '../src/db/url.ts';
import { InvalidInputError } from '../src/errors.ts';
import { runProvision } from '../src/graphs/provision/graph.ts';
import type { Tdm } from '../src/runtime.ts';
import { COUNTRIES, phoneRegex } from '../src/synthetic/domain/countries.ts';
import { distribute } from '../src/synthetic/domain/distribute.ts';
import { generateFromDomain } from '../src/synthetic/domain/generate.ts';
import { listDomainPacks, loadDomainPack, resolveScenario } from '../src/synthetic/domain/packs.ts';
import { Rng } from '../src/synthetic/rng.ts';
import type { GeneratedDataset } from '../src/synthetic/types.ts';
import { writeGenerated } from '../src/synthetic/write.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';
import { fkCheck } from './support/fk-check.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: domain provisioning tests are SKIPPED`);

let engine: TestEngine;
let tdm: Tdm;
let envCount = 0;

beforeAll(async () => {
  engine = await createTestEngine('synthetic-domain');
  tdm = engine.tdm;
});

afterAll(() => engine?.close());

/** Writes `generated`, provisions it into a fresh target and hands an open client on the target to `check`. */
async function provisioned(generated: GeneratedDataset, target: 'postgres' | 'pglite', check: (sql: SqlClient) => Promise<void>): Promise<void> {
  const written = await writeGenerated(tdm, generated);
  const db = target === 'postgres' ? await createTestDatabase('domain') : await createPgliteUrl();
  try {
    const name = `domain-${++envCount}`;
    await tdm.environments.create({ name, connectionString: db.url, allowReset: true });
    const outcome = await runProvision(tdm, { datasetVersionId: written.datasetVersionId, environment: name });
    expect(outcome.smoke?.passed).toBe(true);
    const sql = await openSqlClient(db.url, { poolSize: 1 });
    try {
      await check(sql);
    } finally {
      await sql.close();
    }
  } finally {
    await db.drop();
  }
}

async function count(sql: SqlClient, query: string): Promise<number> {
  const { rows } = await sql.query<Record<string, unknown>>(query);
  return Number(Object.values(rows[0] ?? {})[0]);
}

/** Small row counts with the scenario's proportions. */
function smallCounts(rows: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(rows).map(([e, n]) => [e, Math.max(2, Math.ceil(n / 25))]));
}

const COUNTRY_VALUES = COUNTRIES.map((c) => `('${c.code}', '${c.currency}', '${phoneRegex(c.phone).replaceAll("'", "''")}')`).join(', ');

async function rowsHash(generated: GeneratedDataset): Promise<string> {
  const hash = createHash('sha256');
  for (const t of generated.tables) {
    hash.update(`${t.table.name}\n`);
    for await (const batch of t.rows(1000)) for (const row of batch) hash.update(`${JSON.stringify(row)}\n`);
  }
  return hash.digest('hex');
}

describe('domain packs', () => {
  it('lists every pack with its version, scenarios and entities', () => {
    const packs = listDomainPacks();
    expect(packs.map((p) => p.name)).toEqual(expect.arrayContaining(['banking', 'ecommerce', 'generic', 'healthcare', 'insurance', 'telecom']));
    for (const p of packs) {
      expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(p.entities.length).toBeGreaterThanOrEqual(4);
      expect(p.entities.length).toBeLessThanOrEqual(8);
      expect(p.scenarios.length).toBeGreaterThanOrEqual(1);
      for (const s of p.scenarios) expect(s.description.length).toBeGreaterThan(10);
    }
    expect(packs.find((p) => p.name === 'ecommerce')?.scenarios.map((s) => s.name)).toEqual(['b2c', 'b2b', 'marketplace']);
  });

  it('refuses an unknown domain or scenario, naming the available ones', async () => {
    const domain = await generateFromDomain({ domain: 'retail-banking' }).catch((e: unknown) => e);
    expect(domain).toBeInstanceOf(InvalidInputError);
    expect((domain as Error).message).toContain('ecommerce');
    expect((domain as Error).message).toContain('telecom');
    const scenario = await generateFromDomain({ domain: 'ecommerce', scenario: 'b2g' }).catch((e: unknown) => e);
    expect(scenario).toBeInstanceOf(InvalidInputError);
    expect((scenario as Error).message).toMatch(/b2c, b2b, marketplace/);
    const counts = await generateFromDomain({ domain: 'ecommerce', rowCounts: { orders: 10 } }).catch((e: unknown) => e);
    expect(counts).toBeInstanceOf(InvalidInputError);
    expect((counts as Error).message).toContain('order_item');
  });

  it('example 3: ecommerce b2c with {"*": 1000} has 1000 rows in each of its five entities', async () => {
    const generated = await generateFromDomain({ domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 1000 } });
    const counted: Record<string, number> = {};
    for (const t of generated.tables) {
      let n = 0;
      for await (const batch of t.rows(4096)) n += batch.length;
      counted[t.table.name] = n;
    }
    expect(counted).toEqual({ customer: 1000, product: 1000, order: 1000, order_item: 1000, payment: 1000 });
    expect(generated.sourceUrl).toBe('synthetic:domain/ecommerce/b2c@1.0.0');
    expect(generated.mode).toBe('DOMAIN');
    expect(generated.meta).toMatchObject({ pack: 'ecommerce', scenario: 'b2c', seed: 1, rowCounts: counted });
    expect(generated.meta.notes).toBeUndefined();
  });

  it('row counts: an entity count beats "*", which beats the scenario default; bent bounds are reported', async () => {
    const generated = await generateFromDomain({ domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 10, order_item: 5 } });
    const defaults = resolveScenario(loadDomainPack('ecommerce'), 'b2c').rows;
    expect(generated.meta.rowCounts).toEqual({ customer: 10, product: 10, order: 10, order_item: 5, payment: 10 });
    expect(generated.meta.notes).toEqual([expect.stringMatching(/5 order_item rows cannot give each of 10 order rows the minimum of 1\.\.5/)]);
    const byDefault = await generateFromDomain({ domain: 'ecommerce', scenario: 'b2c' });
    expect(byDefault.meta.rowCounts).toEqual(defaults);
  });

  it('is deterministic: the same seed gives the same rows, another seed other rows', async () => {
    const options = { domain: 'banking', scenario: 'retail', rowCounts: { '*': 60 } };
    const a = await rowsHash(await generateFromDomain({ ...options, seed: 7 }));
    const b = await rowsHash(await generateFromDomain({ ...options, seed: 7 }));
    const c = await rowsHash(await generateFromDomain({ ...options, seed: 8 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    const generated = await generateFromDomain({ ...options, seed: 7 });
    // A second pass over one table yields the same rows (writers may stream twice).
    const first: string[] = [];
    const second: string[] = [];
    for await (const batch of (generated.tables[2] as GeneratedDataset['tables'][number]).rows(17)) first.push(...batch.map((r) => JSON.stringify(r)));
    for await (const batch of (generated.tables[2] as GeneratedDataset['tables'][number]).rows(1000)) second.push(...batch.map((r) => JSON.stringify(r)));
    expect(second).toEqual(first);
  });
});

describe('sharing children among parents', () => {
  it.each([
    [1000, 1000, 1, 5, 0, null],
    [1000, 3000, 1, 5, 0, null],
    [200, 5000, 0, null, 1.5, null],
    [100, 50, 1, 5, 0, 'min'],
    [100, 900, 1, 5, 0, 'max'],
    [7, 7, 1, 1, 0, null],
  ] as const)('%i parents, %i children, %i..%s, skew %d', (parents, children, min, max, skew, bent) => {
    const d = distribute(parents, children, min, max, skew, new Rng(1, 'test'));
    expect(d.bent).toBe(bent);
    expect(d.offsets[parents]).toBe(children);
    for (let p = 0; p < parents; p++) {
      const n = (d.offsets[p + 1] as number) - (d.offsets[p] as number);
      expect(n).toBeGreaterThanOrEqual(d.min);
      if (d.max !== null) expect(n).toBeLessThanOrEqual(d.max);
      if (!bent) {
        expect(n).toBeGreaterThanOrEqual(min);
        if (max !== null) expect(n).toBeLessThanOrEqual(max);
      }
    }
  });
});

const scenarios = listDomainPacks().flatMap((p) => p.scenarios.map((s) => [p.name, s.name, s.rows] as const));

describe.skipIf(!pgUp)('provisioned into PostgreSQL', () => {
  it.each(scenarios)('%s/%s: all constraints, every FK and every pack rule hold', async (domain, scenario, rows) => {
    const generated = await generateFromDomain({ domain, scenario, rowCounts: smallCounts(rows), seed: 'provision' });
    const pack = resolveScenario(loadDomainPack(domain), scenario);
    await provisioned(generated, 'postgres', async (sql) => {
      const fk = await fkCheck(sql);
      expect(fk.fks).toBeGreaterThan(0);
      expect(fk.violations).toBe(0);
      for (const t of generated.tables) expect(await count(sql, `select count(*) from public."${t.table.name}"`)).toBe(t.rowCount);
      const checks = await count(sql, `select count(*) from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace`);
      expect(checks).toBeGreaterThan(0);
      expect(pack.rules.length).toBeGreaterThan(0);
      for (const rule of pack.rules) expect({ rule: rule.name, violations: await count(sql, rule.violations) }).toEqual({ rule: rule.name, violations: 0 });
    });
  });

  it('ecommerce b2c: totals, payments, currency and phone format follow the rules', async () => {
    const generated = await generateFromDomain({
      domain: 'ecommerce',
      scenario: 'b2c',
      rowCounts: { customer: 150, product: 60, order: 400, order_item: 1100, payment: 380 },
    });
    await provisioned(generated, 'postgres', async (sql) => {
      expect(await count(sql, 'select count(*) from public."order" where total > 0')).toBeGreaterThan(300);
      expect(
        await count(
          sql,
          `select count(*) from public."order" o where o.total <> (select sum(i.quantity * i.unit_price - i.discount) from public.order_item i where i.order_id = o.id)
             or o.item_count <> (select count(*) from public.order_item i where i.order_id = o.id)`,
        ),
      ).toBe(0);
      expect(await count(sql, 'select count(*) from public.order_item where discount > 0')).toBeGreaterThan(0);
      expect(
        await count(
          sql,
          'select count(*) from public.payment p join public."order" o on o.id = p.order_id where p.paid_at < o.ordered_at or p.amount <> o.total',
        ),
      ).toBe(0);
      expect(await count(sql, 'select max(c) from (select count(*) c from public.payment group by order_id) x')).toBe(1);
      const countries = `with c(code, currency, re) as (values ${COUNTRY_VALUES})`;
      expect(
        await count(sql, `${countries} select count(*) from public.customer k left join c on c.code = k.country_code where c.code is null or k.phone !~ c.re`),
      ).toBe(0);
      expect(
        await count(
          sql,
          `${countries} select count(*) from public."order" o join public.customer k on k.id = o.customer_id join c on c.code = k.country_code where o.currency <> c.currency`,
        ),
      ).toBe(0);
      expect(await count(sql, `select count(distinct currency) from public."order"`)).toBeGreaterThan(3);
      expect(await count(sql, `select count(*) from public."order" where currency = 'JPY' and total <> round(total)`)).toBe(0);
      // Every order has 1..5 items (the counts allow it).
      expect(
        await count(
          sql,
          'select count(*) from (select count(i.id) n from public."order" o left join public.order_item i on i.order_id = o.id group by o.id) x where n < 1 or n > 5',
        ),
      ).toBe(0);
    });
  });

  it('banking: customers are adults when accounts open, balances are the sum of transactions, currency follows the country', async () => {
    const generated = await generateFromDomain({ domain: 'banking', scenario: 'retail', rowCounts: { '*': 200, transaction: 2000 } });
    await provisioned(generated, 'postgres', async (sql) => {
      expect(
        await count(
          sql,
          `select count(*) from public.account a join public.customer c on c.id = a.customer_id where age(a.opened_on, c.date_of_birth) < interval '18 years'`,
        ),
      ).toBe(0);
      expect(
        await count(
          sql,
          `select min(extract(year from age(a.opened_on, c.date_of_birth))) from public.account a join public.customer c on c.id = a.customer_id`,
        ),
      ).toBeGreaterThanOrEqual(18);
      expect(
        await count(
          sql,
          'select count(*) from public.account a where a.balance <> coalesce((select sum(amount) from public.transaction t where t.account_id = a.id), 0)',
        ),
      ).toBe(0);
      const countries = `with c(code, currency, re) as (values ${COUNTRY_VALUES})`;
      expect(
        await count(
          sql,
          `${countries} select count(*) from public.account a join public.customer k on k.id = a.customer_id join c on c.code = k.country_code where a.currency <> c.currency or k.phone !~ c.re`,
        ),
      ).toBe(0);
    });
  });

  it('insurance, healthcare, telecom: claims within the policy, visits after birth, usage within the subscription', async () => {
    const insurance = await generateFromDomain({ domain: 'insurance', scenario: 'auto', rowCounts: { '*': 150, claim: 300 } });
    await provisioned(insurance, 'postgres', async (sql) => {
      expect(
        await count(
          sql,
          'select count(*) from public.claim c join public.policy p on p.id = c.policy_id where c.incident_date < p.start_date or c.incident_date > p.end_date',
        ),
      ).toBe(0);
      expect(await count(sql, 'select count(*) from public.claim')).toBe(300);
    });
    const healthcare = await generateFromDomain({ domain: 'healthcare', scenario: 'outpatient', rowCounts: { '*': 150, appointment: 600 } });
    await provisioned(healthcare, 'postgres', async (sql) => {
      expect(
        await count(sql, 'select count(*) from public.appointment a join public.patient p on p.id = a.patient_id where a.scheduled_at::date < p.date_of_birth'),
      ).toBe(0);
    });
    const telecom = await generateFromDomain({ domain: 'telecom', scenario: 'postpaid', rowCounts: { '*': 100, usage_record: 1500 } });
    await provisioned(telecom, 'postgres', async (sql) => {
      expect(
        await count(
          sql,
          `select count(*) from public.usage_record u join public.subscription s on s.id = u.subscription_id
           where u.started_at < s.start_date or u.started_at > coalesce(s.end_date, date '2026-01-01')`,
        ),
      ).toBe(0);
      expect(await count(sql, `select count(*) from public.subscription where end_date is not null`)).toBeGreaterThan(0);
    });
  });
});

describe('provisioned into PGlite', () => {
  it('ecommerce b2c: constraints, foreign keys and rules hold', async () => {
    const generated = await generateFromDomain({ domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 120, order_item: 300 } });
    const rules = resolveScenario(loadDomainPack('ecommerce'), 'b2c').rules;
    await provisioned(generated, 'pglite', async (sql) => {
      expect((await fkCheck(sql)).violations).toBe(0);
      expect(await count(sql, 'select count(*) from public."order"')).toBe(120);
      for (const rule of rules) expect(await count(sql, rule.violations)).toBe(0);
      // The identity sequence was moved past the loaded ids: a new order just works.
      const { rows } = await sql.query<{ id: string }>(
        `insert into public."order" (customer_id, order_number, status, channel, ordered_at, currency, item_count, total) values (1, 'ORD-X', 'pending', 'web', now(), 'USD', 0, 0) returning id::text as id`,
      );
      expect(Number(rows[0]?.id)).toBe(121);
    });
  });
});
