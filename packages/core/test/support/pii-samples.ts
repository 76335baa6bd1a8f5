/** Column samples for the PII detector tests, and the fixed clock they classify at. */
import type { ColumnSample } from '../../src/pii/types.ts';

export const NOW = new Date('2026-01-01T00:00:00Z');

export function col(over: Partial<ColumnSample> & { column: string }): ColumnSample {
  return { schema: 'public', table: 't', dataType: 'text', isKey: false, values: [], ...over };
}
