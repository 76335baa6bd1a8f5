/**
 * What one Gherkin step says about the form it fills in. The phrasings of well-known step libraries
 * come first — Mink (`I fill in "Email" with "x"`), Sylius (`I specify the first name as "x"`, six
 * values of an address), record steps (`the store has customer "x" with email "y"`) — then the
 * general step grammar (step-grammar.ts) reads any other phrasing. Validation messages in steps
 * become constraints of the field they name.
 */
import { constraintsFromMessage, fieldConstraintFromMessage } from './constraints.ts';
import { type EntityCollector, entityFromContext, entityFromFieldName } from './entities.ts';
import { fieldNameFromLabel } from './fields.ts';
import { parseStep, tokenize } from './step-grammar.ts';
import type { FieldType } from './types.ts';

const SUBJECT = String.raw`(?:(?:I|we|the user|the visitor|the customer|the admin|he|she|they)\s+)?`;
const VALUE = '"(?<value>[^"]*)"';
const FIELD_Q = '"(?<field>[^"]+)"';
const OWNER = String.raw`(?:the\s+|my\s+|his\s+|her\s+|their\s+|its\s+|this\s+|a\s+|an\s+)?`;
const FIELD_W = String.raw`${OWNER}(?<field>[a-z][a-z0-9'\- ]{0,40}?)`;
const WIDGET = String.raw`(?:\s+(?:field|input|box|textbox|text field|dropdown|select))?`;

interface StepPattern {
  re: RegExp;
  typeHint?: FieldType;
  /** The value is picked from a list. */
  choice?: boolean;
  /** The step names a field left empty: the field exists, the value does not. */
  empty?: boolean;
}

// Common ways a step fills in a form field; each yields a field (quoted or plain words) and a value.
const FILL_PATTERNS: readonly StepPattern[] = [
  // I enter "email" as "user@test.com" · I fill in "Email" with "x" · I set "Email" to "x"
  {
    re: new RegExp(
      String.raw`^${SUBJECT}(?:enter|type|input|put|use|provide|give|specify|set|fill in|fill|change)\s+${OWNER}${FIELD_Q}${WIDGET}\s+(?:as|to|with)\s+${VALUE}$`,
      'i',
    ),
  },
  // I enter "x" into the "Email" field · I fill in "x" for "Username" (Mink)
  { re: new RegExp(String.raw`^${SUBJECT}(?:enter|type|input|put|write|fill in)\s+${VALUE}\s+(?:in|into|for|on|as)\s+${OWNER}${FIELD_Q}${WIDGET}$`, 'i') },
  // for "Name" I enter "Jane" (Drupal)
  { re: new RegExp(String.raw`^for\s+${FIELD_Q}\s+${SUBJECT}(?:enter|type|fill in)\s+${VALUE}$`, 'i') },
  // I select "France" from "Country" (Mink) · "polski" should be selected from "user_language"
  {
    re: new RegExp(String.raw`^${SUBJECT}(?:select|choose|pick)\s+${VALUE}\s+(?:from|in)\s+${OWNER}${FIELD_Q}${WIDGET}$`, 'i'),
    choice: true,
  },
  { re: new RegExp(String.raw`^${VALUE}\s+should\s+be\s+selected\s+(?:from|in)\s+${OWNER}${FIELD_Q}${WIDGET}$`, 'i'), choice: true },
  // I select "Male" as its gender · I choose "Australia" as my country (Sylius)
  { re: new RegExp(String.raw`^${SUBJECT}(?:select|choose|pick)\s+${VALUE}\s+as\s+${FIELD_W}$`, 'i'), choice: true },
  // I specify "New York" as my province (Sylius)
  { re: new RegExp(String.raw`^${SUBJECT}(?:specify|enter|set|use|give|provide)\s+${VALUE}\s+as\s+${FIELD_W}$`, 'i') },
  // I specify the first name as "John" · I change my email to "x" · I set the last name to "Doe"
  {
    re: new RegExp(
      String.raw`^${SUBJECT}(?:specify|set|enter|change|update|provide|fill in|type|use|choose|give|put|fill|select)\s+${FIELD_W}${WIDGET}\s+(?:as|to|with)\s+${VALUE}$`,
      'i',
    ),
  },
  // the "profile_first_name" field should contain "Boba"
  { re: new RegExp(String.raw`^(?:the\s+)?${FIELD_Q}\s+field\s+should\s+(?:contain|be filled with|have the value|be|equal)\s+${VALUE}$`, 'i') },
  // my email is "x" · my "email" should be "x"
  { re: new RegExp(String.raw`^(?:my|the|his|her|their)\s+(?:${FIELD_Q}|(?<field2>[a-z][a-z0-9'\- ]{0,40}?))\s+(?:is|should be|equals)\s+${VALUE}$`, 'i') },
  // I check "Remember me" · I uncheck the box "Subscribe" · the "x" checkbox should not be checked
  {
    re: new RegExp(
      String.raw`^${SUBJECT}(?:check|uncheck|tick|untick|toggle)\s+(?:the\s+)?(?:box\s+|checkbox\s+)?${FIELD_Q}(?:\s+(?:checkbox|box|option|switch))?$`,
      'i',
    ),
    typeHint: 'boolean',
  },
  { re: new RegExp(String.raw`^(?:the\s+)?${FIELD_Q}\s+(?:checkbox|box|switch)\s+should\s+(?:not\s+)?be\s+(?:checked|on|off)$`, 'i'), typeHint: 'boolean' },
  // I do not specify the first name · I leave the email empty
  {
    re: new RegExp(String.raw`^${SUBJECT}(?:do not|don't|did not)\s+(?:specify|fill in|enter|provide|set|choose|select)\s+(?:any\s+)?${FIELD_W}$`, 'i'),
    empty: true,
  },
  { re: new RegExp(String.raw`^${SUBJECT}leave\s+${FIELD_W}\s+(?:empty|blank)$`, 'i'), empty: true },
];

