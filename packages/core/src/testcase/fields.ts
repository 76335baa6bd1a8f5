import type { FieldType, TestCaseEntity } from './types.ts';

/** `First name`, `firstName`, `first-name`, `E-mail` → `first_name`, …, `email`. */
export function snakeCase(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\be-mail\b/gi, 'email')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64)
    .replace(/_+$/, '');
}

// Words that name the form or the widget rather than the datum (`signup-first-name`, `emailInput`).
const NOISE_PREFIX = new Set(['action', 'signup', 'signin', 'login', 'register', 'registration', 'form', 'input', 'txt', 'fld', 'inp']);
const NOISE_SUFFIX = new Set(['input', 'field', 'textbox', 'txt', 'box', 'et', 'edit', 'tv', 'fld']);

/** A field name from an identifier (id, name, test id): noise tokens of the form or widget removed. */
export function fieldNameFromIdentifier(identifier: string): string {
  const tail = identifier.includes('/') ? identifier.slice(identifier.lastIndexOf('/') + 1) : identifier;
  const bracket = /\[([^[\]]+)\]\s*$/.exec(tail);
  const parts = snakeCase(bracket?.[1] ?? tail)
    .split('_')
    .filter(Boolean);
  while (parts.length > 1 && NOISE_PREFIX.has(parts[0] as string)) parts.shift();
  while (parts.length > 1 && NOISE_SUFFIX.has(parts[parts.length - 1] as string)) parts.pop();
  return parts.join('_');
}

/** A field name from a CSS selector or XPath: the most specific attribute, id or class. */
export function fieldNameFromSelector(selector: string): string {
  const s = selector.trim();
  const xpathAttr = [...s.matchAll(/@(?:name|id|placeholder|data-[\w-]+|aria-label)\s*=\s*["']([^"']+)["']/g)].pop();
  if (xpathAttr) return fieldNameFromIdentifier(xpathAttr[1] as string);
  const attr = [...s.matchAll(/\[\s*(?:data-[\w-]+|name|id|placeholder|aria-label|for|formcontrolname)\s*[~|^$*]?=\s*["']?([^"'\]]+)["']?\s*\]/g)].pop();
  if (attr) return fieldNameFromIdentifier(attr[1] as string);
  const last =
    s
      .split(/\s*[\s>+~]\s*/)
      .filter(Boolean)
      .pop() ?? s;
  const id = /#([\w-]+)/.exec(last);
  if (id) return fieldNameFromIdentifier(id[1] as string);
  const cls = [...last.matchAll(/\.([\w-]+)/g)].pop();
  if (cls) return fieldNameFromIdentifier(cls[1] as string);
  return fieldNameFromIdentifier(last.replace(/[^\w-]/g, ' '));
}

