import { describe, expect, it } from 'vitest';
import { formatCell, formatConstraint, formatDuration, formatRows, formatTestCaseFormat, parseSchemaNames, plural, urlParts } from '../src/lib/format';
import { resolveApiUrl } from '../src/lib/server/api-url';
import { buildGenerateInput, cellOf, type GenerateForm, modeFromParam, paramOfMode, parseUrls } from '../src/lib/synthetic';
import { requestError, toTypedError } from '../src/lib/typed-error';
import { splitTableRef, tableAnchor, withParams } from '../src/lib/url';

describe('parseSchemaNames', () => {
  it.each([
    ['public', ['public']],
    ['public, sales', ['public', 'sales']],
    [' public ,, sales , ', ['public', 'sales']],
    ['sales,public,sales', ['sales', 'public']],
    ['', []],
    [' , ', []],
  ])('%j → %j', (text, expected) => {
    expect(parseSchemaNames(text)).toEqual(expected);
  });
});

describe('formatRows', () => {
  it.each([
    [1234567, null, '1,234,567'],
    [0, 99, '0'],
    [null, 1234.6, '≈ 1,235'],
    [null, -1, '—'],
    [null, null, '—'],
  ])('rowCount %j, estimate %j → %s', (count, estimate, expected) => {
    expect(formatRows(count, estimate)).toBe(expected);
  });
});

describe('withParams', () => {
  const url = new URL('http://studio.test/schemas/x?q=ord&open=1');
  it.each([
    [{ q: 'cust' }, '?q=cust&open=1'],
    [{ q: null }, '?open=1'],
    [{ q: '', open: null }, '/schemas/x'],
    [{ after: 'YXJyYXk=' }, '?q=ord&open=1&after=YXJyYXk%3D'],
  ])('%j → %s', (updates, expected) => {
    expect(withParams(url, updates)).toBe(expected);
  });
});

describe('tableAnchor', () => {
  it('is stable and has no whitespace', () => {
    expect(tableAnchor('sales', 'orders')).toBe('table-sales.orders');
    expect(tableAnchor('my schema', 'order items')).toBe('table-my_schema.order_items');
  });
});

describe('resolveApiUrl', () => {
  it.each([
    [{ explicit: 'https://api.example/graphql', apiPort: '9000', dev: true }, 'https://api.example/graphql'],
    [{ explicit: 'https://api.example/graphql', dev: false }, 'https://api.example/graphql'],
    [{ explicit: '  ', apiPort: '9000', dev: true }, '/graphql'],
    [{ apiPort: '9000', dev: false }, 'http://127.0.0.1:9000/graphql'],
    [{ dev: false }, 'http://127.0.0.1:8003/graphql'],
  ])('%j → %s', (opts, expected) => {
    expect(resolveApiUrl(opts)).toBe(expected);
  });
});

describe('splitTableRef', () => {
  it.each([
    ['sales.orders', ['sales', 'orders']],
    ['orders', ['public', 'orders']],
    ['sales.orders.v2', ['sales', 'orders.v2']],
  ])('%s → %j', (ref, expected) => {
    expect(splitTableRef(ref, 'public')).toEqual(expected);
  });
});

