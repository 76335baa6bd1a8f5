/**
 * Test-case mode: the entities a test case fills in (testcase/analyze.ts) become tables — one per
 * entity, named in the plural (`user` → `users`, `address` → `addresses`), with a surrogate `id`
 * and one column per field — and rows whose values fit each field's type and the constraints the
 * text states (required, unique, lengths, ranges, enumerations, patterns). With `keepExamples`, the
 * example values a scenario uses together come first, one row per scenario or Examples row, so the
 * very data the test types exists in the database.
 */
import { InvalidInputError } from '../errors.ts';
import type { TestCaseAnalysis, TestCaseEntity, TestCaseField } from '../testcase/types.ts';
import { syntheticCatalog, type ColumnSpec, type TableSpec } from './catalog.ts';
import { seededRandExp } from './randexp.ts';
import { Rng } from './rng.ts';
import { createValueGenerator, kindFitsType, type SemanticKind, semanticKindFor, type ValueGenerator } from './semantic.ts';
import { type GeneratedDataset, type GeneratedTable, type RowCounts, rowCountFor, type TextRow } from './types.ts';

export interface TestCaseGenerateOptions {
  rowCounts?: RowCounts | null;
  seed?: number | string | null;
  /** Put the test case's own example rows first (default true). */
  keepExamples?: boolean | null;
  /** Stable identity of the test case (its content hash), for the synthetic source's url. */
  sourceKey: string;
  /** Name of the dataset's catalog (the test case's file name or title). */
  name?: string | null;
}

interface ParsedConstraints {
  required: boolean;
  unique: boolean;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  values?: string[];
  pattern?: string;
}

/** Reads the analyser's constraint strings (`required`, `min_length:8`, `enum:a|b`, `pattern:…`). */
export function parseConstraints(list: readonly string[]): ParsedConstraints {
  const out: ParsedConstraints = { required: false, unique: false };
  for (const c of list) {
    const colon = c.indexOf(':');
    const key = colon < 0 ? c : c.slice(0, colon);
    const value = colon < 0 ? '' : c.slice(colon + 1);
    const num = Number(value);
    switch (key) {
      case 'required':
        out.required = true;
        break;
      case 'unique':
        out.unique = true;
        break;
      case 'min_length':
        if (Number.isFinite(num)) out.minLength = num;
        break;
      case 'max_length':
        if (Number.isFinite(num)) out.maxLength = num;
        break;
      case 'min':
        if (value !== '' && Number.isFinite(num)) out.min = num;
        break;
      case 'max':
        if (value !== '' && Number.isFinite(num)) out.max = num;
        break;
      case 'enum':
        out.values = value.split('|').filter((v) => v !== '');
        break;
      case 'pattern':
        out.pattern = value;
        break;
    }
  }
  return out;
}

const IRREGULAR: Record<string, string> = { person: 'people', child: 'children', address: 'addresses', status: 'statuses' };

/** `user` → `users`, `category` → `categories`, `address` → `addresses`. */
export function pluralTableName(entity: string): string {
  if (IRREGULAR[entity]) return IRREGULAR[entity];
  if (/(s|x|z|ch|sh)$/.test(entity)) return `${entity}es`;
  if (/[^aeiou]y$/.test(entity)) return `${entity.slice(0, -1)}ies`;
  return `${entity}s`;
}

const allIntegers = (values: readonly string[]) => values.length > 0 && values.every((v) => /^-?\d+$/.test(v.trim()));

