/**
 * Combining: one classification per column from every detector's signals. Signals the column's
 * type cannot hold are dropped first (type-gate.ts); on key columns and on UUID-valued columns only
 * validated values count. Then, per PII type (name types, address types, id types and bank types
 * each count as one family, so `first_name` + name-like values agree):
 * name and values agree → high confidence; values only → the value rule's (medium); name only →
 * the name rule's, halved when the sampled values contradict it. The LLM adds a little when it
 * agrees and stands alone only up to 0.6. Below `minConfidence` the column is NONE.
 */
import { getDetector } from './registry.ts';
import { typeAllows, typeCategory } from './type-gate.ts';
import { VALIDATORS } from './validators.ts';
import { categoryOf, techniqueFor } from './taxonomy.ts';
import { PII_TYPES, type ColumnSample, type PiiClassificationResult, type PiiDetector, type PiiSignal, type PiiType } from './types.ts';

export { TECHNIQUES } from './taxonomy.ts';

export interface CombineOptions {
  /** Below this the column is NONE. Default 0.5. */
  minConfidence?: number;
  /** Detector kind by name; defaults to the registry's. */
  kindOf?: (detector: string) => PiiDetector['kind'];
}

const FAMILY: Partial<Record<PiiType, string>> = {
  FIRST_NAME: 'PERSON_NAME',
  LAST_NAME: 'PERSON_NAME',
  FULL_NAME: 'PERSON_NAME',
  ADDRESS: 'ADDRESS',
  STREET: 'ADDRESS',
  NATIONAL_ID: 'ID',
  TAX_ID: 'ID',
  IBAN: 'BANK',
  BANK_ACCOUNT: 'BANK',
};
const familyOf = (t: PiiType) => FAMILY[t] ?? t;
const round = (x: number) => Math.round(x * 100) / 100;
const note = (evidence: string): PiiSignal => ({ detector: 'combine', piiType: 'NONE', confidence: 0, evidence });

interface Verdict {
  piiType: PiiType;
  confidence: number;
  source: PiiClassificationResult['source'];
}

function scoreFamily(column: ColumnSample, group: { kind: PiiDetector['kind']; signal: PiiSignal }[], notes: PiiSignal[]): Verdict {
  // Context rules (table meaning, neighbours) speak about what the column is meant to hold, like its name.
  const best = (kind: PiiDetector['kind']) =>
    group
      .filter((g) => (g.kind === 'context' ? 'name' : g.kind) === kind)
      .reduce<PiiSignal | null>((a, g) => (a && a.confidence >= g.signal.confidence ? a : g.signal), null);
  const name = best('name');
  const value = best('value');
  const llm = best('llm');
  // The name says what the column is meant to hold; a validated value type is more specific for bank columns.
  const piiType = (value && familyOf(value.piiType) === 'BANK' ? value.piiType : (name ?? value ?? llm)?.piiType) as PiiType;
  let n = name?.confidence ?? 0;
  const validate = name ? VALIDATORS[name.piiType] : undefined;
  // Documents, composites and arrays hold several values per row, not the single value a validator checks.
  const records = ['json', 'composite', 'array'].includes(typeCategory(column));
  const values = column.values.map((v) => v.trim()).filter((v) => v !== '');
  if (name && validate && !value && !records && values.length >= 3 && values.filter(validate).length / values.length < 0.2) {
    n /= 2;
    notes.push(note(`sampled values contradict the name rule for ${name.piiType}`));
  }
  const v = value?.confidence ?? 0;
  let confidence = name && value ? Math.min(0.99, Math.max(0.9, 1 - (1 - n) * (1 - v))) : Math.max(n, v);
  let source: Verdict['source'] = 'DETECTED';
  if (llm) {
    if (name || value) confidence = Math.min(0.99, confidence + 0.1 * llm.confidence);
    else {
      confidence = Math.min(llm.confidence, 0.6);
      source = 'LLM';
    }
  }
  return { piiType, confidence: round(confidence), source };
}

/** One classification for `column` from `signals` (see the module comment for the rules). */
export function combine(column: ColumnSample, signals: PiiSignal[], options: CombineOptions = {}): PiiClassificationResult {
  const minConfidence = options.minConfidence ?? 0.5;
  const kindOf = options.kindOf ?? ((d: string) => getDetector(d)?.kind ?? 'value');
  const category = typeCategory(column);
  const notes: PiiSignal[] = [];
  const uuidValued = signals.some((s) => s.piiType === 'NONE' && kindOf(s.detector) === 'value');
  const kept: { kind: PiiDetector['kind']; signal: PiiSignal }[] = [];
  for (const signal of signals) {
    const kind = kindOf(signal.detector);
    if (signal.piiType === 'NONE') {
      notes.push(signal);
    } else if (!typeAllows(signal.piiType, category)) {
      notes.push(note(`${signal.detector}: ${signal.piiType} dropped, a ${category} column cannot hold it`));
    } else if (kind !== 'value' && column.isKey) {
      notes.push(note(`${signal.detector}: ${signal.piiType} dropped, key columns count only on validated values`));
    } else if (kind !== 'value' && uuidValued) {
      notes.push(note(`${signal.detector}: ${signal.piiType} dropped, values are UUIDs`));
    } else {
      kept.push({ kind, signal });
    }
  }

  const families = new Map<string, typeof kept>();
  for (const k of kept) {
    const f = familyOf(k.signal.piiType);
    families.set(f, [...(families.get(f) ?? []), k]);
  }
  let verdict: Verdict | null = null;
  for (const group of families.values()) {
    const v = scoreFamily(column, group, notes);
    const better =
      !verdict ||
      v.confidence > verdict.confidence ||
      (v.confidence === verdict.confidence && PII_TYPES.indexOf(v.piiType) < PII_TYPES.indexOf(verdict.piiType));
    if (better) verdict = v;
  }

  const evidence = [...kept.map((k) => k.signal), ...notes];
  const base = { schema: column.schema, table: column.table, column: column.column, evidence };
  if (!verdict || verdict.confidence < minConfidence) {
    return { ...base, piiType: 'NONE', category: 'NONE', confidence: round(1 - (verdict?.confidence ?? 0)), technique: 'keep', source: 'DETECTED' };
  }
  return {
    ...base,
    piiType: verdict.piiType,
    category: categoryOf(verdict.piiType),
    confidence: verdict.confidence,
    technique: techniqueFor(verdict.piiType, category),
    source: verdict.source,
  };
}
