/**
 * The values of each semantic kind, grouped by what they describe (people, places, text, network,
 * identifiers, numbers, dates). Each draws from the generator's seeded stream in a fixed order, so
 * the same seed gives the same values.
 */
import { ibanCheck, luhnDigit } from './check-digits.ts';
import type { Rng } from './rng.ts';
import type { GeneratorOptions } from './semantic.ts';
import type { SemanticKind } from './semantic-kinds.ts';
import { ALNUM, ascii, EMAIL_DOMAINS, FIRST, GENDER_WEIGHTS, GENDERS, HEX, LAST, list, STATUS_WEIGHTS, STATUSES } from './semantic-lists.ts';

/** What a kind's values are drawn with: the stream, the options, the length limit, uniqueness. */
export interface ValueContext {
  rng: Rng;
  options: GeneratorOptions;
  max: number | null;
  unique: boolean;
}

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoTimestamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
/** A fixed "today" so generated dates do not drift with the wall clock (determinism). */
export const SYNTHETIC_EPOCH = Date.UTC(2026, 0, 1);

function formatNumber(value: number, scale: number): string {
  return scale > 0 ? value.toFixed(scale) : String(Math.round(value));
}

const tag = (row: number) => row.toString(36);
const range = (options: GeneratorOptions, lo: number, hi: number) => [options.min ?? lo, options.max ?? hi] as const;
const dateRange = (options: GeneratorOptions, fromMs: number, toMs: number) =>
  [options.minDate ? Date.parse(options.minDate) : fromMs, options.maxDate ? Date.parse(options.maxDate) : toMs] as const;

const inGroup = <K extends SemanticKind>(group: readonly K[], kind: SemanticKind): kind is K => (group as readonly SemanticKind[]).includes(kind);

/** The value maker of `kind`: `(row) => value`, drawing from `c.rng`. */
export function kindValues(kind: SemanticKind, c: ValueContext): (row: number) => string {
  if (inGroup(PERSON_KINDS, kind)) return (row) => personValue(kind, c, row);
  if (inGroup(PLACE_KINDS, kind)) return (row) => placeValue(kind, c, row);
  if (inGroup(TEXT_KINDS, kind)) return (row) => textValue(kind, c, row);
  if (inGroup(NETWORK_KINDS, kind)) return (row) => networkValue(kind, c, row);
  if (inGroup(IDENTIFIER_KINDS, kind)) return (row) => identifierValue(kind, c, row);
  if (inGroup(NUMBER_KINDS, kind)) return (row) => numberValue(kind, c, row);
  if (inGroup(DATE_KINDS, kind)) return (row) => dateValue(kind, c, row);
  const unknown: never = kind;
  throw new Error(`no values for semantic kind ${String(unknown)}`);
}

const PERSON_KINDS = ['firstName', 'lastName', 'fullName', 'email', 'username', 'password', 'phone', 'gender', 'jobTitle'] as const;

/** People and how to reach them: names, logins, phones, gender, job titles. */
function personValue(kind: (typeof PERSON_KINDS)[number], c: ValueContext, row: number): string {
  const { rng, max, unique } = c;
  switch (kind) {
    case 'firstName':
      return rng.pick(FIRST);
    case 'lastName':
      return rng.pick(LAST);
    case 'fullName':
      return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
    case 'email': {
      const domain = `@${rng.pick(EMAIL_DOMAINS)}`;
      const tail = unique ? `.${tag(row)}` : rng.chance(0.5) ? String(rng.int(1, 99)) : '';
      const local = `${ascii(rng.pick(FIRST)) || 'user'}.${ascii(rng.pick(LAST)) || 'name'}`;
      const room = max ? max - domain.length - tail.length : local.length;
      return `${local.slice(0, Math.max(room, 1))}${tail}${domain}`;
    }
    case 'username': {
      const base = `${ascii(rng.pick(FIRST)).slice(0, 10)}${rng.chance(0.5) ? '_' : '.'}${ascii(rng.pick(LAST)).slice(0, 10)}`;
      const tail = unique ? `_${tag(row)}` : String(rng.int(1, 999));
      return max ? `${base.slice(0, Math.max(max - tail.length, 1))}${tail}` : `${base}${tail}`;
    }
    case 'password': {
      let out = '';
      for (let i = 0; i < 10; i++) out += ALNUM[rng.int(0, ALNUM.length - 1)];
      return `${out}a1!`;
    }
    case 'phone': {
      if (unique) return `+1 ${rng.int(201, 989)}-555-${String(row % 10_000).padStart(4, '0')}${row >= 10_000 ? ` x${Math.floor(row / 10_000)}` : ''}`;
      return `+1 ${rng.int(201, 989)}-${rng.int(200, 999)}-${rng.digits(4)}`;
    }
    case 'gender':
      return GENDERS[rng.weighted(GENDER_WEIGHTS)] as string;
    case 'jobTitle':
      return `${rng.pick(list('jobDescriptors'))} ${rng.pick(list('jobAreas'))} ${rng.pick(list('jobTypes'))}`;
  }
}

