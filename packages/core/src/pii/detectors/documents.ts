/**
 * Documents: JSON and JSONB columns carry whole records (`{"allergies": [...], "blood_type": "O+"}`).
 * The keys of the sampled documents (read even from a value cut short by the sampler) go through
 * the same column-name vocabulary as real columns; health keys make the column a health record,
 * address keys an address, other personal keys free text about a person.
 */
import { z } from 'zod';
import { registerDetector } from '../registry.ts';
import { categoryOf } from '../taxonomy.ts';
import { typeCategory } from '../type-gate.ts';
import type { ColumnSample, PiiSignal, PiiType } from '../types.ts';
import { matchColumnName } from './name-rules.ts';

const KEY = /"((?:[^"\\]|\\.){1,64})"\s*:/g;

/** Keys of the JSON objects in `values`, most frequent first. */
export function documentKeys(values: string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) for (const m of v.matchAll(KEY)) counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
}

/** The document signal for one column (exported for tests). */
export function documentSignals(column: ColumnSample): PiiSignal[] {
  if (typeCategory(column) !== 'json' || column.values.length === 0) return [];
  const hits: { key: string; piiType: PiiType }[] = [];
  for (const key of documentKeys(column.values)) {
    // A key is judged like a column of the same table: `weight` counts on `patient`, not on `product`.
    const m = matchColumnName(column.table, key, { context: column.context });
    if (m) hits.push({ key, piiType: m.piiType });
  }
  if (hits.length === 0) return [];
  const health = hits.filter((h) => categoryOf(h.piiType) === 'HEALTH' || categoryOf(h.piiType) === 'BIOMETRIC');
  const address = hits.filter((h) => categoryOf(h.piiType) === 'LOCATION');
  const [piiType, keys]: [PiiType, typeof hits] =
    health.length > 0 ? ['HEALTH_RECORD', health] : address.length === hits.length ? ['ADDRESS', address] : ['FREE_TEXT_PERSONAL', hits];
  return [
    {
      detector: 'documents',
      piiType,
      confidence: 0.75,
      evidence: `JSON keys name personal data: ${keys
        .slice(0, 5)
        .map((h) => `${h.key} (${h.piiType})`)
        .join(', ')}`,
      rule: 'value:json-keys',
      matched: keys.length,
      sampled: column.values.length,
    },
  ];
}

registerDetector({
  name: 'documents',
  description: 'Reads the keys of sampled JSON documents through the column-name vocabulary (health records, addresses, personal fields).',
  kind: 'value',
  params: z.object({}),
  appliesTo: ['json'],
  deterministic: true,
  create: () => ({ name: 'documents', description: 'Keys of JSON documents', kind: 'value', detect: documentSignals }),
});
