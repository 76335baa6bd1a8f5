/**
 * The script a crawl runs inside the page: it walks the document's form controls and returns them
 * as plain data (crawl/types.ts checks the shape). It is kept as source text rather than a function
 * because the engine's type checking has no DOM library, and because a function compiled by tsx or
 * vitest may call bundler helpers (`__name`) that do not exist in the page.
 *
 * Controls are grouped by their form owner (`el.form`, which honours the `form=` attribute); those
 * without one become a single implicit form. Radios and same-named checkboxes become one field each,
 * with their buttons as options. Labels follow the accessible-name order: aria-labelledby,
 * aria-label, <label> (for= or wrapping, without the text of nested controls), title, placeholder.
 * Names, ids, actions and methods are read as attributes: a control named "name" or "action"
 * shadows the form's own properties.
 */
export const EXTRACT_FORMS_SCRIPT = String.raw`(() => {
  const NOT_DATA = new Set(['submit', 'reset', 'button', 'image']);
  const clean = (s) => (s == null ? '' : String(s)).replace(/\s+/g, ' ').trim();
  const tidy = (s) => {
    const t = clean(s).replace(/[\s:*]+$/, '').trim();
    return t === '' ? null : t;
  };
  const textOf = (el) => {
    const copy = el.cloneNode(true);
    for (const inner of copy.querySelectorAll('input, select, textarea, button, datalist, script, style')) inner.remove();
    return copy.textContent;
  };
  const byIds = (ids) =>
    ids
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map(textOf)
      .join(' ');
  const labelOf = (el) => {
    const labelledBy = el.getAttribute('aria-labelledby');
    const candidates = [
      () => (labelledBy ? byIds(labelledBy) : null),
      () => el.getAttribute('aria-label'),
      () => (el.labels && el.labels.length ? Array.from(el.labels).map(textOf).join(' ') : null),
      () => el.getAttribute('title'),
      () => el.getAttribute('placeholder'),
    ];
    for (const candidate of candidates) {
      const t = tidy(candidate());
      if (t) return t;
    }
    return null;
  };
  const visible = (el) => {
    if (typeof el.checkVisibility === 'function') return el.checkVisibility({ visibilityProperty: true });
    return el.getClientRects().length > 0;
  };
  const attr = (el, name) => el.getAttribute(name);
  const length = (n) => (typeof n === 'number' && n >= 0 ? n : null);
  const isDisabled = (el) => el.matches(':disabled');
  const groupLabel = (els) => {
    const first = els[0];
    const fieldset = first.closest('fieldset');
    if (fieldset && els.every((e) => fieldset.contains(e))) {
      const legend = Array.from(fieldset.children).find((c) => c.tagName === 'LEGEND');
      const t = legend ? tidy(textOf(legend)) : null;
      if (t) return t;
    }
    const group = first.closest('[role=radiogroup], [role=group]');
    if (group) {
      const by = group.getAttribute('aria-labelledby');
      const t = tidy(by ? byIds(by) : group.getAttribute('aria-label'));
      if (t) return t;
    }
    return labelOf(first);
  };
  const fieldOf = (el) => {
    const tag = el.tagName.toLowerCase();
    const auto = attr(el, 'autocomplete');
    return {
      tag,
      type: tag === 'select' ? 'select' : tag === 'textarea' ? 'textarea' : String(el.type).toLowerCase(),
      name: attr(el, 'name') || null,
      id: el.getAttribute('id') || null,
      label: labelOf(el),
      required: Boolean(el.required),
      disabled: isDisabled(el),
      readOnly: Boolean(el.readOnly),
      multiple: Boolean(el.multiple),
      min: attr(el, 'min'),
      max: attr(el, 'max'),
      step: attr(el, 'step'),
      minLength: length(el.minLength),
      maxLength: length(el.maxLength),
      pattern: attr(el, 'pattern'),
      placeholder: attr(el, 'placeholder'),
      autocomplete: auto == null || auto.trim() === '' ? null : auto.trim().toLowerCase(),
      value: (tag === 'textarea' ? el.defaultValue : tag === 'input' ? attr(el, 'value') : null) || null,
      visible: visible(el),
      options:
        tag === 'select'
          ? Array.from(el.options).map((o) => ({
              value: o.value,
              label: clean(o.label || o.text),
              disabled: o.matches(':disabled'),
              selected: o.defaultSelected,
              required: false,
              id: o.getAttribute('id') || null,
            }))
          : null,
    };
  };
  const buttonOption = (el) => ({
    value: el.value,
    label: labelOf(el) ?? el.value,
    disabled: isDisabled(el),
    selected: el.defaultChecked,
    required: Boolean(el.required),
    id: el.getAttribute('id') || null,
  });
  const groupField = (els, type) => {
    const field = fieldOf(els[0]);
    field.type = type;
    field.label = els.length > 1 || type === 'radio' ? groupLabel(els) : labelOf(els[0]);
    field.required = els.some((e) => e.required);
    field.disabled = els.every(isDisabled);
    field.readOnly = false;
    field.multiple = type === 'checkbox' && els.length > 1;
    field.visible = els.some(visible);
    field.value = null;
    field.options = els.map(buttonOption);
    return field;
  };

  const controls = Array.from(document.querySelectorAll('input, select, textarea')).filter(
    (el) => el.tagName !== 'INPUT' || !NOT_DATA.has(String(el.type).toLowerCase()),
  );
  const owners = new Map();
  const ownerOf = (el) => {
    const key = el.form ?? null;
    let entry = owners.get(key);
    if (!entry) {
      entry = { form: key, items: [], groups: new Map() };
      owners.set(key, entry);
    }
    return entry;
  };
  for (const el of controls) {
    const entry = ownerOf(el);
    const type = el.tagName === 'INPUT' ? String(el.type).toLowerCase() : '';
    const name = el.getAttribute('name');
    if ((type === 'radio' || type === 'checkbox') && name) {
      const key = type + ':' + name;
      const group = entry.groups.get(key);
      if (group) {
        group.push(el);
        continue;
      }
      const els = [el];
      entry.groups.set(key, els);
      entry.items.push({ group: els, type });
    } else if (type === 'radio' || type === 'checkbox') {
      entry.items.push({ group: [el], type });
    } else {
      entry.items.push({ el });
    }
  }
  const formOf = (form, items, index) => {
    const method = (form ? (form.getAttribute('method') ?? 'get') : 'get').toLowerCase();
    let action = null;
    if (form) {
      try {
        action = new URL(form.getAttribute('action') ?? '', document.baseURI).href;
      } catch {
        action = form.getAttribute('action');
      }
    }
    return {
      name: form ? form.getAttribute('name') || null : null,
      id: form ? form.getAttribute('id') || null : null,
      action,
      index,
      method: method === 'post' || method === 'dialog' ? method : 'get',
      implicit: form === null,
      fields: items.map((item) => (item.el ? fieldOf(item.el) : groupField(item.group, item.type))),
    };
  };
  const forms = [];
  Array.from(document.forms).forEach((form, index) => {
    const entry = owners.get(form);
    if (entry) forms.push(formOf(form, entry.items, index));
  });
  const loose = owners.get(null);
  if (loose) forms.push(formOf(null, loose.items, null));
  return { title: clean(document.title), forms };
})()`;