/** The column type of a field, from its type, constraints and example values. */
function columnType(field: TestCaseField, c: ParsedConstraints): string {
  const bounded = (fallback: number) => `character varying(${Math.max(c.maxLength ?? fallback, c.minLength ?? 0, 1)})`;
  switch (field.type as string) {
    case 'email':
      return bounded(254);
    case 'phone':
      return bounded(32);
    case 'postal_code':
      return bounded(16);
    case 'credit_card':
      return bounded(23);
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamp without time zone';
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'decimal':
      return 'numeric(12,2)';
    case 'number':
      return allIntegers(field.exampleValues) ? 'integer' : 'numeric(12,2)';
    default:
      return c.maxLength ? `character varying(${c.maxLength})` : 'text';
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

interface PlannedColumn {
  field: TestCaseField | null;
  spec: ColumnSpec;
  constraints: ParsedConstraints;
  /** A key to the parent entity's table (`user_id` → users.id). */
  parent?: PlannedTable;
}

interface PlannedTable {
  entity: TestCaseEntity;
  spec: TableSpec;
  columns: PlannedColumn[];
  rowCount: number;
  examples: Record<string, string>[];
}

function planTable(entity: TestCaseEntity, counts: RowCounts | null | undefined, keepExamples: boolean): PlannedTable {
  const name = pluralTableName(entity.name);
  const columns: PlannedColumn[] = [];
  const hasId = entity.fields.some((f) => f.name === 'id');
  if (!hasId)
    columns.push({ field: null, spec: { name: 'id', dataType: 'bigint', nullable: false, identity: true }, constraints: { required: true, unique: true } });
  const checks: NonNullable<TableSpec['checks']> = [];
  const uniques: string[][] = [];
  for (const field of entity.fields) {
    const c = parseConstraints(field.constraints);
    const dataType = field.name === 'id' && hasId ? 'bigint' : columnType(field, c);
    columns.push({ field, spec: { name: field.name, dataType, nullable: !c.required && field.name !== 'id' }, constraints: c });
    const col = quote(field.name);
    if (c.unique && field.name !== 'id') uniques.push([field.name]);
    const textual = !/^(integer|bigint|numeric|date|timestamp|boolean)/.test(dataType);
    if (textual && c.minLength !== undefined && c.minLength > 0) checks.push({ expression: `(char_length(${col}) >= ${c.minLength})`, columns: [field.name] });
    if (!textual && !/^(date|timestamp|boolean)/.test(dataType)) {
      if (c.min !== undefined) checks.push({ expression: `(${col} >= ${c.min})`, columns: [field.name] });
      if (c.max !== undefined) checks.push({ expression: `(${col} <= ${c.max})`, columns: [field.name] });
    }
    if (c.values?.length && textual) checks.push({ expression: `(${col} IN (${c.values.map(literal).join(', ')}))`, columns: [field.name] });
  }
  const examples = keepExamples ? exampleRowsOf(entity) : [];
  const requested = counts?.[name] ?? counts?.[entity.name] ?? rowCountFor(counts, 'public', name, 100);
  return {
    entity,
    spec: { name, columns: columns.map((c) => c.spec), primaryKey: ['id'], uniques, checks, comment: `generated from the test case's ${entity.name} fields` },
    columns,
    rowCount: Math.max(requested, examples.length),
    examples,
  };
}

/** The entity's example rows; when the analysis has none, one row of each field's first example. */
function exampleRowsOf(entity: TestCaseEntity): Record<string, string>[] {
  const rows = entity.exampleRows ?? [];
  if (rows.length) return rows.filter((r) => Object.keys(r).length > 0);
  const one: Record<string, string> = {};
  for (const f of entity.fields) if (f.exampleValues[0] !== undefined) one[f.name] = f.exampleValues[0];
  return Object.keys(one).length ? [one] : [];
}

/**
 * An example value as the column stores it, or null when it does not fit the column's type or breaks
 * a constraint the test states — a test's negative example (`"short"` for a password of at least 8
 * characters) is what the form must refuse, not a row to load.
 */
function exampleFor(value: string, column: PlannedColumn): string | null {
  const stored = storedExample(value, column.spec.dataType);
  if (stored === null) return null;
  const c = column.constraints;
  const length = [...stored].length;
  if (c.minLength !== undefined && length < c.minLength) return null;
  if (c.maxLength !== undefined && length > c.maxLength) return null;
  if (c.values?.length && !c.values.includes(stored)) return null;
  if (c.pattern) {
    try {
      if (!new RegExp(`^(?:${c.pattern})$`, 'u').test(stored)) return null;
    } catch {
      // A pattern JavaScript cannot compile constrains nothing here.
    }
  }
  const n = Number(stored);
  if (c.min !== undefined && !(n >= c.min)) return null;
  if (c.max !== undefined && !(n <= c.max)) return null;
  if (column.field?.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(stored)) return null;
  return stored;
}

function storedExample(value: string, dataType: string): string | null {
  const v = value.trim();
  if (/^(integer|bigint)/.test(dataType)) return /^-?\d+$/.test(v) ? v : null;
  if (dataType.startsWith('numeric')) return /^-?\d+(\.\d+)?$/.test(v) ? v : null;
  if (dataType === 'boolean')
    return /^(true|false|yes|no|on|off|t|f|1|0|checked|unchecked)$/i.test(v) ? (/^(true|yes|on|t|1|checked)$/i.test(v) ? 't' : 'f') : null;
  if (dataType === 'date') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))) return v;
    const dmy = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(v);
    return dmy ? `${dmy[3]}-${dmy[2]?.padStart(2, '0')}-${dmy[1]?.padStart(2, '0')}` : null;
  }
  if (dataType.startsWith('timestamp')) return Number.isNaN(Date.parse(v)) ? null : v;
  const limit = /\((\d+)\)/.exec(dataType);
  return limit && [...value].length > Number(limit[1]) ? null : value;
}

