/**
 * Nested values: a composite-type column (`contact` AS (email text, phone text)), an array of
 * composites or of plain values (`emails text[]`), or a JSON/JSONB document holds several values
 * per row. The elements of an array of plain values form one group named after the column. The sampler reads composites
 * as `to_jsonb(column)`, so every kind comes in as JSON; its scalar leaves are grouped by attribute
 * path (`email`, `address.city`; array positions dropped) and each group goes through the value
 * rules as if it were a column of its own, named after its last key. A signal names the attribute
 * that matched (`attribute:email/value:email`), never a value.
 */
import { z } from 'zod';
import { registerDetector } from '../registry.ts';
import { typeCategory } from '../type-gate.ts';
import type { ColumnSample, PiiSignal } from '../types.ts';
import { valueRulesParams, valueSignals } from './value-rules.ts';

export const attributeParams = valueRulesParams.extend({
  /** Attribute paths read per column, most frequent first (documents can have many keys). */
  maxPaths: z.number().int().min(1).max(1000).default(64),
});
export type AttributeParams = z.infer<typeof attributeParams>;

/** `"key": scalar` pairs, for a document the sampler cut short (no longer parseable as a whole). */
const PAIR = /"((?:[^"\\]|\\.){1,64})"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false)/g;

function addLeaf(out: Map<string, string[]>, path: string, value: string) {
  const list = out.get(path);
  if (list) list.push(value);
  else out.set(path, [value]);
}

function walk(node: unknown, path: string, out: Map<string, string[]>, depth: number, root: string | undefined) {
  if (node === null || node === undefined || depth > 8) return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, path, out, depth + 1, root);
  } else if (typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) walk(value, path ? `${path}.${key}` : key, out, depth + 1, root);
  } else if (path || root) {
    addLeaf(out, path || (root as string), String(node));
  }
}

/**
 * The scalar leaves of sampled JSON documents by attribute path (arrays flattened). A document cut
 * short by the sampler still gives its complete `"key": value` pairs, under their own key. Scalars
 * at the top level (the elements of an array of plain values) are grouped under `root` when given.
 */
export function documentLeaves(values: string[], root?: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const text of values) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      for (const m of text.matchAll(PAIR)) {
        try {
          addLeaf(out, JSON.parse(`"${m[1]}"`) as string, String(JSON.parse(m[2] as string)));
        } catch {
          // a key or value with a broken escape: skip the pair
        }
      }
      continue;
    }
    walk(doc, '', out, 0, root);
  }
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The storage an attribute's values look like, for the value rules' type gates. */
function leafType(values: string[]): string {
  if (values.every((v) => DATE.test(v))) return 'date';
  if (values.every((v) => NUMBER.test(v))) return 'numeric';
  return 'text';
}

/** The attribute signals of one column (exported for tests and for callers with their own samples). */
export function attributeSignals(column: ColumnSample, params: AttributeParams, now: Date): PiiSignal[] {
  const category = typeCategory(column);
  if ((category !== 'composite' && category !== 'json' && category !== 'array') || column.values.length === 0) return [];
  // In a document the keys speak first (documents.ts): values found under other keys support, not overrule.
  const weight = category === 'json' ? 0.9 : 1;
  const leaves = [...documentLeaves(column.values, category === 'array' ? column.column : undefined).entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .slice(0, params.maxPaths);
  const signals: PiiSignal[] = [];
  for (const [path, values] of leaves) {
    const name = path.split('.').at(-1) as string;
    const label = category === 'array' && path === column.column ? 'elements' : `attribute "${path}"`;
    const leaf: ColumnSample = {
      schema: column.schema,
      table: column.table,
      column: name,
      dataType: leafType(values),
      isKey: false,
      values,
      ...(column.context ? { context: column.context } : {}),
    };
    for (const s of valueSignals(leaf, params, now)) {
      // A UUID attribute says nothing about the others: no discount for the whole column.
      if (s.piiType === 'NONE') continue;
      signals.push({
        ...s,
        detector: 'attributes',
        confidence: Math.round(s.confidence * weight * 100) / 100,
        rule: `${category === 'array' ? 'elements' : 'attribute'}:${path}/${s.rule ?? 'value'}`,
        evidence: `${label}: ${s.evidence}`,
      });
    }
  }
  return signals;
}

registerDetector({
  name: 'attributes',
  description:
    'Runs the value rules over the attributes of composite-type values (and arrays of them) and the nested values of JSON documents, naming the attribute that matched.',
  kind: 'value',
  params: attributeParams,
  appliesTo: ['composite', 'json', 'array'],
  deterministic: true,
  create: (params, deps) => ({
    name: 'attributes',
    description: 'Values inside composites and documents',
    kind: 'value',
    detect: (column: ColumnSample) => attributeSignals(column, params, deps.now),
  }),
});