/** A field name from a visible label (`First name *`, `the "Email" field`, `user[email]`). */
export function fieldNameFromLabel(label: string): { name: string; required: boolean } {
  let s = label.trim();
  const required = /\*\s*:?\s*$/.test(s);
  s = s.replace(/[\s*:]+$/, '').trim();
  if (/^[\w-]+(?:\[[\w-]*\])+$/.test(s)) return { name: fieldNameFromIdentifier(s.replace(/\[\]$/, '')), required };
  if (/^[#.[]|^\/\/|[>[\]=]/.test(s) && !/\s\w+\s/.test(s)) return { name: fieldNameFromSelector(s), required };
  s = s.replace(/^(?:the|your|my|a|an|their|his|her|its)\s+/i, '').replace(/\s+(?:field|input|box|textbox|text field|checkbox)$/i, '');
  return { name: /\s/.test(s) ? snakeCase(s) : fieldNameFromIdentifier(s), required };
}

// Checked in this order; the first rule matching the first context that matches anything wins.
const ENTITY_RULES: readonly [RegExp, string][] = [
  [/\baddress(?:es)?\b|\bstreet\b|\bcity\b|\bpost ?code\b|\bpostal code\b|\bzip\b|\bshipping\b|\bbilling\b/, 'address'],
  [/\bpayments?\b|\bcards?\b|\bcredit\b|\bcvv\b|\bcvc\b|\biban\b|\bbank\b|\baccount number\b|\brouting\b/, 'payment'],
  [/\bcheckout\b|\bcheck out\b|\borders?\b|\bcart\b|\bpurchases?\b/, 'order'],
  [
    /\bregist\w*|\bsign ?up\b|\baccounts?\b|\bcustomers?\b|\bprofiles?\b|\busers?\b|\busername\b|\bemail\b|\blog ?in\b|\bsign ?in\b|\bpassword\b|\bauth\w*|\bcredentials?\b/,
    'user',
  ],
];

function contextWords(text: string): string {
  return ` ${text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\be-?mail address(es)?\b/g, 'email')
    .replace(/[^a-z0-9]+/g, ' ')} `;
}

/** The entity the first informative context names (register/sign up → user, address, order, payment). */
export function entityFromContext(contexts: readonly (string | undefined)[]): string | undefined {
  for (const context of contexts) {
    if (!context) continue;
    const words = contextWords(context);
    for (const [pattern, entity] of ENTITY_RULES) if (pattern.test(words)) return entity;
  }
  return undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_RE = /^https?:\/\/\S+$/i;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const DATES = [
  /^\d{4}-\d{2}-\d{2}$/,
  /^\d{4}\/\d{2}\/\d{2}$/,
  /^\d{1,2}[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})$/,
  new RegExp(`^(?:${MONTHS})[a-z]*\\.? \\d{1,2},? \\d{4}$`, 'i'),
  new RegExp(`^\\d{1,2} (?:${MONTHS})[a-z]*\\.? \\d{4}$`, 'i'),
];
const BOOLEAN = /^(?:true|false|yes|no|on|off|checked|unchecked|enabled|disabled)$/i;
const NUMBER = /^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$/;
// International (`+44 20 7946 0958`), bracketed area code, or the 3-3-4 North American layout.
const PHONE = /^(?:\+\d[\d\s().-]{6,19}|\(\d{2,5}\)[\d\s.-]{5,15}|\d{3}[\s.-]\d{3}[\s.-]\d{4})$/;

/** The field type from its name first, then from its example values. */
export function inferFieldType(name: string, values: readonly string[]): FieldType {
  const n = ` ${name.replace(/_/g, ' ')} `;
  const vals = values.map((v) => v.trim()).filter(Boolean);
  const all = (re: RegExp) => vals.length > 0 && vals.every((v) => re.test(v));
  if (/\bemail\b|\bmail\b/.test(n)) return 'email';
  if (/\bpassword\b|\bpasswd\b|\bpwd\b|\bpass\b|\bpin\b|\bsecret\b/.test(n)) return 'password';
  if (/\bphone\b|\bmobile\b|\btel\b|\btelephone\b|\bfax\b|\bcell\b/.test(n)) return 'phone';
  if (/\bpost ?code\b|\bpostal code\b|\bzip\b|\bzip ?code\b|\bpostcode\b/.test(n)) return 'postal_code';
  if (/\bcard number\b|\bcredit card\b|\bcc number\b|\bcard no\b/.test(n)) return 'credit_card';
  if (/\burl\b|\bwebsite\b|\bhomepage\b|\blink\b|\buri\b/.test(n)) return 'url';
  if (/\b(?:year|month|day|age|amount|price|quantity|qty|count|total|cost|balance|salary|weight|height|number of)\s$/.test(n)) return 'number';
  if (/\bdate\b|\bbirthday\b|\bdob\b|\bbirth\b|\bexpiry\b|\bexpiration\b/.test(n) || / (?:at|on)\s$/.test(n)) {
    return (vals.length > 0 && vals.every((v) => DATETIME.test(v))) || / at\s$/.test(n) ? 'datetime' : 'date';
  }
  if (/^\s(?:is|has|can|accept|accepts|agree|agrees|remember|subscribe|subscribed|newsletter|enabled|active|terms)\b/.test(n)) return 'boolean';
  if (all(EMAIL)) return 'email';
  if (all(URL_RE)) return 'url';
  if (all(DATETIME)) return 'datetime';
  if (vals.length && vals.every((v) => DATES.some((d) => d.test(v)))) return 'date';
  if (all(BOOLEAN)) return 'boolean';
  // Leading zeros (account numbers, codes) are identifiers, not quantities.
  if (all(NUMBER) && !vals.some((v) => /^0\d/.test(v))) return 'number';
  if (all(PHONE) && vals.every((v) => (v.match(/\d/g)?.length ?? 0) >= 7)) return 'phone';
  return 'string';
}

const MAX_EXAMPLES = 20;

interface FieldAccumulator {
  name: string;
  line: number;
  values: string[];
  constraints: Set<string>;
  typeHint?: FieldType;
}

/** One sighting of a field: where, in which entity, with which value or constraints. */
export interface FieldObservation {
  entity: string;
  name: string;
  line: number;
  value?: string;
  constraints?: readonly string[];
  typeHint?: FieldType;
}

/** Merges field observations into entities in order of first appearance; types are inferred at the end. */
export class EntityCollector {
  private readonly entities = new Map<string, Map<string, FieldAccumulator>>();

  add(o: FieldObservation): void {
    if (!o.name || !o.entity) return;
    const fields = this.entities.get(o.entity) ?? new Map<string, FieldAccumulator>();
    this.entities.set(o.entity, fields);
    const field = fields.get(o.name) ?? { name: o.name, line: o.line, values: [], constraints: new Set<string>() };
    fields.set(o.name, field);
    const value = o.value?.trim();
    if (value && !field.values.includes(value) && field.values.length < MAX_EXAMPLES) field.values.push(value);
    for (const c of o.constraints ?? []) field.constraints.add(c);
    if (o.typeHint && !field.typeHint) field.typeHint = o.typeHint;
  }

  /** The entity a field name already belongs to, if any (constraints attach to existing fields). */
  entityOf(name: string, preferred: string): string | undefined {
    if (this.entities.get(preferred)?.has(name)) return preferred;
    for (const [entity, fields] of this.entities) if (fields.has(name)) return entity;
    return undefined;
  }

  result(): TestCaseEntity[] {
    return [...this.entities].map(([name, fields]) => ({
      name,
      fields: [...fields.values()].map((f) => ({
        name: f.name,
        type: f.typeHint ?? inferFieldType(f.name, f.values),
        constraints: [...f.constraints],
        exampleValues: f.values,
        source: { line: f.line },
      })),
    }));
  }
}
