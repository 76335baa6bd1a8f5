/**
 * The local HTTP server and Chromium the URL-mode crawl tests share, and the round trip they check:
 * crawl the pages, generate rows per form, type every row back into the real form.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { crawlForms, launchCrawlBrowser } from '../../src/crawl/index.ts';
import type { CrawledField, CrawledPage } from '../../src/crawl/types.ts';
import { type FormTable, generateFromForms, parseTextArray, planFormTables } from '../../src/synthetic/forms.ts';
import type { TextRow } from '../../src/synthetic/types.ts';
import { FORMS_DIR, haveChromium, LOOSE_PAGE, NO_FORM_PAGE, SHIPPING_PAGE, SIGNUP_PAGE } from './form-pages.ts';

let server: Server;
/** Where the pages are served (`http://127.0.0.1:<port>`) and the browser, once openFormSite has run. */
export const site = { base: '', browser: undefined as unknown as Browser };

/** Serves the pages on a free port and launches Chromium; for a test file's beforeAll. */
export async function openFormSite(): Promise<void> {
  if (!haveChromium) return;
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const html = (body: string) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    };
    if (path === '/own/signup.html') return html(SIGNUP_PAGE);
    if (path === '/own/loose.html') return html(LOOSE_PAGE);
    if (path === '/own/shipping.html') return html(SHIPPING_PAGE);
    if (path === '/own/about.html') return html(NO_FORM_PAGE);
    if (path === '/slow') return void setTimeout(() => html(SIGNUP_PAGE), 5_000);
    if (path === '/data.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"forms":[]}');
    }
    if (path === '/notes.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('<form><input name="x"></form>');
    }
    if (path.startsWith('/fixtures/')) {
      const file = normalize(join(FORMS_DIR, path.slice('/fixtures/'.length)));
      if (file.startsWith(FORMS_DIR) && file.endsWith('.html') && existsSync(file)) return html(await readFile(file, 'utf8'));
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Not found</title><form><input name="q"></form>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.browser = await launchCrawlBrowser();
}

