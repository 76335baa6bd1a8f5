/**
 * Column-name rules: a dictionary of names and abbreviations (English, German, French, Spanish,
 * Dutch, Portuguese) matched on the column's tokens, so `e_mail`, `EMail`, `emailAddress` and
 * `courriel` all hit the EMAIL entry. Ambiguous words only count on a table that gives them their
 * personal meaning: a bare `name` is a person's name on `customer` but not on `genre`, `artist` or
 * `city`; `city` is personal on `customer` or `address` but reference data on `city`.
 */
import { z } from 'zod';
import { NEGATING_PREFIX, NEGATING_SUFFIX, PERSON_QUALIFIER, PLACE_QUALIFIER } from '../name-qualifiers.ts';
import { registerDetector } from '../registry.ts';
import { isEmploymentTable, isHealthTable, isMachineTable, isPlaceOfPerson, isPlaceTable, personEvidence } from '../table-meaning.ts';
import { tokenize } from '../tokens.ts';
import type { ColumnSample, PiiSignal, PiiType } from '../types.ts';
import { DICTIONARY, type Entry, type Gate, type Vocabulary } from '../vocabulary.ts';

export type { Vocabulary } from '../vocabulary.ts';

/** Suffixes that do not turn a money column into a property of it (`salary_amount` is a salary). */
const MONEY_SUFFIX_OK = new Set(['amount', 'total', 'rate']);
/** Suffixes that keep a location column a location (`country_code`, `state_name`). */
const PLACE_SUFFIX_OK = new Set(['code', 'name', 'iso']);

interface Match {
  entry: Entry;
  start: number;
  end: number;
  words: string;
}

function longestMatch(tokens: string[], extra?: Vocabulary): Match | null {
  for (let len = tokens.length; len >= 1; len--) {
    // Rightmost first: in `user_email_address` the head of the name is at its end.
    for (let start = tokens.length - len; start >= 0; start--) {
      const words = tokens.slice(start, start + len).join('');
      const entry = extra?.get(words) ?? DICTIONARY.get(words);
      if (entry) return { entry, start, end: start + len, words };
    }
  }
  return null;
}

const IGNORED_AFTER = new Set([
  'number',
  'num',
  'no',
  'nr',
  'nummer',
  'numero',
  'line',
  'hash',
  'hashed',
  'digest',
  'encrypted',
  'enc',
  'text',
  'value',
  'full',
]);
const GATE_TEXT: Record<Gate, string> = {
  person: 'a table about people',
  place: 'a table about people or addresses',
  health: 'a table about people or care',
  employment: 'a table about employees, pay or evaluations',
};

/** Whether the column's table gives an ambiguous word its personal meaning. */
function gateOpen(gate: Gate, column: Pick<ColumnSample, 'table' | 'context'>, before: string[]): boolean {
  switch (gate) {
    case 'person':
      return before.some((t) => PERSON_QUALIFIER.has(t)) || (before.length === 0 && personEvidence(column).person);
    case 'place':
      return before.some((t) => PLACE_QUALIFIER.has(t)) || isPlaceOfPerson(column);
    case 'health':
      return !isPlaceTable(column.table) && (isHealthTable(column.table) || personEvidence(column).person);
    case 'employment':
      return isEmploymentTable(column.table);
  }
}

export interface NameMatch {
  piiType: PiiType;
  confidence: number;
  evidence: string;
  rule: string;
}

/**
 * The name rule's verdict on one column name in its table, or null. `context` (the table's other
 * columns and foreign keys) lets a bare `name` count on a table that is about people without
 * saying so in its name; `extra` is vocabulary from a rules file, looked up first.
 */
export function matchColumnName(table: string, column: string, options: { context?: ColumnSample['context']; extra?: Vocabulary } = {}): NameMatch | null {
  const tokens = tokenize(column);
  const match = longestMatch(tokens, options.extra);
  if (!match || match.entry.type === 'NONE') return null;
  const { type, gate } = match.entry;
  const before = tokens.slice(0, match.start);
  const after = tokens.slice(match.end).filter((t) => !/^\d+$/.test(t) && !IGNORED_AFTER.has(t));
  const allowed = (t: string) =>
    (type === 'SALARY' && MONEY_SUFFIX_OK.has(t)) || (['COUNTRY', 'REGION', 'DISTRICT', 'CITY'].includes(type) && PLACE_SUFFIX_OK.has(t));
  if (after.some((t) => NEGATING_SUFFIX.has(t) && !allowed(t))) return null;
  if (before.some((t) => NEGATING_PREFIX.has(t)) && gate !== undefined) return null;
  if (gate && !gateOpen(gate, { table, context: options.context }, before)) return null;
  // Messages and details of logs, events and templates are written by programs.
  if (type === 'FREE_TEXT_PERSONAL' && isMachineTable(table)) return null;
  // A bare ambiguous word only counts as the whole name: `first` is a given name, `first_choice` is not.
  if (gate === 'person' && after.length > 0) return null;
  return {
    piiType: type,
    confidence: match.entry.confidence,
    evidence: `column name matches "${match.words}"${gate ? ` on ${GATE_TEXT[gate]} or with a qualifier` : ''}`,
    rule: `name:${match.words}`,
  };
}

/** Creates the name-rules detector; `extra` adds a team's vocabulary (rules file). */
export function createNameRules(extra?: Vocabulary) {
  return {
    name: 'name-rules',
    description: 'Column-name dictionary',
    kind: 'name' as const,
    detect(column: ColumnSample): PiiSignal[] {
      const m = matchColumnName(column.table, column.column, { context: column.context, extra });
      if (m) return [{ detector: 'name-rules', ...m }];
      const out: PiiSignal[] = [];
      // A user-defined type can say what the column holds when its name does not (`bt public.blood_group`).
      if (column.typeKind === 'composite' || column.typeKind === 'enum' || column.typeKind === 'domain') {
        const typeName = column.dataType.replace(/^.*\./, '').replace(/"/g, '');
        const t = matchColumnName(column.table, typeName, { context: column.context, extra });
        if (t) out.push({ detector: 'name-rules', ...t, rule: `type-name:${t.rule.slice(5)}`, evidence: `type name ${t.evidence.slice(12)}` });
      }
      // So can the attributes of a composite (`home location` AS (lat, lon, city)): judged like a
      // column of the table named by both (`home_lat`), the column's name qualifying the attribute's.
      for (const attribute of column.attributes ?? []) {
        const options = { context: column.context, extra };
        const a = matchColumnName(column.table, `${column.column}_${attribute}`, options) ?? matchColumnName(column.table, attribute, options);
        if (a) out.push({ detector: 'name-rules', ...a, rule: `attribute-name:${attribute}/${a.rule}`, evidence: `attribute "${attribute}": ${a.evidence}` });
      }
      return out;
    },
  };
}

registerDetector({
  name: 'name-rules',
  description: 'Column-name dictionary (EN, DE, FR, ES, NL, PT) with table-meaning gates for ambiguous words.',
  kind: 'name',
  params: z.object({}),
  appliesTo: 'any',
  deterministic: true,
  create: (_params, deps) => createNameRules(deps.vocabulary),
});
