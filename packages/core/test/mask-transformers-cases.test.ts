/**
 * Mask transformers, table-driven: generalize, redact, partial and null on given inputs, and
 * partial's ASCII fast path against the Unicode rule it implements.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TransformContext } from '../src/mask/types.ts';
import { ctx, make } from './support/mask-transformers.ts';

// ---------------------------------------------------------------------------------------------
// generalize, redact, partial, null

describe.each<[string, unknown, TransformContext, [string | null, string | null][]]>([
  [
    'generalize',
    {},
    ctx('zip', 'text'),
    [
      ['12345', '123**'],
      ['SW1A 1AA', 'SW1* ***'],
      ['90210-1234', '902**-****'],
      [null, null],
    ],
  ],
  [
    'generalize',
    { pad: false },
    ctx('postal_code', 'varchar(10)'),
    [
      ['12345', '123'],
      ['90210-1234', '902'],
    ],
  ],
  [
    'generalize',
    {},
    ctx('birth_date', 'date'),
    [
      ['1984-07-12', '1984-01-01'],
      ['2000-12-31', '2000-01-01'],
    ],
  ],
  ['generalize', {}, ctx('dob', 'timestamptz'), [['1984-07-12 10:00:00+02', '1984-01-01 00:00:00+00']]],
  ['generalize', { kind: 'date' }, ctx('dob', 'text'), [['1984-07-12', '1984']]],
  ['generalize', { dateTo: 'month' }, ctx('dob', 'date'), [['1984-07-12', '1984-07-01']]],
  [
    'generalize',
    {},
    ctx('salary', 'integer'),
    [
      ['42317', '42000'],
      ['999', '0'],
      ['-1', '-1000'],
    ],
  ],
  [
    'generalize',
    { bucket: 5 },
    ctx('age', 'numeric'),
    [
      ['42.7', '40'],
      ['45', '45'],
    ],
  ],
  [
    'generalize',
    {},
    ctx('ip', 'inet'),
    [
      ['192.168.1.77', '192.168.1.0'],
      ['10.1.2.3/32', '10.1.2.0/24'],
      ['2001:db8:85a3:1:2::7', '2001:db8:85a3::'],
    ],
  ],
  [
    'redact',
    {},
    ctx('secret', 'text'),
    [
      ['hunter2', '***'],
      ['', '***'],
      [null, null],
    ],
  ],
  ['redact', { keepLength: true, char: 'X' }, ctx('secret', 'text'), [['hunter2', 'XXXXXXX']]],
  [
    'redact',
    { mode: 'format' },
    ctx('contact', 'text'),
    [
      ['john.doe@example.com', 'j***@e***.com'],
      ['+1 (555) 123-4567', '+# (###) ###-####'],
      ['AB-12', '**-##'],
    ],
  ],
  [
    'redact',
    { mode: 'format', keepLength: true, digitChar: 'X' },
    ctx('contact', 'text'),
    [
      ['ann@mail.org', 'a**@m***.org'],
      ['555-1234', 'XXX-XXXX'],
    ],
  ],
  [
    'partial',
    {},
    ctx('card', 'text'),
    [
      ['4111-1111-1111-1234', '****-****-****-1234'],
      ['+1 (555) 123-4567', '+* (***) ***-4567'],
      ['1234', '****'],
    ],
  ],
  ['partial', { keep: 2, char: 'X', keepSeparators: false }, ctx('iban', 'text'), [['DE89 3704', 'XXXXXXX04']]],
  [
    'partial',
    {},
    ctx('name', 'text'),
    [
      ['Zoë-Ann 12345', '***-*** *2345'],
      ['Ünal_99 x', '***l_99 x'],
      ['١٢٣٤٥٦', '**٣٤٥٦'],
      ['', ''],
    ],
  ],
  [
    'null',
    {},
    ctx('note', 'text'),
    [
      ['anything', null],
      [null, null],
    ],
  ],
])('%s %j on %o', (name, params, c, cases) => {
  it.each(cases)('%s → %s', async (input, expected) => {
    const t = await make(name, params, c);
    expect(t.apply(input)).toBe(expected);
  });
});

describe('partial on ASCII (fast path) agrees with the Unicode rule', () => {
  const ALNUM = /[\p{L}\p{Nd}]/u;
  const rule = (value: string, keep: number, char: string, keepSeparators: boolean) => {
    const chars = [...value];
    const total = chars.filter((c) => ALNUM.test(c)).length;
    const keepFrom = total > keep ? total - keep : Number.POSITIVE_INFINITY;
    let seen = 0;
    return chars.map((c) => (!ALNUM.test(c) ? (keepSeparators ? c : char) : seen++ >= keepFrom ? c : char)).join('');
  };
  it.each([
    [{}, 4, '*', true],
    [{ keep: 0, char: 'X' }, 0, 'X', true],
    [{ keep: 2, char: '#', keepSeparators: false }, 2, '#', false],
  ])('%j on 2,000 random ASCII values', async (params, keep, char, keepSeparators) => {
    const t = await make('partial', params, ctx('v', 'text'));
    for (let i = 0; i < 2000; i++) {
      const value = randomBytes(i % 40)
        .toString('latin1')
        .replace(/[\u0080-\u00ff]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x80));
      expect(t.apply(value)).toBe(rule(value, keep, char, keepSeparators));
    }
  });
});