/**
 * A generator of values for one column that keep its constraints. Every row gets a value: the test
 * fills each of these fields in, so a user of the form does too.
 */
function columnGenerator(table: PlannedTable, column: PlannedColumn, seed: string | number): (row: number) => string | null {
  const { spec, constraints: c, field } = column;
  if (column.parent) {
    // Example rows belong to the parent's example rows in order; the rest pick a parent with a skew (a few own many).
    const parents = column.parent.rowCount;
    const pick = new Rng(seed, table.spec.name, spec.name, 'parent');
    return (row) => String(row < table.examples.length && row < parents ? row + 1 : 1 + Math.floor(parents * pick.next() ** 1.6));
  }
  if (!field) return (row) => String(row + 1);
  const rng = new Rng(seed, table.spec.name, spec.name, 'shape');
  if (c.values?.length) {
    const values = c.values;
    return () => rng.pick(values);
  }
  if (c.pattern) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(`^(?:${c.pattern})$`, 'u');
    } catch {
      re = null;
    }
    if (re) {
      const randexp = seededRandExp(re, (a, b) => rng.int(a, b));
      const matcher = re;
      return () => {
        for (let i = 0; i < 20; i++) {
          const v = randexp.gen();
          if (matcher.test(v) && (c.maxLength === undefined || v.length <= c.maxLength) && (c.minLength === undefined || v.length >= c.minLength)) return v;
        }
        throw new InvalidInputError(`cannot generate a value for ${table.spec.name}.${spec.name} that matches /${c.pattern}/ within its length limits`);
      };
    }
  }
  const dataType = spec.dataType;
  const maxLength = c.maxLength ?? (/\((\d+)\)/.exec(dataType) ? Number(/\((\d+)\)/.exec(dataType)?.[1]) : null);
  let kind: SemanticKind | null = semanticKindFor({ name: field.name, table: table.entity.name, fieldType: field.type, pgType: dataType });
  if (kind && !kindFitsType(kind, dataType)) kind = null;
  kind ??= fallbackKind(dataType);
  const gen: ValueGenerator = createValueGenerator(kind, {
    seed,
    path: [table.spec.name, spec.name],
    maxLength,
    unique: c.unique,
    min: c.min,
    max: c.max,
    scale: dataType.startsWith('numeric') ? 2 : dataType === 'integer' ? 0 : undefined,
  });
  const pad = new Rng(seed, table.spec.name, spec.name, 'pad');
  return (row) => {
    let v = gen.next(row);
    if (c.minLength !== undefined && [...v].length < c.minLength) {
      while ([...v].length < c.minLength) v += pad.pick(['a', 'b', 'c', 'x', '7', '9']);
    }
    if (
      c.unique &&
      !['email', 'username', 'phone', 'creditCard', 'iban', 'sku', 'code', 'url', 'domain', 'nationalId', 'bankAccount', 'ipv4'].includes(gen.kind)
    ) {
      // Kinds without their own unique form get the row number folded in.
      const tail = `-${row.toString(36)}`;
      v = maxLength ? `${v.slice(0, Math.max(maxLength - tail.length, 1))}${tail}` : `${v}${tail}`;
    }
    return v;
  };
}

function fallbackKind(dataType: string): SemanticKind {
  if (/^(integer|bigint)/.test(dataType)) return 'quantity';
  if (dataType.startsWith('numeric')) return 'amount';
  if (dataType === 'date') return 'pastDate';
  if (dataType.startsWith('timestamp')) return 'pastTimestamp';
  if (dataType === 'boolean') return 'boolean';
  return 'word';
}

/** Builds the tables and rows for a test case's analysis. */
/** Which entity owns which: an address or a bank account belongs to its user, an order to its customer, a payment to its order. */
const OWNERS: Record<string, readonly string[]> = {
  address: ['customer', 'user'],
  bank_account: ['customer', 'user'],
  payment_method: ['customer', 'user'],
  order: ['customer', 'user'],
  cart: ['customer', 'user'],
  payment: ['order', 'customer', 'user'],
  order_item: ['order'],
  review: ['product', 'customer', 'user'],
  comment: ['user', 'customer'],
  profile: ['user', 'customer'],
};
const PERSON = ['customer', 'user'];

/** The entity a child belongs to among those the test case has, if any. */
function ownerOf(entity: string, present: ReadonlySet<string>): string | undefined {
  const listed = OWNERS[entity] ?? (PERSON.includes(entity) ? [] : PERSON);
  return listed.find((o) => o !== entity && present.has(o));
}

