/**
 * PostgreSQL text → the JavaScript value a dataset column's Parquet type stores, checked: only the
 * spelling PostgreSQL itself prints is let through, so every value comes back byte for byte.
 */
import { InvalidInputError } from '../errors.ts';
import { formatFloat8, parseFloat8 } from './float8.ts';
import type { DatasetColumn } from './types.ts';

type ParquetType = DatasetColumn['parquetType'];
type Encode = (text: string, column: DatasetColumn) => unknown;

const INT64_TEXT = /^(?:0|-?[1-9][0-9]{0,18})$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function badValue(column: DatasetColumn, text: string): never {
  throw new InvalidInputError(`value ${JSON.stringify(text.slice(0, 80))} of column ${JSON.stringify(column.name)} is not valid ${column.pgType} text`, {
    column: column.name,
    pgType: column.pgType,
  });
}

const ENCODERS: Record<ParquetType, Encode> = {
  INT32: (text, column) => {
    const value = +text;
    // `| 0` is the identity only for 32-bit integers; the text check keeps "1e3" or " 7" out.
    if ((value | 0) !== value || String(value) !== text) badValue(column, text);
    return value;
  },
  INT64: (text, column) => {
    // BigInt() would also take " 7", "0x1f" or "": only PostgreSQL's own spelling is let through.
    if (!INT64_TEXT.test(text)) badValue(column, text);
    const value = BigInt(text);
    if (value < INT64_MIN || value > INT64_MAX) badValue(column, text);
    return value;
  },
  BOOLEAN: (text, column) => (text === 't' ? true : text === 'f' ? false : badValue(column, text)),
  DOUBLE: (text, column) => {
    const value = parseFloat8(text);
    // PostgreSQL ≥ 12 prints the shortest exact text; anything else (extra_float_digits < 1, another
    // producer) would not come back byte for byte, so it is refused rather than silently changed.
    if (formatFloat8(value) !== text) {
      throw new InvalidInputError(
        `float8 value ${JSON.stringify(text)} of column ${JSON.stringify(column.name)} is not in PostgreSQL's shortest-exact form (extra_float_digits must be ≥ 1)`,
        { column: column.name },
      );
    }
    return value;
  },
  STRING: (text) => text,
  BYTES: (_text, column) => badValue(column, _text),
};

/** A value's PostgreSQL text as the JavaScript value its column's Parquet type stores; InvalidInputError when it is not valid text for it. */
export function encodeParquetValue(text: string, column: DatasetColumn): unknown {
  return ENCODERS[column.parquetType](text, column);
}
