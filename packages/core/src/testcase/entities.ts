/**
 * Which record a field belongs to and how sightings of fields merge into entities. The entity comes
 * from the field's own name where it is telling (`city` → address, `card_number` → payment), else
 * from the nearest context that names one (the label, the step, the scenario, the feature, the test
 * titles): registration/sign up → user (customer when the text says customer), address, checkout →
 * order, payment, product. The collector keeps fields in order of first appearance, their example
 * values, and the values seen together (one scenario, one Examples row, one test) as example rows.
 */
import { constraintsFromValues } from './constraints.ts';
import { inferFieldType } from './fields.ts';
import type { FieldType, TestCaseEntity } from './types.ts';

const ACCOUNT = 'account';

// Checked in this order; the first rule matching the first context that matches anything wins.
const ENTITY_RULES: readonly [RegExp, string][] = [
  [/\baddress(?:es)?\b|\bstreet\b|\bcity\b|\bpost ?code\b|\bpostal code\b|\bzip\b|\bshipping\b|\bbilling\b|\baddress book\b/, 'address'],
  [/\bbank ?accounts?\b|\baccount number\b|\brouting\b|\bbank name\b/, 'bank_account'],
  [/\bpayments?\b|\bcards?\b|\bcredit\b|\bcvv\b|\bcvc\b|\biban\b|\bbank\b/, 'payment'],
  [/\bcheckout\b|\bcheck out\b|\borders?\b|\bcart\b|\bpurchases?\b|\bline items?\b/, 'order'],
  [/\bproducts?\b|\bcatalog\w*|\bsku\b|\binventory\b|\bvariants?\b/, 'product'],
  [/\bcustomers?\b/, 'customer'],
  [
    /\bregist\w*|\bsign ?up\b|\baccounts?\b|\bprofiles?\b|\busers?\b|\busername\b|\bemail\b|\blog ?in\b|\bsign ?in\b|\bpassword\b|\bauth\w*|\bcredentials?\b|\bsettings\b|\binvit\w*/,
    ACCOUNT,
  ],
];

// Field names that say which record they belong to, whatever the page.
const FIELD_RULES: readonly [RegExp, string][] = [
  [
    /^(?:street\w*|address(?:_?line)?_?\d?|city|town|locality|thoroughfare|post_?code|postal_code|zip(?:_code)?|country(?:_code)?|province|state|region|county)$/,
    'address',
  ],
  [/^(?:bank_name|account_number|routing_number|bank_account\w*)$/, 'bank_account'],
  [/^(?:card_\w+|credit_card\w*|cvv|cvc|security_code|expir\w+|iban|bic|swift|name_on_card|card_holder\w*)$/, 'payment'],
  [/^(?:coupon\w*|promo_?code|discount_code|voucher\w*|quantity|qty)$/, 'order'],
  [/^(?:email(?:_address)?|password|confirm_?password|password_confirmation|username|user_name|login)$/, ACCOUNT],
];

function contextWords(text: string): string {
  return ` ${text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\be-?mail address(es)?\b/g, 'email')
    .replace(/[^a-z0-9]+/g, ' ')} `;
}

/** A user or, when any context says customer, a customer. */
function account(contexts: readonly (string | undefined)[]): string {
  return contexts.some((c) => c && /\bcustomers?\b/.test(contextWords(c))) ? 'customer' : 'user';
}

/**
 * The entity the first informative context names (register/sign up → user, address, order, payment).
 * `wider` is the text that decides between user and customer when a context names an account.
 */
export function entityFromContext(contexts: readonly (string | undefined)[], wider: readonly (string | undefined)[] = []): string | undefined {
  for (const context of contexts) {
    if (!context) continue;
    const words = contextWords(context);
    for (const [pattern, entity] of ENTITY_RULES) if (pattern.test(words)) return entity === ACCOUNT ? account([...contexts, ...wider]) : entity;
  }
  return undefined;
}

/** The entity a field name alone implies (`city` → address), `undefined` for names any record may have. */
export function entityFromFieldName(name: string, contexts: readonly (string | undefined)[]): string | undefined {
  for (const [pattern, entity] of FIELD_RULES) if (pattern.test(name)) return entity === ACCOUNT ? account(contexts) : entity;
  return undefined;
}

const MAX_EXAMPLES = 20;
const MAX_ROWS = 50;

interface FieldAccumulator {
  name: string;
  line: number;
  values: string[];
  choices: string[];
  constraints: Set<string>;
  typeHint?: FieldType;
  sightings: number;
  /** Values seen, repeats included: few distinct values seen many times are a choice. */
  occurrences: number;
}

/** One sighting of a field: where, in which entity, with which value or constraints. */
export interface FieldObservation {
  entity: string;
  name: string;
  line: number;
  value?: string;
  constraints?: readonly string[];
  typeHint?: FieldType;
  /** Values seen with the same row key become one example row of the entity. */
  row?: string;
  /** The value was chosen from a list (a select, a radio group): it is one of the field's choices. */
  choice?: boolean;
}

/** Merges field observations into entities in order of first appearance; types are inferred at the end. */
export class EntityCollector {
  private readonly entities = new Map<string, Map<string, FieldAccumulator>>();
  private readonly rows = new Map<string, Map<string, Record<string, string>>>();

