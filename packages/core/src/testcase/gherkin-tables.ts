/**
 * Gherkin data tables and doc strings: field/value tables (vertical), record tables (one record per
 * row, horizontal), one-column lists of names, JSON bodies and quoted step lists in doc strings.
 */
import type { DataTable, DocString } from '@cucumber/messages';
import { entityFromContext, entityFromFieldName } from './entities.ts';
import { fieldNameFromLabel, snakeCase } from './fields.ts';
import type { FieldType } from './types.ts';
import { analyzeStepText, normalizeQuotes, type StepScope, substitute } from './gherkin-steps.ts';

// Table steps whose rows are records (`the following users:`); two-column tables are field/value otherwise.
const DETAIL_WORDS = new Set(['fields', 'details', 'values', 'data', 'information', 'info', 'attributes', 'properties', 'parameters', 'settings', 'following']);

// Values that are a possessive determiner, not data (`his`, `their`, `seine`, `sa`).
const POSSESSIVES = /^(?:his|her|their|its|my|your|our|sein|seine|ihr|ihre|son|sa|ses|leur|su|sus)$/i;

const FIELD_LIST_COLUMNS = /^(?:(?:input\s+)?type|autocompletion|autocomplete|required|format|hint|mandatory)$/i;
// HTML input types → field types.
const INPUT_TYPES: Record<string, FieldType> = {
  email: 'email',
  tel: 'phone',
  date: 'date',
  'datetime-local': 'datetime',
  time: 'time',
  number: 'integer',
  password: 'password',
  url: 'url',
  checkbox: 'boolean',
  radio: 'enum',
  select: 'enum',
  textarea: 'text',
};

type Row = DataTable['rows'][number];
type ScopeRow = StepScope['rows'][number];

const labelLike = (s: string) => /[a-z]/i.test(s) && s.length <= 60;

export function analyzeTable(table: DataTable, rawStepText: string, scope: StepScope) {
  // `I should see the following error messages:` lists texts, not fields.
  if (/\bshould\s+(?:not\s+)?see\b.*\bmessages?\b/i.test(rawStepText)) return;
  const rows = table.rows;
  const width = rows[0]?.cells.length ?? 0;
  if (rows.length === 0 || width === 0) return;
  const shape = tableShape(rows, width, rawStepText, scope);
  if (!shape) return;
  const { entity, vertical } = shape;
  if (isFieldList(rows)) {
    addFieldList(rows, entity, scope);
    return;
  }
  for (const scopeRow of scope.rows) {
    if (vertical) addFieldValues(rows, entity, scopeRow, scope);
    else if (!rows[0]) return;
    else addRecords(rows, width, entity, scopeRow, scope);
  }
}

/**
 * What a table holds, from its step's words and its labels: the entity of all its fields, and whether it
 * is vertical (`| field | value |` rows) rather than one record per row. Undefined for lists of a page's
 * parts or of expected texts.
 */
function tableShape(rows: readonly Row[], width: number, rawStepText: string, scope: StepScope): { entity: string; vertical: boolean } | undefined {
  const stepText = normalizeQuotes(rawStepText);
  const unquoted = stepText.replace(/"[^"]*"/g, ' ');
  // `the following users exist:`, `the following "page" content:`, `Given users:` — one record per row.
  const recordWord =
    /\bfollowing\s+(?:"([^"]+)"\s+)?(?:[a-z]+\s+)*?([a-z]+)(?:\s+(?:exists?|should\s+\w+))?\s*:?\s*$/i.exec(stepText) ??
    /^(?:there\s+(?:are|is)\s+)?(?:"([^"]+)"\s+)?([a-z]+s)(?:\s+exists?)?\s*:?\s*$/i.exec(stepText);
  const recordNoun = recordWord?.[2] ?? '';
  // `I have completed the following steps:`, `… with the following options:`: lists of a page's parts, not data.
  if (/^(?:steps|pages|options|messages|errors|links|buttons|tabs|sections|headings|columns)$/i.test(recordNoun)) return undefined;
  if (width === 1 && /\bshould\b/i.test(rawStepText)) return undefined;
  // `I have entered the following details into the form:` is one record's details, not a list of forms.
  const records =
    recordNoun !== '' &&
    !DETAIL_WORDS.has(recordNoun.toLowerCase()) &&
    !/\bfollowing\s+(?:[a-z]+\s+)*?(?:details|fields|values|data|information|info)\b/i.test(stepText);
  const quotedKind = /"([^"]+)"\s+(?:content|node|entity|record|item|term|terms)s?\b/i.exec(stepText)?.[1];
  // `I fill "Customer Form" with:` (OroCommerce): the form's name says what it holds.
  const formName = /"([^"]+?)\s*(?:form|popup)?"\s+with\s*:?\s*$/i.exec(stepText)?.[1];
  const hinted = quotedKind ?? recordWord?.[1] ?? (records ? recordNoun.replace(/([^s])s$/i, '$1') : undefined);
  // `| title | firstname |` over `| <title> | <first> |`: a header over a row of placeholders is horizontal.
  const placeholderRow = rows.slice(1).some((r) => r.cells.every((c) => /^<[^<>]+>$/.test(c.value.trim())));
  const vertical = width === 2 && !records && !placeholderRow;
  const labels = vertical ? rows.map((r) => r.cells[0]?.value ?? '') : (rows[0]?.cells.map((c) => c.value) ?? []);
  // A table is one form or one kind of record: a single entity for all its fields.
  const entity =
    (quotedKind && snakeCase(quotedKind)) ??
    entityFromContext([formName, unquoted]) ??
    (hinted && snakeCase(hinted)) ??
    entityFromContext([labels.join(' ')]) ??
    entityFromContext(scope.contexts) ??
    scope.defaultEntity;
  return { entity, vertical };
}

