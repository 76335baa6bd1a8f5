import { describe, expect, it } from 'vitest';
import { type SmokeReport, smokeFailures } from '../src/provision/smoke.ts';

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
