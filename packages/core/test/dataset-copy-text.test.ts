import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchesToCopyText, copyTextToBatches, formatCopyTextRow, parseCopyTextLine } from '../src/dataset/copy-text.ts';
import type { TextRow } from '../src/dataset/types.ts';
import { batchesOf, collect } from './support/dataset.ts';

// ── COPY text codec ──────────────────────────────────────────────────────────────────────────────

describe('COPY text codec', () => {
  const parseCases: [string, string, TextRow][] = [
    ['plain fields', 'a\tb\tc', ['a', 'b', 'c']],
    ['NULL', '\\N\tx', [null, 'x']],
    ['empty string is not NULL', '\t', ['', '']],
    ['an empty line is one empty string', '', ['']],
    ['the literal text \\N', '\\\\N', ['\\N']],
    ['escaped backslash', 'a\\\\b', ['a\\b']],
    ['tab and newline inside a value', 'x\\ty\\nz\\r', ['x\ty\nz\r']],
    ['\\b \\f \\v', '\\b\\f\\v', ['\b\f\v']],
    ['octal escape', '\\101\\60', ['A0']],
    ['octal escapes are UTF-8 bytes', '\\303\\251t\\303\\251', ['été']],
    ['hex escape', '\\x41\\x4a\\x4B', ['AJK']],
    ['hex bytes forming one character', '\\xe6\\x9d\\xb1', ['東']],
    ['\\x without hex digits is x', '\\xg', ['xg']],
    ['unknown escape stands for the character', '\\q\\.', ['q.']],
    ['bytea hex text', '\\\\x0001ff', ['\\x0001ff']],
    ['unicode as is', '東京 🙂\tnaïve', ['東京 🙂', 'naïve']],
    ['NULL between values', 'a\t\\N\t\tb', ['a', null, '', 'b']],
  ];
  it.each(parseCases)('parses %s', (_name, line, expected) => {
    expect(parseCopyTextLine(line)).toEqual(expected);
  });

  const formatCases: [string, TextRow, string][] = [
    ['plain', ['a', 'b'], 'a\tb\n'],
    ['NULL', [null, ''], '\\N\t\n'],
    ['the literal text \\N', ['\\N'], '\\\\N\n'],
    ['control characters', ['\t\n\r\b\f\v'], '\\t\\n\\r\\b\\f\\v\n'],
    ['backslashes', ['\\x00ff\\'], '\\\\x00ff\\\\\n'],
    ['unicode and other control characters as is', ['東京 🙂\u0001\u001f'], '東京 🙂\u0001\u001f\n'],
  ];
  it.each(formatCases)('formats %s', (_name, row, expected) => {
    expect(formatCopyTextRow(row)).toBe(expected);
  });

  it('round-trips awkward values through format and parse', () => {
    const alphabet = ['a', 'Z', ' ', '\t', '\n', '\r', '\\', 'N', '\b', '\f', '\v', '\u0001', 'é', '東', '🙂', '"', ',', '.'];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const row: TextRow = Array.from({ length: 1 + rand(5) }, () =>
        rand(7) === 0 ? null : Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join(''),
      );
      const line = formatCopyTextRow(row);
      expect(line.endsWith('\n')).toBe(true);
      expect(parseCopyTextLine(line.slice(0, -1))).toEqual(row);
    }
  });

  const text = 'é\t\\N\t東京🙂\n\\\\x00ff\t\\t\\n\t\nlast\tline\twithout newline';
  const expected: TextRow[] = [
    ['é', null, '東京🙂'],
    ['\\x00ff', '\t\n', ''],
    ['last', 'line', 'without newline'],
  ];

  it('streams bytes split at every position (lines and UTF-8 characters cut in two)', async () => {
    const bytes = Buffer.from(text, 'utf8');
    for (let size = 1; size <= bytes.length; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(await collect(copyTextToBatches(Readable.from(chunks), 2))).toEqual(expected);
    }
  });

  it('splits into batches of the requested size, reads \\r\\n line ends and stops at \\.', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `${i}\tv${i}`);
    const batches: TextRow[][] = [];
    for await (const batch of copyTextToBatches([`${lines.join('\r\n')}\r\n\\.\r\nignored\n`], 10)) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(lines.map((l) => l.split('\t')));
  });

  it('joins a value spread over thousands of chunks', async () => {
    const big = 'é'.repeat(3_000_000); // 6 MB of UTF-8, cut inside characters by the odd chunk size
    const bytes = Buffer.from(`1\t${big}\n2\t\\N\n`, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1023) chunks.push(bytes.subarray(i, i + 1023));
    const rows = await collect(copyTextToBatches(chunks));
    expect(rows.length).toBe(2);
    expect(rows[0]?.[1] === big).toBe(true);
    expect(rows[1]).toEqual(['2', null]);
  });

  it('yields nothing for empty input', async () => {
    expect(await collect(copyTextToBatches([Buffer.alloc(0)]))).toEqual([]);
  });

  it('batchesToCopyText writes what formatCopyTextRow gives, and parses back', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of batchesToCopyText(batchesOf(expected, 2))) chunks.push(chunk as Buffer);
    const out = Buffer.concat(chunks).toString('utf8');
    expect(out).toBe(expected.map(formatCopyTextRow).join(''));
    expect(await collect(copyTextToBatches([out]))).toEqual(expected);
  });
});
