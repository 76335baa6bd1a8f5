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
import type { CrawledField, CrawledFieldChanges, CrawledForm, CrawledPage } from '../crawl/types.ts';
import { InvalidInputError } from '../errors.ts';
import { type ColumnSpec, syntheticCatalog, type TableSpec } from './catalog.ts';
import type { SemanticKind } from './semantic.ts';
import { applyChanges, describeForm, isRemoved, kindFor, numberDomain, type VariantField } from './form-fields.ts';
import { type RowFn, rowFactory } from './form-values.ts';
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
const PG_IDENT_BYTES = 63;

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

function columnComment(field: CrawledField): string {
  const label = field.label ? ` "${field.label}"` : '';
  return `${field.tag}${field.tag === 'input' ? ` type=${field.type}` : ''}${label}`;
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
