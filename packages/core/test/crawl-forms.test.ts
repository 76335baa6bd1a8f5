/**
 * URL mode end to end in Chromium: pages served from a local HTTP server are crawled for their forms
 * (`crawlForms`), 100 rows are generated per form (`generateFromForms`), and every row is typed back
 * into the real form — fill, selectOption, check, by name or id, in the plan's filling order — where
 * the browser's own `checkValidity()` must accept it, on every row of every page. Controls a page's
 * script rewrites when a choice changes (crawled as dependencies) are covered by the project's own
 * shipping page and by the fixtures' tel-example. Runs on the project's own pages (below) always, and
 * on the shared form fixtures (MDN learning-area and jquery-validation demos) when `$TDM_FIXTURES/forms` exists.
 * Also: the typed crawl errors (unreachable, timeout, not HTML, HTTP status, no forms, bad URL).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlForms, crawlFormsSettled, launchCrawlBrowser } from '../src/crawl/index.ts';
import type { CrawledField, CrawledForm, CrawledPage } from '../src/crawl/types.ts';
import { CrawlError } from '../src/errors.ts';
import { type FormTable, generateFromForms, parseTextArray, planFormTables } from '../src/synthetic/forms.ts';
import type { TextRow } from '../src/synthetic/types.ts';

const CHROMIUM = process.env.TDM_CHROMIUM_PATH || '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`crawl-forms tests SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`);
const FORMS_DIR = join(process.env.TDM_FIXTURES ?? join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures'), 'forms');
const haveFixtures = existsSync(FORMS_DIR);
if (!haveFixtures) console.warn(`form fixtures not found under ${FORMS_DIR}: the fixture pages are SKIPPED (the project's own pages still run)`);

const FIXTURE_PAGES = [
  'jquery-validation/index.html',
  'jquery-validation/marketo_index.html',
  'jquery-validation/milk_index.html',
  'mdn-learning-area/enabled-disabled-shipping.html',
  'mdn-learning-area/first-form-styled.html',
  'mdn-learning-area/full-example.html',
  'mdn-learning-area/required-labels.html',
  'mdn-learning-area/tel-example.html',
];

/** Every kind of control and constraint the generator handles, in one form. */
const SIGNUP_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Create your account</title><link rel="stylesheet" href="/missing.css"></head>
<body>
<form id="signupForm" action="/signup" method="post">
  <input type="hidden" name="csrf" value="abc123">
  <label for="u">User name</label>
  <input id="u" name="username" required minlength="3" maxlength="12" pattern="[a-z][a-z0-9_]*">
  <label>E-mail <input type="email" name="email" required maxlength="40"></label>
  <span id="phone-label">Mobile phone</span>
  <input type="tel" name="phone" aria-labelledby="phone-label" required pattern="\\+49 [0-9]{3} [0-9]{6,8}">
  <input type="url" name="website" aria-label="Website">
  <label for="age">Age</label><input type="number" id="age" name="age" min="18" max="99" required>
  <input type="number" name="price" min="0.5" max="100" step="0.25" required>
  <input type="range" name="volume" min="0" max="10" step="2">
  <input type="date" name="birthday" min="1950-01-01" max="2005-12-31" step="7" required>
  <input type="month" name="start_month" min="2024-01" max="2026-06">
  <input type="week" name="week" min="2025-W10" max="2025-W30" required>
  <input type="time" name="slot" min="09:00" max="17:30" step="900" required>
  <input type="datetime-local" name="appointment" min="2025-01-01T08:00" max="2025-12-31T18:00" required>
  <input type="color" name="favorite_color">
  <select name="plan" required>
    <option value="">Choose a plan…</option>
    <option value="basic">Basic</option>
    <option value="pro">Pro</option>
    <option value="enterprise" disabled>Enterprise</option>
  </select>
  <select name="interests" multiple required>
    <option>Music</option><option>Sports</option><option value="tv">Television</option><option>Travel</option>
  </select>
  <fieldset><legend>Preferred contact</legend>
    <label><input type="radio" name="contact" value="email" required> E-mail</label>
    <label><input type="radio" name="contact" value="phone"> Phone</label>
    <label><input type="radio" name="contact" value="post"> Post</label>
  </fieldset>
  <label><input type="checkbox" name="terms" required> I accept the terms</label>
  <fieldset><legend>Newsletters</legend>
    <label><input type="checkbox" name="topics" value="news"> News</label>
    <label><input type="checkbox" name="topics" value="offers"> Offers</label>
    <label><input type="checkbox" name="topics" value="events"> Events</label>
  </fieldset>
  <label>Bio <textarea name="bio" minlength="10" maxlength="200"></textarea></label>
  <input name="fn" autocomplete="given-name">
  <input id="company-name" placeholder="Company">
  <input type="password" name="password" minlength="8" required>
  <input type="search" name="q" maxlength="5" placeholder="Search">
  <input type="text" name="zip" pattern="[0-9]{5}" title="Five digits">
  <fieldset disabled><input name="referral" required></fieldset>
  <button>Sign up</button>
