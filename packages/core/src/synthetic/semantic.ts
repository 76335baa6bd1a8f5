/**
 * What a column means, and realistic values for it. `semanticKindFor` reads a column's name, PII
 * type or test-case field type ("email", "first_name", "zip", "unit_price", "created_at"…) and
 * `createValueGenerator` makes a fast, seeded stream of PostgreSQL text values of that kind: names,
 * emails, phones, addresses, prices, dates in sensible ranges, valid card numbers and IBANs.
 *
 * Values are picked from Faker's locale lists with our own PRNG (rng.ts) rather than through Faker's
 * API: a pick costs tens of nanoseconds where a Faker call costs microseconds, which is what lets
 * generation write hundreds of thousands of rows a second. Emails use the reserved example domains.
 * `unique: true` embeds the row number where a kind's natural space is small (emails, usernames,
 * phones, card numbers), so distinct rows never collide. Determinism holds for a pinned Faker version.
 */
import { englishFaker } from './faker-en.ts';
import { Rng, type SeedPart } from './rng.ts';

export const SEMANTIC_KINDS = [
  'firstName',
  'lastName',
  'fullName',
  'email',
  'username',
  'password',
  'phone',
  'streetAddress',
  'secondaryAddress',
  'city',
  'state',
  'country',
  'countryCode',
  'postalCode',
  'latitude',
  'longitude',
  'company',
  'jobTitle',
  'department',
  'productName',
  'description',
  'title',
  'word',
  'url',
  'domain',
  'ipv4',
  'ipv6',
  'uuid',
  'iban',
  'creditCard',
  'currencyCode',
  'price',
  'amount',
  'quantity',
  'percent',
  'rating',
  'age',
  'dateOfBirth',
  'pastDate',
  'futureDate',
  'pastTimestamp',
  'color',
  'gender',
  'status',
  'sku',
  'code',
  'nationalId',
  'bankAccount',
  'boolean',
] as const;
export type SemanticKind = (typeof SEMANTIC_KINDS)[number];

/** What is known about a column or field. */
export interface ValueHint {
  name: string;
  /** The table or entity, which disambiguates `name` (product.name vs customer.name). */
  table?: string;
  /** format_type() of the column, when there is one. */
  pgType?: string;
  /** A PII classification (pii/types.ts), when there is one. */
  piiType?: string | null;
  /** A test-case field type (testcase/types.ts): email, phone, date, postal_code… */
  fieldType?: string | null;
}

const BY_PII_TYPE: Record<string, SemanticKind> = {
  EMAIL: 'email',
  PHONE: 'phone',
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  FULL_NAME: 'fullName',
  USERNAME: 'username',
  PASSWORD: 'password',
  DATE_OF_BIRTH: 'dateOfBirth',
  NATIONAL_ID: 'nationalId',
  TAX_ID: 'nationalId',
  ADDRESS: 'streetAddress',
  STREET: 'streetAddress',
  CITY: 'city',
  POSTAL_CODE: 'postalCode',
  COUNTRY: 'country',
  IBAN: 'iban',
  BANK_ACCOUNT: 'bankAccount',
  CREDIT_CARD: 'creditCard',
  IP_ADDRESS: 'ipv4',
  SALARY: 'amount',
  GENDER: 'gender',
};

const BY_FIELD_TYPE: Record<string, SemanticKind> = {
  email: 'email',
  phone: 'phone',
  password: 'password',
  url: 'url',
  postal_code: 'postalCode',
  credit_card: 'creditCard',
  date: 'pastDate',
  datetime: 'pastTimestamp',
  boolean: 'boolean',
};

