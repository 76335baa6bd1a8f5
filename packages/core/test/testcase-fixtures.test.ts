/**
 * The test-case analyser on the shared fixtures (`$TDM_FIXTURES/testcases`, else
 * `../shared/fixtures/testcases`): real suites from Sylius, OroCommerce, diaspora, the Drupal
 * extension, Cypress' example apps and Sauce Labs' demos. Every file must parse, and for the files in
 * fixtures/expected-testcases.json every field a test engineer reading the file named by hand must
 * be found. Entity names are checked loosely: user, customer and account are one family (which one
 * a suite means is a matter of wording), payment and bank_account another; any other entity must
 * match exactly. When the fixtures are absent, the cases are reported as skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import type { TestCaseAnalysis } from '../src/testcase/types.ts';
import expectedJson from './fixtures/expected-testcases.json' with { type: 'json' };
import { FIXTURES_DIR } from './support/load-sql.ts';

// TDM_FIXTURES may name the fixtures folder or its sourcedb/ folder.
const TESTCASES = [join(FIXTURES_DIR, 'testcases'), join(FIXTURES_DIR, '..', 'testcases')].find((d) => existsSync(d)) ?? join(FIXTURES_DIR, 'testcases');
const present = existsSync(TESTCASES);
if (!present) console.warn(`shared test-case fixtures not found under ${TESTCASES}: the fixture cases of testcase-fixtures are SKIPPED`);

const expected = expectedJson as Record<string, Record<string, string[]>>;
const files = present
  ? readdirSync(TESTCASES, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(?:feature|[cm]?[jt]sx?|py|java|cs|rb|robot)$/.test(f))
      .map((f) => f.split('\\').join('/'))
      .sort()
  : [];

const FAMILIES: readonly (readonly string[])[] = [
  ['user', 'customer', 'account', 'profile'],
  ['payment', 'bank_account'],
];
const family = (entity: string) => FAMILIES.find((f) => f.includes(entity)) ?? [entity];

beforeAll(() => loadTestCaseParsers());

function analyze(file: string): TestCaseAnalysis {
  return analyzeTestCase({ content: readFileSync(join(TESTCASES, file), 'utf8'), fileName: relative(TESTCASES, join(TESTCASES, file)) });
}

describe('shared test-case fixtures', () => {
  it.skipIf(!present)('holds the files of every format (sets 1 and 3)', () => {
    expect(files.length).toBeGreaterThanOrEqual(69);
    const exts = new Set(files.map((f) => f.split('.').pop()));
    expect([...exts].sort()).toEqual(['cs', 'feature', 'java', 'js', 'py', 'rb', 'robot', 'ts']);
  });

  it.each(files)('%s parses and is analysed', (file) => {
    const result = analyze(file);
    expect(result.format).not.toBe('UNKNOWN');
    if (file.endsWith('.feature')) expect(result.format).toBe('GHERKIN');
    for (const e of result.entities) {
      for (const f of e.fields) {
        expect(f.name).toMatch(/^[a-z0-9]+(?:_[a-z0-9]+)*$/);
        expect(f.source.line).toBeGreaterThan(0);
      }
    }
  });

  it.each(Object.keys(expected).filter((f) => files.includes(f)))('%s: every hand-written field is found', (file) => {
    const result = analyze(file);
    const missing: string[] = [];
    for (const [entity, fields] of Object.entries(expected[file] ?? {})) {
      const candidates = result.entities.filter((e) => family(entity).includes(e.name));
      for (const name of fields) if (!candidates.some((e) => e.fields.some((f) => f.name === name))) missing.push(`${entity}.${name}`);
    }
    const seen = result.entities.map((e) => `${e.name}: ${e.fields.map((f) => f.name).join(', ')}`).join('; ');
    expect(missing, `found ${seen}`).toEqual([]);
  });

  it.skipIf(!present)('keeps the hand-written expectations honest: at least 12 files, each present', () => {
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(expected).filter((f) => !files.includes(f))).toEqual([]);
  });

  it.skipIf(!present)('finds the sign-up fields, types and rows of Sylius registering.feature', () => {
    const result = analyze('Sylius/registering.feature');
    expect(result.entities.map((e) => e.name)).toEqual(['user']);
    expect(result.entities[0]?.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'first_name:string',
      'last_name:string',
      'email:email',
      'password:password',
      'phone_number:phone',
    ]);
    expect(result.entities[0]?.exampleRows).toContainEqual({
      first_name: 'Saul',
      last_name: 'Goodman',
      email: 'goodman@gmail.com',
      password: 'heisenberg',
      phone_number: '123456789',
    });
  });

  it.skipIf(!present)('reads the validation rules of the Cypress bank-account form', () => {
    const result = analyze('cypress-realworld-app/bankaccounts.spec.ts');
    const fields = result.entities.find((e) => e.name === 'bank_account')?.fields ?? [];
    expect(fields.find((f) => f.name === 'bank_name')?.constraints).toEqual(expect.arrayContaining(['required', 'min_length:5']));
    expect(fields.find((f) => f.name === 'account_number')?.constraints).toEqual(expect.arrayContaining(['min_length:9', 'max_length:12']));
  });

  it.skipIf(!present)('keeps each Examples row of an OroCommerce outline as one row', () => {
    const result = analyze('orocommerce/order_addresses_after_customer_change.feature');
    const rows = result.entities.flatMap((e) => e.exampleRows);
    expect(rows).toContainEqual({ first_name: 'ACME', last_name: 'Customer User', email_address: 'acme@example.com' });
  });
});
