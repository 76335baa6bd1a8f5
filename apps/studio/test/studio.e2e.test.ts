// Drives the studio in a real browser against a fake API: the dev server (vite.config.ts, with
// its /graphql proxy pointed at the fake via API_PORT) and Debian's Chromium. UI only — the
// full-stack test against the real server is full-stack.e2e.test.ts.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumAvailable, launchChromium, type Studio, startStudio } from './browser';
import { type FakeApi, startFakeApi } from './fake-api';
import { SHOP_V2 } from './fake-schemas';

const hasChromium = chromiumAvailable('studio e2e');

describe.skipIf(!hasChromium)(`studio in Chromium (needs ${CHROMIUM})`, () => {
  let api: FakeApi;
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    api = await startFakeApi();
    studio = await startStudio(api.port);
    base = studio.base;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
  });

  /** Opens a page and waits for hydration: the lists are in the first HTML, the handlers are not. */
  async function open(path: string) {
    await page.goto(`${base}${path}`);
    await page.waitForSelector('html[data-hydrated="true"]', { timeout: 60_000 });
  }

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
    await api?.close();
  });

  it('lists the discovered schemas, fetched through the /graphql proxy', async () => {
    await open('/schemas');
    const list = page.getByRole('table').first();
    await expect.poll(() => list.locator('tbody th[scope=row]').allTextContents()).toEqual(['shop', 'warehouse']);

    const shop = list.getByRole('row', { name: /shop/ });
    expect(await shop.getByRole('listitem').allTextContents()).toEqual(['public', 'sales']);
    expect(await shop.textContent()).toContain('postgresql://app:***@db.internal:5432/shop');
    expect(await shop.getByRole('link', { name: 'v2' }).getAttribute('href')).toBe(`/schemas/${SHOP_V2.id}`);
    expect(api.operations).toContain('Schemas');
  });

  it('keeps the filter and the expanded schema in the URL', async () => {
    await page.getByLabel('Filter').fill('inventory');
    await page.waitForURL(/\?q=inventory$/);
    await expect.poll(() => page.locator('table.schemas tbody th[scope=row]').allTextContents()).toEqual(['warehouse']);

    await open('/schemas?open=U2NoZW1hOjE%3D');
    const versions = page.getByRole('table', { name: 'Versions of shop' });
    await expect.poll(() => versions.locator('tbody th').allTextContents()).toEqual(['v2', 'v1']);
    expect(await page.getByRole('button', { name: 'Versions of shop' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('shows a typed discovery error in an alert, and refreshes the list on success', async () => {
    await open('/schemas');
    await expect.poll(() => page.locator('table.schemas tbody th[scope=row]').count()).toBe(2);
    await page.getByLabel('Connection string').fill('postgresql://u:p@unreachable:5432/db');
    await page.getByRole('button', { name: 'Discover' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Could not connect to unreachable:5432: connection refused');

    await page.getByLabel('Connection string').fill('postgresql://crm:secret@localhost:5432/crm');
    await page.getByLabel('Schemas', { exact: true }).fill('public, crm');
    await page.getByRole('button', { name: 'Discover' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Discovered version 1 with 7 tables');
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    await expect.poll(() => page.locator('table.schemas tbody th[scope=row]').allTextContents()).toEqual(['shop', 'warehouse', 'crm']);
    expect(await page.getByRole('row', { name: /crm/ }).getByRole('listitem').allTextContents()).toEqual(['public', 'crm']);
  });

  it('shows the tables of a version with their foreign keys linked', async () => {
    await open('/schemas');
    await page.getByRole('link', { name: 'v2' }).click();
    await page.waitForURL(`${base}/schemas/${SHOP_V2.id}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Schema version 2');

    const overview = page.locator('table.data').first();
    expect(await overview.locator('tbody th').allTextContents()).toEqual(['sales.customers', 'sales.orders', 'sales.orders_2026', 'public.audit_log']);

    const orders = page.locator('section#table-sales\\.orders');
    const fk = orders.getByRole('listitem').filter({ hasText: 'orders_customer_id_fkey' });
    const fkLink = fk.getByRole('link', { name: 'sales.customers' });
    expect(await fkLink.getAttribute('href')).toBe('#table-sales.customers');
    expect(await fk.textContent()).toContain('on delete cascade');
    expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'shop' }).getAttribute('href')).toBe('/?open=U2NoZW1hOjE%3D');
    expect(await orders.getByRole('row', { name: /customer_id/ }).textContent()).toContain('bigint');

    const partition = page.locator('section#table-sales\\.orders_2026');
    expect(await partition.textContent()).toContain('≈ 20,133');
    expect(await partition.getByRole('link', { name: 'sales.orders' }).getAttribute('href')).toBe('#table-sales.orders');

    await fkLink.click();
    await page.waitForURL(/#table-sales\.customers$/);
    await page.screenshot({ path: '/tmp/studio.png', fullPage: true });
  });

  it('filters tables by name through ?q=, and FK links to hidden tables clear the filter', async () => {
    await open(`/schemas/${SHOP_V2.id}?q=orders`);
    await expect.poll(() => page.locator('table.data').first().locator('tbody th').allTextContents()).toEqual(['sales.orders', 'sales.orders_2026']);
    expect(await page.locator('section#table-sales\\.customers').count()).toBe(0);

    await page.locator('section#table-sales\\.orders').getByRole('link', { name: 'sales.customers' }).first().click();
    await page.waitForURL(`${base}/schemas/${SHOP_V2.id}#table-sales.customers`);
    await expect.poll(() => page.locator('section#table-sales\\.customers').count()).toBe(1);
    expect(await page.getByLabel('Filter tables').inputValue()).toBe('');
  });

  it('says so when a version does not exist', async () => {
    await open('/schemas/nope');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Schema version not found');
  });
});