// Name patterns over the snake_case name, most specific first.
const BY_NAME: [RegExp, SemanticKind][] = [
  [/e_?mail/, 'email'],
  [/first_?name|given_?name|forename|vorname|prenom/, 'firstName'],
  [/last_?name|surname|family_?name|nachname/, 'lastName'],
  [/user_?name|login|handle|nickname/, 'username'],
  [/pass_?word|passwd|^pwd$/, 'password'],
  [/phone|mobile|^tel($|_)|fax|cell/, 'phone'],
  [/birth|^dob$|_dob$/, 'dateOfBirth'],
  [/(^|_)age$/, 'age'],
  [/zip|postal|post_?code|postcode|plz/, 'postalCode'],
  [/address_?2|address_?line_?2|apartment|suite|^apt$/, 'secondaryAddress'],
  [/street|address|addr($|_)/, 'streetAddress'],
  [/city|town|locality/, 'city'],
  [/(^|_)(state|province|region|county)($|_)/, 'state'],
  [/country_?(code|iso)|iso_?country|^cc$/, 'countryCode'],
  [/country|nation($|_)/, 'country'],
  [/(^|_)lat(itude)?$/, 'latitude'],
  [/(^|_)(lng|lon|long|longitude)$/, 'longitude'],
  [/iban/, 'iban'],
  [/card_?(number|no|num)|credit_?card|(^|_)pan$|cc_?num/, 'creditCard'],
  [/account_?(number|no|num)|bank_?account/, 'bankAccount'],
  [/ssn|national_?id|tax_?id|social_?security|nin$/, 'nationalId'],
  [/(^|_)ip(_?addr(ess)?)?$|ip_?address/, 'ipv4'],
  [/uuid|guid/, 'uuid'],
  [/url|website|homepage|link/, 'url'],
  [/domain|host_?name/, 'domain'],
  [/currency/, 'currencyCode'],
  [/price|cost|fee|rate$|tariff/, 'price'],
  [/amount|total|balance|salary|revenue|sum$|subtotal|payment|limit/, 'amount'],
  [/qty|quantity|count|stock|units/, 'quantity'],
  [/percent|pct|ratio|discount/, 'percent'],
  [/rating|score|stars/, 'rating'],
  [/company|employer|organi[sz]ation|business|vendor|supplier|merchant/, 'company'],
  [/job_?title|position|occupation/, 'jobTitle'],
  [/department|dept/, 'department'],
  [/(^|_)product(_?name)?$|item_?name|product_?title/, 'productName'],
  [/sku|barcode|ean|upc|isbn/, 'sku'],
  [/description|comment|notes?$|bio|summary|text|body|message|content/, 'description'],
  [/title|subject|headline/, 'title'],
  [/colou?r/, 'color'],
  [/gender|sex$/, 'gender'],
  [/status|state$|stage/, 'status'],
  [/(^|_)code$|reference|ref_?no/, 'code'],
  [/created|updated|modified|_at$|timestamp|_on$|_time$/, 'pastTimestamp'],
  [/expir|due|valid_?until|end_?date|deadline/, 'futureDate'],
  [/date|_day$/, 'pastDate'],
  [/^is_|^has_|^can_|enabled|active|flag|verified/, 'boolean'],
  [/(^|_)(full_?|display_?|contact_?|customer_?|person_?|user_?)?name$/, 'fullName'],
];

const PERSON_TABLE =
  /user|customer|client|person|people|employee|staff|member|patient|contact|author|actor|account_?holder|subscriber|owner|driver|student|teacher/;
const THING_NAME_TABLE = /product|item|article|sku|good|catalog|category|brand|plan|service|tariff/;

const snake = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** The kind a column's PII type, field type or name points to; null when none says anything. */
export function semanticKindFor(hint: ValueHint): SemanticKind | null {
  const byPii = hint.piiType ? BY_PII_TYPE[hint.piiType] : undefined;
  if (byPii) return byPii;
  const name = snake(hint.name);
  const table = hint.table ? snake(hint.table) : '';
  if (name === 'name' || name === 'title') {
    if (PERSON_TABLE.test(table)) return 'fullName';
    if (THING_NAME_TABLE.test(table)) return 'productName';
    if (/compan|organi|vendor|supplier|merchant|store|shop|bank|carrier/.test(table)) return 'company';
    if (/city|town/.test(table)) return 'city';
    if (/country/.test(table)) return 'country';
    if (/department|team/.test(table)) return 'department';
  }
  const byField = hint.fieldType ? BY_FIELD_TYPE[hint.fieldType] : undefined;
  for (const [pattern, kind] of BY_NAME) {
    if (!pattern.test(name)) continue;
    // A name's "date"/"created" must not win over a non-temporal column type, nor "status" over a boolean.
    if (hint.pgType && !kindFitsType(kind, hint.pgType)) continue;
    return kind;
  }
  return byField ?? null;
}

