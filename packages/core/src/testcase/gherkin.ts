import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { type DataTable, type GherkinDocument, IdGenerator, type Scenario, type Step } from '@cucumber/messages';
import { InvalidInputError } from '../errors.ts';
import { EntityCollector, entityFromContext, fieldNameFromLabel, snakeCase } from './fields.ts';
import type { FieldType, TestCaseEntity } from './types.ts';

const SUBJECT = String.raw`(?:(?:I|we|the user|the visitor|the customer|he|she|they)\s+)?`;
const VALUE = '(?:"(?<value>[^"]*)"|(?<placeholder><[^<>]+>))';
const FIELD_Q = '"(?<field>[^"]+)"';
const FIELD_W = String.raw`(?:the\s+|my\s+|his\s+|her\s+|their\s+|its\s+|this\s+|a\s+|an\s+)?(?<field>[a-z][a-z0-9'\- ]{0,40}?)`;
const WIDGET = String.raw`(?:\s+(?:field|input|box|textbox|text field))?`;

interface StepPattern {
  re: RegExp;
  typeHint?: FieldType;
}

// Common ways a step fills in a form field; each yields a field (quoted or plain words) and a value.
const FILL_PATTERNS: readonly StepPattern[] = [
  // I enter "email" as "user@test.com" · I fill in "Email" with "x" · I set "Email" to "x"
  {
    re: new RegExp(
      String.raw`^${SUBJECT}(?:enter|type|input|put|use|provide|give|specify|set|fill in|fill)\s+(?:the\s+|my\s+)?${FIELD_Q}${WIDGET}\s+(?:as|to|with)\s+${VALUE}$`,
      'i',
    ),
  },
  // I enter "x" into the "Email" field · I fill in "x" for "Username" (Mink)
  { re: new RegExp(String.raw`^${SUBJECT}(?:enter|type|input|put|write|fill in)\s+${VALUE}\s+(?:in|into|for|on|as)\s+(?:the\s+)?${FIELD_Q}${WIDGET}$`, 'i') },
  // I specify the first name as "John" · I change my email to "x" · I set the last name to "Doe"
  {
    re: new RegExp(
      String.raw`^${SUBJECT}(?:specify|set|enter|change|update|provide|fill in|type|use|choose|give|put|fill)\s+${FIELD_W}${WIDGET}\s+(?:as|to|with)\s+${VALUE}$`,
      'i',
    ),
  },
  // I select "France" from "Country" (Mink)
  { re: new RegExp(String.raw`^${SUBJECT}(?:select|choose|pick)\s+${VALUE}\s+(?:from|in|as)\s+(?:the\s+)?${FIELD_Q}${WIDGET}$`, 'i') },
  // the "profile_first_name" field should contain "Boba"
  { re: new RegExp(String.raw`^(?:the\s+)?${FIELD_Q}\s+field\s+should\s+(?:contain|be filled with|have the value|be|equal)\s+${VALUE}$`, 'i') },
  // my email is "x"
  { re: new RegExp(String.raw`^(?:my|the|his|her|their)\s+(?<field>[a-z][a-z0-9'\- ]{0,40}?)\s+is\s+${VALUE}$`, 'i') },
  // I check "Remember me"
  { re: new RegExp(String.raw`^${SUBJECT}(?:check|uncheck|tick|untick)\s+(?:the\s+)?${FIELD_Q}(?:\s+(?:checkbox|box|option))?$`, 'i'), typeHint: 'boolean' },
];

const FIELD_PHRASE = String.raw`(?:"(?<qfield>[^"]+)"|(?:the\s+|my\s+|this\s+|their\s+|its\s+|a\s+|an\s+)?(?<field>[a-z][a-z0-9\- ]{0,40}?))(?:\s+field)?`;
type ConstraintPattern = { re: RegExp; constraint: (m: RegExpExecArray) => string };
const CONSTRAINT_PATTERNS: readonly ConstraintPattern[] = (
  [
    { re: /^PHRASE\s+(?:is|are)\s+(?:a\s+)?(?:required|mandatory)\b/i, constraint: () => 'required' },
    { re: /^PHRASE\s+(?:is|has been|was)\s+already\s+(?:used|taken|in use|registered|exists?)\b/i, constraint: () => 'unique' },
    { re: /^PHRASE\s+(?:must|should)\s+(?:be|have|contain)\s+at\s+least\s+(?<n>\d+)\s+char/i, constraint: (m) => `min_length:${m.groups?.n}` },
    {
      re: /^PHRASE\s+(?:must|should|can)\s*(?:not\s+)?(?:be\s+|have\s+)?(?:at\s+most|longer\s+than|more\s+than|exceed|up\s+to)\s+(?<n>\d+)\s+char/i,
      constraint: (m) => `max_length:${m.groups?.n}`,
    },
    { re: /^PHRASE\s+is\s+too\s+long\b/i, constraint: () => 'max_length' },
    { re: /^PHRASE\s+is\s+too\s+short\b/i, constraint: () => 'min_length' },
    { re: /^PHRASE\s+is\s+(?:invalid|not\s+valid)\b/i, constraint: () => 'valid_format' },
  ] satisfies ConstraintPattern[]
).map(({ re, constraint }) => ({ re: new RegExp(re.source.replace('PHRASE', FIELD_PHRASE), re.flags), constraint }));