/**
 * Field names of a table's labels. `field_post_address:country`, then `:locality` continuing it (Drupal);
 * `post_title` in a post is `title`.
 */
function labelNamer(entity: string): (label: string) => { name: string; required: boolean } {
  let base = '';
  return (label) => {
    const [head, column] = label.split(':', 2) as [string, string | undefined];
    if (head) base = head;
    const { name: raw, required } = fieldNameFromLabel(column === undefined ? label : `${base} ${column}`.trim());
    // An identifier (`post_title`) drops its record's prefix; a label in words (`Address line 1`) keeps it.
    const name = /\s/.test(label.trim()) ? raw : raw.replace(/^field_/, '').replace(new RegExp(`^${entity}_(?=.)`), '');
    return { name, required };
  };
}

/** `| Label | Type |` then `| First name | text |`: the form's fields and their input types, no values. */
function isFieldList(rows: readonly Row[]): boolean {
  const head = rows[0]?.cells.map((c) => c.value.trim()) ?? [];
  return /^(?:label|field|field name|name)$/i.test(head[0] ?? '') && head.length > 1 && head.slice(1).every((h) => FIELD_LIST_COLUMNS.test(h));
}

function addFieldList(rows: readonly Row[], entity: string, { contexts, collector }: StepScope): void {
  const head = rows[0]?.cells.map((c) => c.value.trim()) ?? [];
  const typeAt = head.findIndex((h) => /^(?:input\s+)?type$/i.test(h));
  for (const row of rows.slice(1)) {
    const label = row.cells[0]?.value ?? '';
    if (!labelLike(label)) continue;
    const { name, required } = fieldNameFromLabel(label);
    const typeHint = INPUT_TYPES[(row.cells[typeAt]?.value ?? '').trim().toLowerCase()];
    const entityOf = entityFromFieldName(name, contexts) ?? entity;
    if (!collector.constrain(name, entityOf, required ? ['required'] : [])) {
      collector.add({ entity: entityOf, name, line: row.location.line, constraints: required ? ['required'] : [], typeHint });
    }
  }
}

/** | field | value | per row; an explicit | field | value | header row is skipped. */
function addFieldValues(rows: readonly Row[], entity: string, scopeRow: ScopeRow, { collector }: StepScope): void {
  const nameOf = labelNamer(entity);
  const [first] = rows;
  const header = first && /^(?:field|name|key|label|attribute)$/i.test(first.cells[0]?.value ?? '') && /^values?$|^example/i.test(first.cells[1]?.value ?? '');
  for (const row of header ? rows.slice(1) : rows) {
    const [labelCell, valueCell] = row.cells;
    if (!labelCell || !labelLike(labelCell.value)) continue;
    const value = valueCell?.value === undefined ? undefined : substitute(valueCell.value, scopeRow.values);
    if (value !== undefined && POSSESSIVES.test(value.trim())) continue;
    const { name, required } = nameOf(labelCell.value);
    collector.add({ entity, name, line: row.location.line, value, constraints: required ? ['required'] : [], row: scopeRow.key });
  }
}

/** A header of field names over one record per row; a one-column list of names (`| Friends | Family |`) has no header: its cells are values. */
function addRecords(rows: readonly Row[], width: number, entity: string, scopeRow: ScopeRow, { collector }: StepScope): void {
  const resolve = (v: string | undefined) => (v === undefined ? undefined : substitute(v, scopeRow.values));
  const [header, ...body] = rows as [Row, ...Row[]];
  const listOfValues = width === 1 && !/^[a-z_][a-z0-9_ ]*$/.test(header.cells[0]?.value ?? '');
  if (listOfValues) {
    for (const row of rows)
      collector.add({ entity, name: 'name', line: row.location.line, value: resolve(row.cells[0]?.value), row: `${scopeRow.key}:${row.id}` });
    return;
  }
  const nameOf = labelNamer(entity);
  // A column whose every value is a possessive (`| pronoun | his |`) words the steps (`as his first
  // name`); it is not a datum the form takes.
  const narrative = header.cells.map((_, i) => {
    const values = body.map((row) => resolve(row.cells[i]?.value)?.trim() ?? '');
    return values.length > 0 && values.every((v) => POSSESSIVES.test(v));
  });
  const names = header.cells.map((cell, i) => (labelLike(cell.value) && !narrative[i] ? nameOf(cell.value) : undefined));
  names.forEach((n) => {
    if (n) collector.add({ entity, name: n.name, line: header.location.line, constraints: n.required ? ['required'] : [] });
  });
  for (const row of body) {
    names.forEach((n, i) => {
      if (n) collector.add({ entity, name: n.name, line: header.location.line, value: resolve(row.cells[i]?.value), row: `${scopeRow.key}:${row.id}` });
    });
  }
}

const STEP_LINE = /^\s*(?:Given|When|Then|And|But|\*)\s+(.+)$/;

export function analyzeDocString(doc: DocString, rawStepText: string, stepLine: number, scope: StepScope) {
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
