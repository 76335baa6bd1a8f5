/**
 * Field naming and typing shared by every test-case format: how a label (`First name *`), an
 * identifier (`signup-first-name`, `com.app:id/zipCodeET`, `user[email]`) or a CSS/XPath selector
 * becomes a snake_case field name, and which semantic type a field has from its name and its
 * example values.
 */
import type { FieldType } from './types.ts';

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
const NOISE_PREFIX = new Set([
  'action',
  'signup',
  'signin',
  'login',
  'register',
  'registration',
  'form',
  'input',
  'txt',
  'fld',
  'inp',
  'field',
  'label',
  'lbl',
]);
const NOISE_SUFFIX = new Set([
  'input',
  'field',
  'textbox',
  'txt',
  'box',
  'et',
  'edit',
  'tv',
  'fld',
  'text',
  'radio',
  'button',
  'dropdown',
  'checkbox',
  'picker',
]);
// Rails-style ids name the record first (`user_email`, `profile_first_name`); the record is context,
// not part of the field — unless what remains is too vague on its own (`user_name`, `customer_id`).
const RECORD_PREFIX = new Set(['user', 'profile', 'customer', 'member']);
const VAGUE_REST = new Set(['name', 'id', 'type', 'group', 'data', 'info']);

/** A field name from an identifier (id, name, test id): noise tokens of the form or widget removed. */
export function fieldNameFromIdentifier(identifier: string): string {
  const tail = identifier.includes('/') ? identifier.slice(identifier.lastIndexOf('/') + 1) : identifier;
  const bracket = /\[([^[\]]+)\]\s*$/.exec(tail);
  const parts = snakeCase(bracket?.[1] ?? tail)
    .split('_')
    .filter(Boolean);
  while (parts.length > 1 && NOISE_PREFIX.has(parts[0] as string)) parts.shift();
  while (parts.length > 1 && NOISE_SUFFIX.has(parts[parts.length - 1] as string)) parts.pop();
  if (parts.length > 1 && RECORD_PREFIX.has(parts[0] as string) && !(parts.length === 2 && VAGUE_REST.has(parts[1] as string))) parts.shift();
  return parts.join('_');
}

/** A field name from a CSS selector or XPath: the most specific attribute, id or class. */
export function fieldNameFromSelector(selector: string): string {
  const s = selector.trim();
  const xpathAttr = [...s.matchAll(/@(?:name|id|placeholder|data-[\w-]+|aria-label|resource-id|content-desc|[\w-]+-name)\s*=\s*["']([^"']+)["']/g)].pop();
  if (xpathAttr) return fieldNameFromIdentifier(xpathAttr[1] as string);
  const attr = [
    ...s.matchAll(/\[\s*(?:data-[\w-]+|name|id|placeholder|aria-label|for|formcontrolname|ng-model)\s*[~|^$*]?=\s*["']?([^"'\]]+)["']?\s*\]/g),
  ].pop();
  if (attr) return fieldNameFromIdentifier(attr[1] as string);
  // Split at combinators outside brackets and quotes: `[class*='input-text qty text']` is one segment.
  const segments = s
    .replace(/\[[^\]]*\]/g, (m) => m.replace(/\s/g, '\u0000'))
    .split(/\s*[\s>+~]\s*/)
    .filter(Boolean)
    .map((seg) => seg.split('\u0000').join(' '));
  // `#username input`: a bare tag names nothing; the segment before it does.
  if (segments.length > 1 && /^(?:input|select|textarea|span|div|label|button)$/i.test(segments[segments.length - 1] as string)) segments.pop();
  const last = segments.pop() ?? s;
  const id = /#([\w-]+)/.exec(last);
  if (id) return fieldNameFromIdentifier(id[1] as string);
  // `.input-text.qty`, `[class*='input-text qty text']`, `//input[@class='form-control qty']`: the
  // last class that is not the widget's styling names the field.
  const classes = [
    ...[...last.replace(/\[[^\]]*\]/g, ' ').matchAll(/\.([\w-]+)/g)].map((m) => m[1] as string),
    ...[...s.matchAll(/@?class\s*[~|^$*]?=\s*["']([^"']+)["']/g)].flatMap((m) => (m[1] as string).split(/\s+/)),
  ];
  const named = classes.map(fieldNameFromIdentifier).filter((n) => n && !GENERIC_FIELD_NAMES.has(n));
  if (named.length) return named[named.length - 1] as string;
  // `input[type='email']`, `//input[@type='password']`: the input's type is all that names it.
  const type = /@?type\s*=\s*["']?([\w-]+)/.exec(s);
  if (type && !/^(?:submit|button|reset|image|hidden)$/i.test(type[1] as string)) return fieldNameFromIdentifier(type[1] as string);
  if (classes.length) return fieldNameFromIdentifier(classes[classes.length - 1] as string);
  return fieldNameFromIdentifier(last.replace(/\[[^\]]*\]/g, ' ').replace(/[^\w-]/g, ' '));
}