</form>
</body></html>`;

/** Controls outside any form (one implicit form) beside an unnamed form. */
const LOOSE_PAGE = `<!doctype html>
<html><head><title>Quick order</title><script src="/missing.js"></script></head>
<body>
  <input name="coupon" pattern="[A-Z]{4}-[0-9]{2}" required aria-label="Coupon code">
  <select name="country"><option value="fr">France</option><option value="de">Germany</option></select>
  <input type="email" name="contact_email" required>
  <form><input type="number" name="qty" min="1" max="5" required><button>Order</button></form>
</body></html>`;

/**
 * A form whose script rewrites other controls when a choice changes, as tel-example does: the
 * destination sets the postcode pattern and the weight bounds, hides the customs code (still
 * required) for domestic parcels and clears the typed values; express delivery makes the phone
 * required with a pattern; the gift box enables a required message. The phone comes before the radio
 * group that controls it in the document.
 */
const SHIPPING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ship a parcel</title></head>
<body>
<form id="parcelForm" action="/ship" method="post">
  <label for="dest">Destination</label>
  <select id="dest" name="destination" required>
    <option value="">Choose…</option>
    <option value="domestic">Domestic</option>
    <option value="eu" selected>EU</option>
    <option value="world">World</option>
  </select>
  <label>Postcode <input name="postcode" required pattern="[0-9]{4,5}"></label>
  <label>Weight (kg) <input type="number" name="weight" required min="1"></label>
  <div id="customs-box"><label>Customs code <input name="customs" required pattern="[A-Z]{2}[0-9]{6}"></label></div>
  <label>Phone <input type="tel" name="phone"></label>
  <fieldset><legend>Speed</legend>
    <label><input type="radio" name="speed" value="standard" checked> Standard</label>
    <label><input type="radio" name="speed" value="express"> Express</label>
  </fieldset>
  <label><input type="checkbox" name="gift" value="yes"> Gift</label>
  <label>Gift message <textarea name="message" minlength="5" maxlength="80" disabled></textarea></label>
  <button>Ship</button>
</form>
<script>
  const form = document.getElementById('parcelForm');
  const { destination, postcode, weight, customs, phone, gift, message } = form.elements;
  const box = document.getElementById('customs-box');
  destination.addEventListener('change', () => {
    for (const input of form.querySelectorAll('input:not([type=radio]):not([type=checkbox])')) input.value = '';
    box.style.display = destination.value === 'domestic' ? 'none' : '';
    customs.pattern = destination.value === 'world' ? '[A-Z]{3}[0-9]{5}' : '[A-Z]{2}[0-9]{6}';
    weight.removeAttribute('step');
    if (destination.value === 'domestic') {
      postcode.pattern = '[0-9]{5}';
      weight.min = '1';
      weight.max = '30';
    } else if (destination.value === 'eu') {
      postcode.pattern = '[0-9]{4,5}';
      weight.min = '1';
      weight.max = '20';
    } else if (destination.value === 'world') {
      postcode.pattern = '[A-Z0-9]{3,10}';
      weight.min = '5';
      weight.max = '10';
      weight.step = '0.5';
    }
  });
  for (const radio of form.elements.speed) {
    radio.addEventListener('change', () => {
      const express = form.elements.speed.value === 'express';
      phone.required = express;
      if (express) phone.pattern = '[0-9]{10}';
      else phone.removeAttribute('pattern');
    });
  }
  gift.addEventListener('change', () => {
    message.disabled = !gift.checked;
    message.required = gift.checked;
  });
</script>
</body></html>`;

const NO_FORM_PAGE = '<!doctype html><html><head><title>About</title></head><body><p>No forms here.</p><button>Hi</button></body></html>';

let server: Server;
let base = '';
let browser: Browser;