// Words in a constraint phrase that name a page or a whole record, not a field.
const NOT_FIELDS = new Set(['it', 'this', 'that', 'account', 'page', 'form', 'order', 'cart', 'product', 'address', 'user', 'customer', 'store']);

// Table steps whose rows are records (`the following users:`); two-column tables are field/value otherwise.
const DETAIL_WORDS = new Set(['fields', 'details', 'values', 'data', 'information', 'info', 'attributes', 'properties', 'parameters', 'settings']);

/**
 * Gherkin through the Cucumber parser: Background, Scenario, Scenario Outline with Examples
 * (placeholders resolve to the Examples' values), Rule, data tables. Malformed text throws
 * `InvalidInputError` with the parser's line and column.
 */
export function analyzeGherkin(content: string, fileName?: string): TestCaseEntity[] {
  const doc = parseGherkin(content, fileName);
  const feature = doc.feature;
  if (!feature) return [];
  const collector = new EntityCollector();
  const defaultEntity = entityFromContext([feature.name]) ?? (snakeCase(feature.name) || snakeCase(fileName?.replace(/\.feature$/i, '') ?? '') || 'record');
  const visit = (steps: readonly Step[], contexts: string[], scenario?: Scenario) => {
    const examples = scenario ? examplesOf(scenario) : new Map<string, string[]>();
    for (const step of steps) analyzeStep(step, contexts, examples, defaultEntity, collector);
  };
  for (const child of feature.children) {
    if (child.background) visit(child.background.steps, [feature.name]);
    if (child.scenario) visit(child.scenario.steps, [child.scenario.name, feature.name], child.scenario);
    if (child.rule) {
      for (const ruleChild of child.rule.children) {
        if (ruleChild.background) visit(ruleChild.background.steps, [child.rule.name, feature.name]);
        if (ruleChild.scenario) visit(ruleChild.scenario.steps, [ruleChild.scenario.name, child.rule.name, feature.name], ruleChild.scenario);
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
      {
        line,
        column: location?.column,
        fileName,
      },
    );
  }
}

/** Placeholder name → every value the Examples tables give it. */
function examplesOf(scenario: Scenario): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const ex of scenario.examples) {
    const header = ex.tableHeader?.cells.map((c) => c.value) ?? [];
    for (const row of ex.tableBody) {
      row.cells.forEach((cell, i) => {
        const key = header[i];
        if (key === undefined) return;
        const values = out.get(key) ?? [];
        values.push(cell.value);
        out.set(key, values);
      });
    }
  }
  return out;
}

function resolve(value: string | undefined, examples: Map<string, string[]>): string[] {
  if (value === undefined) return [];
  const whole = /^<([^<>]+)>$/.exec(value.trim());
  if (whole) return examples.get(whole[1] as string) ?? [];
  if (!/<[^<>]+>/.test(value)) return [value];
  // A value mixing text and placeholders: substitute row by row where every placeholder is known.
  const names = [...value.matchAll(/<([^<>]+)>/g)].map((m) => m[1] as string);
  const rows = Math.min(...names.map((n) => examples.get(n)?.length ?? 0));
  return Array.from({ length: rows }, (_, i) => value.replace(/<([^<>]+)>/g, (_m, n: string) => examples.get(n)?.[i] ?? ''));
}