// Sylius' address phrasings: six values for an address book entry, four and a name for checkout.
const ADDRESS_SIX = ['full_name', 'street', 'postcode', 'city', 'country', 'province'];
const ADDRESS_FOUR = ['city', 'street', 'postcode', 'country'];
const ADDRESS_STEP = /\baddress\s+(?:as\s+)?((?:"[^"]*"\s*,\s*)+"[^"]*")(?:\s+for\s+"([^"]*)")?/i;

// `the store has customer "Frodo" with email "f@x.io"`, `a customer "Jo" identified by an email "…" and a password "…"`.
const RECORD_NOUNS = 'customer|user|administrator|admin|member|person|contact|account|product|channel';
const RECORD_STEP = new RegExp(String.raw`\b(?<noun>${RECORD_NOUNS})s?\s+"(?<name>[^"]*)"\s+(?<rest>(?:with|identified by)\s+.*)$`, 'i');
const RECORD_ATTR = /(?:with|identified by|and)\s+(?:an?\s+|the\s+)?(?<field>[a-z][a-z ]{0,30}?)\s+"(?<value>[^"]*)"/gi;

/** Where a step is: the texts that name its context and the Examples rows that substitute into it. */
export interface StepScope {
  contexts: string[];
  /** One entry per Examples row (a single empty one outside an outline) with its row key. */
  rows: { key: string; values: Record<string, string> }[];
  defaultEntity: string;
  collector: EntityCollector;
  /** A label the previous step put the focus on (`I select "Your first name"`), for a value typed next. */
  pending?: { label: string; line: number };
  /** The field the last filling step filled in: a message shown next (`"This field is required"`) is about it. */
  lastFill?: { name: string; entity: string };
}