/** Whether values of `kind` can be stored in a column of `pgType` (a name is only a hint). */
export function kindFitsType(kind: SemanticKind, pgType: string): boolean {
  const t = pgType.toLowerCase();
  const numeric = /^(smallint|integer|bigint|int[248]?|numeric|decimal|real|double precision|float[48]|money)\b/.test(t);
  const integer = /^(smallint|integer|bigint|int[248]?)\b/.test(t);
  const temporal = /^(date|timestamp)/.test(t);
  switch (kind) {
    case 'price':
    case 'amount':
    case 'percent':
    case 'latitude':
    case 'longitude':
      return numeric || /^(text|character varying|varchar)/.test(t);
    case 'quantity':
    case 'age':
    case 'rating':
      return numeric;
    case 'dateOfBirth':
    case 'pastDate':
    case 'futureDate':
    case 'pastTimestamp':
      return temporal;
    case 'boolean':
      return t === 'boolean' || t === 'bool';
    case 'uuid':
      return t === 'uuid' || /^(text|character varying|varchar)/.test(t);
    case 'ipv4':
    case 'ipv6':
      return t === 'inet' || t === 'cidr' || /^(text|character varying|varchar)/.test(t);
    default:
      return !numeric && !temporal && t !== 'boolean' && t !== 'bool' && t !== 'uuid' && t !== 'bytea' && !t.endsWith('[]') && !integer;
  }
}

export interface GeneratorOptions {
  seed: SeedPart;
  /** Further seed path (table, column), so each column has its own stream. */
  path?: SeedPart[];
  /** varchar(n) limit: values are cut (emails keep their domain). */
  maxLength?: number | null;
  /** Distinct rows must get distinct values (the row number is folded in where the space is small). */
  unique?: boolean;
  /** Date range for date kinds (ISO dates). */
  minDate?: string;
  maxDate?: string;
  /** Numeric range for numeric kinds. */
  min?: number;
  max?: number;
  /** Decimal places of numeric kinds (numeric(p,s)'s s). */
  scale?: number;
}

/** A seeded stream of values of one kind; `next(row)` is called with row numbers 0, 1, 2… */
export interface ValueGenerator {
  readonly kind: SemanticKind;
  next(row: number): string;
}