beforeAll(async () => {
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
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchCrawlBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const ROWS = 100;

async function allRows(table: { rows(batchSize: number): AsyncIterable<TextRow[]> }): Promise<TextRow[]> {
  const out: TextRow[] = [];
  for await (const batch of table.rows(64)) out.push(...batch);
  return out;
}

const attrSelector = (name: string, value: string) => `[${name}="${value.replace(/["\\]/g, '\\$&')}"]`;

/** The element(s) of a control inside `scope`: by name (the column's control), else by id. */
function controlLocator(scope: Locator, field: CrawledField, sameName: number): Locator {
  if (field.name) return scope.locator(attrSelector('name', field.name)).nth(sameName);
  return scope.locator(attrSelector('id', field.id ?? ''));
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

/**
 * Run in the page for controls of a row, in order, just before they are filled: per control "absent"
 * when the page removed it, "skip" when it is disabled or read-only (not submitted, not validated),
 * "user" when it is rendered (the test then fills it through Playwright, as a user would). A control
 * the page hides (display:none) is still validated but cannot be typed into: it is filled here
 * through the DOM, with the input and change events a user's typing fires, and "dom" is returned.
 */
const FILL_HIDDEN = `(root, targets) => {
  const all = root.tagName === 'FORM'
    ? Array.from(root.elements)
    : Array.from(root.querySelectorAll('input, select, textarea')).filter((c) => !c.form);
  const fire = (e) => {
    e.dispatchEvent(new Event('input', { bubbles: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
  };
  return targets.map(({ where: t, value }) => {
    const named = all.filter((c) => /^(INPUT|SELECT|TEXTAREA)$/.test(c.tagName) && (t.name ? c.getAttribute('name') === t.name : c.id === t.id));
    const els = t.group ? named.filter((c) => c.type === t.type) : named.slice(t.nth, t.nth + 1);
    if (!els.length) return 'absent';
    if (els.every((e) => e.matches(':disabled') || e.readOnly)) return 'skip';
    if (els.some((e) => e.checkVisibility())) return 'user';
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
async function typeRowsBack(page: Page, plan: FormTable, rows: TextRow[]): Promise<{ failures: string[]; hiddenFills: number }> {
  await page.goto(plan.url, { waitUntil: 'domcontentloaded' });
  const scope = plan.form.implicit ? page.locator(':root') : page.locator('form').nth(plan.form.index as number);
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
      return [c.column, { index: i, field: c.field, where, locator: controlLocator(scope, c.field, group ? 0 : nth) }] as const;
    }),
  );
  const controlling = new Set(plan.dependencies.map((d) => d.control));
  for (const [r, row] of rows.entries()) {
    if (r > 0) {
      if (plan.dependencies.length) await page.goto(plan.url, { waitUntil: 'domcontentloaded' });
      else await page.evaluate(`(() => { for (const f of document.forms) f.reset(); })()`);
    }
    // Each controlling control on its own (it may rewrite, hide or clear the others), then the other
    // choices, then the typed controls, each group checked for what the page now shows at once.
    const rest = plan.fillOrder.filter((c) => !controlling.has(c));
    const isChoice = (c: string) => CHOICES.has(targets.get(c)?.field.type ?? '');
    const steps = [...plan.fillOrder.filter((c) => controlling.has(c)).map((c) => [c]), rest.filter(isChoice), rest.filter((c) => !isChoice(c))];
    for (const step of steps) {
      const batch = step.map((column) => targets.get(column) as NonNullable<ReturnType<typeof targets.get>>);
      const ask = batch.map((t) => ({ where: t.where, value: fillValue(t.field, row[t.index] ?? null) }));
      const hows = (await page.evaluate(`(${FILL_HIDDEN})(${root}, ${JSON.stringify(ask)})`)) as string[];
      for (const [b, { index, field, locator }] of batch.entries()) {
        const value = row[index] ?? null;
        if (hows[b] === 'dom') hiddenFills++;
        if (hows[b] !== 'user') continue;
        if (field.type === 'radio') {
          if (value !== null) await scope.locator(`input[type=radio]${attrSelector('name', field.name ?? '')}${attrSelector('value', value)}`).check();
        } else if (field.type === 'checkbox') {
          const chosen = fillValue(field, value);
          const boxes = field.name ? scope.locator(`input[type=checkbox]${attrSelector('name', field.name)}`) : locator;
          for (const [k, option] of (field.options ?? []).entries()) {
            if (!option.disabled) await boxes.nth(k).setChecked(chosen.includes(option.value));
          }
        } else if (field.type === 'select') {
          if (value !== null) await locator.selectOption(field.multiple ? parseTextArray(value).map((v) => ({ value: v })) : { value });
        } else {
          await locator.fill(value ?? '');
        }
      }
    }
    const bad = (await page.evaluate(`(${VALIDITY_CHECK})(${root})`)) as string[];
    if (bad.length) failures.push(`${plan.table} row ${r}: ${bad.join('; ')}`);
  }
  return { failures, hiddenFills };
}

/** Crawls, generates 100 rows per form, types them back; returns what was validated. */
async function roundTrip(urls: string[]): Promise<{ pages: CrawledPage[]; forms: number; rows: number; failures: string[]; hiddenFills: number }> {
  const pages = await crawlForms(urls, { browser, timeoutMs: 15_000 });
  const generated = generateFromForms(pages, { seed: 'crawl-test', rowCounts: { '*': ROWS } });
  const plans = planFormTables(pages, { '*': ROWS });
  expect(generated.tables.map((t) => t.table.name)).toEqual(plans.map((p) => p.table));
  const context = await browser.newContext();
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

const byName = (page: CrawledPage, formKey: string | number, name: string): CrawledField => {
  const form = typeof formKey === 'number' ? page.forms[formKey] : page.forms.find((f) => f.id === formKey || f.name === formKey);
  const field = form?.fields.find((f) => f.name === name || (f.name === null && f.id === name));
  if (!field) throw new Error(`no field ${name} in form ${formKey} of ${page.url}`);
  return field;
};

describe.skipIf(!haveChromium)('crawlForms + generateFromForms on the project pages', () => {
  let result: Awaited<ReturnType<typeof roundTrip>>;
  beforeAll(async () => {
    result = await roundTrip([`${base}/own/signup.html`, `${base}/own/loose.html`]);
    console.info(`own pages: ${result.pages.length} pages, ${result.forms} forms, ${result.rows} rows typed back`);
  }, 240_000);

  it('reads every control with its constraints and label', () => {
    const [signup] = result.pages as [CrawledPage];
    expect(signup.title).toBe('Create your account');
    const form = signup.forms[0];
    expect(form).toMatchObject({ id: 'signupForm', method: 'post', action: `${base}/signup`, implicit: false, index: 0 });
    expect(byName(signup, 0, 'username')).toMatchObject({
      type: 'text',
      required: true,
      minLength: 3,
      maxLength: 12,
      pattern: '[a-z][a-z0-9_]*',
      label: 'User name',
    });
    expect(byName(signup, 0, 'email')).toMatchObject({ type: 'email', required: true, maxLength: 40, label: 'E-mail' });
    expect(byName(signup, 0, 'phone')).toMatchObject({ type: 'tel', label: 'Mobile phone', pattern: '\\+49 [0-9]{3} [0-9]{6,8}' });
    expect(byName(signup, 0, 'website').label).toBe('Website');
    expect(byName(signup, 0, 'price')).toMatchObject({ type: 'number', min: '0.5', max: '100', step: '0.25' });
    expect(byName(signup, 0, 'slot')).toMatchObject({ type: 'time', min: '09:00', max: '17:30', step: '900' });
    expect(byName(signup, 0, 'plan').options?.map((o) => [o.value, o.disabled])).toEqual([
      ['', false],
      ['basic', false],
      ['pro', false],
      ['enterprise', true],
    ]);
    expect(byName(signup, 0, 'interests')).toMatchObject({ type: 'select', multiple: true, required: true });
    expect(byName(signup, 0, 'interests').options?.map((o) => o.value)).toEqual(['Music', 'Sports', 'tv', 'Travel']);
    expect(byName(signup, 0, 'contact')).toMatchObject({ type: 'radio', required: true, label: 'Preferred contact' });
    expect(byName(signup, 0, 'contact').options?.map((o) => [o.value, o.label])).toEqual([
      ['email', 'E-mail'],
      ['phone', 'Phone'],
      ['post', 'Post'],
    ]);
    expect(byName(signup, 0, 'topics')).toMatchObject({ type: 'checkbox', multiple: true, label: 'Newsletters' });
    expect(byName(signup, 0, 'terms')).toMatchObject({ type: 'checkbox', multiple: false, required: true, label: 'I accept the terms' });
    expect(byName(signup, 0, 'bio')).toMatchObject({ tag: 'textarea', minLength: 10, maxLength: 200, label: 'Bio' });
    expect(byName(signup, 0, 'fn').autocomplete).toBe('given-name');
    expect(byName(signup, 0, 'company-name')).toMatchObject({ name: null, id: 'company-name', label: 'Company' });
    expect(byName(signup, 0, 'q').label).toBe('Search');
    expect(byName(signup, 0, 'csrf')).toMatchObject({ type: 'hidden', value: 'abc123' });
    expect(byName(signup, 0, 'referral')).toMatchObject({ disabled: true, required: true });

    const loose = result.pages[1] as CrawledPage;
    expect(loose.forms.map((f) => [f.implicit, f.fields.map((x) => x.name)])).toEqual([
      [false, ['qty']],
      [true, ['coupon', 'country', 'contact_email']],
    ]);
    expect(byName(loose, 1, 'coupon')).toMatchObject({ label: 'Coupon code', pattern: '[A-Z]{4}-[0-9]{2}' });
  });

  it('makes one column per control, named as the control, typed as fits it', () => {
    const generated = generateFromForms(result.pages, { seed: 1 });
    const signup = generated.tables[0]?.table;
    expect(signup?.name).toBe('signup_form');
    expect(signup?.columns.map((c) => c.name)).toEqual([
      'username',
      'email',
      'phone',
      'website',
      'age',
      'price',
      'volume',
      'birthday',
      'start_month',
      'week',
      'slot',
      'appointment',
      'favorite_color',
      'plan',
      'interests',
      'contact',
      'terms',
      'topics',
      'bio',
      'fn',
      'company-name',
      'password',
      'q',
      'zip',
      'referral',
    ]);
    const types = Object.fromEntries(signup?.columns.map((c) => [c.name, c.pgType]) ?? []);
    expect(types).toMatchObject({
      username: 'character varying(12)',
      age: 'integer',
      price: 'numeric',
      volume: 'integer',
      birthday: 'date',
      week: 'text',
      interests: 'text[]',
      topics: 'text[]',
      terms: 'text',
      bio: 'character varying(200)',
    });
    expect(signup?.columns.find((c) => c.name === 'email')?.nullable).toBe(false);
    expect(signup?.columns.find((c) => c.name === 'website')?.nullable).toBe(true);
    // The unnamed form is named after the page title; the controls outside a form get their own table.
    expect(generated.tables.map((t) => t.table.name)).toEqual(['signup_form', 'quick_order', 'quick_order_2']);
    expect(generated.mode).toBe('URL');
    expect(generated.schemaVersionId).toBeNull();
    expect(generated.sourceUrl).toMatch(/^synthetic:url\/[0-9a-f]{16}$/);
    const skipped = (generated.meta.forms as { skipped: { name: string }[] }[])[0]?.skipped;
    expect(skipped).toEqual([{ name: 'csrf', id: null, type: 'hidden', reason: 'hidden input' }]);
    const catalogTable = generated.catalog.tables[0];
    expect(catalogTable?.checks.map((c) => c.expression)).toEqual(expect.arrayContaining(['("age" >= 18)', '("age" <= 99)']));
  });

  it('every generated row passes the real form’s validation', () => {
    expect(result.rows).toBe(3 * ROWS);
    expect(result.failures).toEqual([]);
  });

  it('is deterministic per seed and realistic where the control says what it holds', async () => {
    const a = generateFromForms(result.pages, { seed: 7, rowCounts: { '*': 50 } });
    const b = generateFromForms(result.pages, { seed: 7, rowCounts: { '*': 50 } });
    const c = generateFromForms(result.pages, { seed: 8, rowCounts: { '*': 50 } });
    const rowsA = await allRows(a.tables[0] as (typeof a.tables)[number]);
    expect(await allRows(b.tables[0] as (typeof b.tables)[number])).toEqual(rowsA);
    expect(await allRows(c.tables[0] as (typeof c.tables)[number])).not.toEqual(rowsA);
    // Calling rows() again yields the same rows.
    expect(await allRows(a.tables[0] as (typeof a.tables)[number])).toEqual(rowsA);
    const columns = a.tables[0]?.table.columns.map((col) => col.name) ?? [];
    const values = (name: string) => rowsA.map((r) => r[columns.indexOf(name)]).filter((v): v is string => v !== null);
    expect(values('email').every((v) => /^[a-z]+\.[a-z]+\d*@example\.(com|net|org)$/.test(v))).toBe(true);
    expect(values('phone').every((v) => /^\+49 \d{3} \d{6,8}$/.test(v))).toBe(true);
    expect(values('birthday').every((v) => new Date(`${v}T00:00:00Z`).getUTCDay() === new Date('1950-01-01T00:00:00Z').getUTCDay())).toBe(true);
    // autocomplete=given-name: first names, not random words.
    expect(new Set(values('fn')).size).toBeGreaterThan(10);
    expect(values('fn').every((v) => /^[A-Z][a-z]+/.test(v))).toBe(true);
    expect(values('terms')).toHaveLength(50);
    expect(values('plan').every((v) => v === 'basic' || v === 'pro')).toBe(true);
  });

  it('refuses a required control that no value can satisfy', () => {
    const page = structuredClone(result.pages[0]) as CrawledPage;
    const age = page.forms[0]?.fields.find((f) => f.name === 'age') as CrawledField;
    age.min = '50';
    age.max = '40';
    expect(() => generateFromForms([page])).toThrow(/no value satisfies signup_form\.age/);
  });
});

describe.skipIf(!haveChromium)('constraints that depend on another control', () => {
  let result: Awaited<ReturnType<typeof roundTrip>>;
  beforeAll(async () => {
    result = await roundTrip([`${base}/own/shipping.html`]);
    console.info(`dependent page: ${result.forms} form, ${result.rows} rows typed back, ${result.hiddenFills} hidden controls filled through the DOM`);
  }, 180_000);

  it('records, per value of a select, radio group or checkbox, the constraints it rewrites', () => {
    const form = result.pages[0]?.forms[0] as CrawledForm;
    const summary = form.dependencies.map((d) => ({
      control: d.name,
      cases: Object.fromEntries(d.cases.map((c) => [String(c.value), Object.fromEntries(c.fields.map((f) => [f.name, f.changes]))])),
    }));
    expect(summary).toEqual([
      {
        control: 'destination',
        cases: {
          domestic: { postcode: { pattern: '[0-9]{5}' }, weight: { max: '30' }, customs: { visible: false } },
          // The loaded value counts too: choosing it runs the handler, which sets a maximum the HTML has not.
          eu: { weight: { max: '20' } },
          world: { postcode: { pattern: '[A-Z0-9]{3,10}' }, weight: { min: '5', max: '10', step: '0.5' }, customs: { pattern: '[A-Z]{3}[0-9]{5}' } },
        },
      },
      { control: 'speed', cases: { express: { phone: { required: true, pattern: '[0-9]{10}' } } } },
      { control: 'gift', cases: { yes: { message: { disabled: false, required: true } } } },
    ]);
    // Probing left the page as loaded: the crawl read the loaded constraints.
    expect(byName(result.pages[0] as CrawledPage, 0, 'weight')).toMatchObject({ min: '1', max: null, step: null });
  });

  it('puts controlling columns before their dependents and types them first', () => {
    const [plan] = planFormTables(result.pages);
    expect(plan?.columns.map((c) => c.column)).toEqual(['destination', 'postcode', 'weight', 'customs', 'speed', 'phone', 'gift', 'message']);
    expect(plan?.fillOrder).toEqual(['destination', 'speed', 'gift', 'postcode', 'weight', 'customs', 'phone', 'message']);
    // Weight takes halves for world parcels; its check holds under every destination.
    expect(plan?.columns.find((c) => c.column === 'weight')?.pgType).toBe('numeric');
    const generated = generateFromForms(result.pages, { seed: 3 });
    expect(generated.catalog.tables[0]?.checks.map((c) => c.expression)).toEqual(['("weight" >= 1)']);
    const meta = (generated.meta.forms as { dependencies: { control: string }[]; fillOrder: string[] }[])[0];
    expect(meta?.dependencies.map((d) => d.control)).toEqual(['destination', 'speed', 'gift']);
    expect(meta?.fillOrder[0]).toBe('destination');
  });

  it('generates each dependent column under the constraints of the drawn value', async () => {
    const generated = generateFromForms(result.pages, { seed: 'dependent', rowCounts: { '*': 300 } });
    const rows = await allRows(generated.tables[0] as (typeof generated.tables)[number]);
    const columns = generated.tables[0]?.table.columns.map((c) => c.name) ?? [];
    const get = (row: TextRow, name: string) => row[columns.indexOf(name)] ?? null;
    const by = (dest: string) => rows.filter((r) => get(r, 'destination') === dest);
    for (const dest of ['domestic', 'eu', 'world']) expect(by(dest).length).toBeGreaterThan(50);
    expect(rows.every((r) => get(r, 'destination') !== '')).toBe(true);
    expect(by('domestic').every((r) => /^[0-9]{5}$/.test(get(r, 'postcode') ?? '') && Number(get(r, 'weight')) <= 30)).toBe(true);
    expect(by('eu').every((r) => Number(get(r, 'weight')) <= 20)).toBe(true);
    const world = by('world');
    expect(world.every((r) => /^[A-Z0-9]{3,10}$/.test(get(r, 'postcode') ?? '') && /^[A-Z]{3}[0-9]{5}$/.test(get(r, 'customs') ?? ''))).toBe(true);
    expect(world.every((r) => Number(get(r, 'weight')) >= 5 && Number(get(r, 'weight')) <= 10 && Number(get(r, 'weight')) % 0.5 === 0)).toBe(true);
    const express = rows.filter((r) => get(r, 'speed') === 'express');
    expect(express.length).toBeGreaterThan(50);
    expect(express.every((r) => /^[0-9]{10}$/.test(get(r, 'phone') ?? ''))).toBe(true);
    expect(rows.filter((r) => get(r, 'gift') === 'yes').every((r) => (get(r, 'message')?.length ?? 0) >= 5)).toBe(true);
    // Deterministic per seed, dependencies included.
    expect(
      await allRows(generateFromForms(result.pages, { seed: 'dependent', rowCounts: { '*': 300 } }).tables[0] as (typeof generated.tables)[number]),
    ).toEqual(rows);
  });

  it('every generated row passes the real form’s validation, hidden required controls included', () => {
    expect(result.rows).toBe(ROWS);
    expect(result.failures).toEqual([]);
    expect(result.hiddenFills).toBeGreaterThan(0);
  });

  it('never draws a value under which a required control has no valid value', async () => {
    const page = structuredClone(result.pages[0]) as CrawledPage;
    const form = page.forms[0] as CrawledForm;
    const world = form.dependencies[0]?.cases.find((c) => c.value === 'world');
    const weight = world?.fields.find((f) => f.name === 'weight');
    if (!weight) throw new Error('no weight case for world');
    weight.changes = { min: '12', max: '10' };
    const generated = generateFromForms([page], { seed: 5, rowCounts: { '*': 200 } });
    const rows = await allRows(generated.tables[0] as (typeof generated.tables)[number]);
    const at = generated.tables[0]?.table.columns.findIndex((c) => c.name === 'destination') as number;
    expect(rows.some((r) => r[at] === 'world')).toBe(false);
    expect(new Set(rows.map((r) => r[at]))).toEqual(new Set(['domestic', 'eu']));
    expect((generated.meta.forms as { unsatisfiable: { column: string; reason: string }[] }[])[0]?.unsatisfiable).toEqual([
      { column: 'weight', reason: 'when destination="world": min 12 is above max 10 ("world" is not chosen)' },
    ]);
  });
});

describe.skipIf(!haveChromium)('crawl errors', () => {
  it('types each failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const urls = [
      `http://user:secret@127.0.0.1:${deadPort}/form.html`,
      `${base}/slow`,
      `${base}/data.json`,
      `${base}/notes.txt`,
      `${base}/missing.html`,
      `${base}/own/about.html`,
      'not a url',
      'ftp://127.0.0.1/form.html',
      `${base}/own/loose.html`,
    ];
    const outcomes = await crawlFormsSettled(urls, { browser, timeoutMs: 1_500 });
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.reason))).toEqual([
      'UNREACHABLE',
      'TIMEOUT',
      'NOT_HTML',
      'NOT_HTML',
      'HTTP_STATUS',
      'NO_FORMS',
      'INVALID_URL',
      'INVALID_URL',
      'ok',
    ]);
    const unreachable = outcomes[0]?.error as CrawlError;
    expect(unreachable).toBeInstanceOf(CrawlError);
    expect(unreachable.url).toBe(`http://127.0.0.1:${deadPort}/form.html`);
    expect(unreachable.message).not.toContain('secret');
    expect(outcomes[4]?.error?.details).toMatchObject({ status: 404 });
    await expect(crawlForms([`${base}/missing.html`], { browser })).rejects.toMatchObject({ reason: 'HTTP_STATUS' });
  });

  it('reports a missing browser as BROWSER_UNAVAILABLE', async () => {
    const saved = process.env.TDM_CHROMIUM_PATH;
    process.env.TDM_CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      await expect(crawlForms([`${base}/own/loose.html`])).rejects.toMatchObject({ reason: 'BROWSER_UNAVAILABLE' });
    } finally {
      if (saved === undefined) delete process.env.TDM_CHROMIUM_PATH;
      else process.env.TDM_CHROMIUM_PATH = saved;
    }
  });
});

