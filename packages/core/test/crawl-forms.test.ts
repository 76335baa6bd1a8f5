/**
 * URL mode end to end in Chromium: pages served from a local HTTP server are crawled for their forms
 * (`crawlForms`), 100 rows are generated per form (`generateFromForms`), and every row is typed back
 * into the real form — fill, selectOption, check, by name or id — where the browser's own
 * `checkValidity()` must accept it. Runs on the project's own pages (below) always, and on the shared
 * form fixtures (MDN learning-area and jquery-validation demos) when `$TDM_FIXTURES/forms` exists.
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
import type { CrawledField, CrawledPage } from '../src/crawl/types.ts';
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
  const scope = el.tagName === 'FORM' ? Array.from(el.elements) : Array.from(el.querySelectorAll('input, select, textarea')).filter((c) => !c.form);
  const live = scope.map((e) => ({ key: e.name || e.id, pattern: e.getAttribute('pattern'), visible: e.checkVisibility() }));
  return { bad, live };
}`;

const CHOICES = new Set(['radio', 'checkbox', 'select']);

/** Which of the listed controls (by name or id, nth of that name) a user can type into right now. */
const EDITABLE = `(root, targets) => {
  const all = Array.from(root.querySelectorAll('input, select, textarea'));
  return targets.map((t) => {
    const e = all.filter((c) => (t.name ? c.getAttribute('name') === t.name : c.id === t.id))[t.nth];
    return Boolean(e) && !e.matches(':disabled') && !e.readOnly && e.checkVisibility();
  });
}`;

/**
 * Types every row of `plan` into its form on `page` and returns the rows the browser rejected, with
 * the validation messages of the controls that failed.
 */
async function typeRowsBack(page: Page, plan: FormTable, rows: TextRow[]): Promise<{ failures: string[]; dynamic: string[] }> {
  await page.goto(plan.url, { waitUntil: 'domcontentloaded' });
  const scope = plan.form.implicit ? page.locator(':root') : page.locator('form').nth(plan.form.index as number);
  const root = plan.form.implicit ? 'document.documentElement' : `document.forms[${plan.form.index}]`;
  const failures: string[] = [];
  const dynamic: string[] = [];
  const seen = new Map<string, number>();
  const targets = plan.columns.map((c) => {
    const key = c.field.name ?? `#${c.field.id}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    return { column: c, nth, locator: controlLocator(scope, c.field, c.field.type === 'radio' || c.field.type === 'checkbox' ? 0 : nth) };
  });
  const typed = targets.flatMap((t, i) => (CHOICES.has(t.column.field.type) ? [] : [{ ...t, index: i }]));
  const handles = await Promise.all(typed.map((t) => t.locator.elementHandle()));
  const where = JSON.stringify(typed.map((t) => ({ name: t.column.field.name, id: t.column.field.id, nth: t.nth })));
  for (const [r, row] of rows.entries()) {
    await page.evaluate(`(() => { for (const f of document.forms) f.reset(); })()`);
    // Choices first: page scripts react to them (enable, hide or re-pattern other controls) as for a user.
    for (const [i, { column, locator }] of targets.entries()) {
      const { field } = column;
      if (!CHOICES.has(field.type) || field.disabled || !field.visible) continue;
      const value = row[i] ?? null;
      if (field.type === 'radio') {
        if (value !== null) await scope.locator(`input[type=radio]${attrSelector('name', field.name ?? '')}${attrSelector('value', value)}`).check();
      } else if (field.type === 'checkbox') {
        const chosen = value === null ? [] : field.multiple ? parseTextArray(value) : [value];
        const boxes = field.name ? scope.locator(`input[type=checkbox]${attrSelector('name', field.name)}`) : locator;
        for (const [b, option] of (field.options ?? []).entries()) {
          if (!option.disabled) await boxes.nth(b).setChecked(chosen.includes(option.value));
        }
      } else if (value !== null) {
        await locator.selectOption(field.multiple ? parseTextArray(value).map((v) => ({ value: v })) : { value });
      }
    }
    // Then every control the page now lets a user type into (hidden, disabled and read-only ones are skipped).
    const editable = (await page.evaluate(`(${EDITABLE})(${root}, ${where})`)) as boolean[];
    for (const [j, t] of typed.entries()) {
      if (editable[j]) await handles[j]?.fill(row[t.index] ?? '');
    }
    const { bad, live } = (await page.evaluate(`(${VALIDITY_CHECK})(${root})`)) as {
      bad: string[];
      live: { key: string; pattern: string | null; visible: boolean }[];
    };
    if (!bad.length) continue;
    // A page script that rewrites constraints when another control changes (tel-example's country
    // select sets other patterns and hides a field) leaves the state the crawl read: such rows are
    // reported apart, not as the generator's failures.
    const rewritten = live.some((l) => {
      const crawled = plan.columns.find((c) => (c.field.name ?? c.field.id) === l.key)?.field;
      return crawled !== undefined && (crawled.pattern !== l.pattern || crawled.visible !== l.visible);
    });
    (rewritten ? dynamic : failures).push(`${plan.table} row ${r}: ${bad.join('; ')}`);
  }
  return { failures, dynamic };
}

/** Crawls, generates 100 rows per form, types them back; returns what was validated. */
async function roundTrip(urls: string[]): Promise<{ pages: CrawledPage[]; forms: number; rows: number; failures: string[]; dynamic: string[] }> {
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
      dynamic: results.flatMap((r) => r.dynamic),
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
  }, 90_000);

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
    expect(result.dynamic).toEqual([]);
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
        `${result.rows - result.failures.length - result.dynamic.length} accepted, ${result.dynamic.length} on constraints the page rewrote`,
    );
  }, 90_000);

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
    expect(result.failures).toEqual([]);
    // Only tel-example rewrites its patterns (for UK and Germany) when the country changes.
    expect(result.dynamic.every((d) => d.startsWith('input_type_tel_example '))).toBe(true);
    expect(result.dynamic.length).toBeLessThan(ROWS);
  });
});
