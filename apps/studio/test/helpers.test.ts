import { describe, expect, it } from 'vitest';
import { formatRows, parseSchemaNames, urlParts } from '../src/lib/format';
import { resolveApiUrl } from '../src/lib/server/api-url';
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