const faker = englishFaker;
const defs = faker.rawDefinitions;
const uniq = (lists: unknown[]): string[] => [...new Set(lists.flatMap((l) => (Array.isArray(l) ? l.filter((x): x is string => typeof x === 'string') : [])))];
const LISTS = {
  firstNames: uniq([defs.person?.first_name?.generic, defs.person?.first_name?.female, defs.person?.first_name?.male]),
  lastNames: uniq([defs.person?.last_name?.generic]),
  jobDescriptors: uniq([defs.person?.job_descriptor]),
  jobAreas: uniq([defs.person?.job_area]),
  jobTypes: uniq([defs.person?.job_type]),
  streetSuffixes: uniq([defs.location?.street_suffix]),
  cityNames: uniq([defs.location?.city_name]),
  states: uniq([defs.location?.state]),
  countries: uniq([defs.location?.country]),
  countryCodes: uniq([(defs.location?.country_code as { alpha2?: string }[] | undefined)?.map((c) => c.alpha2 ?? '').filter(Boolean)]),
  companySuffixes: uniq([defs.company?.legal_entity_type]),
  departments: uniq([defs.commerce?.department]),
  adjectives: uniq([defs.commerce?.product_name?.adjective]),
  materials: uniq([defs.commerce?.product_name?.material]),
  products: uniq([defs.commerce?.product_name?.product]),
  words: uniq([defs.lorem?.word]),
  colors: uniq([defs.color?.human]),
  currencies: uniq([(defs.finance?.currency ?? []).map((c) => c.code)]),
};
const FALLBACK = {
  firstNames: ['Ann', 'Bob', 'Cleo', 'Dan'],
  lastNames: ['Lee', 'Smith', 'Brown', 'Khan'],
  streetSuffixes: ['Street', 'Avenue', 'Road', 'Lane'],
  cityNames: ['Springfield', 'Riverton', 'Fairview'],
  states: ['Ohio', 'Texas', 'Oregon'],
  countries: ['France', 'Japan', 'Brazil'],
  countryCodes: ['FR', 'JP', 'BR', 'US', 'DE'],
  companySuffixes: ['Inc', 'LLC', 'Group'],
  departments: ['Books', 'Garden', 'Toys'],
  adjectives: ['Small', 'Ergonomic', 'Rustic'],
  materials: ['Steel', 'Wooden', 'Cotton'],
  products: ['Chair', 'Table', 'Shirt'],
  words: ['alpha', 'beta', 'gamma', 'delta'],
  colors: ['red', 'green', 'blue'],
  currencies: ['EUR', 'USD', 'GBP', 'JPY'],
  jobDescriptors: ['Senior', 'Lead', 'Junior'],
  jobAreas: ['Accounts', 'Marketing', 'Operations'],
  jobTypes: ['Manager', 'Analyst', 'Engineer'],
};
const list = (name: keyof typeof FALLBACK): readonly string[] => (LISTS[name].length ? LISTS[name] : FALLBACK[name]);
const FIRST = list('firstNames');
const LAST = list('lastNames');
const STATUSES = ['active', 'pending', 'inactive', 'suspended'];
const STATUS_WEIGHTS = [70, 15, 10, 5];
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];
const GENDERS = ['female', 'male', 'non-binary'];
const GENDER_WEIGHTS = [49, 49, 2];
const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

const ascii = (s: string) =>
  s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** Cuts to a length limit by code points. */
function fit(value: string, maxLength: number | null | undefined): string {
  if (!maxLength) return value;
  if (value.length <= maxLength) return value;
  const chars = [...value];
  return chars.length <= maxLength ? value : chars.slice(0, maxLength).join('');
}

/** Luhn check digit for a digit string. */
function luhnDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** ISO 7064 mod-97 check digits for an IBAN's country code and BBAN. */
function ibanCheck(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of rearranged) rem = (rem * 10 + (ch.charCodeAt(0) - 48)) % 97;
  return String(98 - rem).padStart(2, '0');
}

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoTimestamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
/** A fixed "today" so generated dates do not drift with the wall clock (determinism). */
export const SYNTHETIC_EPOCH = Date.UTC(2026, 0, 1);

function formatNumber(value: number, scale: number): string {
  return scale > 0 ? value.toFixed(scale) : String(Math.round(value));
}

