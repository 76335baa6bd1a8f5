/**
 * Constraints that depend on another control's value. Many forms rewrite themselves when a choice
 * changes: a country select sets the phone inputs' patterns, a radio button shows a fieldset, a
 * checkbox enables the billing address. Reading the page once sees only the state it loaded in, so
 * rows generated from it fail whenever they pick another value. Here every small select, radio group
 * and single checkbox of a crawled form is set to each of its values in the live page, as a user
 * would (a click on a checkbox or radio button, input and change events on a select), the form is read again,
 * and the fields whose constraints differ from the loaded state are recorded per value.
 *
 * One level only: each control is probed from the loaded state, not in combination with the others.
 * The work is bounded (at most `MAX_PROBED_OPTIONS` values per control, `MAX_PROBES_PER_PAGE` choices
 * and `PROBE_BUDGET_MS` per page), and the page is reloaded whenever setting the control back does not restore the loaded
 * constraints, or a choice navigated away (such a control is then left out).
 */
import type { Frame, Page } from 'playwright-core';
import { EXTRACT_FORMS_SCRIPT } from './extract.ts';
import { type CrawledDependency, type CrawledDependencyCase, type CrawledField, type CrawledFieldChanges, type CrawledForm, CrawledPage } from './types.ts';

/** Controls with more values than this (a list of countries or states) are not probed. */
export const MAX_PROBED_OPTIONS = 12;
/** Choices made on one page at most, over all its controls. */
export const MAX_PROBES_PER_PAGE = 48;
/** No control is probed once this much time went into probing a page (a page whose controls keep timing out). */
export const PROBE_BUDGET_MS = 10_000;
/** A choice whose handlers have not returned after this long hung the page (a loop, a blocking call). */
const HUNG_AFTER_MS = 10_000;

/** The properties compared between the loaded state and the state after a choice. */
const CONSTRAINTS = ['type', 'required', 'disabled', 'readOnly', 'min', 'max', 'step', 'minLength', 'maxLength', 'pattern', 'visible', 'options'] as const;

/**
 * Keys that find a field again after the page changed: its name (or id, or position) and the
 * occurrence of that name, so that positions shifted by added or removed controls do not matter.
 */
export function fieldKeys(form: CrawledForm): string[] {
  const seen = new Map<string, number>();
  return form.fields.map((f, i) => {
    const grouped = f.type === 'radio' || f.type === 'checkbox' ? `${f.type}:` : '';
    const base = f.name !== null ? `name:${grouped}${f.name}` : f.id !== null ? `id:${f.id}` : `at:${i}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return `${base}#${n}`;
  });
}

const optionsKey = (options: CrawledField['options']) => (options === null ? 'null' : JSON.stringify(options.map((o) => [o.value, o.disabled, o.required])));

/** The constraints of `after` that differ from `before` (labels and placeholders are not constraints). */
export function fieldChanges(before: CrawledField, after: CrawledField): CrawledFieldChanges {
  const out: Record<string, unknown> = {};
  for (const key of CONSTRAINTS) {
    const same = key === 'options' ? optionsKey(before.options) === optionsKey(after.options) : before[key] === after[key];
    if (!same) out[key] = after[key];
  }
  return out as CrawledFieldChanges;
}

/** The fields of `base` (except the control at `skip`) whose constraints differ in `after`. */
export function formChanges(base: CrawledForm, after: CrawledForm, skip: number): CrawledDependencyCase['fields'] {
  const keys = fieldKeys(after);
  const now = new Map(keys.map((k, i) => [k, after.fields[i] as CrawledField]));
  const out: CrawledDependencyCase['fields'] = [];
  fieldKeys(base).forEach((key, i) => {
    const field = base.fields[i] as CrawledField;
    if (i === skip) return;
    const current = now.get(key);
    const changes: CrawledFieldChanges = current ? fieldChanges(field, current) : { removed: true };
    if (Object.keys(changes).length) out.push({ field: i, name: field.name, id: field.id, changes });
  });
  return out;
}

/** The constraints of every form of a page, comparable as a string. */
function signature(forms: CrawledForm[]): string {
  return JSON.stringify(
    forms.map((form) => {
      const keys = fieldKeys(form);
      return [form.index, form.implicit, form.fields.map((f, i) => [keys[i], CONSTRAINTS.map((k) => (k === 'options' ? optionsKey(f.options) : f[k]))])];
    }),
  );
}

type ControlKind = 'select' | 'radio' | 'checkbox';

interface Candidate {
  control: number;
  kind: ControlKind;
  /** Where the control is in the page: see LOCATE_CONTROL. */
  spec: { form: number | null; name: string | null; id: string | null; nth: number; kind: ControlKind };
  /** Every value to try; a checkbox's null is "unchecked". */
  values: (string | null)[];
}