describe.skipIf(!haveChromium || !haveFixtures)('crawlForms + generateFromForms on the shared form fixtures', () => {
  let result: Awaited<ReturnType<typeof roundTrip>>;
  const page = (file: string) => result.pages.find((p) => p.url.endsWith(file)) as CrawledPage;
  beforeAll(async () => {
    result = await roundTrip(FIXTURE_PAGES.map((f) => `${base}/fixtures/${f}`));
    console.info(
      `fixture pages: ${result.pages.length} pages, ${result.forms} forms, ${result.rows} rows typed back, ` +
        `${result.rows - result.failures.length} accepted, ${result.hiddenFills} hidden controls filled through the DOM`,
    );
  }, 180_000);

  it('finds the fields written in the pages', () => {
    expect(result.pages).toHaveLength(FIXTURE_PAGES.length);
    const full = page('full-example.html');
    expect(full.title).toBe('Full built-in validation example');
    expect(byName(full, 0, 'driver')).toMatchObject({ type: 'radio', required: true, label: "Do you have a driver's license?" });
    expect(byName(full, 0, 'driver').options?.map((o) => o.value)).toEqual(['yes', 'no']);
    expect(byName(full, 0, 'age')).toMatchObject({ type: 'number', id: 'n1', min: '12', max: '120', step: '1', required: false });
    expect(byName(full, 0, 'fruit')).toMatchObject({ type: 'text', required: true, pattern: '[Bb]anana|[Cc]herry|[Aa]pple|[Ss]trawberry|[Ll]emon|[Oo]range' });
    expect(byName(full, 0, 'msg')).toMatchObject({ tag: 'textarea', maxLength: 140, label: 'Leave a short message' });

    const tel = page('tel-example.html');
    expect(tel.forms[0]?.fields.map((f) => [f.name, f.type, f.required, f.pattern])).toEqual([
      ['country', 'select', false, null],
      ['areaNo', 'tel', true, '[0-9]{3}'],
      ['number1', 'tel', true, '[0-9]{3}'],
      ['number2', 'tel', true, '[0-9]{4}'],
    ]);
    expect(byName(tel, 0, 'areaNo').label).toBe('Area code');

    const demo = page('jquery-validation/index.html');
    expect(demo.forms.map((f) => f.id)).toEqual(['commentForm', 'signupForm']);
    expect(byName(demo, 'commentForm', 'name')).toMatchObject({ id: 'cname', required: true, minLength: 2 });
    expect(byName(demo, 'commentForm', 'url')).toMatchObject({ type: 'url', required: false });
    expect(byName(demo, 'signupForm', 'topic')).toMatchObject({ type: 'checkbox', multiple: true });
    expect(byName(demo, 'signupForm', 'topic').options?.map((o) => o.value)).toEqual(['marketflash', 'fuzz', 'digester']);

    const marketo = page('marketo_index.html');
    expect(marketo.forms[0]).toMatchObject({ id: 'profileForm', method: 'get' });
    expect(marketo.forms[0]?.action).toMatch(/\/step2\.htm$/);
    expect(byName(marketo, 0, 'state').options).toHaveLength(51);
    expect(byName(marketo, 0, 'zip')).toMatchObject({ maxLength: 10, type: 'text' });

    expect(byName(page('milk_index.html'), 0, 'dateformat').options?.map((o) => o.value)).toEqual(['0', '1']);
    const shipping = page('enabled-disabled-shipping.html');
    expect(byName(shipping, 0, 'name')).toMatchObject({ disabled: true, required: true });
    expect(byName(shipping, 0, 'billing-checkbox')).toMatchObject({ name: null, type: 'checkbox' });
    expect(page('first-form-styled.html').forms[0]).toMatchObject({ method: 'post' });
    expect(byName(page('first-form-styled.html'), 0, 'user_mail')).toMatchObject({ type: 'email', id: 'mail', label: 'E-mail' });
    expect(byName(page('required-labels.html'), 0, 'username').label).toBe('Name');
  });

  it('names tables after the forms and columns after the controls', () => {
    const generated = generateFromForms(result.pages);
    const names = generated.tables.map((t) => t.table.name);
    expect(names).toEqual(
      expect.arrayContaining(['comment_form', 'signup_form', 'profile_form', 'signupform', 'my_handling_form_page', 'full_built_in_validation_example']),
    );
    const tel = generated.tables.find((t) => t.table.name === 'input_type_tel_example');
    expect(tel?.table.columns.map((c) => c.name)).toEqual(['country', 'areaNo', 'number1', 'number2']);
  });

  it('every generated row passes the real form’s validation', () => {
    expect(result.forms).toBe(9);
    expect(result.rows).toBe(9 * ROWS);
    expect(result.failures).toEqual([]);
    // tel-example's UK rows: number2 is hidden with its wrapper but still required.
    expect(result.hiddenFills).toBeGreaterThan(0);
  });

  it('discovers the constraints the pages rewrite when a choice changes', () => {
    const tel = page('tel-example.html').forms[0];
    expect(tel?.dependencies.map((d) => [d.name, d.cases.map((c) => c.value)])).toEqual([['country', ['UK', 'Germany']]]);
    const cases = Object.fromEntries(tel?.dependencies[0]?.cases.map((c) => [c.value, Object.fromEntries(c.fields.map((f) => [f.name, f.changes]))]) ?? []);
    expect(cases).toEqual({
      UK: { areaNo: { pattern: '[0-9]{3,6}' }, number1: { pattern: '[0-9]{4,8}' }, number2: { visible: false } },
      Germany: { areaNo: { pattern: '[0-9]{3,5}' }, number1: { pattern: '[0-9]{2,4}' } },
    });
    // The billing checkbox (checked on load) enables the billing address when unchecked.
    const shipping = page('enabled-disabled-shipping.html').forms[0];
    expect(shipping?.dependencies).toEqual([
      {
        control: 3,
        name: null,
        id: 'billing-checkbox',
        cases: [
          {
            value: null,
            fields: ['name', 'address2', 'pcode2'].map((name) => ({ field: expect.any(Number), name, id: expect.any(String), changes: { disabled: false } })),
          },
        ],
      },
    ]);
    // Pages whose scripts rewrite nothing have no dependencies.
    for (const file of ['full-example.html', 'first-form-styled.html', 'required-labels.html']) expect(page(file).forms[0]?.dependencies).toEqual([]);
    const plan = planFormTables([page('tel-example.html')])[0];
    expect(plan?.fillOrder[0]).toBe('country');
  });
});
