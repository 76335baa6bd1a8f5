/**
 * What a crawl reads from a web page: its forms and, per form, the controls a user fills in, with
 * every constraint the browser enforces (required, min/max/step, lengths, pattern, options). Plain
 * data checked by zod on its way out of the page, so the URL mode's generator (synthetic/forms.ts)
 * can make rows that pass the form's own validation, and a run can store or print what it read.
 */
import { z } from 'zod';

/** One choice of a select, radio group or checkbox group. */
export const CrawledOption = z.object({
  /** What the form submits for it (`option.value`, a radio's or checkbox's `value`, "on" by default). */
  value: z.string(),
  /** Visible text (option text, or the radio's / checkbox's label). */
  label: z.string(),
  disabled: z.boolean(),
  /** Selected or checked when the page loaded. */
  selected: z.boolean(),
  /** A checkbox of a group that must itself be checked (`required` on that checkbox). */
  required: z.boolean(),
  /** The id of the radio or checkbox element, when it has one. */
  id: z.string().nullable(),
});
export type CrawledOption = z.infer<typeof CrawledOption>;

/**
 * One form control. A radio group, or the checkboxes sharing a name, is one field whose `options`
 * are its buttons; a select's options are its `<option>`s (optgroups flattened).
 */
export const CrawledField = z.object({
  tag: z.enum(['input', 'select', 'textarea']),
  /**
   * The control type as the browser normalises it: an input's `type` (unknown types read as "text"),
   * "select" or "textarea".
   */
  type: z.string(),
  /** The `name` attribute; null when absent or empty. */
  name: z.string().nullable(),
  id: z.string().nullable(),
  /** Accessible label: aria-labelledby, aria-label, <label> (for= or wrapping), title, then placeholder. */
  label: z.string().nullable(),
  required: z.boolean(),
  disabled: z.boolean(),
  readOnly: z.boolean(),
  /** `multiple` on a select or an email/file input; true for a checkbox group of more than one box. */
  multiple: z.boolean(),
  /** Raw attribute strings: their meaning depends on `type` (a number, a date, a week…). */
  min: z.string().nullable(),
  max: z.string().nullable(),
  step: z.string().nullable(),
  minLength: z.number().int().nullable(),
  maxLength: z.number().int().nullable(),
  pattern: z.string().nullable(),
  placeholder: z.string().nullable(),
  autocomplete: z.string().nullable(),
  /** The value the control has on load (the `value` attribute, a textarea's text). */
  value: z.string().nullable(),
  /** Rendered (not display:none / visibility:hidden) when the page loaded. */
  visible: z.boolean(),
  options: z.array(CrawledOption).nullable(),
});
export type CrawledField = z.infer<typeof CrawledField>;

/**
 * What a field's constraints became after another control was set: only the properties that differ
 * from the form as loaded. `removed` says the control left the document (it is then neither
 * submitted nor validated).
 */
export const CrawledFieldChanges = CrawledField.pick({
  type: true,
  required: true,
  disabled: true,
  readOnly: true,
  min: true,
  max: true,
  step: true,
  minLength: true,
  maxLength: true,
  pattern: true,
  visible: true,
  options: true,
})
  .partial()
  .extend({ removed: z.literal(true).optional() });
export type CrawledFieldChanges = z.infer<typeof CrawledFieldChanges>;

/** The fields of a form whose constraints differ once the controlling control holds `value`. */
export const CrawledDependencyCase = z.object({
  /** The submitted value chosen (an option's or a radio's value; a checkbox's value when checked, null when unchecked). */
  value: z.string().nullable(),
  fields: z.array(
    z.object({
      /** Position of the dependent field in the form's `fields`. */
      field: z.number().int().nonnegative(),
      name: z.string().nullable(),
      id: z.string().nullable(),
      changes: CrawledFieldChanges,
    }),
  ),
});
export type CrawledDependencyCase = z.infer<typeof CrawledDependencyCase>;

/**
 * Constraints that a page script rewrites when a control changes (a country select that sets the
 * phone inputs' patterns, a checkbox that enables a fieldset). Found by choosing each value of the
 * control in the live page as a user would; only values that change something are listed. For a
 * select the case holds the state after choosing the value (even the one selected on load, since a
 * tool choosing it fires the change events); for a radio group or a checkbox the value it has on load
 * keeps the form as loaded and has no case.
 */
export const CrawledDependency = z.object({
  /** Position of the controlling control (a select, a radio group or a single checkbox) in `fields`. */
  control: z.number().int().nonnegative(),
  name: z.string().nullable(),
  id: z.string().nullable(),
  cases: z.array(CrawledDependencyCase),
});
export type CrawledDependency = z.infer<typeof CrawledDependency>;

export const CrawledForm = z.object({
  /** `name` attribute; null when absent. */
  name: z.string().nullable(),
  id: z.string().nullable(),
  /** The resolved action URL (the page's own URL for `action=""`); null for controls outside any form. */
  action: z.string().nullable(),
  /** Position among the page's <form> elements (document.forms); null for the implicit form. */
  index: z.number().int().nullable(),
  /** "get", "post" or "dialog". */
  method: z.string(),
  /** True for the controls of a page that sit outside any <form>, grouped as one form. */
  implicit: z.boolean(),
  fields: z.array(CrawledField),
  /** Constraints that depend on another control's value; empty when none was found (or for older crawls). */
  dependencies: z.array(CrawledDependency).default([]),
});
export type CrawledForm = z.infer<typeof CrawledForm>;

export const CrawledPage = z.object({
  /** The page's URL as requested, without user:password. */
  url: z.string(),
  title: z.string(),
  forms: z.array(CrawledForm),
});
export type CrawledPage = z.infer<typeof CrawledPage>;