/** The controls of a form worth probing: enabled, rendered, with few values, findable by name or id. */
export function probeCandidates(form: CrawledForm): Candidate[] {
  const out: Candidate[] = [];
  const selectsByName = new Map<string, number>();
  form.fields.forEach((f, control) => {
    let kind: ControlKind | null = null;
    let values: (string | null)[] = [];
    const enabled = (f.options ?? []).filter((o) => !o.disabled);
    let nth = 0;
    if (f.type === 'select' && !f.multiple) {
      kind = 'select';
      values = [...new Set(enabled.map((o) => o.value))];
      const key = f.name ?? `#${f.id}`;
      nth = selectsByName.get(key) ?? 0;
      selectsByName.set(key, nth + 1);
    } else if (f.type === 'radio' && f.name !== null) {
      kind = 'radio';
      values = [...new Set(enabled.map((o) => o.value))];
    } else if (f.type === 'checkbox' && !f.multiple && f.options?.length === 1 && enabled.length === 1) {
      kind = 'checkbox';
      values = [(enabled[0] as { value: string }).value, null];
    }
    if (!kind || f.disabled || !f.visible || (f.name === null && f.id === null)) return;
    if (!values.length || values.length > MAX_PROBED_OPTIONS || (kind === 'radio' && values.length < 2)) return;
    out.push({ control, kind, values, spec: { form: form.implicit ? null : form.index, name: f.name, id: f.id, nth, kind } });
  });
  return out;
}

/**
 * In the page: the element of a control (`spec` of a Candidate plus, for a radio, the value of the
 * button), or null. Controls belong to a form as the extraction groups them (`el.form`).
 */
const LOCATE_CONTROL = `(spec) => {
  const owner = spec.form === null ? null : document.forms[spec.form];
  if (spec.form !== null && !owner) return null;
  const same = Array.from(document.querySelectorAll('input, select, textarea')).filter(
    (c) => (c.form ?? null) === owner && (spec.name !== null ? c.getAttribute('name') === spec.name : c.getAttribute('id') === spec.id),
  );
  if (spec.kind === 'select') return same.filter((c) => c.tagName === 'SELECT')[spec.nth] ?? null;
  const boxes = same.filter((c) => c.tagName === 'INPUT' && c.type === spec.kind);
  if (spec.kind === 'radio') return boxes.find((c) => c.value === spec.value) ?? null;
  return boxes[0] ?? null;
}`;

/** In the page: the control's current value (null: nothing chosen, unchecked), or undefined when it is gone. */
const CONTROL_VALUE = `(spec) => {
  if (spec.kind === 'radio') {
    const owner = spec.form === null ? null : document.forms[spec.form];
    const radios = Array.from(document.querySelectorAll('input[type=radio]')).filter(
      (c) => (c.form ?? null) === owner && c.getAttribute('name') === spec.name,
    );
    if (!radios.length) return undefined;
    const on = radios.find((c) => c.checked);
    return on ? on.value : null;
  }
  const el = (${LOCATE_CONTROL})(spec);
  if (!el) return undefined;
  if (spec.kind === 'select') return el.value;
  return el.checked ? el.value : null;
}`;

/** The page's forms after its handlers of the last event (and the promises they started) ran. */
const EXTRACT_AFTER_EVENTS = `new Promise((resolve) => setTimeout(() => resolve(${EXTRACT_FORMS_SCRIPT}), 0))`;

const PageForms = CrawledPage.shape.forms;

/** What probing one page shares between controls: the probes made, and whether the page navigated away. */
interface ProbeState {
  probes: number;
  navigated: boolean;
}

/**
 * Probes the controls of `forms` (forms of `all`, the page's forms as loaded) on the live `page` and
 * returns each form's dependencies. `reload` brings the page back to its loaded state; when it fails,
 * probing stops with what was found so far.
 */
