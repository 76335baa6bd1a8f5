/**
 * PostgreSQL's COPY text format (the default `COPY … TO STDOUT` / `FROM STDIN` format): one row per
 * line, columns separated by a tab, `\N` for NULL, and backslash escapes for the characters that
 * would otherwise break the framing. This is the hot path of every dataset step (a million rows per
 * table is normal), so the common case — a field without a backslash — costs one `split` and one
 * `indexOf`, and bytes are decoded to strings in large slices, never per character.
 */
import { Readable } from 'node:stream';
import type { TextRow } from './types.ts';

const NEWLINE = 10;
const BACKSLASH = 92;

/** Input bytes are decoded in slices of about this size, cut at a line end (keeps strings small). */
const DECODE_SLICE_BYTES = 1 << 20;
/** `batchesToCopyText` emits a chunk once this many characters are pending (and at each batch end). */
const OUTPUT_CHUNK_CHARS = 1 << 20;

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function isOctal(code: number): boolean {
  return code >= 48 && code <= 55;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * Decodes one field holding at least one backslash. Octal (`\101`) and hex (`\x41`) escapes give
 * bytes, not characters (PostgreSQL then checks the bytes against the encoding), so consecutive
 * byte escapes are collected and decoded as UTF-8 together.
 */
function unescapeField(field: string, firstBackslash: number): string {
  // No closures in here: tsx/esbuild wraps every function expression in a naming helper, per call.
  let out = field.slice(0, firstBackslash);
  let bytes: number[] | null = null;
  let i = firstBackslash;
  while (i < field.length) {
    const code = field.charCodeAt(i);
    if (code !== BACKSLASH) {
      if (bytes) {
        out += Buffer.from(bytes).toString('utf8');
        bytes = null;
      }
      const next = field.indexOf('\\', i);
      const end = next === -1 ? field.length : next;
      out += field.slice(i, end);
      i = end;
      continue;
    }
    const cc = i + 1 < field.length ? field.charCodeAt(i + 1) : -1;
    if (isOctal(cc)) {
      let value = cc - 48;
      let j = i + 2;
      for (let k = 0; k < 2 && j < field.length && isOctal(field.charCodeAt(j)); k++, j++) value = value * 8 + field.charCodeAt(j) - 48;
      if (bytes) bytes.push(value & 0xff);
      else bytes = [value & 0xff];
      i = j;
      continue;
    }
    if (cc === 120 /* x */ && i + 2 < field.length && hexValue(field.charCodeAt(i + 2)) >= 0) {
      let value = hexValue(field.charCodeAt(i + 2));
      let j = i + 3;
      if (j < field.length && hexValue(field.charCodeAt(j)) >= 0) value = value * 16 + hexValue(field.charCodeAt(j++));
      if (bytes) bytes.push(value);
      else bytes = [value];
      i = j;
      continue;
    }
    if (bytes) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = null;
    }
    if (cc === -1) {
      // A trailing lone backslash: PostgreSQL keeps it as is.
      out += '\\';
      break;
    }
    // \b \f \n \r \t \v, and any other character stands for itself (`\\` → `\`, `\x` without digits → `x`).
    const c = field[i + 1] as string;
    out += SIMPLE_ESCAPES[c] ?? c;
    i += 2;
  }
  if (bytes) out += Buffer.from(bytes).toString('utf8');
  return out;
}

/**
 * Parses one line of COPY text output (without its line end) into PostgreSQL text values:
 * `\N` → `null`, escapes decoded. A line is never empty for a table with columns: an empty line is
 * one row of one empty string, as PostgreSQL reads it.
 */
export function parseCopyTextLine(line: string): TextRow {
  const fields: TextRow = line.split('\t');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    const slash = field.indexOf('\\');
    if (slash === -1) continue;
    fields[i] = field === '\\N' ? null : unescapeField(field, slash);
  }
  return fields;
}

/** Characters that must be escaped in COPY text output: control characters with a letter escape and the backslash. */
const NEEDS_ESCAPE = /[\\\t\n\r\b\f\v]/;
const ESCAPE_ALL = /[\\\t\n\r\b\f\v]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
const escapeChar = (c: string) => ESCAPES[c] as string;

/** A value as a COPY text field (`null` → `\N`). */
export function formatCopyTextValue(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_ALL, escapeChar) : value;
}

/**
 * Writes bytes `src[from, to)` (UTF-8 of a text value) into `buf` at `pos` as a COPY text field: the
 * backslash and \b \t \n \v \f \r escaped. `buf` must have room for twice the bytes; returns the new position.
 */
