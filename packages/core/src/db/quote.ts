/**
 * Quoting for SQL text that cannot use parameters (identifiers in DDL, COPY, generated scripts).
 * Identifiers are always double-quoted so case and odd characters (`Bad Name 123!@#`, `a"b`)
 * survive exactly as the catalog spells them.
 */
import { InvalidInputError } from '../errors.ts';

function rejectNul(value: string, what: string): void {
  // PostgreSQL cannot store NUL in text; letting one through would truncate the statement server-side.
  if (value.includes('\0')) throw new InvalidInputError(`${what} contains a NUL byte`, { value: value.replaceAll('\0', '\\0') });
}

/** `name` as a double-quoted identifier, embedded `"` doubled. */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name === '') throw new InvalidInputError('an identifier cannot be empty');
  rejectNul(name, 'identifier');
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"`. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A string literal for a server with `standard_conforming_strings = on` (the default since 9.1):
 * only `'` needs doubling, backslashes are literal. `null` becomes `NULL`; numbers, bigints and
 * booleans are written as SQL text.
 */
export function quoteLiteral(value: string | number | bigint | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number' && !Number.isFinite(value)) return `'${value}'`; // 'NaN', 'Infinity' cast from text
  // Parenthesised when negative so `a-${lit}` can never turn into a `--` comment.
  if (typeof value !== 'string') return value < 0 ? `(${value})` : String(value);
  rejectNul(value, 'literal');
  return `'${value.replaceAll("'", "''")}'`;
}