export async function discoverDependencies(
  page: Page,
  all: CrawledForm[],
  forms: CrawledForm[],
  reload: () => Promise<void>,
  signal?: AbortSignal,
): Promise<Map<CrawledForm, CrawledDependency[]>> {
  const found = new Map<CrawledForm, CrawledDependency[]>();
  const loaded = signature(all);
  const state: ProbeState = { probes: 0, navigated: false };
  const onNavigation = (frame: Frame) => {
    if (frame === page.mainFrame()) state.navigated = true;
  };
  const deadline = performance.now() + PROBE_BUDGET_MS;
  page.on('framenavigated', onNavigation);
  try {
    for (const form of forms) {
      const dependencies: CrawledDependency[] = [];
      found.set(form, dependencies);
      for (const candidate of probeCandidates(form)) {
        if (state.probes + candidate.values.length > MAX_PROBES_PER_PAGE) continue;
        if (performance.now() > deadline) return found;
        signal?.throwIfAborted();
        const initial = await currentValue(page, candidate);
        if (initial === undefined) continue;
        const { cases, restored, broken } = await probeCandidate(page, form, candidate, initial, loaded, state);
        if (!broken && cases.length) {
          const rank = (v: string | null) => candidate.values.indexOf(v);
          cases.sort((a, b) => rank(a.value) - rank(b.value));
          dependencies.push({
            control: candidate.control,
            name: form.fields[candidate.control]?.name ?? null,
            id: form.fields[candidate.control]?.id ?? null,
            cases,
          });
        }
        if (!restored || broken) {
          try {
            await reload();
          } catch {
            return found;
          }
          state.navigated = false;
        }
      }
    }
  } finally {
    page.off('framenavigated', onNavigation);
  }
  return found;
}

/**
 * Chooses each of a control's values in turn and reads what changed in its form: the cases found,
 * whether the page is back in its loaded state (`restored`), and whether probing broke it (it
 * navigated away or could no longer be read).
 */
async function probeCandidate(
  page: Page,
  form: CrawledForm,
  candidate: Candidate,
  initial: string | null,
  loaded: string,
  state: ProbeState,
): Promise<{ cases: CrawledDependencyCase[]; restored: boolean; broken: boolean }> {
  // The loaded value last, so the page ends where it started when the handlers allow it.
  const order = [...candidate.values.filter((v) => v !== initial), ...candidate.values.filter((v) => v === initial)];
  const cases: CrawledDependencyCase[] = [];
  let restored = false;
  for (const value of order) {
    state.probes++;
    restored = false;
    const chosen = await choose(page, candidate, value);
    if (state.navigated || chosen === 'hung') return { cases, restored, broken: true };
    if (chosen === 'refused') continue;
    const now = await readForms(page);
    if (!now || state.navigated) return { cases, restored, broken: true };
    // A radio's or checkbox's loaded value sets nothing when a row keeps it: the loaded state applies.
    if (value !== initial || candidate.kind === 'select') {
      const after = now.find((f) => f.implicit === form.implicit && f.index === form.index);
      const fields = after ? formChanges(form, after, candidate.control) : [];
      if (fields.length) cases.push({ value, fields });
    }
    if (value === initial) restored = signature(now) === loaded;
  }
  return { cases, restored, broken: false };
}

/** The page's forms after its handlers of the last event ran; null when the page could not be read. */
async function readForms(page: Page): Promise<CrawledForm[] | null> {
  try {
    const raw = (await page.evaluate(EXTRACT_AFTER_EVENTS)) as { forms?: unknown };
    return PageForms.parse(raw.forms);
  } catch {
    return null;
  }
}

async function currentValue(page: Page, candidate: Candidate): Promise<string | null | undefined> {
  try {
    return (await page.evaluate(`(${CONTROL_VALUE})(${JSON.stringify(candidate.spec)})`)) as string | null | undefined;
  } catch {
    return undefined;
  }
}

/**
 * In the page: sets the control to `spec.value` with the events a user's choice fires, and says
 * whether the control now holds it. A checkbox or radio button is clicked (its click, input and
 * change events, and the default action the page may cancel); a select's option is selected and
 * input and change are dispatched, as a browser does when a user picks an option. Run in the page
 * rather than through pointer actions: those wait for the control to be actionable, and on a busy
 * machine a wait bounded by a timer would lose a choice the page accepts.
 */
const CHOOSE_VALUE = `(spec) => {
  const el = (${LOCATE_CONTROL})(spec);
  if (!el || el.disabled) return false;
  if (spec.kind === 'select') {
    const option = Array.from(el.options).find((o) => o.value === spec.value && !o.disabled);
    if (!option) return false;
    if (!option.selected) {
      option.selected = true;
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
    return el.value === spec.value;
  }
  const wanted = spec.kind === 'radio' || spec.value !== null;
  if (el.checked !== wanted) el.click();
  return el.checked === wanted;
}`;

/** Sets the control to `value` as a user would: 'refused' when the page did not let it, 'hung' when its handlers did not return. */
async function choose(page: Page, candidate: Candidate, value: string | null): Promise<'chosen' | 'refused' | 'hung'> {
  const spec = { ...candidate.spec, value };
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), HUNG_AFTER_MS);
  });
  const chosen = page.evaluate(`(${CHOOSE_VALUE})(${JSON.stringify(spec)})`).then(
    (ok): 'chosen' | 'refused' => (ok === true ? 'chosen' : 'refused'),
    (): 'refused' => 'refused',
  );
  try {
    return await Promise.race([chosen, hung]);
  } finally {
    clearTimeout(timer);
  }
}
