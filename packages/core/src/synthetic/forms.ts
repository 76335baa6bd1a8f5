/**
 * URL mode: every form a crawl read (crawl/crawl-forms.ts) becomes a table with one column per
 * form control, named exactly by the control's `name` (its `id` when it has none), so a row is typed
 * back into the form column by column. Rows satisfy every constraint the browser checks — required,
 * the type's syntax (email, url, number, date, month, week, time, datetime-local, color), min/max on
 * the step grid, minlength/maxlength, pattern, select options, radio and checkbox groups — and are
 * realistic where the control says what it holds (autocomplete, name, id, label → semantic.ts), but
 * constraints always win over realism. Deterministic per seed.
 *
 * Column types: text inputs and textareas `text` (`character varying(n)` with a maxlength), number and
 * range `integer` or `numeric`, date `date` (PostgreSQL prints it as the form's YYYY-MM-DD), month,
 * week, time, datetime-local and color `text` in the form's own format, select, radio group and single
 * checkbox `text` (the submitted value; NULL when nothing is chosen or the box stays unchecked), and
 * select-multiple and checkbox groups `text[]` of the chosen values. No key column is added. Hidden
 * and file inputs get no column (they are listed in the dataset's meta); a second control with the
 * same name gets `<name>_2`, and the meta maps every column back to its control.
 *
 * Dependencies: when the crawl found that a control's value rewrites other controls' constraints
 * (`CrawledForm.dependencies`: a country select that sets the phone patterns), a row draws the
 * controlling value first and generates each dependent column under the constraints of that value
 * (the loaded constraints overlaid with the value's changes). Controlling columns come before their
 * dependents, and `FormTable.fillOrder` lists the order to type a row in: controlling controls first,
 * since a page may clear the other inputs when they change, then the other choices, then the rest. A value under which a required control can
 * take no valid value is never drawn.
 */
import { createHash } from 'node:crypto';
import { compilePattern, decimalsOf, parseHtmlNumber, TEMPORAL, type TemporalType, textValueProblem } from '../crawl/html-values.ts';
import type { CrawledField, CrawledFieldChanges, CrawledForm, CrawledPage } from '../crawl/types.ts';
import { InvalidInputError } from '../errors.ts';
import { type ColumnSpec, syntheticCatalog, type TableSpec } from './catalog.ts';
import { type RandExp, seededRandExp } from './randexp.ts';
import { Rng } from './rng.ts';
import { createValueGenerator, kindFitsType, type SemanticKind, semanticKindFor } from './semantic.ts';
import { type GeneratedDataset, type GeneratedTable, type RowCounts, rowCountFor, type TextRow } from './types.ts';

export interface FormsGenerateOptions {
  rowCounts?: RowCounts | null;
  seed?: number | string | null;
  /** Name of the dataset's catalog; by default "forms of <host>". */
  name?: string | null;
}

/** One column of a form's table and the control it fills. */
export interface FormColumn {
  column: string;
  pgType: string;
  nullable: boolean;
  field: CrawledField;
  /** The semantic kind used for realism, when one applied. */
  kind: SemanticKind | null;
}

/** A column whose value rewrites other columns' constraints, per value (crawl: `CrawledDependency`). */
export interface FormDependency {
  control: string;
  cases: { value: string | null; fields: { column: string; changes: CrawledFieldChanges }[] }[];
}

/** A form's table: where the form is, its columns, and the controls that got none. */
export interface FormTable {
  table: string;
  url: string;
  formIndex: number;
  form: Omit<CrawledForm, 'fields' | 'dependencies'>;
  /** Controlling columns come before the columns they rewrite. */
  columns: FormColumn[];
  dependencies: FormDependency[];
  /**
   * The order to type a row into the form: the controlling columns first (a page may clear the other
   * inputs when they change), then the other choices (selects, radios, checkboxes), then the rest;
   * each group in column order.
   */
  fillOrder: string[];
  skipped: { name: string | null; id: string | null; type: string; reason: string }[];
  /** Controls no value can satisfy (e.g. min above max); their column stays NULL. */
  unsatisfiable: { column: string; reason: string }[];
  rowCount: number;
}

const DEFAULT_ROWS = 100;
const NULL_RATE = 0.1;
const PG_IDENT_BYTES = 63;
const DAY_MS = 86_400_000;

type ValueFn = (row: number) => string | null;

