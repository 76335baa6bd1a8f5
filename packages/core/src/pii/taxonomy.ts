/**
 * The PII taxonomy: every PII type belongs to one category a privacy reviewer would use (direct
 * identifiers, quasi-identifiers, location, the GDPR special categories health and biometric,
 * financial, employment, credentials, online identifiers, free text), and carries the masking
 * technique recommended by default. Detection, the mask step's default rules, the post-provision
 * gate and the GraphQL schema all read this one table.
 */
import type { TypeCategory } from './type-gate.ts';

export const PII_CATEGORIES = [
  'DIRECT_IDENTIFIER',
  'QUASI_IDENTIFIER',
  'LOCATION',
  'HEALTH',
  'BIOMETRIC',
  'FINANCIAL',
  'EMPLOYMENT',
  'CREDENTIALS',
  'ONLINE_IDENTIFIER',
  'FREE_TEXT',
  'NONE',
] as const;
export type PiiCategory = (typeof PII_CATEGORIES)[number];

interface TypeInfo {
  category: PiiCategory;
  /** Name of the mask transformer used by default (`keep`: flagged, left as it is). */
  technique: string;
  description: string;
}

/**
 * Every PII type. Location parts use distribution-keeping techniques (postal codes coarsened,
 * cities and regions shuffled across rows, countries kept); special-category values that tests
 * still need realistic distributions of (diagnoses, blood types, ratings) are shuffled so no row
 * keeps its own value.
 */
export const TAXONOMY = {
  FIRST_NAME: { category: 'DIRECT_IDENTIFIER', technique: 'fake', description: 'given name' },
  LAST_NAME: { category: 'DIRECT_IDENTIFIER', technique: 'fake', description: 'surname' },
  FULL_NAME: { category: 'DIRECT_IDENTIFIER', technique: 'fake', description: "a person's name" },
  EMAIL: { category: 'DIRECT_IDENTIFIER', technique: 'fake', description: 'e-mail address' },
  PHONE: { category: 'DIRECT_IDENTIFIER', technique: 'fake', description: 'phone or fax number' },
  PHONE_EXTENSION: { category: 'DIRECT_IDENTIFIER', technique: 'shuffle', description: 'phone extension of a person' },
  NATIONAL_ID: { category: 'DIRECT_IDENTIFIER', technique: 'hash', description: 'national id / social security / insurance number' },
  PASSPORT: { category: 'DIRECT_IDENTIFIER', technique: 'hash', description: 'passport number' },
  DRIVER_LICENSE: { category: 'DIRECT_IDENTIFIER', technique: 'hash', description: "driver's licence number" },
  PERSONAL_ID: {
    category: 'DIRECT_IDENTIFIER',
    technique: 'hash',
    description: 'number issued to a person: licence, certificate, badge, membership, employee or patient number',
  },
  DATE_OF_BIRTH: { category: 'QUASI_IDENTIFIER', technique: 'dateShift', description: 'date of birth' },
  AGE: { category: 'QUASI_IDENTIFIER', technique: 'shuffle', description: 'age in years' },
  GENDER: { category: 'QUASI_IDENTIFIER', technique: 'shuffle', description: 'gender or sex' },
  DATE_OF_DEATH: { category: 'QUASI_IDENTIFIER', technique: 'dateShift', description: 'date of death' },
  MARITAL_STATUS: { category: 'QUASI_IDENTIFIER', technique: 'shuffle', description: 'marital or civil status' },
  ETHNICITY: {
    category: 'QUASI_IDENTIFIER',
    technique: 'shuffle',
    description: 'race, ethnicity, religion, sexual orientation or political opinion (GDPR special categories)',
  },
  ADDRESS: { category: 'LOCATION', technique: 'fake', description: 'street address or address line' },
  STREET: { category: 'LOCATION', technique: 'fake', description: 'street name or house number' },
  CITY: { category: 'LOCATION', technique: 'shuffle', description: 'city or town' },
  DISTRICT: { category: 'LOCATION', technique: 'shuffle', description: 'district, county or neighbourhood' },
  REGION: { category: 'LOCATION', technique: 'shuffle', description: 'state, province or region' },
  POSTAL_CODE: { category: 'LOCATION', technique: 'generalize', description: 'postal code' },
  COUNTRY: { category: 'LOCATION', technique: 'keep', description: 'country (of residence, birth or nationality)' },
  GEO_LOCATION: { category: 'LOCATION', technique: 'shuffle', description: 'coordinates or a composite location' },
  HEALTH_CONDITION: { category: 'HEALTH', technique: 'shuffle', description: 'diagnosis, condition, allergy, disability' },
  MEDICATION: { category: 'HEALTH', technique: 'shuffle', description: 'medication, prescription, treatment' },
  BLOOD_TYPE: { category: 'HEALTH', technique: 'shuffle', description: 'blood group' },
  VITAL_SIGN: { category: 'HEALTH', technique: 'shuffle', description: 'vitals and body measurements (blood pressure, pulse, weight…)' },
  HEALTH_RECORD: { category: 'HEALTH', technique: 'null', description: 'health data in a document (JSON, composite)' },
  PHOTO: { category: 'BIOMETRIC', technique: 'null', description: 'photo of a person' },
  BIOMETRIC: { category: 'BIOMETRIC', technique: 'null', description: 'fingerprint, face, iris, voice or DNA data' },
  IBAN: { category: 'FINANCIAL', technique: 'partial', description: 'IBAN' },
  BANK_ACCOUNT: { category: 'FINANCIAL', technique: 'partial', description: 'bank account or routing number' },
  CREDIT_CARD: { category: 'FINANCIAL', technique: 'partial', description: 'payment card number' },
  TAX_ID: { category: 'FINANCIAL', technique: 'hash', description: 'tax id or VAT number' },
  SALARY: { category: 'EMPLOYMENT', technique: 'generalize', description: 'salary, pay, wage or bonus amount' },
  PERFORMANCE_RATING: { category: 'EMPLOYMENT', technique: 'shuffle', description: 'performance rating or evaluation of a person' },
  PASSWORD: { category: 'CREDENTIALS', technique: 'null', description: 'password or password hash' },
  SECRET: { category: 'CREDENTIALS', technique: 'null', description: 'API key, access token, PIN or security answer' },
  USERNAME: { category: 'ONLINE_IDENTIFIER', technique: 'hash', description: 'user name or login' },
  IP_ADDRESS: { category: 'ONLINE_IDENTIFIER', technique: 'generalize', description: 'IP address' },
  FREE_TEXT_PERSONAL: {
    category: 'FREE_TEXT',
    technique: 'redact',
    description: 'free text written by or about people (notes, comments, messages, bios)',
  },
  NONE: { category: 'NONE', technique: 'keep', description: 'not personal data' },
} as const satisfies Record<string, TypeInfo>;