/** For the test file's afterAll. */
export async function closeFormSite(): Promise<void> {
  await site.browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

export const ROWS = 100;

export async function allRows(table: { rows(batchSize: number): AsyncIterable<TextRow[]> }): Promise<TextRow[]> {
  const out: TextRow[] = [];
  for await (const batch of table.rows(64)) out.push(...batch);
  return out;
}

/**
 * Run in the page on the form (or the root, for controls outside any form): the controls the browser
 * rejects, with their validation messages. Source text: the test's types have no DOM library.
 */
const VALIDITY_CHECK = `(el) => {
  const controls = el.tagName === 'FORM' ? [el] : Array.from(el.querySelectorAll('input, select, textarea')).filter((c) => !c.form);
  const bad = [];
  for (const c of controls) {
    if (c.checkValidity()) continue;
    const invalid = c.tagName === 'FORM' ? Array.from(c.elements).filter((e) => e.checkValidity && !e.checkValidity()) : [c];
    for (const e of invalid) bad.push((e.name || e.id) + '=' + JSON.stringify(e.value) + ': ' + e.validationMessage);
  }
  return bad;
}`;

/** VALIDITY_CHECK, then (when asked) every form of the page reset for the next row: one call instead of two. */
const CHECK_THEN_RESET = `(el, reset) => {
  const bad = (${VALIDITY_CHECK})(el);
  if (reset) for (const f of document.forms) f.reset();
  return bad;
}`;

/**
 * Run in the page for controls of a row, in order, just before they are filled: per control "absent"
 * when the page removed it, "skip" when it is disabled or read-only (not submitted, not validated),
 * "user" when it is rendered, "type" when it is a rendered control to type into. A control the page
 * hides (display:none) is still validated but cannot be typed into: it is filled here through the
 * DOM, with the input and change events a user's typing fires, and "dom" is returned. The rendered
 * choices are then made in order as a user makes them: a radio button or checkbox clicked (its click,
 * input and change events and default action), a select's options picked with input and change; a
 * choice the page does not take is returned as "error: …".
 */
const FILL_STEP = `(root, targets) => {
  const all = root.tagName === 'FORM'
    ? Array.from(root.elements)
    : Array.from(root.querySelectorAll('input, select, textarea')).filter((c) => !c.form);
  const fire = (e) => {
    e.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const found = targets.map(({ where: t }) => {
    const named = all.filter((c) => /^(INPUT|SELECT|TEXTAREA)$/.test(c.tagName) && (t.name ? c.getAttribute('name') === t.name : c.id === t.id));
    return t.group ? named.filter((c) => c.type === t.type) : named.slice(t.nth, t.nth + 1);
  });
  const hows = targets.map(({ where: t, value }, i) => {
    const els = found[i];
    if (!els.length) return 'absent';
    if (els.every((e) => e.matches(':disabled') || e.readOnly)) return 'skip';
    if (els.some((e) => e.checkVisibility())) return ['radio', 'checkbox', 'select'].includes(t.type) ? 'user' : 'type';
    if (t.type === 'select') {
      for (const o of els[0].options) o.selected = value.includes(o.value);
      fire(els[0]);
    } else if (t.type === 'radio' || t.type === 'checkbox') {
      for (const e of els) {
        const on = value.includes(e.value);
        if (e.checked !== on) {
          e.checked = on;
          fire(e);
        }
      }
    } else {
      els[0].value = value;
      fire(els[0]);
    }
    return 'dom';
  });
  const setChecked = (box, on) => {
    if (!box) return 'error: no such control';
    if (box.checked !== on) box.click();
    return box.checked === on ? 'user' : 'error: the click did not change its state';
  };
  return targets.map(({ where: t, value, options }, i) => {
    if (hows[i] !== 'user') return hows[i];
    const els = found[i];
    if (t.type === 'radio') return value.length ? setChecked(els.find((e) => e.value === value[0]), true) : 'user';
    if (t.type === 'checkbox') {
      for (const [k, option] of options.entries()) {
        const how = option.disabled ? 'user' : setChecked(els[k], value.includes(option.value));
        if (how !== 'user') return how;
      }
      return 'user';
    }
    if (!value.length) return 'user';
    const select = els[0];
    const missing = value.filter((v) => !Array.from(select.options).some((o) => o.value === v && !o.disabled));
    if (missing.length) return 'error: no option ' + JSON.stringify(missing);
    for (const o of select.options) o.selected = value.includes(o.value);
    fire(select);
    return 'user';
  });
}`;

/**
 * Run in the page before a rendered control is typed into, as Playwright's fill prepares it: the
 * control focused with its text selected ("needsinput": the test then inserts the value as typed
 * text, or deletes the selection), or, for the inputs a user picks a value in (date, colour, range…),
 * the value set with input and change events ("done").
 */
const PREPARE_TYPING = `(root, t, value) => {
  const all = root.tagName === 'FORM'
    ? Array.from(root.elements)
    : Array.from(root.querySelectorAll('input, select, textarea')).filter((c) => !c.form);
  const el = all.filter((c) => /^(INPUT|SELECT|TEXTAREA)$/.test(c.tagName) && (t.name ? c.getAttribute('name') === t.name : c.id === t.id))[t.nth];
  if (!el || el.tagName === 'SELECT') return 'error: no control to type into';
  if (el.tagName === 'TEXTAREA') {
    el.selectionStart = 0;
    el.selectionEnd = el.value.length;
    el.focus();
    return 'needsinput';
  }
  const type = el.type.toLowerCase();
  if (['color', 'date', 'time', 'datetime-local', 'month', 'range', 'week'].includes(type)) {
    el.focus();
    el.value = value.trim();
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return 'done';
  }
  if (!['', 'email', 'number', 'password', 'search', 'tel', 'text', 'url'].includes(type)) return 'error: an input of type ' + type + ' cannot be filled';
  if (type === 'number' && Number.isNaN(Number(value.trim()))) return 'error: cannot type text into input[type=number]';
  el.select();
  el.focus();
  return 'needsinput';
}`;

const CHOICES = new Set(['radio', 'checkbox', 'select']);

/** A choice column's value as the list of chosen values; a typed column's as its text. */
function fillValue(field: CrawledField, value: string | null): string[] | string {
  if (!CHOICES.has(field.type)) return value ?? '';
  if (value === null) return [];
  return field.multiple ? parseTextArray(value) : [value];
}

/**
 * Types every row of `plan` into its form on `page`, column by column in the plan's filling order
 * (controlling controls first: tel-example's country select clears the phone inputs when it changes),
 * and returns the rows the browser rejected, with the validation messages of the controls that failed.
 * A form whose constraints depend on its controls' values is reloaded for every row: `reset()` restores
 * values, not what the page's scripts rewrote.
 */
/** Types `value` into a rendered control as a user would (Playwright's fill: focus, select all, insert the text). */
async function typeInto(page: Page, root: string, where: { name: string | null; id: string | null; nth: number }, value: string): Promise<void> {
  const how = (await page.evaluate(`(${PREPARE_TYPING})(${root}, ${JSON.stringify(where)}, ${JSON.stringify(value)})`)) as string;
  if (how.startsWith('error')) throw new Error(`${where.name ?? where.id}: ${how}`);
  if (how !== 'needsinput') return;
  if (value) await page.keyboard.insertText(value);
  else await page.keyboard.press('Delete');
}

async function typeRowsBack(page: Page, plan: FormTable, rows: TextRow[]): Promise<{ failures: string[]; hiddenFills: number }> {
  await page.goto(plan.url, { waitUntil: 'domcontentloaded' });
  const root = plan.form.implicit ? 'document.documentElement' : `document.forms[${plan.form.index}]`;
  const failures: string[] = [];
  let hiddenFills = 0;
  const seen = new Map<string, number>();
  const targets = new Map(
    plan.columns.map((c, i) => {
      const key = c.field.name ?? `#${c.field.id}`;
      const nth = seen.get(key) ?? 0;
      seen.set(key, nth + 1);
      const group = c.field.type === 'radio' || (c.field.type === 'checkbox' && c.field.name !== null);
      const where = { name: c.field.name, id: c.field.id, nth, type: c.field.type, group };
      return [c.column, { index: i, field: c.field, where }] as const;
    }),
  );
  const controlling = new Set(plan.dependencies.map((d) => d.control));
  for (const [r, row] of rows.entries()) {
    // The previous row was checked and the forms reset in one call (below); a page that rewrites
    // constraints is loaded again instead.
    if (r > 0 && plan.dependencies.length) await page.goto(plan.url, { waitUntil: 'domcontentloaded' });
    // Each controlling control on its own (it may rewrite, hide or clear the others), then the other
    // choices, then the typed controls, each group checked for what the page now shows at once.
    const rest = plan.fillOrder.filter((c) => !controlling.has(c));
    const isChoice = (c: string) => CHOICES.has(targets.get(c)?.field.type ?? '');
    const steps = [...plan.fillOrder.filter((c) => controlling.has(c)).map((c) => [c]), rest.filter(isChoice), rest.filter((c) => !isChoice(c))];
    for (const step of steps) {
      if (!step.length) continue;
      const batch = step.map((column) => targets.get(column) as NonNullable<ReturnType<typeof targets.get>>);
      const ask = batch.map((t) => ({ where: t.where, value: fillValue(t.field, row[t.index] ?? null), options: t.field.options ?? [] }));
      const hows = (await page.evaluate(`(${FILL_STEP})(${root}, ${JSON.stringify(ask)})`)) as string[];
      for (const [b, { index, where }] of batch.entries()) {
        const how = hows[b] ?? '';
        if (how === 'dom') hiddenFills++;
        if (how.startsWith('error')) throw new Error(`${plan.table} row ${r}, ${where.name ?? where.id}: ${how}`);
        if (how === 'type') await typeInto(page, root, where, row[index] ?? '');
      }
    }
    const resetAfter = r < rows.length - 1 && !plan.dependencies.length;
    const bad = (await page.evaluate(`(${CHECK_THEN_RESET})(${root}, ${resetAfter})`)) as string[];
    if (bad.length) failures.push(`${plan.table} row ${r}: ${bad.join('; ')}`);
  }
  return { failures, hiddenFills };
}

/** Crawls, generates 100 rows per form, types them back; returns what was validated. */
export async function roundTrip(urls: string[]): Promise<{ pages: CrawledPage[]; forms: number; rows: number; failures: string[]; hiddenFills: number }> {
  const pages = await crawlForms(urls, { browser: site.browser, timeoutMs: 15_000 });
  const generated = generateFromForms(pages, { seed: 'crawl-test', rowCounts: { '*': ROWS } });
  const plans = planFormTables(pages, { '*': ROWS });
  expect(generated.tables.map((t) => t.table.name)).toEqual(plans.map((p) => p.table));
  const context = await site.browser.newContext();
  try {
    const results = await Promise.all(
      plans.map(async (plan, t) => {
        const rows = await allRows(generated.tables[t] as (typeof generated.tables)[number]);
        expect(rows).toHaveLength(ROWS);
        const page = await context.newPage();
        try {
          return await typeRowsBack(page, plan, rows);
        } finally {
          await page.close();
        }
      }),
    );
    return {
      pages,
      forms: plans.length,
      rows: plans.length * ROWS,
      failures: results.flatMap((r) => r.failures),
      hiddenFills: results.reduce((n, r) => n + r.hiddenFills, 0),
    };
  } finally {
    await context.close();
  }
}

export const byName = (page: CrawledPage, formKey: string | number, name: string): CrawledField => {
  const form = typeof formKey === 'number' ? page.forms[formKey] : page.forms.find((f) => f.id === formKey || f.name === formKey);
  const field = form?.fields.find((f) => f.name === name || (f.name === null && f.id === name));
  if (!field) throw new Error(`no field ${name} in form ${formKey} of ${page.url}`);
  return field;
};