/** A field name from a visible label (`First name *`, `the "Email" field`, `user[email]`). */
export function fieldNameFromLabel(label: string): { name: string; required: boolean } {
  let s = label.trim().replace(/^"(.*)"$/, '$1');
  const required = /\*\s*:?\s*$/.test(s);
  s = s.replace(/[\s*:]+$/, '').trim();
  if (/^[\w-]+(?:\[[\w-]*\])+$/.test(s)) return { name: fieldNameFromIdentifier(s.replace(/\[\]$/, '')), required };
  if (/^[#.[]|^\/\/|[>[\]=]/.test(s) && !/\s\w+\s/.test(s)) return { name: fieldNameFromSelector(s), required };
  s = s
    .replace(/^(?:the|your|my|a|an|their|his|her|its|this|new)\s+/i, '')
    .replace(/\s+(?:field|input|box|textbox|text field|checkbox|dropdown|select)$/i, '')
    .replace(/\s*\((?:optional|predefined|required)\)$/i, '')
    .replace(/\//g, ' or ');
  return { name: /\s/.test(s) ? snakeCase(s) : fieldNameFromIdentifier(s), required };
}

/** Names too vague to be a field on their own (`input`, `form`, `text`): the caller looks further. */
export const GENERIC_FIELD_NAMES: ReadonlySet<string> = new Set([
  '',
  'input',
  'textarea',
  'select',
  'field',
  'text',
  'form',
  'value',
  'submit',
  'button',
  'checkbox',
  'radio',
]);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_RE = /^(?:https?:\/\/|www\.)\S+$/i;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const TIME = /^(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s?[ap]m)?$/i;
const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const DATES = [
  /^\d{4}-\d{2}-\d{2}$/,
  /^\d{4}\/\d{2}\/\d{2}$/,
  /^\d{1,2}[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})$/,
  new RegExp(`^(?:${MONTHS})[a-z]*\\.? \\d{1,2},? \\d{4}$`, 'i'),
  new RegExp(`^\\d{1,2} (?:${MONTHS})[a-z]*\\.? \\d{4}$`, 'i'),
];
const BOOLEAN = /^(?:true|false|yes|no|on|off|checked|unchecked|enabled|disabled)$/i;
const INTEGER = /^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)$/;
const DECIMAL = /^[+-]?[$€£]?(?:\d+|\d{1,3}(?:,\d{3})+)\.\d+$/;
// International (`+44 20 7946 0958`), bracketed area code, or the 3-3-4 North American layout.
const PHONE = /^(?:\+\d[\d\s().-]{6,19}|\(\d{2,5}\)[\d\s.-]{5,15}|\d{3}[\s.-]\d{3}[\s.-]\d{4})$/;
// `$12.50`, `12,50 €`, `EUR 1.200,00`, `1,299.99 USD`: an amount of money.
const MONEY = /^(?:[$€£¥]|(?:EUR|USD|GBP|CHF|JPY)\s)\s?\d[\d,.\s]*$|^\d[\d,.\s]*\s?(?:[$€£¥]|EUR|USD|GBP|CHF|JPY)$/i;
const CARD = /^(?:\d{4}[\s-]?){3}\d{1,7}$/;
// Digits that identify rather than count: `account_number`, `zip`, `cvv`, `sku`.
const IDENTIFIER_NAME = /\b(?:number|no|code|id|cvv|cvc|pin|sku|ssn|iban|bic|swift|routing|reference|ref)\s$/;

/** The field type from its name first, then from its example values. */
export function inferFieldType(name: string, values: readonly string[]): FieldType {
  const n = ` ${name.replace(/_/g, ' ')} `;
  const vals = values.map((v) => v.trim()).filter(Boolean);
  const all = (re: RegExp) => vals.length > 0 && vals.every((v) => re.test(v));
  if (/\bemails?\b|\bmail\b/.test(n) && (vals.length === 0 || vals.some((v) => v.includes('@')))) return 'email';
  if (/\bpassword\b|\bpasswd\b|\bpwd\b|\bpass\b|\bsecret\b/.test(n)) return 'password';
  if (/\bphone\b|\bmobile\b|\btel\b|\btelephone\b|\bfax\b|\bcell\b/.test(n)) return 'phone';
  if (/\bpost ?code\b|\bpostal code\b|\bzip\b|\bzip ?code\b|\bpostcode\b|\bpostal\b/.test(n)) return 'postal_code';
  if (/\bcard number\b|\bcredit card\b|\bcc number\b|\bcard no\b|\bpan\b/.test(n)) return 'credit_card';
  if (/\burl\b|\bwebsite\b|\bhomepage\b|\blinks?\b|\buri\b|\bweb site\b/.test(n)) return 'url';
  if (/\b(?:year|month|day|age|quantity|qty|count|number of|seats|rooms|guests|items)\s$/.test(n) && (!vals.length || all(INTEGER))) return 'integer';
  if (/\b(?:amount|price|cost|balance|salary|weight|height|total|fee|rate|discount)\s$/.test(n)) return vals.length && all(INTEGER) ? 'integer' : 'decimal';
  if (/\bexpir\w*|\bexpiration\b/.test(n) && all(/^\d{1,2}\s?\/\s?\d{2,4}$/)) return 'string';
  if (/\bdate\b|\bbirthday\b|\bdob\b|\bbirth\b|\bexpiry\b|\bexpiration\b/.test(n) || / (?:at|on)\s$/.test(n)) {
    return (vals.length > 0 && vals.every((v) => DATETIME.test(v))) || / at\s$/.test(n) ? 'datetime' : 'date';
  }
  if (/^\s(?:is|has|can|accept|accepts|agree|agrees|remember|subscribe|subscribed|newsletter|enabled|active|terms|primary|default)\b/.test(n)) return 'boolean';
  if (all(EMAIL)) return 'email';
  if (all(URL_RE)) return 'url';
  if (all(DATETIME)) return 'datetime';
  if (vals.length && vals.every((v) => DATES.some((d) => d.test(v)))) return 'date';
  if (all(TIME)) return 'time';
  if (all(BOOLEAN)) return 'boolean';
  if (/\b(?:bio|biography|description|body|comment|comments|message|notes?|about|summary|content|remarks)\s$/.test(n)) return 'text';
  if (IDENTIFIER_NAME.test(n)) return 'string';
  // Leading zeros (account numbers, codes) are identifiers, not quantities.
  if (all(INTEGER) && !vals.some((v) => /^0\d/.test(v))) return 'integer';
  if (all(DECIMAL) || all(MONEY)) return 'decimal';
  if (all(CARD) && vals.every((v) => v.replace(/\D/g, '').length >= 13)) return 'credit_card';
  if (all(PHONE) && vals.every((v) => (v.match(/\d/g)?.length ?? 0) >= 7)) return 'phone';
  if (vals.some((v) => v.length > 80 || v.includes('\n'))) return 'text';
  return 'string';
}
