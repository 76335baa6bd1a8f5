import { describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import type { ForeignKeyDef } from '../src/catalog/types.ts';
import type { DatasetManifest } from '../src/dataset/types.ts';
import { openSqlClient } from '../src/db/open.ts';
import { datasetObjects } from '../src/provision/objects.ts';
import { runSmokeTests, type SmokeReport, smokeFailures } from '../src/provision/smoke.ts';

const passed: SmokeReport = {
  passed: true,
  rowCounts: [
    { table: 'public.customer', expected: 40, actual: 40 },
    { table: 'public.order', expected: 40, actual: 40 },
  ],
  fkViolations: [{ fk: 'order_customer_id_fkey', table: 'public.order', violations: 0 }],
  sequences: [{ sequence: 'public.customer_id_seq', lastValue: '40', maxValue: '40', ok: true }],
};

describe('smokeFailures', () => {
  it('is empty for a passed report', () => {
    expect(smokeFailures(passed)).toEqual([]);
  });

  it('names every failed check, and never a NOT VALID key', () => {
    const failed: SmokeReport = {
      passed: false,
      rowCounts: [{ table: 'public.customer', expected: 40, actual: 39 }],
      fkViolations: [
        { fk: 'order_customer_id_fkey', table: 'public.order', violations: 3 },
        { fk: 'legacy_fkey', table: 'public.order', violations: 5, notValid: true },
      ],
      sequences: [{ sequence: 'public.customer_id_seq', lastValue: null, maxValue: '40', ok: false }],
    };
    expect(smokeFailures(failed)).toEqual([
      'public.customer has 39 rows, expected 40',
      'order_customer_id_fkey: 3 violating rows',
      'sequence public.customer_id_seq is not past 40',
    ]);
  });
});

describe('runSmokeTests with what the provisioning transaction established', () => {
  it('counts violations of the keys it is not told were validated, and trusts those it is', async () => {
    const db = await openSqlClient('pglite:memory');
    try {
      await db.exec(`create table public.parent (id int primary key);
        create table public.child (id int primary key, parent_id int references public.parent (id));
        insert into public.parent values (1)`);
      const catalog = await readCatalog(db, ['public']);
      // The rows now break the key: it is dropped, as if it had never been checked.
      await db.exec('alter table public.child drop constraint child_parent_id_fkey; insert into public.child values (1, 1), (2, 7)');
      const objects = datasetObjects(catalog);
      const manifest = {
        tables: [
          { schema: 'public', name: 'parent', rowCount: 1 },
          { schema: 'public', name: 'child', rowCount: 2 },
        ],
      } as DatasetManifest;
      const fk = catalog.tables.find((t) => t.name === 'child')?.foreignKeys[0] as ForeignKeyDef;
      const checked = await runSmokeTests(db, objects, manifest);
      expect(checked.fkViolations).toEqual([{ fk: 'public.child.child_parent_id_fkey', table: 'public.child', violations: 1 }]);
      expect(checked.passed).toBe(false);
      const trusted = await runSmokeTests(db, objects, manifest, { validated: new Set([fk]) });
      expect(trusted.fkViolations).toEqual([{ fk: 'public.child.child_parent_id_fkey', table: 'public.child', violations: 0 }]);
      expect(trusted.rowCounts).toEqual(checked.rowCounts);
    } finally {
      await db.close();
    }
  });
});