// Single-quoted strings become double-quoted so one set of patterns serves both (apostrophes stay).
function normalizeQuotes(text: string): string {
  return text.replace(/(^|[\s(,])'([^'"]*)'(?=$|[\s),.:;])/g, '$1"$2"');
}

function analyzeStep(step: Step, contexts: string[], examples: Map<string, string[]>, defaultEntity: string, collector: EntityCollector) {
  const text = normalizeQuotes(step.text.trim());
  const line = step.location.line;
  const unquoted = text.replace(/"[^"]*"/g, ' ');
  const entityFor = (label: string) => entityFromContext([label, unquoted, ...contexts]) ?? defaultEntity;

  for (const { re, typeHint } of FILL_PATTERNS) {
    const m = re.exec(text);
    if (!m?.groups?.field) continue;
    const { name, required } = fieldNameFromLabel(m.groups.field);
    if (!name) break;
    const entity = entityFor(m.groups.field);
    const values = resolve(m.groups.value ?? m.groups.placeholder, examples);
    const constraints = required ? ['required'] : [];
    if (values.length === 0) collector.add({ entity, name, line, constraints, typeHint });
    for (const value of values) collector.add({ entity, name, line, value, constraints, typeHint });
    break;
  }

  // `I should be notified that the email is required`: the clause after the last `that`.
  const clause = text.replace(/^.*\bthat\s+/i, '');
  for (const { re, constraint } of CONSTRAINT_PATTERNS) {
    const m = re.exec(clause);
    const phrase = m?.groups?.qfield ?? m?.groups?.field;
    if (!m || !phrase || phrase.trim().split(/\s+/).length > 4 || NOT_FIELDS.has(phrase.trim().toLowerCase())) continue;
    const { name } = fieldNameFromLabel(phrase);
    if (!name) continue;
    const preferred = entityFor(phrase);
    collector.add({ entity: collector.entityOf(name, preferred) ?? preferred, name, line, constraints: [constraint(m)] });
  }

  if (step.dataTable) analyzeTable(step.dataTable, text, contexts, examples, defaultEntity, collector);
}

function analyzeTable(
  table: DataTable,
  stepText: string,
  contexts: string[],
  examples: Map<string, string[]>,
  defaultEntity: string,
  collector: EntityCollector,
) {
  const rows = table.rows;
  const width = rows[0]?.cells.length ?? 0;
  if (rows.length === 0 || width === 0) return;
  const unquoted = stepText.replace(/"[^"]*"/g, ' ');
  // `the following users exist:`, `the following "page" content:`, `Given users:` — one record per row.
  const recordWord =
    /\bfollowing\s+(?:"([^"]+)"\s+)?(?:[a-z]+\s+)*?([a-z]+)(?:\s+(?:exists?|should\s+\w+))?\s*:?\s*$/i.exec(stepText) ??
    /^(?:there\s+(?:are|is)\s+)?(?:"([^"]+)"\s+)?([a-z]+s)(?:\s+exists?)?\s*:?\s*$/i.exec(stepText);
  const recordNoun = recordWord?.[2] ?? '';
  const records = recordNoun !== '' && !DETAIL_WORDS.has(recordNoun.toLowerCase());
  const quotedKind = /"([^"]+)"\s+(?:content|node|entity|record|item|term)s?\b/i.exec(stepText)?.[1];
  const hinted = quotedKind ?? recordWord?.[1] ?? (records ? recordNoun.replace(/([^s])s$/i, '$1') : undefined);
  const labelLike = (s: string) => /[a-z]/i.test(s) && s.length <= 60;
  const vertical = width === 2 && !records;
  const labels = vertical ? rows.map((r) => r.cells[0]?.value ?? '') : (rows[0]?.cells.map((c) => c.value) ?? []);
  // A table is one form or one kind of record: a single entity for all its fields.
  const entity =
    entityFromContext([unquoted]) ?? (hinted && snakeCase(hinted)) ?? entityFromContext(contexts) ?? entityFromContext([labels.join(' ')]) ?? defaultEntity;

  if (vertical) {
    // | field | value | per row; an explicit | field | value | header row is skipped.
    const [first] = rows;
    const header =
      first && /^(?:field|name|key|label|attribute)$/i.test(first.cells[0]?.value ?? '') && /^values?$|^example/i.test(first.cells[1]?.value ?? '');
    for (const row of header ? rows.slice(1) : rows) {
      const [labelCell, valueCell] = row.cells;
      if (!labelCell || !labelLike(labelCell.value)) continue;
      const { name, required } = fieldNameFromLabel(labelCell.value);
      for (const value of resolve(valueCell?.value, examples)) {
        collector.add({ entity, name, line: row.location.line, value, constraints: required ? ['required'] : [] });
      }
    }
    return;
  }
  const [header, ...body] = rows;
  if (!header) return;
  header.cells.forEach((cell, i) => {
    if (!labelLike(cell.value)) return;
    const { name, required } = fieldNameFromLabel(cell.value);
    collector.add({ entity, name, line: header.location.line, constraints: required ? ['required'] : [] });
    for (const row of body) for (const value of resolve(row.cells[i]?.value, examples)) collector.add({ entity, name, line: header.location.line, value });
  });
}
