/**
 * Value rules: validators run over a column's sampled values. A rule fires when at least
 * `threshold` of the non-blank sampled values pass it; its evidence gives the share and the sample
 * size, never a value. UUIDs are not PII: the uuid rule emits a NONE signal that `combine` uses to
 * discount name-only guesses.
 */
import { z } from 'zod';
import { isFirstName, isLastName, nameDictionarySizes } from '../person-names.ts';
import { registerDetector } from '../registry.ts';
import { matchColumnName } from './name-rules.ts';
import { isPlaceTable, personEvidence } from '../table-meaning.ts';
import { tokenize } from '../tokens.ts';
import { type TypeCategory, typeCategory } from '../type-gate.ts';
import type { ColumnSample, PiiSignal, PiiType } from '../types.ts';
import {
  birthYear,
  isBsn,
  isCreditCard,
  isEmail,
  isHexDigest,
  isIban,
  isIpAddress,
  isPasswordHash,
  isUkNino,
  isUsSsn,
  isUuid,
  isValidPhoneNumber,
  phoneKind,
} from '../validators.ts';

export const valueRulesParams = z.object({
  /** Fewer non-blank values than this: no value signal at all. */
  minValues: z.number().int().min(1).default(3),
  /** Share of values a validator must accept. */
  threshold: z.number().min(0.5).max(1).default(0.8),
  /** Share for person names, matched against a small built-in list and so never complete. */
  nameThreshold: z.number().min(0.3).max(1).default(0.6),
});
export type ValueRulesParams = z.infer<typeof valueRulesParams>;

interface Rule {
  /** Rule id in evidence (`value:<id>`). */
  id: string;
  piiType: PiiType;
  label: string;
  categories: TypeCategory[];
  test(value: string): boolean;
  confidence(values: string[]): number;
}

const TEXT: TypeCategory[] = ['text'];

const RULES: Rule[] = [
  { id: 'email', piiType: 'EMAIL', label: 'valid e-mail addresses', categories: TEXT, test: isEmail, confidence: () => 0.75 },
  {
    id: 'phone',
    piiType: 'PHONE',
    label: 'phone numbers (7–15 digits)',
    categories: TEXT,
    test: (v) => phoneKind(v) !== null,
    // Numbers libphonenumber accepts for a country are phones; bare digit runs it rejects are as often account numbers.
    confidence: (values) => {
      const valid = values.filter(isValidPhoneNumber).length >= values.length / 2;
      const formatted = values.filter((v) => phoneKind(v) === 'formatted').length >= values.length / 2;
      return valid ? (formatted ? 0.75 : 0.65) : formatted ? 0.6 : 0.45;
    },
  },
  { id: 'ip', piiType: 'IP_ADDRESS', label: 'IPv4/IPv6 addresses', categories: ['text', 'inet'], test: isIpAddress, confidence: () => 0.75 },
  { id: 'luhn', piiType: 'CREDIT_CARD', label: 'card numbers (issuer prefix + Luhn)', categories: TEXT, test: isCreditCard, confidence: () => 0.85 },
  { id: 'iban-mod97', piiType: 'IBAN', label: 'IBANs (mod-97)', categories: TEXT, test: isIban, confidence: () => 0.85 },
  { id: 'us-ssn', piiType: 'NATIONAL_ID', label: 'US SSNs (AAA-GG-SSSS)', categories: TEXT, test: isUsSsn, confidence: () => 0.7 },
  { id: 'uk-nino', piiType: 'NATIONAL_ID', label: 'UK National Insurance numbers', categories: TEXT, test: isUkNino, confidence: () => 0.7 },
  // Nine digits pass the eleven-test by chance one time in eleven: only a whole column of them counts.
  { id: 'nl-bsn', piiType: 'NATIONAL_ID', label: 'Dutch BSNs (eleven-test)', categories: TEXT, test: isBsn, confidence: () => 0.55 },
  {
    id: 'password-hash',
    piiType: 'PASSWORD',
    label: 'password hashes (bcrypt/argon2/scrypt/PBKDF2)',
    categories: TEXT,
    test: isPasswordHash,
    confidence: () => 0.7,
  },
  // MD5/SHA hex digests are as often file checksums: enough to support a `password` name, not to flag alone.
  { id: 'hex-digest', piiType: 'PASSWORD', label: 'hex digests', categories: TEXT, test: isHexDigest, confidence: () => 0.3 },
  { id: 'uuid', piiType: 'NONE', label: 'UUIDs (not PII by themselves)', categories: ['text', 'uuid'], test: isUuid, confidence: () => 0.9 },
];

/** Dates that say when something happened to a record, not when a person was born. */
const NOT_BIRTH = new Set(
  'create created creation update updated modified last order ordered payment paid invoice ship shipped delivery delivered hire hired start end due expiry expires expiration valid rental return release issue issued registered registration signup joined login sent received booking booked transaction posted published deleted closed opened effective renewal death'.split(
    ' ',
  ),
);

const pct = (x: number) => `${Math.round(x * 100)}%`;