export function writeCopyEscaped(buf: Uint8Array, pos: number, src: Uint8Array, from: number, to: number): number {
  let at = pos;
  for (let k = from; k < to; k++) {
    const c = src[k] as number;
    if (c === BACKSLASH) {
      buf[at++] = BACKSLASH;
      buf[at++] = BACKSLASH;
    } else if (c <= 13 && c >= 8) {
      buf[at++] = BACKSLASH;
      // \b \t \n \v \f \r
      buf[at++] = c === 8 ? 98 : c === 9 ? 116 : c === 10 ? 110 : c === 11 ? 118 : c === 12 ? 102 : 114;
    } else {
      buf[at++] = c;
    }
  }
  return at;
}

/** Prints an integer of at most 53 bits into `buf` at `pos`, as PostgreSQL prints it (room for 24 bytes); returns the new position. */
export function writeCopyInt(buf: Uint8Array, pos: number, value: number): number {
  let at = pos;
  let n = value;
  if (n < 0) {
    buf[at++] = 45;
    n = -n;
  }
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  at += digits;
  if (n < 2147483648) {
    for (let k = at - 1; k >= at - digits; k--) {
      const q = (n / 10) | 0;
      buf[k] = 48 + (n - q * 10);
      n = q;
    }
  } else {
    for (let k = at - 1; k >= at - digits; k--) {
      const q = Math.floor(n / 10);
      buf[k] = 48 + (n - q * 10);
      n = q;
    }
  }
  return at;
}

/** One row as a line of COPY text input, with its trailing newline — what `COPY … FROM STDIN` reads. */
export function formatCopyTextRow(row: TextRow): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    line += formatCopyTextValue(row[i] ?? null);
  }
  return `${line}\n`;
}

/**
 * Streams COPY text output (bytes, as `COPY … TO STDOUT` produces them) into batches of at most
 * `batchSize` rows. Lines and UTF-8 characters split across chunks are joined; `\r\n` line ends are
 * accepted; the end-of-data marker `\.` ends the input. Memory stays at one batch plus one chunk.
 */
export async function* copyTextToBatches(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  batchSize = 10_000,
): AsyncGenerator<TextRow[]> {
  const size = Math.max(1, Math.floor(batchSize));
  let batch: TextRow[] = [];
  // The unfinished last line, as the chunks that hold it (joined once its end arrives: a long value
  // spread over many chunks is copied once, not once per chunk).
  let pending: Buffer[] = [];
  let ended = false;

  // Returns false once the end-of-data marker was seen.
  const takeLines = (text: string): boolean => {
    const lines = text.split('\n');
    for (let line of lines) {
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (line === '\\.') return false;
      batch.push(parseCopyTextLine(line));
    }
    return true;
  };

  for await (const chunk of source) {
    if (ended) continue; // drain the source after `\.` so its producer finishes cleanly
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!bytes.length) continue;
    if (bytes.indexOf(NEWLINE) === -1) {
      // Copied: the producer may reuse the chunk's memory.
      pending.push(Buffer.from(bytes));
      continue;
    }
    const data = pending.length ? Buffer.concat([...pending, bytes]) : bytes;
    pending = [];
    let start = 0;
    // A newline byte never occurs inside a multi-byte UTF-8 sequence: cutting after one is always safe.
    // Decoding in slices of about a megabyte keeps strings small when a chunk is huge (PGlite's COPY).
    while (start < data.length) {
      const limit = Math.min(data.length, start + DECODE_SLICE_BYTES);
      let cut = data.lastIndexOf(NEWLINE, limit - 1);
      if (cut < start) cut = data.indexOf(NEWLINE, limit); // one line longer than a slice
      if (cut === -1) break;
      if (!takeLines(data.toString('utf8', start, cut))) {
        ended = true;
        break;
      }
      start = cut + 1;
      let taken = 0;
      while (batch.length - taken >= size) {
        yield batch.slice(taken, taken + size);
        taken += size;
      }
      if (taken) batch = batch.slice(taken);
    }
    if (!ended && start < data.length) pending.push(Buffer.from(data.subarray(start)));
  }
  if (!ended && pending.length) {
    // The last line without a trailing newline.
    takeLines(Buffer.concat(pending).toString('utf8'));
  }
  for (let taken = 0; taken < batch.length; taken += size) yield batch.slice(taken, taken + size);
}

/**
 * The rows of `batches` as a COPY text byte stream, ready to pipe into `COPY … FROM STDIN`.
 * Pulls one batch at a time, so backpressure from the database reaches the producer.
 */
export function batchesToCopyText(batches: AsyncIterable<TextRow[]>): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    let pending = '';
    for await (const batch of batches) {
      for (const row of batch) {
        pending += formatCopyTextRow(row);
        if (pending.length >= OUTPUT_CHUNK_CHARS) {
          yield Buffer.from(pending, 'utf8');
          pending = '';
        }
      }
      if (pending) {
        yield Buffer.from(pending, 'utf8');
        pending = '';
      }
    }
  }
  return Readable.from(generate(), { objectMode: false });
}