/** Plans the tables (names, columns, types, filling order) of the crawled forms without generating anything. */
export function planFormTables(pages: CrawledPage[], rowCounts?: RowCounts | null): FormTable[] {
  const tables: FormTable[] = [];
  const used = new Set<string>();
  for (const page of pages) {
    page.forms.forEach((form, formIndex) => {
      const columns: FormColumn[] = [];
      const skipped: FormTable['skipped'] = [];
      const names = new Set<string>();
      const byField = new Map<number, FormColumn>();
      form.fields.forEach((field, i) => {
        if (field.type === 'hidden' || field.type === 'file') {
          skipped.push({ name: field.name, id: field.id, type: field.type, reason: field.type === 'hidden' ? 'hidden input' : 'file upload' });
          return;
        }
        const column = uniqueName(identifier(field.name ?? field.id ?? `${field.type}_${i + 1}`), names);
        const c: FormColumn = { column, pgType: 'text', nullable: true, field, kind: null };
        columns.push(c);
        byField.set(i, c);
      });
      if (!columns.length) return;
      const dependencies = resolveDependencies(form, byField);
      for (const c of columns) {
        const variants = fieldVariants(c, dependencies);
        c.pgType = combinedType(variants.map(columnType));
        c.nullable = !variants.every((f) => f.required && !isRemoved(f));
      }
      const table = uniqueName(identifier(tableBaseName(page, form)), used);
      for (const c of columns) c.kind = kindFor(c.field, table, c.pgType);
      const ordered = controllersFirst(columns, dependencies);
      const controlling = new Set(dependencies.map((d) => d.control));
      const { fields: _fields, dependencies: _dependencies, ...formInfo } = form;
      tables.push({
        table,
        url: page.url,
        formIndex,
        form: formInfo,
        columns: ordered,
        dependencies,
        fillOrder: fillOrder(ordered, controlling),
        skipped,
        unsatisfiable: [],
        rowCount: rowCountFor(rowCounts, 'public', table, DEFAULT_ROWS),
      });
    });
  }
  return tables;
}

const CHOICE_TYPES = new Set(['select', 'radio', 'checkbox']);

/** Controlling columns, then the other choices (pages react to them too), then the rest; each in column order. */
function fillOrder(columns: FormColumn[], controlling: Set<string>): string[] {
  const rank = (c: FormColumn) => (controlling.has(c.column) ? 0 : CHOICE_TYPES.has(c.field.type) ? 1 : 2);
  return columns
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c.column);
}

/** The crawl's dependencies by column; those on controls without a column are dropped. */
function resolveDependencies(form: CrawledForm, byField: Map<number, FormColumn>): FormDependency[] {
  const out: FormDependency[] = [];
  for (const dep of form.dependencies ?? []) {
    const control = byField.get(dep.control);
    if (!control) continue;
    const cases = dep.cases
      .map((c) => ({
        value: c.value,
        fields: c.fields.flatMap((f) => {
          const column = byField.get(f.field);
          return column && column !== control ? [{ column: column.column, changes: f.changes }] : [];
        }),
      }))
      .filter((c) => c.fields.length);
    if (cases.length) out.push({ control: control.column, cases });
  }
  return out;
}

const REMOVED = Symbol('removed');
type VariantField = CrawledField & { [REMOVED]?: true };
const isRemoved = (field: VariantField) => field[REMOVED] === true;

/** The control's field as loaded overlaid with `changes` (a removed control keeps its loaded constraints). */
function applyChanges(field: CrawledField, changes: CrawledFieldChanges[]): VariantField {
  let out: VariantField = field;
  for (const { removed, ...rest } of changes) {
    out = { ...out, ...rest };
    if (removed) out[REMOVED] = true;
  }
  return out;
}

/** The field as loaded and under each case that changes it. */
function fieldVariants(column: FormColumn, dependencies: FormDependency[]): VariantField[] {
  const out: VariantField[] = [column.field];
  for (const dep of dependencies) {
    for (const c of dep.cases) {
      for (const f of c.fields) if (f.column === column.column) out.push(applyChanges(column.field, [f.changes]));
    }
  }
  return out;
}

/** A column type that holds the values of every variant of a control. */
function combinedType(types: string[]): string {
  const distinct = [...new Set(types)];
  if (distinct.length === 1) return distinct[0] as string;
  if (distinct.every((t) => t === 'integer' || t === 'numeric')) return 'numeric';
  const varchar = distinct.map((t) => /^character varying\((\d+)\)$/.exec(t)?.[1]);
  if (varchar.every((n) => n !== undefined)) return `character varying(${Math.max(...varchar.map(Number))})`;
  return 'text';
}

