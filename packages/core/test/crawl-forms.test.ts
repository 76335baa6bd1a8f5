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
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlForms, crawlFormsSettled } from '../src/crawl/index.ts';
import type { CrawledField, CrawledPage } from '../src/crawl/types.ts';
import { CrawlError } from '../src/errors.ts';
import { generateFromForms } from '../src/synthetic/forms.ts';
import { haveChromium } from './support/form-pages.ts';
import { allRows, byName, closeFormSite, openFormSite, ROWS, roundTrip, site } from './support/form-site.ts';

beforeAll(openFormSite);
afterAll(closeFormSite);

describe.skipIf(!haveChromium)('crawlForms + generateFromForms on the project pages', () => {
  let result: Awaited<ReturnType<typeof roundTrip>>;
  beforeAll(async () => {
    result = await roundTrip([`${site.base}/own/signup.html`, `${site.base}/own/loose.html`]);
    console.info(`own pages: ${result.pages.length} pages, ${result.forms} forms, ${result.rows} rows typed back`);
  }, 240_000);

  it('reads every control with its constraints and label', () => {
    const [signup] = result.pages as [CrawledPage];
    expect(signup.title).toBe('Create your account');
    const form = signup.forms[0];
    expect(form).toMatchObject({ id: 'signupForm', method: 'post', action: `${site.base}/signup`, implicit: false, index: 0 });
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

describe.skipIf(!haveChromium)('crawl errors', () => {
  it('types each failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const urls = [
      `http://user:secret@127.0.0.1:${deadPort}/form.html`,
      `${site.base}/slow`,
      `${site.base}/data.json`,
      `${site.base}/notes.txt`,
      `${site.base}/missing.html`,
      `${site.base}/own/about.html`,
      'not a url',
      'ftp://127.0.0.1/form.html',
      `${site.base}/own/loose.html`,
    ];
    const outcomes = await crawlFormsSettled(urls, { browser: site.browser, timeoutMs: 1_500 });
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
    await expect(crawlForms([`${site.base}/missing.html`], { browser: site.browser })).rejects.toMatchObject({ reason: 'HTTP_STATUS' });
  });

  it('reports a missing browser as BROWSER_UNAVAILABLE', async () => {
    const saved = process.env.TDM_CHROMIUM_PATH;
    process.env.TDM_CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      await expect(crawlForms([`${site.base}/own/loose.html`])).rejects.toMatchObject({ reason: 'BROWSER_UNAVAILABLE' });
    } finally {
      if (saved === undefined) delete process.env.TDM_CHROMIUM_PATH;
      else process.env.TDM_CHROMIUM_PATH = saved;
    }
  });
});