export type PiiType = keyof typeof TAXONOMY;
export const PII_TYPES = Object.keys(TAXONOMY) as PiiType[];

/** The category of a PII type (NONE for an unknown one, e.g. a type stored by an older version). */
export function categoryOf(piiType: string): PiiCategory {
  return (TAXONOMY as Record<string, TypeInfo>)[piiType]?.category ?? 'NONE';
}

/** Recommended transformer per PII type. */
export const TECHNIQUES = Object.fromEntries(PII_TYPES.map((t) => [t, TAXONOMY[t].technique])) as Record<PiiType, string>;

/**
 * The technique for a type on a column of a given type category: the default, except where the
 * default cannot apply to that storage (a redacted JSON document is no longer JSON; a shuffled or
 * generalized PostGIS point is meaningless) — those are nulled instead.
 */
export function techniqueFor(piiType: PiiType, category: TypeCategory): string {
  const technique = TECHNIQUES[piiType];
  // A hashed, faked or redacted document is no longer JSON.
  if (category === 'json') return technique === 'keep' ? 'keep' : 'null';
  if (category === 'geo' || category === 'other' || category === 'array') return technique === 'keep' ? 'keep' : 'null';
  // A composite value moves whole (shuffle) or goes (null): a faked or hashed record is no longer one.
  if (category === 'composite') return technique === 'keep' || technique === 'shuffle' ? technique : 'null';
  return technique;
}

/** The PII types of a category. */
export const typesOf = (category: PiiCategory): PiiType[] => PII_TYPES.filter((t) => TAXONOMY[t].category === category);