/** Columns in document order, each controlling column moved before the first column it rewrites. */
function controllersFirst(columns: FormColumn[], dependencies: FormDependency[]): FormColumn[] {
  const byName = new Map(columns.map((c) => [c.column, c]));
  const controllersOf = new Map<string, string[]>();
  for (const dep of dependencies) {
    for (const c of dep.cases) for (const f of c.fields) controllersOf.set(f.column, [...new Set([...(controllersOf.get(f.column) ?? []), dep.control])]);
  }
  const out: FormColumn[] = [];
  const placed = new Set<string>();
  const place = (name: string, visiting: Set<string>) => {
    if (placed.has(name) || visiting.has(name)) return;
    visiting.add(name);
    for (const controller of controllersOf.get(name) ?? []) place(controller, visiting);
    visiting.delete(name);
    placed.add(name);
    out.push(byName.get(name) as FormColumn);
  };
  for (const c of columns) place(c.column, new Set());
  return out;
}

/**
 * Builds the URL mode's dataset from crawled pages: one table per form (see the module comment)
 * with `rowCounts` rows each (default 100), deterministic per `seed`. Throws InvalidInputError when
 * no page has a fillable form, or when a required control can take no valid value.
 */
export function generateFromForms(pages: CrawledPage[], options: FormsGenerateOptions = {}): GeneratedDataset {
  const seed = options.seed ?? 1;
  const plans = planFormTables(pages, options.rowCounts);
  if (!plans.length) throw new InvalidInputError('the crawled pages have no form control to fill in: nothing to generate', { urls: pages.map((p) => p.url) });
  const factories = plans.map((plan) => rowFactory(plan, seed));
  const specs: TableSpec[] = plans.map((plan) => ({
    name: plan.table,
    columns: plan.columns.map((c): ColumnSpec => ({ name: c.column, dataType: c.pgType, nullable: c.nullable, comment: columnComment(c.field) })),
    checks: plan.columns.flatMap((c) => numericChecks(c, fieldVariants(c, plan.dependencies))),
    comment: `form ${describeForm(plan)} on ${plan.url}`,
  }));
  const urls = [...new Set(pages.map((p) => p.url))].sort();
  const host = hostOf(urls[0] ?? '');
  const catalog = syntheticCatalog(options.name ?? (host ? `forms of ${host}` : 'forms'), specs);
  const tables: GeneratedTable[] = plans.map((plan, t) => ({
    table: { schema: 'public', name: plan.table, columns: plan.columns.map((c) => ({ name: c.column, pgType: c.pgType, nullable: c.nullable })) },
    rowCount: plan.rowCount,
    rows: (batchSize: number) => rowsOf(plan, factories[t] as () => RowFn, batchSize),
  }));
  return {
    mode: 'URL',
    catalog,
    schemaVersionId: null,
    sourceUrl: `synthetic:url/${createHash('sha256').update(urls.join('\n')).digest('hex').slice(0, 16)}`,
    tables,
    meta: {
      seed,
      urls,
      forms: plans.map((p) => ({
        table: p.table,
        url: p.url,
        form: { index: p.formIndex, name: p.form.name, id: p.form.id, action: p.form.action, method: p.form.method, implicit: p.form.implicit },
        columns: p.columns.map((c) => ({ column: c.column, name: c.field.name, id: c.field.id, type: c.field.type, pgType: c.pgType, kind: c.kind })),
        dependencies: p.dependencies,
        fillOrder: p.fillOrder,
        skipped: p.skipped,
        unsatisfiable: p.unsatisfiable,
      })),
      rowCounts: Object.fromEntries(plans.map((p) => [p.table, p.rowCount])),
    },
  };
}

/** Reads a `text[]` value of a select-multiple or checkbox-group column back into its values. */
export function parseTextArray(literal: string): string[] {
  const inner = literal.trim().replace(/^\{|\}$/g, '');
  const out: string[] = [];
  let i = 0;
  while (i < inner.length) {
    if (inner[i] === '"') {
      let v = '';
      i++;
      while (i < inner.length && inner[i] !== '"') {
        if (inner[i] === '\\') i++;
        v += inner[i] ?? '';
        i++;
      }
      out.push(v);
      i += 2; // closing quote and comma
    } else {
      const end = inner.indexOf(',', i);
      const v = inner.slice(i, end < 0 ? inner.length : end);
      out.push(v);
      i = end < 0 ? inner.length : end + 1;
    }
  }
  return out;
}

function textArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

