/**
 * Gherkin through the Cucumber parser: Background, Scenario, Scenario Outline with Examples
 * (placeholders resolve row by row), Rule, data tables (field/value tables and record tables), doc
 * strings (a value, JSON fields, or quoted steps) and the phrasings real suites use to fill in a form
 * — Mink (`I fill in "Email" with "x"`, `I fill in "x" for "Email"`, `I select "x" from "y"`), Sylius
 * (`I specify the first name as "x"`, `I specify the address as "name", "street", …`), OroCommerce
 * (`I fill "Customer Form" with:`), diaspora (`I fill in the following:`), Drupal (`the following
 * "page" content:`). Malformed text throws `InvalidInputError` with the parser's line and column.
 */
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { type DataTable, type DocString, type GherkinDocument, IdGenerator, type Scenario, type Step } from '@cucumber/messages';
import { InvalidInputError } from '../errors.ts';
import { constraintsFromMessage, fieldConstraintFromMessage } from './constraints.ts';
import { EntityCollector, entityFromContext, entityFromFieldName } from './entities.ts';
import { fieldNameFromLabel, snakeCase } from './fields.ts';
import type { FieldType, TestCaseEntity } from './types.ts';

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

// Table steps whose rows are records (`the following users:`); two-column tables are field/value otherwise.
const DETAIL_WORDS = new Set(['fields', 'details', 'values', 'data', 'information', 'info', 'attributes', 'properties', 'parameters', 'settings', 'following']);

/** Where a step is: the texts that name its context and the Examples rows that substitute into it. */
interface StepScope {
  contexts: string[];
  /** One entry per Examples row (a single empty one outside an outline) with its row key. */
  rows: { key: string; values: Record<string, string> }[];
  defaultEntity: string;
  collector: EntityCollector;
}

export function analyzeGherkin(content: string, fileName?: string): TestCaseEntity[] {
  const doc = parseGherkin(content, fileName);
  const feature = doc.feature;
  if (!feature) return [];
  const collector = new EntityCollector();
  const featureText = `${feature.name}\n${feature.description}`;
  const defaultEntity =
    entityFromContext([feature.name, feature.description]) ?? (snakeCase(feature.name) || snakeCase(fileName?.replace(/\.feature$/i, '') ?? '') || 'record');
  const visit = (steps: readonly Step[], contexts: string[], key: string, scenario?: Scenario) => {
    const rows = scenario ? examplesOf(scenario, key) : [];
    const scope: StepScope = { contexts: [...contexts, featureText], rows: rows.length ? rows : [{ key, values: {} }], defaultEntity, collector };
    for (const step of steps) analyzeStep(step, scope);
  };
  for (const child of feature.children) {
    if (child.background) visit(child.background.steps, [feature.name], `background:${child.background.id}`);
    if (child.scenario) visit(child.scenario.steps, [child.scenario.name, feature.name], child.scenario.id, child.scenario);
    if (child.rule) {
      for (const ruleChild of child.rule.children) {
        if (ruleChild.background) visit(ruleChild.background.steps, [child.rule.name, feature.name], `background:${ruleChild.background.id}`);
        if (ruleChild.scenario)
          visit(ruleChild.scenario.steps, [ruleChild.scenario.name, child.rule.name, feature.name], ruleChild.scenario.id, ruleChild.scenario);
      }
    }
  }
  return collector.result();
}

function parseGherkin(content: string, fileName?: string): GherkinDocument {
  const parser = new Parser(new AstBuilder(IdGenerator.incrementing()), new GherkinClassicTokenMatcher());
  try {
    return parser.parse(content);
  } catch (e) {
    const first = (e as { errors?: unknown[] }).errors?.[0] ?? e;
    const location = (first as { location?: { line?: number; column?: number } }).location;
    const message = first instanceof Error ? first.message : String(first);
    const line = location?.line;
    throw new InvalidInputError(
      `malformed Gherkin${fileName ? ` in ${fileName}` : ''}${line ? ` at line ${line}` : ''}: ${message.replace(/^\(\d+:\d+\):\s*/, '')}`,
      { line, column: location?.column, fileName },
    );
  }
}

/** One entry per Examples row: placeholder name → value. */
function examplesOf(scenario: Scenario, key: string): StepScope['rows'] {
  const out: StepScope['rows'] = [];
  for (const ex of scenario.examples) {
    const header = ex.tableHeader?.cells.map((c) => c.value) ?? [];
    for (const row of ex.tableBody) {
      const values: Record<string, string> = {};
      row.cells.forEach((cell, i) => {
        const name = header[i];
        if (name !== undefined) values[name] = cell.value;
      });
      out.push({ key: `${key}#${row.id}`, values });
    }
  }
  return out;
}