/** The general step grammar; `true` when the step filled in a field or focused one. */
function fillByGrammar(
  rawText: string,
  line: number,
  row: StepScope['rows'][number],
  scope: StepScope,
  entityFor: (label: string, name: string) => string,
): boolean {
  const meanings = parseStep(tokenize(rawText, row.values));
  const pending = scope.pending;
  scope.pending = undefined;
  let filled = false;
  for (const m of meanings) {
    if (m.kind === 'focus') {
      scope.pending = { label: m.label, line };
      filled = true;
      continue;
    }
    const label = m.kind === 'fill' ? m.field : pending?.label;
    if (!label) continue;
    const { name, required } = fieldNameFromLabel(label);
    if (!name) continue;
    const value = m.value;
    const entity = entityFor(label, name);
    scope.lastFill = { name, entity };
    scope.collector.add({
      entity,
      name,
      line: m.kind === 'fill' ? line : (pending?.line ?? line),
      value,
      constraints: required ? ['required'] : [],
      typeHint: m.action === 'check' ? 'boolean' : m.action === 'upload' ? 'string' : undefined,
      row: row.key,
      choice: m.action === 'select',
    });
    filled = true;
  }
  return filled;
}

/** The text with the row's placeholders substituted; `undefined` when one of them has no value. */
export function substitute(text: string, values: Record<string, string>): string | undefined {
  let missing = false;
  const out = text.replace(/<([^<>]+)>/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) missing = Object.keys(values).length > 0 || missing;
    return v ?? whole;
  });
  return missing ? undefined : out;
}

