/**
 * The vocabulary selenium-python.ts reads Selenium, Appium and Playwright for Python with: `By`
 * strategies, the calls that hand an element on, pick in a `Select`, locate, type, pick or tick with
 * Playwright, and the words of a control that clicking ticks.
 */
import type { Interaction, LocatorKind } from './code.ts';

export const BY_KIND: Record<string, LocatorKind> = {
  id: 'identifier',
  name: 'identifier',
  class_name: 'identifier',
  accessibility_id: 'identifier',
  tag_name: 'css',
  css_selector: 'css',
  xpath: 'css',
  link_text: 'label',
  partial_link_text: 'label',
  android_uiautomator: 'css',
  ios_predicate: 'css',
};
export const PASS_THROUGH = new Set(['clear', 'click', 'until', 'first', 'last', 'nth', 'filter', 'focus']);
export const SELECT_ACTIONS = new Set(['select_by_visible_text', 'select_by_value', 'select_by_index']);
// Playwright for Python: locators and the calls that type, pick or tick.
export const PLAYWRIGHT_LOCATORS: Record<string, LocatorKind> = {
  locator: 'css',
  query_selector: 'css',
  wait_for_selector: 'css',
  get_by_label: 'label',
  get_by_placeholder: 'label',
  get_by_test_id: 'identifier',
  get_by_role: 'label',
};
export const PLAYWRIGHT_ACTIONS: Record<string, Interaction['action']> = {
  fill: 'fill',
  type: 'fill',
  press_sequentially: 'fill',
  select_option: 'select',
  check: 'check',
  uncheck: 'check',
  set_checked: 'check',
  set_input_files: 'fill',
};
export const TICKABLE = /check(?:box)?|radio|switch|toggle|agree|accept|terms|consent|subscribe|newsletter|remember/i;
export const FIELD_ROLES = /^(?:textbox|searchbox|combobox|spinbutton|checkbox|radio|switch|listbox|slider)$/;
