/**
 * executeSubset on the shared sample databases (real PostgreSQL; skipped when either is absent):
 * shapes particular fixtures must show, on top of the soundness checks of subset-executor.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubsetOptions } from '../src/subset/planner.ts';
import { pgAvailable } from './support/databases.ts';
import { fixturesAvailable, loadFixture } from './support/load-sql.ts';
import { closeSubsetEnvs, type Env, expectSound, openEnv, type Run, rowsOf, subset } from './support/subset-run.ts';

const pgUp = await pgAvailable();
const haveFixtures = fixturesAvailable();

afterAll(closeSubsetEnvs);

// ---------------------------------------------------------------------------------------------
// What particular fixtures must show

describe.skipIf(!pgUp || !haveFixtures)('executeSubset: shapes of the sample databases', () => {
  let chinook: Env;
  let pagila: Env;
  beforeAll(async () => {
    [chinook, pagila] = await Promise.all([
      openEnv('postgres', 'subset_chinook_chain', (sql) => loadFixture(sql, 'chinook'), ['public']),
      openEnv('postgres', 'subset_pagila_shape', (sql) => loadFixture(sql, 'pagila'), ['public']),
    ]);
  });

  /** employee_id → reports_to of the written employees. */
  const managers = (run: Run) => {
    const e = rowsOf(run, 'public.employee');
    const names = e.input.columns.map((c) => c.name);
    return new Map(e.rows.map((r) => [r[names.indexOf('employee_id')] as string, r[names.indexOf('reports_to')] ?? null]));
  };

  it.each([
    ['from customer (support reps pulled up)', { maxRowsPerTable: { '*': 50 } }],
    [
      'from the most junior employees (cap 1)',
      {
        rootTable: 'employee',
        maxRowsPerTable: { '*': 1 },
        where: { employee: 'employee_id NOT IN (SELECT reports_to FROM employee WHERE reports_to IS NOT NULL)' },
      },
    ],
  ] as [string, SubsetOptions][])('chinook %s: every manager up the reports_to chain of every employee is present', async (_why, options) => {
    const run = await subset(chinook, options);
    const chain = managers(run);
    let longest = 0;
    for (const start of chain.keys()) {
      let length = 0;
      let at: string | null = start;
      while (at !== null) {
        expect(chain.has(at), `manager ${at} of the chain from employee ${start}`).toBe(true);
        at = chain.get(at) ?? null;
        length++;
        expect(length).toBeLessThan(100);
      }
      longest = Math.max(longest, length);
    }
    // The chain really was followed: at least an employee, their manager and the general manager.
    expect(longest).toBeGreaterThanOrEqual(3);
    expect([...chain.values()].filter((m) => m === null)).toHaveLength(1);
  });

  it('pagila: payments come through the partitioned parent, each once, and every payment FK holds', async () => {
    const run = await subset(pagila, { maxRowsPerTable: { '*': 50, payment: 500 } });
    const payment = rowsOf(run, 'public.payment');
    const names = payment.input.columns.map((c) => c.name);
    const ids = payment.rows.map((r) => `${r[names.indexOf('payment_id')]}|${r[names.indexOf('payment_date')]}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(500);
    // They span several partitions.
    const months = new Set(payment.rows.map((r) => (r[names.indexOf('payment_date')] as string).slice(0, 7)));
    expect(months.size).toBeGreaterThan(1);
    await expectSound(pagila, run);
  });
});