const PLACE_KINDS = ['streetAddress', 'secondaryAddress', 'city', 'state', 'country', 'countryCode', 'postalCode', 'latitude', 'longitude'] as const;

/** Postal addresses and coordinates. */
function placeValue(kind: (typeof PLACE_KINDS)[number], c: ValueContext, _row: number): string {
  const { rng, options } = c;
  switch (kind) {
    case 'streetAddress':
      return `${rng.int(1, 9999)} ${rng.pick(LAST)} ${rng.pick(list('streetSuffixes'))}`;
    case 'secondaryAddress':
      return `${rng.chance(0.5) ? 'Apt.' : 'Suite'} ${rng.int(1, 999)}`;
    case 'city':
      return rng.pick(list('cityNames'));
    case 'state':
      return rng.pick(list('states'));
    case 'country':
      return rng.pick(list('countries'));
    case 'countryCode':
      return rng.pick(list('countryCodes'));
    case 'postalCode':
      return rng.digits(5);
    case 'latitude': {
      const [lo, hi] = range(options, -60, 70);
      return (lo + rng.next() * (hi - lo)).toFixed(options.scale ?? 6);
    }
    case 'longitude': {
      const [lo, hi] = range(options, -180, 180);
      return (lo + rng.next() * (hi - lo)).toFixed(options.scale ?? 6);
    }
  }
}

const TEXT_KINDS = ['company', 'department', 'productName', 'description', 'title', 'word', 'color', 'status', 'currencyCode', 'boolean'] as const;

/** Names of things, free text and labels. */
function textValue(kind: (typeof TEXT_KINDS)[number], c: ValueContext, _row: number): string {
  const { rng } = c;
  switch (kind) {
    case 'company':
      return rng.chance(0.5) ? `${rng.pick(LAST)} ${rng.pick(list('companySuffixes'))}` : `${rng.pick(LAST)} & ${rng.pick(LAST)}`;
    case 'department':
      return rng.pick(list('departments'));
    case 'productName':
      return `${rng.pick(list('adjectives'))} ${rng.pick(list('materials'))} ${rng.pick(list('products'))}`;
    case 'description': {
      const n = rng.int(6, 14);
      const words: string[] = [];
      for (let i = 0; i < n; i++) words.push(rng.pick(list('words')));
      const s = words.join(' ');
      return `${s[0]?.toUpperCase() ?? ''}${s.slice(1)}.`;
    }
    case 'title': {
      const n = rng.int(2, 5);
      const words: string[] = [];
      for (let i = 0; i < n; i++) {
        const w = rng.pick(list('words'));
        words.push(`${w[0]?.toUpperCase() ?? ''}${w.slice(1)}`);
      }
      return words.join(' ');
    }
    case 'word':
      return rng.pick(list('words'));
    case 'color':
      return rng.pick(list('colors'));
    case 'status':
      return STATUSES[rng.weighted(STATUS_WEIGHTS)] as string;
    case 'currencyCode':
      return rng.pick(list('currencies'));
    case 'boolean':
      return rng.chance(0.5) ? 't' : 'f';
  }
}

const NETWORK_KINDS = ['url', 'domain', 'ipv4', 'ipv6'] as const;

/** Web addresses and IP addresses (reserved documentation and private ranges). */
function networkValue(kind: (typeof NETWORK_KINDS)[number], c: ValueContext, row: number): string {
  const { rng, unique } = c;
  switch (kind) {
    case 'url':
      return `https://${ascii(rng.pick(LAST))}.${rng.pick(EMAIL_DOMAINS)}/${rng.pick(list('words'))}${unique ? `-${tag(row)}` : ''}`;
    case 'domain':
      return `${ascii(rng.pick(LAST))}${unique ? `-${tag(row)}` : ''}.${rng.pick(EMAIL_DOMAINS)}`;
    case 'ipv4':
      // Documentation ranges (RFC 5737) first, then private space for larger sets.
      return unique ? `10.${(row >>> 16) & 255}.${(row >>> 8) & 255}.${row & 255}` : `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`;
    case 'ipv6': {
      let out = '2001:db8';
      for (let i = 0; i < 6; i++) out += `:${rng.uint32().toString(16).slice(0, 4)}`;
      return out;
    }
  }
}

const IDENTIFIER_KINDS = ['uuid', 'iban', 'bankAccount', 'creditCard', 'nationalId', 'sku', 'code'] as const;

