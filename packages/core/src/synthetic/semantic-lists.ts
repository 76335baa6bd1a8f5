/**
 * The word lists semantic values are picked from: Faker's English locale definitions read once
 * (with small fallbacks when a list is missing), and our own fixed lists and alphabets.
 */
import { englishFaker } from './faker-en.ts';

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
export const list = (name: keyof typeof FALLBACK): readonly string[] => (LISTS[name].length ? LISTS[name] : FALLBACK[name]);
export const FIRST = list('firstNames');
export const LAST = list('lastNames');
export const STATUSES = ['active', 'pending', 'inactive', 'suspended'];
export const STATUS_WEIGHTS = [70, 15, 10, 5];
export const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];
export const GENDERS = ['female', 'male', 'non-binary'];
export const GENDER_WEIGHTS = [49, 49, 2];
export const HEX = '0123456789abcdef';
export const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export const ascii = (s: string) =>
  s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