/** Adds `<owner>_id` keys to child tables and orders tables parents first. */
function relate(planned: PlannedTable[]): PlannedTable[] {
  const byEntity = new Map(planned.map((p) => [p.entity.name, p]));
  const present = new Set(byEntity.keys());
  for (const p of planned) {
    const owner = ownerOf(p.entity.name, present);
    const parent = owner ? byEntity.get(owner) : undefined;
    if (!parent || parent === p) continue;
    const column = `${parent.entity.name}_id`;
    if (p.columns.some((c) => c.spec.name === column)) continue;
    p.columns.splice(1, 0, {
      field: null,
      spec: { name: column, dataType: 'bigint', nullable: false },
      constraints: { required: true, unique: false },
      parent,
    });
    p.spec.columns = p.columns.map((c) => c.spec);
    p.spec.foreignKeys = [...(p.spec.foreignKeys ?? []), { columns: [column], references: { table: parent.spec.name, columns: ['id'] } }];
  }
  // Parents before children (the owner graph has no cycles: OWNERS only points up).
  const ordered: PlannedTable[] = [];
  const visit = (p: PlannedTable) => {
    if (ordered.includes(p)) return;
    for (const c of p.columns) if (c.parent) visit(c.parent);
    ordered.push(p);
  };
  for (const p of planned) visit(p);
  return ordered;
}

export function generateFromTestCase(analysis: TestCaseAnalysis, options: TestCaseGenerateOptions): GeneratedDataset {
  const entities = analysis.entities.filter((e) => e.fields.length > 0);
  if (!entities.length) {
    throw new InvalidInputError('the test case fills in no fields TDM recognises: nothing to generate (check its format, or use another synthetic mode)', {
      format: analysis.format,
    });
  }
  const seed = options.seed ?? 1;
  const keepExamples = options.keepExamples ?? true;
  const planned = relate(entities.map((e) => planTable(e, options.rowCounts, keepExamples)));
  const names = new Set<string>();
  for (const p of planned) {
    if (names.has(p.spec.name)) throw new InvalidInputError(`two entities map to the table ${p.spec.name}`);
    names.add(p.spec.name);
  }
  const catalog = syntheticCatalog(
    options.name ?? 'test case',
    planned.map((p) => p.spec),
  );
  const tables: GeneratedTable[] = planned.map((p) => ({
    table: {
      schema: 'public',
      name: p.spec.name,
      columns: p.columns.map((c) => ({ name: c.spec.name, pgType: c.spec.dataType, nullable: c.spec.nullable ?? true })),
    },
    rowCount: p.rowCount,
    rows: (batchSize: number) => rowsOf(p, seed, batchSize),
  }));
  return {
    mode: 'TEST_CASE',
    catalog,
    schemaVersionId: null,
    sourceUrl: `synthetic:testcase/${options.sourceKey}`,
    tables,
    meta: {
      seed,
      format: analysis.format,
      keepExamples,
      entities: planned.map((p) => ({
        entity: p.entity.name,
        table: p.spec.name,
        fields: p.entity.fields.map((f) => f.name),
        exampleRows: p.examples.length,
        parent: p.columns.find((c) => c.parent)?.parent?.spec.name ?? null,
      })),
      rowCounts: Object.fromEntries(planned.map((p) => [p.spec.name, p.rowCount])),
    },
  };
}

async function* rowsOf(p: PlannedTable, seed: string | number, batchSize: number): AsyncGenerator<TextRow[]> {
  const gens = p.columns.map((c) => columnGenerator(p, c, seed));
  const uniqueSeen = p.columns.map((c) => (c.field && c.constraints.unique ? new Set<string>() : null));
  let batch: TextRow[] = [];
  for (let row = 0; row < p.rowCount; row++) {
    const example = p.examples[row];
    const out: TextRow = new Array(p.columns.length);
    for (let i = 0; i < p.columns.length; i++) {
      const column = p.columns[i] as PlannedColumn;
      const given = example && column.field ? example[column.field.name] : undefined;
      const fromExample = given !== undefined ? exampleFor(given, column) : null;
      let value = fromExample ?? (gens[i] as (row: number) => string | null)(row);
      const seen = uniqueSeen[i];
      if (seen && value !== null) {
        // An example may equal a generated value of a unique column: the later row gives way.
        while (seen.has(value)) value = `${value}-${row.toString(36)}`;
        seen.add(value);
      }
      out[i] = value;
    }
    batch.push(out);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