  add(o: FieldObservation): void {
    if (!o.name || !o.entity) return;
    const fields = this.entities.get(o.entity) ?? new Map<string, FieldAccumulator>();
    this.entities.set(o.entity, fields);
    const field = fields.get(o.name) ?? { name: o.name, line: o.line, values: [], choices: [], constraints: new Set<string>(), sightings: 0, occurrences: 0 };
    fields.set(o.name, field);
    field.sightings++;
    const value = o.value?.trim();
    if (value) field.occurrences++;
    if (value && !field.values.includes(value) && field.values.length < MAX_EXAMPLES) field.values.push(value);
    if (value && o.choice && !field.choices.includes(value)) field.choices.push(value);
    for (const c of o.constraints ?? []) field.constraints.add(c);
    if (o.typeHint && !field.typeHint) field.typeHint = o.typeHint;
    if (value && o.row !== undefined) {
      const rows = this.rows.get(o.entity) ?? new Map<string, Record<string, string>>();
      this.rows.set(o.entity, rows);
      const row = rows.get(o.row) ?? {};
      rows.set(o.row, row);
      row[o.name] = value;
    }
  }

  /** The entity a field name already belongs to, if any (constraints attach to existing fields). */
  entityOf(name: string, preferred: string): string | undefined {
    if (this.entities.get(preferred)?.has(name)) return preferred;
    for (const [entity, fields] of this.entities) if (fields.has(name)) return entity;
    return undefined;
  }

  /** Adds constraints to a field seen before; `false` when no entity has it. */
  constrain(name: string, preferred: string, constraints: readonly string[]): boolean {
    const entity = this.entityOf(name, preferred);
    const field = entity ? this.entities.get(entity)?.get(name) : undefined;
    if (!field) return false;
    for (const c of constraints) field.constraints.add(c);
    return true;
  }

  /**
   * Fields that fell back to a catch-all entity join the one other entity they were seen with in the
   * same rows (`I enter "first name" as "Jo"` next to `I enter "email" as "jo@x.io"`: both the user's).
   */
  mergeFallback(fallback: string): void {
    const fields = this.entities.get(fallback);
    if (!fields) return;
    const rows = this.rows.get(fallback) ?? new Map<string, Record<string, string>>();
    const partners = [...this.entities.keys()].filter((e) => e !== fallback && [...rows.keys()].some((k) => this.rows.get(e)?.has(k)));
    const others = [...this.entities.keys()].filter((e) => e !== fallback);
    const target = partners.length === 1 ? partners[0] : others.length === 1 ? others[0] : undefined;
    if (!target) return;
    const into = this.entities.get(target) as Map<string, FieldAccumulator>;
    for (const [name, f] of fields) {
      const existing = into.get(name);
      if (!existing) into.set(name, f);
      else {
        for (const v of f.values) if (!existing.values.includes(v) && existing.values.length < MAX_EXAMPLES) existing.values.push(v);
        for (const c of f.constraints) existing.constraints.add(c);
        existing.sightings += f.sightings;
        existing.line = Math.min(existing.line, f.line);
      }
    }
    const targetRows = this.rows.get(target) ?? new Map<string, Record<string, string>>();
    this.rows.set(target, targetRows);
    for (const [key, row] of rows) targetRows.set(key, { ...(targetRows.get(key) ?? {}), ...row });
    this.entities.delete(fallback);
    this.rows.delete(fallback);
  }

  result(): TestCaseEntity[] {
    return [...this.entities].map(([name, fields]) => {
      const seen = new Set<string>();
      const exampleRows: Record<string, string>[] = [];
      for (const row of this.rows.get(name)?.values() ?? []) {
        const key = JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)));
        if (seen.has(key) || exampleRows.length >= MAX_ROWS) continue;
        seen.add(key);
        exampleRows.push(row);
      }
      return {
        name,
        fields: [...fields.values()].map((f) => {
          const inferred = f.typeHint ?? inferFieldType(f.name, f.values);
          // Every value picked from a list and nothing more specific known: a choice.
          const type =
            inferred === 'string' && ((f.choices.length > 0 && f.choices.length === f.values.length) || repeatedChoice(f.values, f.occurrences))
              ? 'enum'
              : inferred;
          const stated = [...f.constraints];
          const implied = constraintsFromValues(type, f.values, type === 'enum' && !f.choices.length ? f.values : f.choices).filter(
            (c) => !stated.some((s) => s.split(':')[0] === c.split(':')[0]),
          );
          const confidence = fieldConfidence(type, f.values.length > 0, f.sightings, stated.length > 0);
          return { name: f.name, type, constraints: [...stated, ...implied], exampleValues: f.values, source: { line: f.line }, confidence };
        }),
        exampleRows,
      };
    });
  }
}

/**
 * How sure the analysis is of a field: a field seen with a value is a field the test fills in; a
 * specific type, a stated rule and a second sighting each add to it. A name alone (a checkbox, a
 * field left empty) is the weakest evidence.
 */
function fieldConfidence(type: FieldType, hasValue: boolean, sightings: number, stated: boolean): number {
  let c = hasValue ? 0.7 : 0.5;
  if (type !== 'string') c += 0.1;
  if (stated) c += 0.1;
  if (sightings > 1) c += 0.1;
  return Math.min(1, Math.round(c * 100) / 100);
}

/** A few short words, each seen several times (`Male`, `Female`, `Male` …): values picked from a list. */
function repeatedChoice(values: readonly string[], occurrences: number): boolean {
  return values.length >= 2 && values.length <= 6 && occurrences >= 2 * values.length && values.every((v) => v.length <= 24 && !/\d/.test(v));
}