/** The text with the row's placeholders substituted; `undefined` when one of them has no value. */
function substitute(text: string, values: Record<string, string>): string | undefined {
  let missing = false;
  const out = text.replace(/<([^<>]+)>/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) missing = Object.keys(values).length > 0 || missing;
    return v ?? whole;
  });
  return missing ? undefined : out;
}

// Single-quoted strings become double-quoted so one set of patterns serves both (apostrophes stay).
function normalizeQuotes(text: string): string {
  return text.replace(/(^|[\s(,])'([^'"]*)'(?=$|[\s),.:;])/g, '$1"$2"');
}

function analyzeStep(step: Step, scope: StepScope) {
  analyzeStepText(step.text, step.location.line, scope);
  if (step.dataTable) analyzeTable(step.dataTable, step.text, scope);
  if (step.docString) analyzeDocString(step.docString, step.text, step.location.line, scope);
}

function analyzeStepText(rawText: string, line: number, scope: StepScope) {
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
      const label = m?.groups?.field ?? m?.groups?.field2;
      if (!m || !label) continue;
      const { name, required } = fieldNameFromLabel(label);
      // `I leave every field empty`, `I do not specify any shipping address information`: no one field.
      if (!name || /^(?:address|it|them|this|that|all|every|any|everything)$|(?:^|_)(?:information|details|info|fields)$/.test(name)) break;
      filled = true;
      const value = empty ? undefined : m.groups?.value;
      collector.add({ entity: entityFor(label, name), name, line, value, constraints: required ? ['required'] : [], typeHint, row: row.key, choice });
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
    }

    analyzeConstraints(text, line, entityFor, collector);
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

function analyzeTable(table: DataTable, rawStepText: string, scope: StepScope) {
  const { contexts, collector } = scope;
  // `I should see the following error messages:` lists texts, not fields.
  if (/\bshould\s+(?:not\s+)?see\b.*\bmessages?\b/i.test(rawStepText)) return;
  const rows = table.rows;
  const width = rows[0]?.cells.length ?? 0;
  if (rows.length === 0 || width === 0) return;
  const stepText = normalizeQuotes(rawStepText);
  const unquoted = stepText.replace(/"[^"]*"/g, ' ');
  // `the following users exist:`, `the following "page" content:`, `Given users:` — one record per row.
  const recordWord =
    /\bfollowing\s+(?:"([^"]+)"\s+)?(?:[a-z]+\s+)*?([a-z]+)(?:\s+(?:exists?|should\s+\w+))?\s*:?\s*$/i.exec(stepText) ??
    /^(?:there\s+(?:are|is)\s+)?(?:"([^"]+)"\s+)?([a-z]+s)(?:\s+exists?)?\s*:?\s*$/i.exec(stepText);
  const recordNoun = recordWord?.[2] ?? '';
  const records = recordNoun !== '' && !DETAIL_WORDS.has(recordNoun.toLowerCase());
  const quotedKind = /"([^"]+)"\s+(?:content|node|entity|record|item|term|terms)s?\b/i.exec(stepText)?.[1];
  // `I fill "Customer Form" with:` (OroCommerce): the form's name says what it holds.
  const formName = /"([^"]+?)\s*(?:form|popup)?"\s+with\s*:?\s*$/i.exec(stepText)?.[1];
  const hinted = quotedKind ?? recordWord?.[1] ?? (records ? recordNoun.replace(/([^s])s$/i, '$1') : undefined);
  const labelLike = (s: string) => /[a-z]/i.test(s) && s.length <= 60;
  const vertical = width === 2 && !records;
  const labels = vertical ? rows.map((r) => r.cells[0]?.value ?? '') : (rows[0]?.cells.map((c) => c.value) ?? []);
  // A table is one form or one kind of record: a single entity for all its fields.
  const entity =
    (quotedKind && snakeCase(quotedKind)) ??
    entityFromContext([formName, unquoted]) ??
    (hinted && snakeCase(hinted)) ??
    entityFromContext([labels.join(' ')]) ??
    entityFromContext(contexts) ??
    scope.defaultEntity;
  // `field_post_address:country`, then `:locality` continuing it (Drupal); `post_title` in a post is `title`.
  let base = '';
  const nameOf = (label: string) => {
    const [head, column] = label.split(':', 2) as [string, string | undefined];
    if (head) base = head;
    const { name: raw, required } = fieldNameFromLabel(column === undefined ? label : `${base} ${column}`.trim());
    const name = raw.replace(/^field_/, '').replace(new RegExp(`^${entity}_(?=.)`), '');
    return { name, required };
  };

  for (const scopeRow of scope.rows) {
    const resolve = (v: string | undefined) => (v === undefined ? undefined : substitute(v, scopeRow.values));
    if (vertical) {
      // | field | value | per row; an explicit | field | value | header row is skipped.
      const [first] = rows;
      const header =
        first && /^(?:field|name|key|label|attribute)$/i.test(first.cells[0]?.value ?? '') && /^values?$|^example/i.test(first.cells[1]?.value ?? '');
      base = '';
      for (const row of header ? rows.slice(1) : rows) {
        const [labelCell, valueCell] = row.cells;
        if (!labelCell || !labelLike(labelCell.value)) continue;
        const { name, required } = nameOf(labelCell.value);
        const value = resolve(valueCell?.value);
        collector.add({ entity, name, line: row.location.line, value, constraints: required ? ['required'] : [], row: scopeRow.key });
      }
      continue;
    }
    const [header, ...body] = rows;
    if (!header) return;
    // A one-column list of names (`| Friends | Family |`) has no header: its cells are values.
    const listOfValues = width === 1 && !/^[a-z_][a-z0-9_ ]*$/.test(header.cells[0]?.value ?? '');
    if (listOfValues) {
      for (const row of rows)
        collector.add({ entity, name: 'name', line: row.location.line, value: resolve(row.cells[0]?.value), row: `${scopeRow.key}:${row.id}` });
      continue;
    }
    base = '';
    const names = header.cells.map((cell) => (labelLike(cell.value) ? nameOf(cell.value) : undefined));
    names.forEach((n) => {
      if (n) collector.add({ entity, name: n.name, line: header.location.line, constraints: n.required ? ['required'] : [] });
    });
    for (const row of body) {
      names.forEach((n, i) => {
        if (n) collector.add({ entity, name: n.name, line: header.location.line, value: resolve(row.cells[i]?.value), row: `${scopeRow.key}:${row.id}` });
      });
    }
  }
}

