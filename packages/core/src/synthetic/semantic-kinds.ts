/**
 * What a column means: the semantic kinds, and how a column's PII type, test-case field type or name
 * ("email", "first_name", "zip", "unit_price", "created_at"…) points to one, given what its type
 * can store.
 */

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
