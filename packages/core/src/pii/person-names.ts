/**
 * Given names and surnames of many countries, taken from the locale data that ships with
 * @faker-js/faker (a maintained package already used for masking): English (US, UK, Ireland,
 * Australia, India), German, French, Spanish (Spain, Mexico), Portuguese (Portugal, Brazil), Dutch,
 * Italian, Nordic, Polish, Czech, Turkish, Romanian, Hungarian and others with Latin script. The
 * value rule only has to recognise *most* values of a name column, never every name.
 */
import { allLocales, type LocaleDefinition } from '@faker-js/faker';

const LOCALES = [
  'en',
  'en_GB',
  'en_IE',
  'en_AU',
  'en_CA',
  'en_IN',
  'en_ZA',
  'de',
  'de_AT',
  'de_CH',
  'fr',
  'fr_BE',
  'fr_CH',
  'es',
  'es_MX',
  'pt_PT',
  'pt_BR',
  'nl',
  'nl_BE',
  'it',
  'sv',
  'da',
  'nb_NO',
  'fi',
  'pl',
  'cs_CZ',
  'sk',
  'tr',
  'ro',
  'hu',
  'hr',
  'lv',
  'id_ID',
  'vi',
  'af_ZA',
] as const;

/** Lower-case ASCII form used for the look-ups (`François` → "francois", `O'Reilly` → "oreilly"). */
export function foldName(word: string): string {
  return word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

function words(entry: unknown): string[] {
  if (!entry) return [];
  if (Array.isArray(entry)) return entry.filter((x): x is string => typeof x === 'string');
  if (typeof entry === 'object') return Object.values(entry as Record<string, unknown>).flatMap(words);
  return [];
}

let cache: { first: Set<string>; last: Set<string>; locales: number } | null = null;

function load() {
  if (cache) return cache;
  const first = new Set<string>();
  const last = new Set<string>();
  let locales = 0;
  for (const code of LOCALES) {
    const person = (allLocales as Record<string, LocaleDefinition | undefined>)[code]?.person;
    if (!person) continue;
    locales++;
    // Compound entries ("De la Cruz", "Anne-Marie") count word by word.
    for (const w of words(person.first_name).flatMap((n) => n.split(/[\s-]+/))) if (w.length > 1) first.add(foldName(w));
    for (const w of words(person.last_name).flatMap((n) => n.split(/[\s-]+/))) if (w.length > 2) last.add(foldName(w));
  }
  first.delete('');
  last.delete('');
  cache = { first, last, locales };
  return cache;
}

/** Whether `word` is a known given name (any of the locales). */
export const isFirstName = (word: string): boolean => load().first.has(foldName(word));

/** Whether `word` is a known surname (any of the locales). */
export const isLastName = (word: string): boolean => load().last.has(foldName(word));

/** Sizes of the dictionaries (for docs and tests). */
export function nameDictionarySizes(): { firstNames: number; lastNames: number; locales: number } {
  const { first, last, locales } = load();
  return { firstNames: first.size, lastNames: last.size, locales };
}
