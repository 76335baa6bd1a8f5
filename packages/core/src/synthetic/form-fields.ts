/**
 * URL mode's shared view of a form control: its constraints under a controlling value's changes,
 * its numeric domain, its semantic kind (autocomplete, type, name), and the text forms of its values.
 * Used by the table planner (forms.ts) and the value generators (form-values.ts).
 */
import { parseHtmlNumber } from '../crawl/html-values.ts';
import type { CrawledField, CrawledFieldChanges } from '../crawl/types.ts';
import type { FormTable } from './forms.ts';
import { kindFitsType, type SemanticKind, semanticKindFor } from './semantic.ts';

export const NULL_RATE = 0.1;

export const DAY_MS = 86_400_000;

export type ValueFn = (row: number) => string | null;

export const REMOVED = Symbol('removed');

export type VariantField = CrawledField & { [REMOVED]?: true };

export const isRemoved = (field: VariantField) => field[REMOVED] === true;

/** The control's field as loaded overlaid with `changes` (a removed control keeps its loaded constraints). */
export function applyChanges(field: CrawledField, changes: CrawledFieldChanges[]): VariantField {
  let out: VariantField = field;
  for (const { removed, ...rest } of changes) {
    out = { ...out, ...rest };
    if (removed) out[REMOVED] = true;
  }
  return out;
}

export function textArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

export function describeForm(plan: FormTable): string {
  if (plan.form.implicit) return '(controls outside any form)';
  return plan.form.name ?? (plan.form.id ? `#${plan.form.id}` : `#${plan.formIndex + 1}`);
}

export interface NumberDomain {
  min: number | null;
  max: number | null;
  /** Null for step="any". */
  step: number | null;
  base: number;
  integer: boolean;
}

export function numberDomain(field: CrawledField): NumberDomain {
  let min = parseHtmlNumber(field.min);
  let max = parseHtmlNumber(field.max);
  if (field.type === 'range') {
    min ??= 0;
    max ??= 100;
    if (max < min) max = min;
  }
  const stepText = field.step?.trim().toLowerCase() ?? null;
  const parsedStep = parseHtmlNumber(stepText);
  const step = stepText === 'any' ? null : parsedStep !== null && parsedStep > 0 ? parsedStep : 1;
  const base = min ?? parseHtmlNumber(field.value) ?? 0;
  const integer = step !== null && Number.isInteger(step) && Number.isInteger(base) && Math.abs(min ?? 0) < 2 ** 31 && Math.abs(max ?? 0) < 2 ** 31;
  return { min, max, step, base, integer };
}

export const AUTOCOMPLETE: Record<string, SemanticKind> = {
  name: 'fullName',
  'given-name': 'firstName',
  'additional-name': 'firstName',
  'family-name': 'lastName',
  nickname: 'username',
  username: 'username',
  'new-password': 'password',
  'current-password': 'password',
  email: 'email',
  tel: 'phone',
  'tel-national': 'phone',
  'street-address': 'streetAddress',
  'address-line1': 'streetAddress',
  'address-line2': 'secondaryAddress',
  'address-line3': 'secondaryAddress',
  'address-level1': 'state',
  'address-level2': 'city',
  country: 'countryCode',
  'country-name': 'country',
  'postal-code': 'postalCode',
  organization: 'company',
  'organization-title': 'jobTitle',
  'cc-number': 'creditCard',
  'cc-name': 'fullName',
  'transaction-currency': 'currencyCode',
  'transaction-amount': 'amount',
  bday: 'dateOfBirth',
  sex: 'gender',
  url: 'url',
};

export const BY_TYPE: Partial<Record<string, SemanticKind>> = { email: 'email', url: 'url', tel: 'phone', password: 'password' };

/** The semantic kind that makes a control's values realistic, when anything says what it holds. */
export function kindFor(field: CrawledField, table: string, pgType: string): SemanticKind | null {
  const forced = BY_TYPE[field.type];
  if (forced) return forced;
  const fits = (kind: SemanticKind | null | undefined): kind is SemanticKind => {
    if (!kind) return false;
    if (field.type === 'number' || field.type === 'range') return kindFitsType(kind, pgType);
    if (field.type === 'date') return kindFitsType(kind, 'date');
    return kind !== 'boolean' && kindFitsType(kind, 'text');
  };
  for (const token of (field.autocomplete ?? '').split(/\s+/).reverse()) {
    const kind = AUTOCOMPLETE[token];
    if (fits(kind)) return kind;
  }
  for (const hint of [field.label, field.name, field.id, field.placeholder]) {
    if (!hint) continue;
    const kind = semanticKindFor({ name: hint, table });
    if (fits(kind)) return kind;
  }
  if (field.type === 'textarea') return 'description';
  if (field.type === 'date') return 'pastDate';
  if (field.type === 'text' || field.type === 'search') return 'word';
  return null;
}
