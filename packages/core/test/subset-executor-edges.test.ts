/**
 * executeSubset on the project's edge-shapes fixture in PGlite: hostile identifiers, inheritance,
 * tables without a primary key, a cap of 0, cancellation and where filters that fail or would
 * change the source.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeSubset } from '../src/subset/executor.ts';
import { planSubset } from '../src/subset/planner.ts';
import { loadSqlScript } from './support/load-sql.ts';
import { closeSubsetEnvs, count, type Env, expectSound, openEnv, rowsOf, store, subset } from './support/subset-run.ts';

const EDGE_SHAPES = await readFile(new URL('./fixtures/edge-shapes.sql', import.meta.url), 'utf8');

afterAll(closeSubsetEnvs);

describe('executeSubset: edge cases on PGlite', () => {
  let env: Env;
  beforeAll(async () => {
    env = await openEnv('pglite', 'subset_edge_more', (sql) => loadSqlScript(sql, EDGE_SHAPES), ['public', 'Other Schema']);
  });

  it('follows a ticket up to its employee, the whole manager chain and their countries; keeps hostile identifiers', async () => {
    const run = await subset(env, {
      rootTable: 'Other Schema.ticket',
      maxRowsPerTable: { '*': 1 },
      where: { '"Other Schema"."ticket"': 'ticket.employee_id = 3' },
    });
    const column = (id: string, name: string) => {
      const w = rowsOf(run, id);
      const i = w.input.columns.findIndex((c) => c.name === name);
      return w.rows.map((r) => r[i]).sort();
    };
    expect(column('Other Schema.ticket', 'title')).toEqual(['Write tests']);
    expect(column('public.employee', 'id')).toEqual(['1', '2', '3']);
    expect(column('public.country', 'iso_code')).toEqual(['FR', 'PT']);
    // Unreached tables are sampled, hostile names and all.
    expect(rowsOf(run, 'public.Bad Name 123!@#').rows).toHaveLength(1);
    expect(rowsOf(run, 'public.MixedCase').input.columns.map((c) => c.name)).toEqual(['Id', 'select', 'badRef']);
    await expectSound(env, run);
  });

  it('reads an INHERITS parent FROM ONLY and its child apart; a table without a primary key by ctid', async () => {
    const run = await subset(env, { maxRowsPerTable: { '*': 10 } });
    expect(
      rowsOf(run, 'public.event_log')
        .rows.map((r) => r[0])
        .sort(),
    ).toEqual(['1', '2']);
    expect(rowsOf(run, 'public.event_log_archive').rows.map((r) => r[0])).toEqual(['100']);
    expect(rowsOf(run, 'public.audit_note').rows).toHaveLength(4);
    // The generated column is left to the target.
    expect(rowsOf(run, 'public.order_line').input.columns.map((c) => c.name)).toEqual(['line_no', 'order_no', 'quantity', 'unit_price']);
    // A text value with tab, newline and backslash escapes arrives intact.
    expect(rowsOf(run, 'public.audit_note').rows.map((r) => r[2])).toContain('a tab\there; a newline\nthere');
  });

  it('a cap of 0 on the root selects nothing from it, and the cut says so', async () => {
    const run = await subset(env, { rootTable: 'public.employee', maxRowsPerTable: { '*': 5, employee: 0 }, includeUnreached: false });
    expect(run.result.cut).toContainEqual(expect.objectContaining({ table: 'public.employee', wanted: 3, kept: 0, final: 0 }));
    expect(rowsOf(run, 'Other Schema.ticket').rows).toEqual([]);
    expect(run.written.has('public.gadget')).toBe(false);
    await expectSound(env, run);
  });

  it('keys a partitioned table without primary key by (tableoid, ctid): rows at the same ctid in two partitions both arrive', async () => {
    const own = await openEnv(
      'pglite',
      'subset_nopk_parts',
      (sql) =>
        sql.exec(`
          CREATE TABLE public.measure (sensor int NOT NULL, reading text) PARTITION BY LIST (sensor);
          CREATE TABLE public.measure_1 PARTITION OF public.measure FOR VALUES IN (1);
          CREATE TABLE public.measure_2 PARTITION OF public.measure FOR VALUES IN (2);
          INSERT INTO public.measure VALUES (1, 'a'), (1, 'b'), (2, 'c'), (2, 'd');`),
      ['public'],
    );
    expect(planSubset(own.catalog, {}).tables.map((t) => t.qualified)).toEqual(['public.measure']);
    const run = await subset(own, { rootTable: 'measure', maxRowsPerTable: { '*': 3 } });
    expect(rowsOf(run, 'public.measure').rows).toHaveLength(3);
    expect(run.result.cut).toEqual([expect.objectContaining({ table: 'public.measure', wanted: 4, kept: 3, final: 3 })]);
    const all = await subset(own, { rootTable: 'measure', maxRowsPerTable: { '*': 10 } });
    expect(
      rowsOf(all, 'public.measure')
        .rows.map((r) => r.join(':'))
        .sort(),
    ).toEqual(['1:a', '1:b', '2:c', '2:d']);
    await expectSound(own, all);
  });

  it('stops when the signal is aborted, before writing anything', async () => {
    const plan = planSubset(env.catalog, { maxRowsPerTable: { '*': 1 } });
    const writer = store.createWriter(randomUUID());
    await expect(executeSubset(env.source, env.catalog, plan, writer, { signal: AbortSignal.abort(new Error('stop here')) })).rejects.toThrow('stop here');
    const manifest = await writer.finish({ name: 'aborted', kind: 'SUBSET', schemaVersionId: null, parentId: null, jobId: null, meta: {} });
    expect(manifest.tables).toEqual([]);
    // The source is still usable afterwards (the transaction was rolled back).
    expect(await count(env.source, 'public.employee')).toBe(3);
  });

  it('a where filter that fails names the problem and leaves nothing behind', async () => {
    const plan = planSubset(env.catalog, { rootTable: 'public.employee', maxRowsPerTable: { '*': 1 }, where: { employee: 'no_such_column = 1' } });
    await expect(executeSubset(env.source, env.catalog, plan, store.createWriter(randomUUID()))).rejects.toThrow(/no_such_column/);
    await expect(env.source.query('SELECT 1 FROM pg_temp.tdm_subset_k1')).rejects.toThrow();
  });

  it('a where filter cannot change the source: a volatile function is refused before anything runs', async () => {
    const plan = planSubset(env.catalog, {
      rootTable: 'public.employee',
      maxRowsPerTable: { '*': 1 },
      where: { employee: "nextval('public.invoice_no_seq') > 0" },
    });
    await expect(executeSubset(env.source, env.catalog, plan, store.createWriter(randomUUID()))).rejects.toThrow(/nextval\(\) is not allowed/);
  });
});