/** Identifiers and account numbers: check digits are valid, issuers never real. */
function identifierValue(kind: (typeof IDENTIFIER_KINDS)[number], c: ValueContext, row: number): string {
  const { rng, unique } = c;
  switch (kind) {
    case 'uuid': {
      let h = '';
      for (let i = 0; i < 32; i++) h += HEX[rng.int(0, 15)];
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${HEX[8 + rng.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    }
    case 'iban': {
      const bban = `${rng.digits(8)}${unique ? String(row).padStart(10, '0') : rng.digits(10)}`;
      return `DE${ibanCheck('DE', bban)}${bban}`;
    }
    case 'bankAccount':
      return unique ? `${rng.digits(4)}${String(row).padStart(8, '0')}` : rng.digits(12);
    case 'creditCard': {
      // Test-card ranges (4000 00… Visa): Luhn-valid, never a real issuer's account.
      const body = `400000${unique ? String(row).padStart(9, '0') : rng.digits(9)}`;
      return `${body}${luhnDigit(body)}`;
    }
    case 'nationalId':
      return unique ? `9${String(row).padStart(8, '0')}` : `9${rng.digits(2)}-${rng.digits(2)}-${rng.digits(4)}`;
    case 'sku':
      return unique ? `SKU-${String(row).padStart(8, '0')}` : `SKU-${rng.digits(8)}`;
    case 'code': {
      let out = '';
      for (let i = 0; i < 6; i++) out += ALNUM[rng.int(0, ALNUM.length - 1)];
      return unique ? `${out}-${tag(row)}` : out;
    }
  }
}

const NUMBER_KINDS = ['price', 'amount', 'quantity', 'percent', 'rating', 'age'] as const;

/** Amounts, quantities and scores, within the options' range and scale. */
function numberValue(kind: (typeof NUMBER_KINDS)[number], c: ValueContext, _row: number): string {
  const { rng, options } = c;
  switch (kind) {
    case 'price': {
      const [lo, hi] = range(options, 1, 500);
      // Prices cluster low: a log-uniform draw, ending in .99 or .49 half of the time.
      const v = Math.exp(Math.log(Math.max(lo, 0.01)) + rng.next() * (Math.log(hi) - Math.log(Math.max(lo, 0.01))));
      const whole = Math.floor(v);
      const cents = rng.chance(0.5) ? rng.pick([99, 49, 95]) : rng.int(0, 99);
      const value = Math.min(hi, Math.max(lo, whole + cents / 100));
      return formatNumber(value, options.scale ?? 2);
    }
    case 'amount': {
      const [lo, hi] = range(options, 0, 10_000);
      const v = lo + (hi - lo) * rng.next() ** 2;
      return formatNumber(v, options.scale ?? 2);
    }
    case 'quantity': {
      const [lo, hi] = range(options, 1, 20);
      // Small quantities are most common.
      return String(Math.min(hi, lo + Math.floor(-Math.log(1 - rng.next()) * 2)));
    }
    case 'percent': {
      const [lo, hi] = range(options, 0, 100);
      return formatNumber(lo + rng.next() * (hi - lo), options.scale ?? 2);
    }
    case 'rating': {
      const [lo, hi] = range(options, 1, 5);
      return String(rng.int(lo, hi));
    }
    case 'age': {
      const [lo, hi] = range(options, 18, 90);
      return String(rng.int(lo, hi));
    }
  }
}

const DATE_KINDS = ['dateOfBirth', 'pastDate', 'futureDate', 'pastTimestamp'] as const;

/** Dates and timestamps around SYNTHETIC_EPOCH, within the options' date range. */
function dateValue(kind: (typeof DATE_KINDS)[number], c: ValueContext, _row: number): string {
  const { rng, options } = c;
  switch (kind) {
    case 'dateOfBirth': {
      const [from, to] = dateRange(options, SYNTHETIC_EPOCH - 90 * 365.25 * DAY_MS, SYNTHETIC_EPOCH - 18 * 365.25 * DAY_MS);
      return isoDate(from + rng.next() * (to - from));
    }
    case 'pastDate': {
      const [from, to] = dateRange(options, SYNTHETIC_EPOCH - 5 * 365 * DAY_MS, SYNTHETIC_EPOCH);
      return isoDate(from + rng.next() * (to - from));
    }
    case 'futureDate': {
      const [from, to] = dateRange(options, SYNTHETIC_EPOCH + DAY_MS, SYNTHETIC_EPOCH + 3 * 365 * DAY_MS);
      return isoDate(from + rng.next() * (to - from));
    }
    case 'pastTimestamp': {
      const [from, to] = dateRange(options, SYNTHETIC_EPOCH - 3 * 365 * DAY_MS, SYNTHETIC_EPOCH);
      return isoTimestamp(from + rng.next() * (to - from));
    }
  }
}
