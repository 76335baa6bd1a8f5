/**
 * Gating by data type: which PII types a column of a given PostgreSQL type can hold at all. A
 * `first_name` that is an integer is a foreign key or a code, an `email` that is a boolean is a flag
 * (`email_opt_in`), a date of birth is a date. Signals for a type the column cannot hold are dropped
 * before combining, whatever their confidence.
 */
import type { ColumnSample, PiiType } from './types.ts';

export type TypeCategory =
  | 'text'
  | 'integer'
  | 'numeric'
  | 'boolean'
  | 'date'
  | 'uuid'
  | 'json'
  | 'bytea'
  | 'inet'
  | 'geo'
  | 'enum'
  | 'array'
  | 'composite'
  | 'other';

const PATTERNS: [RegExp, TypeCategory][] = [
  [/\[\]$/, 'array'],
  [/^(text|character varying|varchar|character|char|bpchar|citext|name)\b/, 'text'],
  [/^(smallint|integer|bigint|int[248]?|smallserial|serial|bigserial)$/, 'integer'],
  [/^(numeric|decimal|real|double precision|float[48]?|money)\b/, 'numeric'],
  [/^boolean$/, 'boolean'],
  [/^(date|timestamp)\b/, 'date'],
  [/^uuid$/, 'uuid'],
  [/^jsonb?$/, 'json'],
  [/^bytea$/, 'bytea'],
  [/^(inet|cidr)$/, 'inet'],
  [/^(point|geometry|geography)\b/, 'geo'],
];

/**
 * The category of a column, looking through domains to their base type. An array of a composite
 * type (its `attributes` known) is a composite: both hold records of named attributes.
 */
export function typeCategory(column: Pick<ColumnSample, 'dataType' | 'baseType' | 'typeKind' | 'attributes'>): TypeCategory {
  if (column.typeKind === 'enum') return 'enum';
  if (column.typeKind === 'array') return column.attributes?.length ? 'composite' : 'array';
  if (column.typeKind === 'composite') return 'composite';
  const type = (column.baseType ?? column.dataType).toLowerCase().replace(/^(pg_catalog|public)\./, '');
  // Types from other schemas (citext in an extension schema, postgis) are matched on their last part.
  const bare = type.replace(/^[a-z_][a-z0-9_]*\.(?=[a-z])/, '');
  for (const [pattern, category] of PATTERNS) if (pattern.test(bare)) return category;
  return 'other';
}

const TEXT: TypeCategory[] = ['text'];
const NUMBER: TypeCategory[] = ['integer', 'numeric'];
/** Documents that can carry any attribute of a person. */
const DOCUMENT: TypeCategory[] = ['json', 'composite', 'array'];

/** PII type → the categories that can hold it. */
export const ALLOWED_CATEGORIES: Record<Exclude<PiiType, 'NONE'>, readonly TypeCategory[]> = {
  EMAIL: [...TEXT, 'array', 'json'],
  PHONE: [...TEXT, 'array', 'json'],
  PHONE_EXTENSION: ['text', 'integer'],
  FIRST_NAME: TEXT,
  LAST_NAME: TEXT,
  FULL_NAME: [...TEXT, 'json'],
  USERNAME: TEXT,
  PASSWORD: ['text', 'bytea'],
  SECRET: ['text', 'bytea', 'uuid'],
  DATE_OF_BIRTH: ['date'],
  AGE: NUMBER,
  NATIONAL_ID: ['text', 'integer'],
  TAX_ID: ['text', 'integer'],
  PASSPORT: TEXT,
  DRIVER_LICENSE: TEXT,
  PERSONAL_ID: ['text', 'integer'],
  ADDRESS: [...TEXT, ...DOCUMENT],
  STREET: TEXT,
  CITY: ['text', 'enum'],
  DISTRICT: ['text', 'enum'],
  REGION: ['text', 'enum'],
  POSTAL_CODE: ['text', 'integer'],
  COUNTRY: ['text', 'enum'],
  GEO_LOCATION: ['numeric', 'text', 'geo', 'composite', 'other', 'json'],
  HEALTH_CONDITION: ['text', 'enum', 'array', 'json'],
  MEDICATION: ['text', 'enum', 'array', 'json'],
  BLOOD_TYPE: ['text', 'enum'],
  VITAL_SIGN: [...NUMBER, 'text', 'composite', 'json'],
  HEALTH_RECORD: [...DOCUMENT, 'text'],
  BIOMETRIC: ['bytea', 'text', 'json'],
  IBAN: TEXT,
  BANK_ACCOUNT: ['text', 'integer'],
  CREDIT_CARD: ['text', 'integer'],
  IP_ADDRESS: ['text', 'inet'],
  SALARY: [...NUMBER, 'composite'],
  PERFORMANCE_RATING: [...NUMBER, 'text', 'enum'],
  GENDER: ['text', 'enum'],
  DATE_OF_DEATH: ['date'],
  MARITAL_STATUS: ['text', 'enum'],
  ETHNICITY: ['text', 'enum', 'array'],
  FREE_TEXT_PERSONAL: ['text', 'json', 'other'],
  PHOTO: ['bytea', 'text'],
};

/**
 * Whether a column of `category` can hold `piiType` (NONE always can; a composite can hold any
 * type in one of its attributes).
 */
export function typeAllows(piiType: PiiType, category: TypeCategory): boolean {
  return piiType === 'NONE' || category === 'composite' || ALLOWED_CATEGORIES[piiType].includes(category);
}