const NAME_WORD = /^\p{Lu}[\p{L}'’.-]*$|^\p{Lu}+$/u;

type NameKind = 'FIRST_NAME' | 'LAST_NAME' | 'FULL_NAME';
function nameKinds(value: string): NameKind[] {
  const words = value.trim().split(/\s+/);
  if (!words.every((w) => NAME_WORD.test(w))) return [];
  if (words.length === 1) {
    // Two- and three-letter capitals are codes (`AB`, `QLD`, `USA`) far more often than names.
    if (/^\p{Lu}{1,3}$/u.test(words[0] as string)) return [];
    const kinds: NameKind[] = [];
    if (isFirstName(words[0] as string)) kinds.push('FIRST_NAME');
    if (isLastName(words[0] as string)) kinds.push('LAST_NAME');
    return kinds;
  }
  // "Mary Smith", "Jean-Luc Picard", "Ana María de la Cruz": a known given name first and a known surname last.
  const first = (words[0] as string).split('-')[0] as string;
  if (words.length <= 4 && isFirstName(first) && isLastName(words.at(-1) as string)) return ['FULL_NAME'];
  return [];
}

function personNameSignal(column: ColumnSample, values: string[], params: ValueRulesParams): PiiSignal | null {
  const counts: Record<NameKind, number> = { FIRST_NAME: 0, LAST_NAME: 0, FULL_NAME: 0 };
  for (const v of values) for (const k of nameKinds(v)) counts[k]++;
  const best = (Object.entries(counts) as [NameKind, number][]).sort((a, b) => b[1] - a[1])[0] as [NameKind, number];
  const s = best[1] / values.length;
  if (s < params.nameThreshold) return null;
  // On a table about people, names are theirs. Elsewhere a strong share still wins on its own,
  // except on reference tables about places (heads of state, namesakes of streets).
  const person = personEvidence(column);
  const place = isPlaceTable(column.table);
  const confidence = person.person ? 0.7 : place ? 0.35 : s >= 0.8 ? 0.6 : 0.45;
  const where = person.person ? `; ${person.reason}` : place ? '; table holds reference data about places' : '';
  return {
    detector: 'value-rules',
    piiType: best[0],
    confidence,
    evidence: `${pct(s)} of ${values.length} sampled values look like person names (given names and surnames of ${nameDictionarySizes().locales} locales)${where}`,
    rule: 'value:person-name',
    matched: best[1],
    sampled: values.length,
  };
}

function birthSignal(column: ColumnSample, values: string[], params: ValueRulesParams, now: Date): PiiSignal | null {
  if (tokenize(column.column).some((t) => NOT_BIRTH.has(t))) return null;
  const years = values.map((v) => birthYear(v, now));
  const plausible = years.filter((y): y is number => y !== null);
  const s = plausible.length / values.length;
  if (s < params.threshold) return null;
  // A population's birth dates spread over years; one batch-load date repeated does not.
  if (values.length >= 5 && new Set(plausible).size < 3) return null;
  return {
    detector: 'value-rules',
    piiType: 'DATE_OF_BIRTH',
    // On a table about people a spread of adult birth dates is their birth dates; elsewhere only support for a name.
    confidence: personEvidence(column).person ? 0.6 : 0.45,
    evidence: `${pct(s)} of ${values.length} sampled dates are plausible birth dates (1900 to ten years ago, spread over years)`,
    rule: 'value:birth-date',
    matched: plausible.length,
    sampled: values.length,
  };
}

/** All value signals for one column (exported for tests and for callers with their own samples). */
export function valueSignals(column: ColumnSample, params: ValueRulesParams, now: Date): PiiSignal[] {
  const values = column.values.map((v) => v.trim()).filter((v) => v !== '');
  if (values.length < params.minValues) return [];
  const category = typeCategory(column);
  const signals: PiiSignal[] = [];
  for (const rule of RULES) {
    if (!rule.categories.includes(category)) continue;
    const matched = values.filter(rule.test);
    const s = matched.length / values.length;
    if (s < params.threshold) continue;
    signals.push({
      detector: 'value-rules',
      piiType: rule.piiType,
      confidence: rule.confidence(matched),
      evidence: `${pct(s)} of ${values.length} sampled values are ${rule.label}`,
      rule: `value:${rule.id}`,
      matched: matched.length,
      sampled: values.length,
    });
  }
  // A column whose name says it holds something else (`provincia` of Madrid, Sevilla…) is not judged by name-like values.
  const named = matchColumnName(column.table, column.column, { context: column.context })?.piiType;
  if (category === 'text' && (!named || ['FIRST_NAME', 'LAST_NAME', 'FULL_NAME'].includes(named))) {
    const name = personNameSignal(column, values, params);
    if (name) signals.push(name);
  }
  if (category === 'date') {
    const birth = birthSignal(column, values, params, now);
    if (birth) signals.push(birth);
  }
  return signals;
}

registerDetector({
  name: 'value-rules',
  description:
    'Validators over sampled values: e-mail, phone, IP, card (Luhn), IBAN (mod-97), SSN, password hashes, birth dates, person names; UUIDs down-weight.',
  kind: 'value',
  params: valueRulesParams,
  appliesTo: ['text', 'date', 'inet', 'uuid'],
  deterministic: true,
  create: (params, deps) => ({
    name: 'value-rules',
    description: 'Validators over sampled values',
    kind: 'value',
    detect: (column: ColumnSample) => valueSignals(column, params, deps.now),
  }),
});
