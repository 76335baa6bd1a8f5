/**
 * Free text: sampled text values that are sentences rather than codes (several words) are scanned
 * for the entities people leave in notes, comments and messages — e-mail addresses, phone numbers,
 * a given name followed by a surname, card numbers, IBANs and national ids. A column where enough
 * values carry one is flagged as free text about people, whatever its name; the evidence says which
 * kinds of entity were found and in how many values, never the values.
 */
import { z } from 'zod';
import { isFirstName, isLastName } from '../person-names.ts';
import { registerDetector } from '../registry.ts';
import { typeCategory } from '../type-gate.ts';
import type { ColumnSample, PiiSignal } from '../types.ts';
import { isCreditCard, isIban, isPhone, isUkNino, isUsSsn } from '../validators.ts';

export const freeTextParams = z.object({
  /** Share of sampled values that must be prose (three words or more). */
  minProseShare: z.number().min(0).max(1).default(0.5),
  /** Share of prose values that must carry an entity. */
  minEntityShare: z.number().min(0).max(1).default(0.1),
  /** Fewest values carrying an entity. */
  minEntityValues: z.number().int().min(1).default(2),
});
export type FreeTextParams = z.infer<typeof freeTextParams>;

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const PHONE_IN_TEXT = /(?:\+?\d[\d ().-]{6,}\d)/g;
const LONG_DIGITS = /\b\d[\d -]{11,22}\d\b/g;
const IBAN_IN_TEXT = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;
const ID_IN_TEXT = /\b\d{3}-\d{2}-\d{4}\b|\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g;
const WORD = /[\p{Lu}][\p{L}'’-]+/gu;

/** The kinds of personal entity found in one text value. */
export function entitiesIn(text: string): Set<string> {
  const found = new Set<string>();
  if (EMAIL_IN_TEXT.test(text)) found.add('e-mail');
  for (const m of text.match(PHONE_IN_TEXT) ?? []) if (isPhone(m.trim())) found.add('phone');
  for (const m of text.match(LONG_DIGITS) ?? []) if (isCreditCard(m)) found.add('card number');
  for (const m of text.match(IBAN_IN_TEXT) ?? []) if (isIban(m)) found.add('IBAN');
  for (const m of text.match(ID_IN_TEXT) ?? []) if (isUsSsn(m) || isUkNino(m)) found.add('national id');
  // A known given name directly followed by a known surname ("… called Maria Santos yesterday").
  const words = [...text.matchAll(WORD)];
  for (let i = 0; i + 1 < words.length; i++) {
    const a = words[i] as RegExpMatchArray;
    const b = words[i + 1] as RegExpMatchArray;
    const adjacent = (a.index ?? 0) + a[0].length + 1 === b.index;
    if (adjacent && isFirstName(a[0]) && isLastName(b[0])) {
      found.add('person name');
      break;
    }
  }
  return found;
}

/**
 * Prose: three words or more, a third of them lower-case — sentences, not lists of names, titles
 * in title case or formatted numbers.
 */
export function isProse(value: string): boolean {
  const words = value.split(/\s+/).filter((w) => /\p{L}/u.test(w));
  return words.length >= 3 && words.filter((w) => /^\p{Ll}/u.test(w)).length >= words.length / 3;
}

/** The free-text signal for one column, or none (exported for tests). */
export function freeTextSignals(column: ColumnSample, params: FreeTextParams): PiiSignal[] {
  if (column.isKey || typeCategory(column) !== 'text') return [];
  const values = column.values.map((v) => v.trim()).filter((v) => v !== '');
  if (values.length < 3) return [];
  const prose = values.filter(isProse);
  if (prose.length / values.length < params.minProseShare) return [];
  const kinds = new Map<string, number>();
  let carrying = 0;
  for (const v of prose) {
    const found = entitiesIn(v);
    if (found.size) carrying++;
    for (const k of found) kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  if (carrying < params.minEntityValues || carrying / prose.length < params.minEntityShare) return [];
  const list = [...kinds.entries()].map(([k, n]) => `${k} ×${n}`).join(', ');
  return [
    {
      detector: 'free-text',
      piiType: 'FREE_TEXT_PERSONAL',
      confidence: carrying / prose.length >= 0.3 ? 0.8 : 0.7,
      evidence: `${carrying} of ${prose.length} sampled text values mention people (${list})`,
      rule: 'value:embedded-entities',
      matched: carrying,
      sampled: prose.length,
    },
  ];
}

registerDetector({
  name: 'free-text',
  description: 'Scans sampled prose for embedded e-mails, phones, person names, card numbers, IBANs and national ids.',
  kind: 'value',
  params: freeTextParams,
  appliesTo: ['text'],
  deterministic: true,
  create: (params) => ({ name: 'free-text', description: 'Embedded entities in free text', kind: 'value', detect: (c) => freeTextSignals(c, params) }),
});