describe('urlParts', () => {
  it.each([
    ['pglite:///tmp/x/demo-source', ['pglite:/', '/', '/', 'tmp/', 'x/', 'demo-source']],
    ['postgresql://app:***@db:5432/shop?sslmode=require&x=1', ['postgresql:/', '/', 'app:***@', 'db:5432/', 'shop?', 'sslmode=require&', 'x=1']],
    ['pglite:memory', ['pglite:memory']],
    ['a/', ['a/']],
    ['', ['']],
  ])('%s', (url, parts) => {
    expect(urlParts(url)).toEqual(parts);
    expect(urlParts(url).join('')).toBe(url);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [849.6, '850 ms'],
    [1000, '1.0 s'],
    [1840, '1.8 s'],
    [59_940, '59.9 s'],
    [59_960, '1 min'],
    [125_000, '2 min 5 s'],
    [3_600_000, '60 min'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('formatCell', () => {
  it.each([
    [null, 'NULL'],
    [undefined, 'NULL'],
    ['', ''],
    ['Ada', 'Ada'],
    [42, '42'],
    [0.5, '0.5'],
    [false, 'false'],
    [{ a: 1 }, '{"a":1}'],
    [[1, 'x'], '[1,"x"]'],
  ])('%j → %j', (value, expected) => {
    expect(formatCell(value)).toBe(expected);
  });
});

describe('formatConstraint', () => {
  it.each([
    ['required', 'required'],
    ['valid_format', 'valid format'],
    ['min_length:8', 'min length 8'],
    ['max:10', 'max 10'],
    ['enum:a|b|c', 'one of a, b, c'],
    ['pattern:^\\d{5}$', 'matches ^\\d{5}$'],
    ['pattern:a:b', 'matches a:b'],
  ])('%s → %s', (constraint, expected) => {
    expect(formatConstraint(constraint)).toBe(expected);
  });
});

describe('formatTestCaseFormat and plural', () => {
  it.each([
    ['GHERKIN', 'Gherkin'],
    ['SELENIUM_PYTHON', 'Selenium (Python)'],
    ['ROBOT', 'Robot Framework'],
    ['PLAYWRIGHT_DOTNET', 'Playwright (.NET)'],
    ['SOMETHING_NEW', 'SOMETHING_NEW'],
  ])('%s → %s', (format, expected) => {
    expect(formatTestCaseFormat(format)).toBe(expected);
  });
  it.each([
    [0, 'table', undefined, '0 tables'],
    [1, 'table', undefined, '1 table'],
    [15000, 'row', undefined, '15,000 rows'],
    [2, 'entity', 'entities', '2 entities'],
  ])('%d %s → %s', (n, noun, nouns, expected) => {
    expect(plural(n, noun, nouns)).toBe(expected);
  });
});

describe('synthetic mode in the URL', () => {
  it.each([
    [null, 'DOMAIN'],
    ['', 'DOMAIN'],
    ['nope', 'DOMAIN'],
    ['test-case', 'TEST_CASE'],
    [' URL ', 'URL'],
    ['schema', 'SCHEMA'],
  ])('%j → %s', (param, mode) => {
    expect(modeFromParam(param)).toBe(mode);
  });
  it('round-trips every mode', () => {
    for (const mode of ['DOMAIN', 'TEST_CASE', 'URL', 'SCHEMA'] as const) expect(modeFromParam(paramOfMode(mode))).toBe(mode);
  });
});

describe('parseUrls', () => {
  it.each([
    ['https://a.example/x', ['https://a.example/x']],
    ['  https://a.example/x \r\n\n https://b.example/ \n', ['https://a.example/x', 'https://b.example/']],
    ['https://a.example/x\n# later\nhttps://a.example/x', ['https://a.example/x']],
    ['\n  \n', []],
  ])('%j → %j', (text, expected) => {
    expect(parseUrls(text)).toEqual(expected);
  });
});

describe('buildGenerateInput', () => {
  const form: GenerateForm = {
    mode: 'DOMAIN',
    domain: 'ecommerce',
    scenario: 'b2c',
    testCaseContent: 'Feature: x',
    testCaseFileName: '  a.feature ',
    urlsText: 'https://a.example/\n\nhttps://b.example/',
    schemaVersionId: 'U2NoZW1hVmVyc2lvbjoy',
    rows: 100,
    seed: undefined,
  };
  it.each([
    [{}, { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 100 } }],
    [
      { scenario: '', seed: 7 },
      { mode: 'DOMAIN', domain: 'ecommerce', rowCounts: { '*': 100 }, seed: 7 },
    ],
    [{ mode: 'TEST_CASE' }, { mode: 'TEST_CASE', testCaseContent: 'Feature: x', testCaseFileName: 'a.feature', rowCounts: { '*': 100 } }],
    [
      { mode: 'TEST_CASE', testCaseFileName: ' ' },
      { mode: 'TEST_CASE', testCaseContent: 'Feature: x', rowCounts: { '*': 100 } },
    ],
    [
      { mode: 'URL', rows: 5, seed: 0 },
      { mode: 'URL', testCaseUrls: ['https://a.example/', 'https://b.example/'], rowCounts: { '*': 5 }, seed: 0 },
    ],
    [
      { mode: 'SCHEMA', rows: null },
      { mode: 'SCHEMA', schemaVersionId: 'U2NoZW1hVmVyc2lvbjoy' },
    ],
    [
      { mode: 'SCHEMA', rows: 0, seed: 1.5 },
      { mode: 'SCHEMA', schemaVersionId: 'U2NoZW1hVmVyc2lvbjoy' },
    ],
    [{ rows: 2.5 }, { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c' }],
  ] as [Partial<GenerateForm>, object][])('%j → %j', (change, expected) => {
    expect(buildGenerateInput({ ...form, ...change })).toEqual(expected);
  });
});

describe('cellOf', () => {
  it.each([
    [{ a: 1 }, 'a', 1],
    [{ a: null }, 'a', null],
    [{ a: 1 }, 'b', undefined],
    ['text', 'a', undefined],
    [null, 'a', undefined],
  ])('cellOf(%j, %s) → %j', (row, column, expected) => {
    expect(cellOf(row, column)).toBe(expected);
  });
});

describe('typed errors', () => {
  it('keeps a crawl error’s reason and page', () => {
    expect(
      toTypedError({ __typename: 'CrawlError', message: 'could not load x', code: 'CRAWL_FAILED', reason: 'UNREACHABLE', url: 'https://x.example/' }),
    ).toEqual({ message: 'could not load x', code: 'CRAWL_FAILED', reason: 'UNREACHABLE', url: 'https://x.example/' });
  });
  it('falls back to the code for an empty message', () => {
    expect(toTypedError({ __typename: 'BaseError', message: '', code: 'CONFLICT' })).toEqual({ message: 'The request failed (CONFLICT).', code: 'CONFLICT' });
  });
  it('reduces a request error, or none at all, to the same shape', () => {
    expect(requestError({ message: '[Network] Failed to fetch' })).toEqual({ message: '[Network] Failed to fetch', code: 'REQUEST_FAILED' });
    expect(requestError(undefined)).toEqual({ message: 'The server returned no result.', code: 'NO_RESULT' });
  });
});