async function* rowsOf(plan: FormTable, factory: () => RowFn, batchSize: number): AsyncGenerator<TextRow[]> {
  const next = factory();
  let batch: TextRow[] = [];
  for (let row = 0; row < plan.rowCount; row++) {
    batch.push(next(row));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

// ---------------------------------------------------------------- names and types

/** snake_case of a label, title or path: what a table is called. */
function snake(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function lastPathSegment(url: string): string {
  try {
    const segments = new URL(url).pathname.split('/').filter(Boolean);
    return (segments.at(-1) ?? '').replace(/\.[a-z0-9]+$/i, '');
  } catch {
    return '';
  }
}

const withoutHash = (url: string) => url.replace(/[?#].*$/, '');

/** The form's name, id or action path; else the page's title or path. */
function tableBaseName(page: CrawledPage, form: CrawledForm): string {
  const action = form.action && withoutHash(form.action) !== withoutHash(page.url) ? lastPathSegment(form.action) : '';
  for (const candidate of [form.name, form.id, action, page.title, lastPathSegment(page.url)]) {
    const name = candidate ? snake(candidate) : '';
    if (!name) continue;
    // Titles can be sentences: keep whole words up to 40 characters.
    if (name.length <= 40) return name;
    const cut = name.slice(0, 41);
    return cut.slice(0, cut.lastIndexOf('_') > 0 ? cut.lastIndexOf('_') : 40);
  }
  return 'form';
}

/** A name PostgreSQL keeps as written: at most 63 bytes (longer names get a hash suffix). */
function identifier(name: string): string {
  const text = /^\d/.test(name) ? `form_${name}` : name;
  if (Buffer.byteLength(text) <= PG_IDENT_BYTES) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  let cut = text;
  while (Buffer.byteLength(cut) > PG_IDENT_BYTES - 9) cut = cut.slice(0, -1);
  return `${cut}_${hash}`;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = identifier(`${name}_${n}`);
  used.add(candidate);
  return candidate;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

function describeForm(plan: FormTable): string {
  if (plan.form.implicit) return '(controls outside any form)';
  return plan.form.name ?? (plan.form.id ? `#${plan.form.id}` : `#${plan.formIndex + 1}`);
}

function columnComment(field: CrawledField): string {
  const label = field.label ? ` "${field.label}"` : '';
  return `${field.tag}${field.tag === 'input' ? ` type=${field.type}` : ''}${label}`;
}

interface NumberDomain {
  min: number | null;
  max: number | null;
  /** Null for step="any". */
  step: number | null;
  base: number;
  integer: boolean;
}

function numberDomain(field: CrawledField): NumberDomain {
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

function columnType(field: CrawledField): string {
  switch (field.type) {
    case 'number':
    case 'range':
      return numberDomain(field).integer ? 'integer' : 'numeric';
    case 'date':
      return 'date';
    case 'select':
      return field.multiple ? 'text[]' : 'text';
    case 'checkbox':
      return field.multiple ? 'text[]' : 'text';
    case 'radio':
    case 'month':
    case 'week':
    case 'time':
    case 'datetime-local':
    case 'color':
      return 'text';
    default:
      return field.maxLength !== null && field.maxLength > 0 ? `character varying(${field.maxLength})` : 'text';
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Bounds that hold under every variant of the control (the loosest of them). */
function numericChecks(c: FormColumn, variants: CrawledField[]): NonNullable<TableSpec['checks']> {
  if (!variants.every((f) => f.type === 'number' || f.type === 'range')) return [];
  const domains = variants.map(numberDomain).filter((d) => d.min === null || d.max === null || d.max >= d.min);
  if (!domains.length) return [];
  const mins = domains.map((d) => d.min);
  const maxes = domains.map((d) => d.max);
  const min = mins.every((m) => m !== null) ? Math.min(...(mins as number[])) : null;
  const max = maxes.every((m) => m !== null) ? Math.max(...(maxes as number[])) : null;
  const out: NonNullable<TableSpec['checks']> = [];
  if (min !== null) out.push({ expression: `(${quote(c.column)} >= ${min})`, columns: [c.column] });
  if (max !== null) out.push({ expression: `(${quote(c.column)} <= ${max})`, columns: [c.column] });
  return out;
}

// ---------------------------------------------------------------- realism

const AUTOCOMPLETE: Record<string, SemanticKind> = {
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

const BY_TYPE: Partial<Record<string, SemanticKind>> = { email: 'email', url: 'url', tel: 'phone', password: 'password' };

/** The semantic kind that makes a control's values realistic, when anything says what it holds. */
function kindFor(field: CrawledField, table: string, pgType: string): SemanticKind | null {
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

// ---------------------------------------------------------------- values

type RowFn = (row: number) => TextRow;

/** A control's constraints under one combination of controlling values (none: as loaded). */
interface Variant {
  field: CrawledField;
  kind: SemanticKind | null;
  /** Names the variant in the random streams' paths. */
  key: string;
  /** Called instead of throwing when a required control can take no value under this variant. */
  onImpossible?: (reason: string) => void;
}

/**
 * A factory of a form's row function: each call starts every stream afresh. Columns are drawn in
 * the filling order, so a dependent column sees its controlling values; its value function for that
 * combination of values is built on first use, seeded by the combination, so rows stay deterministic.
 * Every single case is checked up front: a controlling value under which a required control can take
 * no value is never drawn.
 */
function rowFactory(plan: FormTable, seed: string | number): () => RowFn {
  const at = new Map(plan.columns.map((c, i) => [c.column, i]));
  const order = plan.fillOrder.map((c) => at.get(c) as number);
  /** Per column: the controlling columns that rewrite it, with the changes per value. */
  const overrides: { controller: number; byValue: Map<string | null, CrawledFieldChanges> }[][] = plan.columns.map(() => []);
  for (const dep of plan.dependencies) {
    const controller = at.get(dep.control) as number;
    for (const c of dep.cases) {
      for (const f of c.fields) {
        const list = overrides[at.get(f.column) as number] as (typeof overrides)[number];
        let entry = list.find((o) => o.controller === controller);
        if (!entry) {
          entry = { controller, byValue: new Map() };
          list.push(entry);
        }
        entry.byValue.set(c.value, f.changes);
      }
    }
  }
  const excluded = plan.columns.map(() => new Set<string | null>());
  const variantKey = (active: { controller: number; value: string | null }[]) =>
    active.map((a) => `when ${plan.columns[a.controller]?.column}=${JSON.stringify(a.value)}`).join(' and ');
  plan.columns.forEach((column, i) => {
    for (const o of overrides[i] ?? []) {
      for (const [value, changes] of o.byValue) {
        const field = applyChanges(column.field, [changes]);
        if (isRemoved(field)) continue;
        const key = variantKey([{ controller: o.controller, value }]);
        valueFactory(plan, column, seed, {
          field,
          kind: kindFor(field, plan.table, column.pgType),
          key,
          onImpossible: (reason) => {
            const required = field.required && !field.disabled && !field.readOnly;
            plan.unsatisfiable.push({ column: column.column, reason: `${key}: ${reason}${required ? ` (${JSON.stringify(value)} is not chosen)` : ''}` });
            if (required) excluded[o.controller]?.add(value);
          },
        });
      }
    }
  });
  const variantField = (i: number, field: CrawledField): CrawledField => withoutValues(field, excluded[i] as Set<string | null>, plan, i);
  const base = plan.columns.map((c, i) => valueFactory(plan, c, seed, { field: variantField(i, c.field), kind: c.kind, key: '' }));
  const make = (i: number, active: { controller: number; value: string | null; changes: CrawledFieldChanges }[]): (() => ValueFn) => {
    if (!active.length) return base[i] as () => ValueFn;
    const column = plan.columns[i] as FormColumn;
    const field = applyChanges(
      column.field,
      active.map((a) => a.changes),
    );
    if (isRemoved(field)) return () => () => null;
    return valueFactory(plan, column, seed, { field: variantField(i, field), kind: kindFor(field, plan.table, column.pgType), key: variantKey(active) });
  };
  return () => {
    const streams = new Map<string, ValueFn>();
    return (row) => {
      const out: TextRow = new Array(plan.columns.length);
      const drawn = new Array<boolean>(plan.columns.length).fill(false);
      for (const i of order) {
        const active: { controller: number; value: string | null; changes: CrawledFieldChanges }[] = [];
        for (const o of overrides[i] ?? []) {
          const value = out[o.controller] ?? null;
          const changes = drawn[o.controller] ? o.byValue.get(value) : undefined;
          if (changes) active.push({ controller: o.controller, value, changes });
        }
        const key = `${i}|${variantKey(active)}`;
        let next = streams.get(key);
        if (!next) {
          next = make(i, active)();
          streams.set(key, next);
        }
        out[i] = next(row);
        drawn[i] = true;
      }
      return out;
    };
  };
}

/** A controlling control without the values under which a required control has no valid value. */
function withoutValues(field: CrawledField, values: Set<string | null>, plan: FormTable, i: number): CrawledField {
  if (!values.size) return field;
  // A single checkbox: excluding "unchecked" makes it always checked, excluding its value never.
  const options = (field.options ?? []).map((o) => ({
    ...o,
    disabled: o.disabled || values.has(o.value),
    required: o.required || (field.type === 'checkbox' && values.has(null)),
  }));
  const stuck = field.type === 'checkbox' ? options.some((o) => o.disabled && o.required) : !options.some((o) => !o.disabled);
  if (stuck) {
    const column = plan.columns[i]?.column;
    throw new InvalidInputError(`no value of ${plan.table}.${column} leaves every required control of the form satisfiable (${plan.url})`, {
      table: plan.table,
      column,
    });
  }
  return { ...field, options };
}

/** A factory of a column's value function: each call starts the column's streams afresh. */
function valueFactory(plan: FormTable, column: FormColumn, seed: string | number, variant: Variant): () => ValueFn {
  const { field } = variant;
  const path = variant.key ? [plan.table, column.column, variant.key] : [plan.table, column.column];
  const impossible = (reason: string): (() => ValueFn) => {
    if (variant.onImpossible) {
      variant.onImpossible(reason);
      return () => () => null;
    }
    if (field.required && !field.disabled && !field.readOnly) {
      throw new InvalidInputError(`no value satisfies ${plan.table}.${column.column} (${describeForm(plan)} on ${plan.url}): ${reason}`, {
        table: plan.table,
        column: column.column,
      });
    }
    plan.unsatisfiable.push({ column: column.column, reason });
    return () => () => null;
  };
  switch (field.type) {
    case 'select':
    case 'radio':
      return choiceFactory(field, seed, path, impossible);
    case 'checkbox':
      return checkboxFactory(field, seed, path);
    case 'number':
    case 'range':
      return numberFactory(field, variant.kind, seed, path, impossible);
    case 'date':
    case 'month':
    case 'week':
    case 'time':
    case 'datetime-local':
      return temporalFactory(field, variant.kind, seed, path, impossible);
    case 'color':
      return () => {
        const rng = new Rng(seed, ...path, 'color');
        const nulls = new Rng(seed, ...path, 'null');
        return () => (!field.required && nulls.chance(NULL_RATE) ? null : `#${rng.uint32().toString(16).padStart(8, '0').slice(2)}`);
      };
    default:
      return textFactory(field, variant.kind, seed, path, impossible);
  }
}

type Impossible = (reason: string) => () => ValueFn;

function choiceFactory(field: CrawledField, seed: string | number, path: string[], impossible: Impossible): () => ValueFn {
  const options = (field.options ?? []).filter((o) => !o.disabled);
  // A required select's empty option is its placeholder: choosing it leaves the value missing.
  const filled = options.filter((o) => o.value !== '');
  if (field.type === 'select' && field.required && !filled.length) return impossible('a required select has no non-empty enabled option');
  if (!options.length) return impossible(`no enabled ${field.type === 'radio' ? 'radio button' : 'option'}`);
  const pool = filled.length ? filled : options;
  if (field.type === 'select' && field.multiple) {
    return () => {
      const rng = new Rng(seed, ...path, 'multi');
      return () => {
        const n = field.required ? rng.int(1, Math.min(3, pool.length)) : rng.chance(0.15) ? 0 : rng.int(1, Math.min(3, pool.length));
        if (!n) return null;
        const chosen = new Set<number>();
        while (chosen.size < n) chosen.add(rng.int(0, pool.length - 1));
        return textArray([...chosen].sort((a, b) => a - b).map((i) => (pool[i] as { value: string }).value));
      };
    };
  }
  return () => {
    const rng = new Rng(seed, ...path, 'choice');
    return () => {
      if (field.type === 'radio' && !field.required && rng.chance(NULL_RATE)) return null;
      // An optional select now and then keeps its empty choice.
      if (field.type === 'select' && !field.required && options.length > pool.length && rng.chance(0.05)) return '';
      return rng.pick(pool).value;
    };
  };
}

function checkboxFactory(field: CrawledField, seed: string | number, path: string[]): () => ValueFn {
  const boxes = field.options ?? [];
  return () => {
    const rng = new Rng(seed, ...path, 'check');
    return () => {
      const checked = boxes.filter((b) => !b.disabled && (b.required || rng.chance(field.multiple ? 0.4 : 0.5))).map((b) => b.value);
      if (!checked.length) return null;
      return field.multiple ? textArray(checked) : (checked[0] as string);
    };
  };
}

function numberFactory(field: CrawledField, kind: SemanticKind | null, seed: string | number, path: string[], impossible: Impossible): () => ValueFn {
  const d = numberDomain(field);
  if (d.min !== null && d.max !== null && d.max < d.min) return impossible(`min ${d.min} is above max ${d.max}`);
  const decimals = d.step === null ? 2 : Math.max(decimalsOf(d.step), decimalsOf(d.base));
  let kLo = -Infinity;
  let kHi = Infinity;
  if (d.step !== null) {
    if (d.min !== null) kLo = Math.ceil((d.min - d.base) / d.step - 1e-9);
    if (d.max !== null) kHi = Math.floor((d.max - d.base) / d.step + 1e-9);
    if (kLo > kHi) return impossible(`no multiple of step ${d.step} from ${d.base} lies between min and max`);
  }
  // Without bounds, a range around the other bound (or 0–100) keeps values plausible.
  const lo = d.min ?? (d.max !== null ? Math.min(0, d.max - 100) : 0);
  const hi = d.max ?? lo + 100;
  const format = (k: number) => (d.base + k * (d.step as number)).toFixed(decimals);
  return () => {
    const rng = new Rng(seed, ...path, 'number');
    const nulls = new Rng(seed, ...path, 'null');
    const realistic = kind
      ? createValueGenerator(kind, { seed, path: [...path, 'kind'], min: d.min ?? undefined, max: d.max ?? undefined, scale: decimals })
      : null;
    return (row) => {
      if (!field.required && nulls.chance(NULL_RATE)) return null;
      const drawn = realistic ? Number(realistic.next(row)) : lo + rng.next() * (hi - lo);
      const x = Number.isFinite(drawn) ? drawn : lo;
      if (d.step === null) {
        const f = 10 ** decimals;
        const clamped = Math.min(d.max ?? Infinity, Math.max(d.min ?? -Infinity, x));
        const rounded = Math.round(clamped * f) / f;
        const inside = d.max !== null && rounded > d.max ? Math.floor(d.max * f) / f : d.min !== null && rounded < d.min ? Math.ceil(d.min * f) / f : rounded;
        return inside.toFixed(decimals);
      }
      const k = Math.min(kHi, Math.max(kLo, Math.round((x - d.base) / d.step)));
      return format(k);
    };
  };
}

const TEMPORAL_SPAN: Record<keyof typeof TEMPORAL, { from: string; to: string }> = {
  date: { from: '2021-01-01', to: '2025-12-31' },
  month: { from: '2021-01', to: '2025-12' },
  week: { from: '2021-W01', to: '2025-W52' },
  time: { from: '07:00', to: '20:00' },
  'datetime-local': { from: '2023-01-01T00:00', to: '2025-12-31T23:59' },
};

function temporalFactory(field: CrawledField, kind: SemanticKind | null, seed: string | number, path: string[], impossible: Impossible): () => ValueFn {
  const type = field.type as keyof typeof TEMPORAL;
  const t: TemporalType = TEMPORAL[type];
  const min = field.min === null ? null : t.parse(field.min);
  const max = field.max === null ? null : t.parse(field.max);
  const stepText = field.step?.trim().toLowerCase() ?? null;
  const parsedStep = parseHtmlNumber(stepText);
  const step = stepText === 'any' ? 1 : Math.max(1, Math.round((parsedStep !== null && parsedStep > 0 ? parsedStep : t.defaultStep) * t.stepScale));
  const base = min ?? (field.value === null ? null : t.parse(field.value)) ?? t.defaultBase;
  const span = TEMPORAL_SPAN[type];
  const width = (t.parse(span.to) as number) - (t.parse(span.from) as number);
  // A time range may wrap past midnight (min 22:00, max 06:00): values from min to the end of the day then count.
  const wraps = type === 'time' && min !== null && max !== null && max < min;
  if (!wraps && min !== null && max !== null && max < min) return impossible(`min ${field.min} is after max ${field.max}`);
  const lo = min ?? (max !== null ? max - width : (t.parse(span.from) as number));
  const hi = wraps ? DAY_MS - 1 : (max ?? (min !== null ? min + width : (t.parse(span.to) as number)));
  const kLo = Math.ceil((lo - base) / step);
  const kHi = Math.floor((hi - base) / step);
  if (kLo > kHi) return impossible(`no value on the step grid between ${field.min ?? '…'} and ${field.max ?? '…'}`);
  return () => {
    const rng = new Rng(seed, ...path, type);
    const nulls = new Rng(seed, ...path, 'null');
    const realistic =
      type === 'date' && kind
        ? createValueGenerator(kind, { seed, path: [...path, 'kind'], minDate: field.min ?? undefined, maxDate: field.max ?? undefined })
        : null;
    return (row) => {
      if (!field.required && nulls.chance(NULL_RATE)) return null;
      const fromKind = realistic ? t.parse(realistic.next(row).slice(0, 10)) : null;
      const x = fromKind ?? lo + rng.next() * (hi - lo);
      const k = Math.min(kHi, Math.max(kLo, Math.round((x - base) / step)));
      return t.format(base + k * step);
    };
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function letters(rng: Rng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += LETTERS[rng.int(0, 25)];
  return out;
}

/** A value of exactly `length` code units that the type accepts, for when nothing realistic fits. */
function plainValue(type: string, length: number, rng: Rng): string {
  if (type === 'email') {
    if (length >= 13) return `${letters(rng, length - 12)}@example.com`;
    return `${letters(rng, Math.max(1, length - 2))}@${letters(rng, 1)}`;
  }
  if (type === 'url') {
    if (length >= 20) return `https://example.com/${letters(rng, length - 20)}`;
    return `${letters(rng, 1)}:${letters(rng, Math.max(0, length - 2))}`;
  }
  if (type === 'tel') return rng.digits(length);
  return letters(rng, length);
}

function textFactory(field: CrawledField, kind: SemanticKind | null, seed: string | number, path: string[], impossible: Impossible): () => ValueFn {
  const pattern = field.type === 'textarea' ? null : compilePattern(field.pattern);
  const minLength = field.minLength ?? 0;
  const maxLength = field.maxLength;
  if (maxLength !== null && maxLength < minLength) return impossible(`minlength ${minLength} is above maxlength ${maxLength}`);
  if (maxLength === 0) return impossible('maxlength is 0');
  const accepts = (v: string) => v.length > 0 && textValueProblem(field, v, pattern) === null;
  const wanted = (rng: Rng) => rng.int(Math.max(minLength, 1), maxLength ?? Math.max(minLength, 1) + 11);

  /** Makes a realistic value fit the length limits without breaking its type. */
  const fitLength = (value: string, rng: Rng): string => {
    let v = value;
    if (v.length < minLength) {
      const at = field.type === 'email' ? v.indexOf('@') : -1;
      const extra = letters(rng, minLength - v.length);
      v = at > 0 ? `${v.slice(0, at)}${extra}${v.slice(at)}` : field.type === 'url' ? `${v}${v.endsWith('/') ? '' : '/'}${extra}` : `${v}${extra}`;
    }
    if (maxLength !== null && v.length > maxLength) v = v.slice(0, maxLength).trimEnd();
    return v;
  };

  const makeRandexp = (rng: Rng): RandExp | null => {
    if (!pattern || field.pattern === null) return null;
    try {
      return seededRandExp(field.pattern, (a, b) => rng.int(a, b), Math.max(8, Math.min(maxLength ?? 16, Math.max(minLength, 16))));
    } catch {
      return null;
    }
  };

  const build = (tag: string) => {
    const rng = new Rng(seed, ...path, tag);
    const realistic = kind ? createValueGenerator(kind, { seed, path: [...path, tag], maxLength: maxLength ?? undefined }) : null;
    const randexp = makeRandexp(rng);
    return { rng, realistic, randexp };
  };

  // Probe once: does the realistic kind ever fit (a tel pattern of 3 digits rejects phone numbers)?
  // If not, rows go straight to the pattern or the plain form; if nothing fits at all, say so now.
  const probe = build('probe');
  let realisticFits = false;
  let anyFits = false;
  for (let i = 0; i < 24 && !realisticFits; i++) {
    if (probe.realistic && accepts(fitLength(probe.realistic.next(i), probe.rng))) realisticFits = true;
  }
  anyFits = realisticFits;
  for (let i = 0; i < 200 && !anyFits; i++) {
    const v = probe.randexp ? fitLength(probe.randexp.gen(), probe.rng) : plainValue(field.type, wanted(probe.rng), probe.rng);
    if (accepts(v)) anyFits = true;
  }
  if (!anyFits) return impossible(pattern ? `no value found that matches ${field.pattern} within the length limits` : 'no value fits the length limits');

  return () => {
    const { rng, realistic, randexp } = build('value');
    const nulls = new Rng(seed, ...path, 'null');
    return (row) => {
      if (!field.required && nulls.chance(NULL_RATE)) return null;
      if (realistic && realisticFits) {
        for (let attempt = 0; attempt < 4; attempt++) {
          const v = fitLength(realistic.next(row), rng);
          if (accepts(v)) return v;
        }
      }
      for (let attempt = 0; attempt < 200; attempt++) {
        const v = randexp ? fitLength(randexp.gen(), rng) : plainValue(field.type, wanted(rng), rng);
        if (accepts(v)) return v;
      }
      if (!field.required) return null;
      throw new InvalidInputError(`could not generate a value for ${path.join('.')} that the form accepts`, { table: path[0], column: path[1] });
    };
  };
}