const STEP_LINE = /^\s*(?:Given|When|Then|And|But|\*)\s+(.+)$/;

function analyzeDocString(doc: DocString, rawStepText: string, stepLine: number, scope: StepScope) {
  const text = doc.content;
  const firstLine = doc.location.line + 1;
  // A JSON body: its keys are the fields (`I send a POST request to "/users" with body:`).
  if (/^\s*[{[]/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const object = Array.isArray(parsed) ? parsed[0] : parsed;
    if (object && typeof object === 'object') {
      const unquoted = rawStepText.replace(/"([^"]*)"/g, ' $1 ');
      const entity = entityFromContext([unquoted, ...scope.contexts]) ?? scope.defaultEntity;
      for (const [key, value] of Object.entries(object as Record<string, unknown>)) {
        if (value !== null && typeof value === 'object') continue;
        const name = fieldNameFromLabel(key).name;
        const line =
          firstLine +
          Math.max(
            0,
            text.split('\n').findIndex((l) => l.includes(`"${key}"`)),
          );
        scope.collector.add({ entity, name, line, value: value === null ? undefined : String(value), row: `${scope.rows[0]?.key}:doc${firstLine}` });
      }
      return;
    }
  }
  // Quoted steps (a suite testing its own step library): analysed like the steps they are.
  const lines = text.split('\n');
  if (lines.some((l) => STEP_LINE.test(l))) {
    lines.forEach((l, i) => {
      const m = STEP_LINE.exec(l);
      if (m?.[1]) analyzeStepText(m[1], firstLine + i, scope);
    });
    return;
  }
  // `I fill in "Bio" with:` + a doc string: the doc string is the value.
  const field = /(?:"([^"]+)"|\b(?:the|my|a)\s+([a-z][a-z ]{0,30}?))\s+(?:with|as|to)\s*:?\s*$/i.exec(normalizeQuotes(rawStepText));
  const label = field?.[1] ?? field?.[2];
  if (!label) return;
  const { name } = fieldNameFromLabel(label);
  const entity = entityFromContext([label]) ?? entityFromFieldName(name, scope.contexts) ?? entityFromContext(scope.contexts) ?? scope.defaultEntity;
  for (const row of scope.rows) {
    const value = substitute(text, row.values);
    scope.collector.add({ entity, name, line: stepLine, value, typeHint: text.includes('\n') ? 'text' : undefined, row: row.key });
  }
}
