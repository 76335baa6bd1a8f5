// The whole stack in a real browser: the TDM engine (PGlite metadata store, the demo source
// database and its "demo" connection), the real GraphQL server, the studio's dev server proxying
// /graphql to it, and Debian's Chromium. Discovers the demo source through the UI and checks what
// the version page shows against the demo's real tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../packages/core/src/config';
import { bootstrap } from '../../../packages/core/src/demo/bootstrap';
import { createTdm, type Tdm } from '../../../packages/core/src/runtime';
import { type App, createApp } from '../../../packages/server/src/app';
import { CHROMIUM, chromiumAvailable, launchChromium, type Studio, startStudio } from './browser';

const hasChromium = chromiumAvailable('studio full-stack e2e');

/** Nothing listens on port 1: the API answers with a typed HOST_UNREACHABLE error. */
const BAD_URL = 'postgresql://u:pw@127.0.0.1:1/x';

describe.skipIf(!hasChromium)(`studio + API + demo source in Chromium (needs ${CHROMIUM})`, () => {
  let dataDir: string;
  let tdm: Tdm;
  let app: App;
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  let demoUrl: string;
  /** Browser-side problems: console errors and uncaught exceptions. */
  const browserErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tdm-studio-full-'));
    tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir }), databaseUrl: `pglite://${dataDir}/meta` });
    await bootstrap(tdm);
    demoUrl = tdm.config.demoSourceUrl ?? '';
    expect(demoUrl).toMatch(/^pglite:\/\//);
    app = createApp(tdm);
    const apiPort = await app.start(0, '127.0.0.1');

    studio = await startStudio(apiPort);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') browserErrors.push(msg.text());
    });
    page.on('pageerror', (err) => browserErrors.push(String(err)));
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
    await app?.stop();
    await tdm?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Opens a page and waits for hydration (before it, the form would submit natively). */
  async function open(path: string) {
    await page.goto(`${studio.base}${path}`);
    await page.waitForSelector('html[data-hydrated="true"]', { timeout: 60_000 });
  }

  it('discovers the demo source through the form and lists it', async () => {
    await open('/schemas');
    await expect.poll(() => page.locator('section[aria-labelledby=schemas-heading]').textContent()).toContain('No schemas discovered yet');
    await page.getByLabel('Connection string').fill(demoUrl);
    await page.getByRole('button', { name: 'Discover' }).click();

    // Discovery opens the demo's PGlite database and reads its catalog: seconds on a busy machine.
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 90_000 }).toMatch(/Discovered version 1 with \d+ tables/);
    expect(await page.getByRole('alert').count()).toBe(0);

    // The list refreshes: one schema, read from the demo source's "public" schema.
    const row = page.locator('table.schemas tbody tr').filter({ hasText: demoUrl });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getByRole('listitem').allTextContents()).toEqual(['public']);
    expect(await row.getByRole('link', { name: 'v1' }).count()).toBe(1);
  }, 120_000);

  it('shows the real tables of the demo on the version page, with their foreign keys', async () => {
    const row = page.locator('table.schemas tbody tr').filter({ hasText: demoUrl });
    await row.getByRole('link', { name: 'v1' }).click();
    await page.waitForURL(/\/schemas\/[^/?#]+$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Schema version 1');

    const overview = page.locator('table.data').first();
    const names = await overview.locator('tbody th').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['public.customer', 'public.order', 'public.order_item', 'public.employee']));

    // order_item → order (a reserved word as a table name: the anchor and link still work).
    const orderItem = page.locator('section#table-public\\.order_item');
    const toOrder = orderItem.locator('ul.fks li').filter({ has: page.getByRole('link', { name: 'public.order', exact: true }) });
    expect(await toOrder.count()).toBe(1);
    expect(await toOrder.textContent()).toContain('(order_id)');
    expect(await toOrder.textContent()).toContain('on delete cascade');
    expect(await toOrder.getByRole('link').getAttribute('href')).toBe('#table-public.order');
    expect(
      await orderItem
        .getByRole('row', { name: /order_id/ })
        .getByTitle('Foreign key')
        .count(),
    ).toBe(1);

    // employee.manager_id → employee: a self-reference.
    const employee = page.locator('section#table-public\\.employee');
    const toManager = employee.locator('ul.fks li').filter({ hasText: '(manager_id)' });
    expect(await toManager.count()).toBe(1);
    expect(await toManager.getByRole('link', { name: 'public.employee' }).getAttribute('href')).toBe('#table-public.employee');
    expect(
      await employee
        .getByRole('row', { name: /employee_id/ })
        .getByTitle('Primary key')
        .count(),
    ).toBe(1);

    // The overview's References column links order_item to order, too.
    const overviewRow = overview.getByRole('row', { name: /^public\.order_item/ });
    expect(await overviewRow.getByRole('link', { name: 'order', exact: true }).getAttribute('href')).toBe('#table-public.order');

    await page.screenshot({ path: '/tmp/studio-full-version.png' });
    await toOrder.getByRole('link').click();
    await page.waitForURL(/#table-public\.order$/);
    expect(await page.locator('section#table-public\\.order').evaluate((el) => el.matches(':target'))).toBe(true);
  });

  it('shows the typed error of an unreachable source in an alert', async () => {
    await open('/schemas');
    await expect.poll(() => page.locator('table.schemas tbody tr').filter({ hasText: demoUrl }).count()).toBe(1);
    await page.getByLabel('Connection string').fill(BAD_URL);
    await page.getByRole('button', { name: 'Discover' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 60_000 }).toContain('unreachable');
    expect(await alert.textContent()).not.toContain(':pw@');
    // The list is unchanged: still the demo source alone.
    await expect.poll(() => page.locator('table.schemas tbody tr').filter({ hasText: demoUrl }).count()).toBe(1);
    expect(await page.getByRole('status').textContent()).not.toContain('Discovered');

    await page.screenshot({ path: '/tmp/studio-full.png', fullPage: true });
    expect(browserErrors).toEqual([]);
  });
});
