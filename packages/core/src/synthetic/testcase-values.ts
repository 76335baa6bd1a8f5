/**
 * Test-case mode's values: the example values a test types, kept when they fit the column and its
 * constraints, and seeded generators for every other row (value lists, patterns, semantic kinds).
 */
import { InvalidInputError } from '../errors.ts';
import { seededRandExp } from './randexp.ts';
import { Rng } from './rng.ts';
import { createValueGenerator, kindFitsType, type SemanticKind, semanticKindFor, type ValueGenerator } from './semantic.ts';
import type { PlannedColumn, PlannedTable } from './testcase-plan.ts';

/**
 * An example value as the column stores it, or null when it does not fit the column's type or breaks
 * a constraint the test states — a test's negative example (`"short"` for a password of at least 8
 * characters) is what the form must refuse, not a row to load.
 */
export function exampleFor(value: string, column: PlannedColumn): string | null {
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
export function columnGenerator(table: PlannedTable, column: PlannedColumn, seed: string | number): (row: number) => string | null {
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
