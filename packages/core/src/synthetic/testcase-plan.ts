/**
 * Test-case mode's tables: one per entity the test case fills in, named in the plural, with a
 * surrogate `id`, one column per field typed from the field's type and example values, and the
 * uniques and CHECKs of the constraints the text states.
 */
import type { TestCaseEntity, TestCaseField } from '../testcase/types.ts';
import type { ColumnSpec, TableSpec } from './catalog.ts';
import { type RowCounts, rowCountFor } from './types.ts';

export interface ParsedConstraints {
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

export interface PlannedColumn {
  field: TestCaseField | null;
  spec: ColumnSpec;
  constraints: ParsedConstraints;
  /** A key to the parent entity's table (`user_id` → users.id). */
  parent?: PlannedTable;
}

export interface PlannedTable {
  entity: TestCaseEntity;
  spec: TableSpec;
  columns: PlannedColumn[];
  rowCount: number;
  examples: Record<string, string>[];
}

/** The table of `entity`: its columns, constraints, row count and example rows. */
export function planTable(entity: TestCaseEntity, counts: RowCounts | null | undefined, keepExamples: boolean): PlannedTable {
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