// Single-quoted strings become double-quoted so one set of patterns serves both (apostrophes stay).
export function normalizeQuotes(text: string): string {
  return text.replace(/(^|[\s(,])'([^'"]*)'(?=$|[\s),.:;])/g, '$1"$2"');
}

export function analyzeStepText(rawText: string, line: number, scope: StepScope) {
  const { contexts, collector } = scope;
  for (const row of scope.rows) {
    const substituted = substitute(rawText.trim(), row.values);
    if (substituted === undefined) continue;
    const text = normalizeQuotes(substituted);
    const unquoted = text.replace(/"[^"]*"/g, ' ');
    const entityFor = (label: string, name: string) =>
      entityFromContext([label], contexts) ?? entityFromFieldName(name, contexts) ?? entityFromContext([unquoted, ...contexts]) ?? scope.defaultEntity;

    let filled = false;
    for (const { re, typeHint, choice, empty } of FILL_PATTERNS) {
      const m = re.exec(text);
      const matched = m?.groups?.field ?? m?.groups?.field2;
      if (!m || !matched) continue;
      // `I enter "jo@x.io" as "email"`: the data came first, the label second.
      const swap = !empty && m.groups?.value !== undefined && /[@\d]/.test(matched) && !/[@\d]/.test(m.groups.value);
      const label = swap ? (m.groups?.value as string) : matched;
      const { name, required } = fieldNameFromLabel(label);
      // `I leave every field empty`, `I do not specify any shipping address information`: no one field.
      if (!name || /^(?:address|it|them|this|that|all|every|any|everything)$|(?:^|_)(?:information|details|info|fields)$/.test(name)) break;
      // `the page's main header should be "x"`, `the page URL should be "x"`: the page, not a field.
      if (/(?:^|_)(?:page|header|heading|url|title_bar|message|notification)(?:_|$)/.test(name) && /\bshould\b|\b(?:is|equals)\b/i.test(text)) break;
      filled = true;
      const value = empty ? undefined : swap ? matched : m.groups?.value;
      const entity = entityFor(label, name);
      collector.add({ entity, name, line, value, constraints: required ? ['required'] : [], typeHint, row: row.key, choice });
      scope.lastFill = { name, entity };
      break;
    }

    const address = filled ? null : ADDRESS_STEP.exec(text);
    if (address) {
      const values = [...(address[1] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1] as string);
      const names = values.length === 6 ? ADDRESS_SIX : values.length === 4 ? ADDRESS_FOUR : [];
      const entity = 'address';
      names.forEach((name, i) => {
        collector.add({ entity, name, line, value: values[i], row: `${row.key}:${line}` });
      });
      if (names.length && address[2] !== undefined) collector.add({ entity, name: 'full_name', line, value: address[2], row: `${row.key}:${line}` });
      if (names.length) filled = true;
    }

    const record = filled ? null : RECORD_STEP.exec(text);
    if (record?.groups) {
      const noun = record.groups.noun?.toLowerCase() ?? '';
      const entity = /admin/.test(noun) ? 'user' : noun;
      const key = `${row.key}:${line}`;
      const name = record.groups.name ?? '';
      collector.add({ entity, name: name.includes('@') ? 'email' : 'name', line, value: name, row: key });
      for (const m of (record.groups.rest ?? '').matchAll(RECORD_ATTR)) {
        const field = fieldNameFromLabel(m.groups?.field ?? '').name;
        if (field) collector.add({ entity, name: field, line, value: m.groups?.value, row: key });
      }
      filled = true;
    }

    if (filled) scope.pending = undefined;
    else filled = fillByGrammar(rawText, line, row, scope, entityFor);
    analyzeConstraints(text, line, entityFor, collector);
    if (!filled) constrainLastFill(text, scope);
  }
}

// `Then error message "This field is required" should be displayed` right after typing into a field:
// a message that names no field is about the field just filled in.
function constrainLastFill(text: string, scope: StepScope) {
  const last = scope.lastFill;
  if (!last || !/\b(?:error|message|should|see|displayed|shown|notified|warning)\b/i.test(text)) return;
  for (const m of text.matchAll(/"([^"]+)"/g)) {
    const message = m[1] as string;
    const named = fieldConstraintFromMessage(message);
    if (named && !/^(?:this|the)?\s*field$/i.test(named.field)) continue;
    const constraints = named?.constraints ?? constraintsFromMessage(message);
    if (constraints.length) scope.collector.constrain(last.name, last.entity, constraints);
  }
}

// `the "first name" and the "last name" in shipping details are required`: several quoted fields, one rule.
const QUOTED_FIELDS = /^(?:(?:the\s+)?"[^"]+"(?:\s*,\s*|\s+and\s+))*(?:the\s+)?"[^"]+"/i;

function analyzeConstraints(text: string, line: number, entityFor: (label: string, name: string) => string, collector: EntityCollector) {
  // `I should be notified that the email is required`: the clause after the last `that`.
  const clause = text.replace(/^.*\bthat\s+/i, '');
  const quoted = QUOTED_FIELDS.exec(clause);
  if (quoted) {
    const rest = clause.slice(quoted[0].length);
    const constraints = constraintsFromMessage(rest);
    if (constraints.length) {
      const context = rest.replace(/\b(?:is|are|have|has)\b.*$/i, '');
      for (const m of quoted[0].matchAll(/"([^"]+)"/g)) {
        const { name } = fieldNameFromLabel(m[1] as string);
        const entity = entityFromContext([context]) ?? entityFor(m[1] as string, name);
        if (!collector.constrain(name, entity, constraints)) collector.add({ entity, name, line, constraints });
      }
      return;
    }
  }
  const found = fieldConstraintFromMessage(clause);
  if (found) {
    const { name } = fieldNameFromLabel(found.field);
    if (!name) return;
    const entity = entityFor(found.field, name);
    if (!collector.constrain(name, entity, found.constraints)) collector.add({ entity, name, line, constraints: found.constraints });
    return;
  }
  // `Then I should see "Password is too short"`: a quoted validation message.
  if (/\b(?:see|notified|shown|displayed|get|error|message)\b/i.test(text)) {
    for (const m of text.matchAll(/"([^"]+)"/g)) {
      const inner = fieldConstraintFromMessage(m[1] as string);
      if (!inner) continue;
      const { name } = fieldNameFromLabel(inner.field);
      collector.constrain(name, entityFor(inner.field, name), inner.constraints);
    }
  }
}
