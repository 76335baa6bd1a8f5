/**
 * The vocabulary js.ts reads Cypress, Playwright, WebdriverIO, TestCafe and Nightwatch code with:
 * the calls that locate an element, hand it on, or type into, pick in and tick it, the widget names
 * of page-object element methods, the ARIA roles of fields, and the test-suite functions.
 */
import type { Interaction, LocatorKind } from './code.ts';

export const LOCATOR_KIND: Record<string, LocatorKind> = {
  get: 'css',
  find: 'css',
  locator: 'css',
  $: 'css',
  getBySel: 'identifier',
  getBySelLike: 'identifier',
  getByTestId: 'identifier',
  findByTestId: 'identifier',
  getByLabel: 'label',
  getByLabelText: 'label',
  findByLabelText: 'label',
  getByPlaceholder: 'label',
  getByPlaceholderText: 'label',
  findByPlaceholderText: 'label',
  getByRole: 'label',
  findByRole: 'label',
};
// Calls that hand on the element they were given (`cy.get(x).clear().type(v)`, `.first().fill(v)`).
export const PASS_THROUGH = new Set([
  'clear',
  'first',
  'last',
  'eq',
  'nth',
  'filter',
  'focus',
  'click',
  'scrollIntoView',
  'should',
  'and',
  'wait',
  'as',
  'within',
  'not',
]);
export const ACTIONS: Record<string, Interaction['action']> = {
  type: 'fill',
  fill: 'fill',
  pressSequentially: 'fill',
  setValue: 'fill',
  addValue: 'fill',
  typeText: 'fill',
  select: 'select',
  selectOption: 'select',
  selectByVisibleText: 'select',
  selectByIndex: 'select',
  setInputFiles: 'fill',
  selectFile: 'fill',
  attachFile: 'fill',
  check: 'check',
  uncheck: 'check',
  setChecked: 'check',
};
// Page-object methods that return an element, by the widget their name ends with.
export const ELEMENT_METHOD = /(?:Input|Field|Box|Select|Dropdown|DropDown|Checkbox|CheckBox|RadioButton|Radio|TextArea|Textarea|Picker)$/;
// ARIA roles of elements a user types into or picks in; `getByRole('button', …)` is not a field.
export const FIELD_ROLES = /^(?:textbox|searchbox|combobox|spinbutton|checkbox|radio|switch|listbox|slider)$/;
export const SUITE = new Set(['describe', 'context', 'suite']);
export const TEST = new Set(['it', 'test', 'specify', 'scenario']);
export const HOOKS = new Set(['beforeEach', 'before', 'beforeAll', 'afterEach', 'after', 'afterAll']);
// Custom commands whose two arguments are a user name (or email) and a password.
export const LOGIN_COMMAND = /^(?:login|logIn|signIn|signin|loginBy\w+|loginAs|register|signup|signUp)$/;