/** A stream of realistic values of `kind`. */
export function createValueGenerator(kind: SemanticKind, options: GeneratorOptions): ValueGenerator {
  const rng = new Rng(options.seed, ...(options.path ?? []), kind);
  const max = options.maxLength ?? null;
  const unique = options.unique ?? false;
  const tag = (row: number) => row.toString(36);
  const range = (lo: number, hi: number) => [options.min ?? lo, options.max ?? hi] as const;
  const dateRange = (fromMs: number, toMs: number) =>
    [options.minDate ? Date.parse(options.minDate) : fromMs, options.maxDate ? Date.parse(options.maxDate) : toMs] as const;

  const gen = (row: number): string => {
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
        const [lo, hi] = range(-60, 70);
        return (lo + rng.next() * (hi - lo)).toFixed(options.scale ?? 6);
      }
      case 'longitude': {
        const [lo, hi] = range(-180, 180);
        return (lo + rng.next() * (hi - lo)).toFixed(options.scale ?? 6);
      }
      case 'company':
        return rng.chance(0.5) ? `${rng.pick(LAST)} ${rng.pick(list('companySuffixes'))}` : `${rng.pick(LAST)} & ${rng.pick(LAST)}`;
      case 'jobTitle':
        return `${rng.pick(list('jobDescriptors'))} ${rng.pick(list('jobAreas'))} ${rng.pick(list('jobTypes'))}`;
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
      case 'currencyCode':
        return rng.pick(list('currencies'));
      case 'price': {
        const [lo, hi] = range(1, 500);
        // Prices cluster low: a log-uniform draw, ending in .99 or .49 half of the time.
        const v = Math.exp(Math.log(Math.max(lo, 0.01)) + rng.next() * (Math.log(hi) - Math.log(Math.max(lo, 0.01))));
        const whole = Math.floor(v);
        const cents = rng.chance(0.5) ? rng.pick([99, 49, 95]) : rng.int(0, 99);
        const value = Math.min(hi, Math.max(lo, whole + cents / 100));
        return formatNumber(value, options.scale ?? 2);
      }
      case 'amount': {
        const [lo, hi] = range(0, 10_000);
        const v = lo + (hi - lo) * rng.next() ** 2;
        return formatNumber(v, options.scale ?? 2);
      }
      case 'quantity': {
        const [lo, hi] = range(1, 20);
        // Small quantities are most common.
        return String(Math.min(hi, lo + Math.floor(-Math.log(1 - rng.next()) * 2)));
      }
      case 'percent': {
        const [lo, hi] = range(0, 100);
        return formatNumber(lo + rng.next() * (hi - lo), options.scale ?? 2);
      }
      case 'rating': {
        const [lo, hi] = range(1, 5);
        return String(rng.int(lo, hi));
      }
      case 'age': {
        const [lo, hi] = range(18, 90);
        return String(rng.int(lo, hi));
      }
      case 'dateOfBirth': {
        const [from, to] = dateRange(SYNTHETIC_EPOCH - 90 * 365.25 * DAY_MS, SYNTHETIC_EPOCH - 18 * 365.25 * DAY_MS);
        return isoDate(from + rng.next() * (to - from));
      }
      case 'pastDate': {
        const [from, to] = dateRange(SYNTHETIC_EPOCH - 5 * 365 * DAY_MS, SYNTHETIC_EPOCH);
        return isoDate(from + rng.next() * (to - from));
      }
      case 'futureDate': {
        const [from, to] = dateRange(SYNTHETIC_EPOCH + DAY_MS, SYNTHETIC_EPOCH + 3 * 365 * DAY_MS);
        return isoDate(from + rng.next() * (to - from));
      }
      case 'pastTimestamp': {
        const [from, to] = dateRange(SYNTHETIC_EPOCH - 3 * 365 * DAY_MS, SYNTHETIC_EPOCH);
        return isoTimestamp(from + rng.next() * (to - from));
      }
      case 'color':
        return rng.pick(list('colors'));
      case 'gender':
        return GENDERS[rng.weighted(GENDER_WEIGHTS)] as string;
      case 'status':
        return STATUSES[rng.weighted(STATUS_WEIGHTS)] as string;
      case 'sku':
        return unique ? `SKU-${String(row).padStart(8, '0')}` : `SKU-${rng.digits(8)}`;
      case 'code': {
        let out = '';
        for (let i = 0; i < 6; i++) out += ALNUM[rng.int(0, ALNUM.length - 1)];
        return unique ? `${out}-${tag(row)}` : out;
      }
      case 'boolean':
        return rng.chance(0.5) ? 't' : 'f';
    }
  };
  // Emails and usernames fit their own limit above; the rest are cut.
  const cut = kind === 'email' || kind === 'username' ? (v: string) => v : (v: string) => fit(v, max);
  return { kind, next: (row) => cut(gen(row)) };
}
