// The synthetic data page in a real browser against the fake API (see studio.e2e.test.ts for the
// setup): generating in each mode, the test-case analysis, typed errors, the preview and provisioning.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumAvailable, launchChromium, type Studio, startStudio } from './browser';
import { type FakeApi, startFakeApi } from './fake-api';
import { REGISTER_FEATURE } from './fake-synthetic';

const hasChromium = chromiumAvailable('studio synthetic e2e');

describe.skipIf(!hasChromium)(`synthetic data page in Chromium (needs ${CHROMIUM})`, () => {
  let api: FakeApi;
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  let base: string;
  /** Browser-side problems: console errors and uncaught exceptions. */
  const browserErrors: string[] = [];

  beforeAll(async () => {
    api = await startFakeApi();
    studio = await startStudio(api.port);
    base = studio.base;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') browserErrors.push(msg.text());
    });
    page.on('pageerror', (err) => browserErrors.push(String(err)));
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
    await api?.close();
  });

  async function open(path: string) {
    await page.goto(`${base}${path}`);
    // Before hydration the form would submit natively.
    await page.waitForSelector('html[data-hydrated="true"]', { timeout: 60_000 });
  }

  /** The variables of the last request of `operationName`. */
  function lastVariables(operationName: string): Record<string, unknown> | undefined {
    return api.requests.filter((r) => r.operationName === operationName).at(-1)?.variables;
  }

  const region = (name: string) => page.getByRole('region', { name });
  const bodyRows = (table: Locator) => table.locator('tbody tr');

  it('generates from a domain pack and previews the generated tables', async () => {
    await open('/synthetic');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Synthetic data' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Schemas' }).getAttribute('aria-current')).toBeNull();
    expect(await page.getByRole('radio', { name: 'Domain pack' }).isChecked()).toBe(true);

    // The packs and the scenarios of the chosen one, with its version, description and tables.
    const pack = page.getByLabel('Pack', { exact: true });
    const scenario = page.getByLabel('Scenario');
    await expect.poll(() => pack.locator('option').allTextContents()).toEqual(['ecommerce', 'banking']);
    await expect.poll(() => scenario.inputValue()).toBe('b2c');
    expect(await scenario.locator('option').allTextContents()).toEqual(['b2c', 'b2b']);
    const form = region('Generate a dataset');
    expect(await form.locator('#domain-pack-about').textContent()).toContain('v1.0.0');
    expect(await form.locator('#domain-pack-about').textContent()).toContain('Online retail');
    expect(await form.locator('.entities dt').allTextContents()).toEqual(['customer', 'product', 'order', 'order_item', 'payment']);
    expect(await form.locator('.entities').textContent()).toContain('One product line of an order.');

    await scenario.selectOption('b2b');
    await expect.poll(() => form.locator('.entities dt').allTextContents()).toContain('invoice');
    // Another pack brings its own scenarios; coming back starts again at the first one.
    await pack.selectOption('banking');
    await expect.poll(() => scenario.inputValue()).toBe('retail');
    expect(await form.locator('#domain-pack-about').textContent()).toContain('v1.2.0');
    await pack.selectOption('ecommerce');
    await expect.poll(() => scenario.inputValue()).toBe('b2c');

    await page.getByLabel('Rows per table').fill('50');
    await page.getByLabel('Seed').fill('7');
    await page.getByRole('button', { name: 'Generate' }).click();

    const result = region('Generated dataset');
    await expect.poll(() => result.locator('dl.meta').textContent()).toContain('Total rows250');
    expect(await result.locator('dl.meta').textContent()).toContain('ModeDomain pack');
    expect(await result.locator('dl.meta').textContent()).toContain('Duration1.8 s');
    expect(lastVariables('GenerateSynthetic')).toEqual({
      input: { mode: 'DOMAIN', domain: 'ecommerce', scenario: 'b2c', rowCounts: { '*': 50 }, seed: 7 },
    });
    const tables = result.getByRole('table', { name: 'Generated tables' });
    expect(await tables.locator('tbody th').allTextContents()).toEqual([
      'public.customer',
      'public.product',
      'public.order',
      'public.order_item',
      'public.payment',
    ]);
    expect(
      await tables
        .getByRole('row', { name: /public\.order_item/ })
        .locator('td.num')
        .textContent(),
    ).toBe('50');
    expect(await result.getByRole('alert').count()).toBe(0);

    // The first table is previewed: its first 20 rows, column types under the names, NULL marked.
    const preview = page.getByRole('table', { name: 'First 20 rows of public.customer' });
    await expect.poll(() => bodyRows(preview).count()).toBe(20);
    expect(await preview.locator('thead th').first().textContent()).toBe('idbigint');
    expect(await preview.locator('thead th').allTextContents()).toContain('emailvarchar(120)');
    expect(await bodyRows(preview).first().textContent()).toContain('ada.1@example.com');
    expect(await bodyRows(preview).nth(3).locator('td.null').allTextContents()).toEqual(['NULL']);
    expect(await region('Preview of public.customer').textContent()).toContain('first 20 of 50 rows');

    await page.getByRole('button', { name: 'Preview public.order', exact: true }).click();
    const orders = page.getByRole('table', { name: 'First 20 rows of public.order' });
    await expect.poll(() => bodyRows(orders).count()).toBe(20);
    expect(await orders.locator('thead th').allTextContents()).toContain('statusorder_status');
    expect(await page.getByRole('button', { name: 'Preview public.order', exact: true }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: 'Preview public.customer' }).getAttribute('aria-pressed')).toBe('false');
    expect(lastVariables('DatasetPreview')).toMatchObject({ table: 'public.order', limit: 20 });

    const shot = join(tmpdir(), 'tdm-studio-synthetic.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
  });

  it('analyzes a test case and lists its fields with the lines they come from', async () => {
    await open('/synthetic?mode=test-case');
    expect(await page.getByRole('radio', { name: 'Test case' }).isChecked()).toBe(true);
    await page.getByLabel('Test case text').fill(REGISTER_FEATURE);
    await page.getByLabel('File name').fill('registering.feature');
    await page.getByRole('button', { name: 'Analyze' }).click();

    const fields = page.getByRole('table', { name: /^user/ });
    await expect.poll(() => fields.locator('tbody th').allTextContents()).toEqual(['first_name', 'email', 'password']);
    expect(
      await page
        .getByRole('region', { name: /Found in the test case/ })
        .getByRole('heading')
        .textContent(),
    ).toContain('Gherkin');
    const cells = (name: string) =>
      fields
        .getByRole('row', { name: new RegExp(`^${name}`) })
        .locator('td')
        .allTextContents();
    // Type, constraints, example values, line.
    expect((await cells('first_name')).map((c) => c.trim())).toEqual(['string', 'required', 'Saul', '4']);
    expect((await cells('email')).map((c) => c.trim())).toEqual(['email', 'requireduniquevalid format', 'goodman@gmail.com', '5']);
    expect((await cells('password')).map((c) => c.trim())).toEqual(['password', 'min length 8', 'heisenberg', '6']);
    expect(lastVariables('AnalyzeTestCase')).toEqual({ input: { content: REGISTER_FEATURE, fileName: 'registering.feature' } });
    await page.screenshot({ path: join(tmpdir(), 'tdm-studio-synthetic-analysis.png'), fullPage: true });

    // Editing the text after the analysis says so; the fields stay visible.
    await page.getByLabel('Test case text').fill(`${REGISTER_FEATURE}    And I log out\n`);
    await expect.poll(() => page.locator('.analysis .note').textContent()).toContain('analyze again');

    await page.getByRole('button', { name: 'Generate' }).click();
    const result = region('Generated dataset');
    await expect.poll(() => result.getByRole('table', { name: 'Generated tables' }).locator('tbody th').allTextContents()).toEqual(['public.user']);
    expect(await result.locator('dl.meta').textContent()).toContain('ModeTest case');
    expect(lastVariables('GenerateSynthetic')).toMatchObject({
      input: { mode: 'TEST_CASE', testCaseFileName: 'registering.feature', rowCounts: { '*': 100 } },
    });
    await expect
      .poll(() =>
        bodyRows(page.getByRole('table', { name: 'First 20 rows of public.user' }))
          .first()
          .textContent(),
      )
      .toContain('goodman@gmail.com');

    // The mode is a URL selection: DOMAIN is the default and leaves no parameter.
    await page.getByText('Domain pack', { exact: true }).click();
    await page.waitForURL(`${base}/synthetic`);
    await expect.poll(() => page.getByLabel('Scenario').inputValue()).toBe('b2c');
  });

  it('shows a crawl error with its reason and page, and lists pages skipped in a partial crawl', async () => {
    await open('/synthetic?mode=url');
    await page.getByLabel('Page URLs').fill('https://unreachable.example/signup\n');
    await page.getByRole('button', { name: 'Generate' }).click();

    const alert = region('Generate a dataset').getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('could not load https://unreachable.example/signup');
    expect(await alert.locator('.error-facts dd').allTextContents()).toEqual(['UNREACHABLE', 'https://unreachable.example/signup']);
    expect(await alert.textContent()).toContain('CRAWL_FAILED');
    expect(await page.getByRole('region', { name: 'Generated dataset' }).count()).toBe(0);
    await page.screenshot({ path: join(tmpdir(), 'tdm-studio-synthetic-crawl-error.png'), fullPage: true });

    await page
      .getByLabel('Page URLs')
      .fill('https://shop.example/account/register\nhttps://unreachable.example/signup\n\nhttps://shop.example/account/register');
    await page.getByRole('button', { name: 'Generate' }).click();
    const result = region('Generated dataset');
    await expect.poll(() => result.getByRole('table', { name: 'Generated tables' }).locator('tbody th').allTextContents()).toEqual(['public.register_form']);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await result.getByRole('list', { name: 'Skipped page' }).getByRole('listitem').allTextContents()).toEqual([
      'https://unreachable.example/signup UNREACHABLE could not load https://unreachable.example/signup: net::ERR_NAME_NOT_RESOLVED',
    ]);
    // Blank lines and repeats are dropped.
    expect(lastVariables('GenerateSynthetic')).toMatchObject({
      input: { mode: 'URL', testCaseUrls: ['https://shop.example/account/register', 'https://unreachable.example/signup'] },
    });
  });

  it('generates for a discovered schema version picked from the list', async () => {
    await open('/synthetic?mode=schema');
    const version = page.getByLabel('Schema version');
    await expect.poll(() => version.locator('option').count()).toBe(3);
    // The latest version of the first schema is chosen.
    expect(await version.locator('option:checked').textContent()).toMatch(/^shop v2 · 4 tables · /);
    await page.getByRole('button', { name: 'Generate' }).click();
    const tables = region('Generated dataset').getByRole('table', { name: 'Generated tables' });
    await expect.poll(() => tables.locator('tbody th').allTextContents()).toEqual(['sales.customers', 'sales.orders', 'sales.orders_2026', 'public.audit_log']);
    expect(lastVariables('GenerateSynthetic')).toMatchObject({ input: { mode: 'SCHEMA', schemaVersionId: 'U2NoZW1hVmVyc2lvbjoy' } });
  });

  it('comes from a version page with that version chosen', async () => {
    await open('/schemas/U2NoZW1hVmVyc2lvbjox');
    await page.getByRole('link', { name: 'Generate synthetic data' }).click();
    await page.waitForURL(`${base}/synthetic?mode=schema&version=U2NoZW1hVmVyc2lvbjox`);
    expect(await page.getByRole('radio', { name: 'Discovered schema' }).isChecked()).toBe(true);
    const version = page.getByLabel('Schema version');
    await expect.poll(() => version.inputValue()).toBe('U2NoZW1hVmVyc2lvbjox');
    expect(await version.locator('option:checked').textContent()).toMatch(/^shop v1 · 3 tables · /);
  });

  it('provisions the generated dataset, after a typed conflict, with a reset', async () => {
    await open('/synthetic');
    await expect.poll(() => page.getByLabel('Scenario').inputValue()).toBe('b2c');
    await page.getByLabel('Rows per table').fill('40');
    await page.getByRole('button', { name: 'Generate' }).click();
    const provision = region('Provision into an environment');
    const environment = provision.getByLabel('Environment', { exact: true });
    // The default environment is chosen first.
    await expect.poll(() => environment.inputValue()).toBe('qa');
    expect(await environment.locator('option').allTextContents()).toEqual(['qa (default)', 'staging']);
    const datasetVersionId = (await region('Generated dataset').locator('.card-head code').textContent()) ?? '';
    expect(datasetVersionId).toMatch(/^dsv_/);

    await environment.selectOption('staging');
    expect(await provision.textContent()).toContain('Pre-production; already holds data');
    await provision.getByRole('button', { name: 'Provision' }).click();
    const alert = provision.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('the target already holds public.customer');
    expect(await alert.textContent()).toContain('CONFLICT');

    await provision.getByLabel('Reset the environment first').check();
    await provision.getByRole('button', { name: 'Provision' }).click();
    const status = provision.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('Loaded 200 rows into 5 tables of staging in 2.5 s.');
    expect(await status.textContent()).toContain('Smoke tests passed: row counts of 5 tables, 4 foreign keys, 1 sequence.');
    expect(await provision.getByRole('alert').count()).toBe(0);
    const loaded = provision.getByRole('table', { name: 'Tables loaded into staging, in load order' });
    expect(await loaded.locator('tbody th').allTextContents()).toEqual([
      'public.customer',
      'public.product',
      'public.order',
      'public.order_item',
      'public.payment',
    ]);
    expect(lastVariables('ProvisionDataset')).toEqual({ input: { datasetVersionId, environment: 'staging', resetEnv: true } });

    const shot = join(tmpdir(), 'tdm-studio-synthetic-provisioned.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
    expect(browserErrors).toEqual([]);
  });
});
