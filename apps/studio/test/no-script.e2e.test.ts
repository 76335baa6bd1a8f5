// The studio's forms with JavaScript turned off in Chromium, on the real stack (the engine on a
// temporary PGlite store with a job worker, the GraphQL server, the studio's dev server): the form
// actions call the API from the server, so a workflow runs and its job's page shows its logs,
// an environment is registered (and a second one by the same name shows the typed error), and the
// audit log and the catalog are filtered by GET forms.
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

const hasChromium = chromiumAvailable('studio without script e2e');

describe.skipIf(!hasChromium)(`the studio's forms without JavaScript (needs ${CHROMIUM})`, () => {
  let dataDir: string;
  let tdm: Tdm;
  let app: App;
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  const browserErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tdm-studio-no-script-'));
    tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir }), databaseUrl: `pglite://${dataDir}/meta` });
    await bootstrap(tdm);
    await tdm.jobs.startWorking({ concurrency: 1 });
    app = createApp(tdm);
    studio = await startStudio(await app.start(0, '127.0.0.1'));
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') browserErrors.push(msg.text());
    });
    page.on('pageerror', (err) => browserErrors.push(String(err)));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
    await app?.stop();
    await tdm?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('classifies the intent and executes a workflow, then shows the job with its logs', async () => {
    await page.goto(`${studio.base}/workflows`);
    expect(await page.evaluate(() => document.documentElement.dataset.hydrated ?? 'no')).toBe('no');
    await page.getByLabel('Domain').selectOption('ecommerce');
    await page.getByLabel('Row count').fill('40');
    await page.getByRole('checkbox', { name: 'synthetic' }).check();

    // The page comes back from the server with the plan, and with the form as it was sent.
    await page.getByRole('button', { name: 'Classify intent' }).click();
    const plan = page.getByRole('region', { name: 'Recommended plan' });
    await expect.poll(() => plan.textContent()).toContain('DOMAIN');
    expect(await plan.getByRole('listitem').count()).toBeGreaterThan(0);
    expect(await page.getByLabel('Row count').inputValue()).toBe('40');
    expect(await page.getByLabel('Domain').inputValue()).toBe('ecommerce');
    expect(await page.getByRole('checkbox', { name: 'synthetic' }).isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Execute workflow' }).click();
    await page.waitForURL(/\/workflows\?job=/);
    const jobId = new URL(page.url()).searchParams.get('job') ?? '';
    expect(jobId).not.toBe('');
    expect(await page.getByRole('heading', { name: new RegExp(`Job ${jobId.slice(0, 8)}`) }).count()).toBe(1);
    // The job's page reloads itself while the job runs; the logs are rendered by the server.
    const log = page.getByRole('log');
    await expect.poll(() => log.textContent(), { timeout: 90_000 }).toMatch(/\[synthetic\] \w+/);
    await expect.poll(() => log.textContent(), { timeout: 90_000 }).toMatch(/\[workflow\] completed/);
    await expect
      .poll(
        () =>
          page
            .getByRole('region', { name: /Execution history/ })
            .getByRole('row')
            .nth(1)
            .textContent(),
        { timeout: 30_000 },
      )
      .toContain('completed');
    expect(browserErrors).toEqual([]);
  }, 180_000);

  it('registers an environment, and shows the typed error of a second one by the same name', async () => {
    const register = async () => {
      await page.goto(`${studio.base}/environments`);
      await page.getByLabel('Name', { exact: true }).fill('nojs');
      await page.getByLabel('Connection string').fill(`pglite://${dataDir}/nojs-target`);
      await page.getByLabel('Description').fill('registered without script');
      await page.getByRole('button', { name: 'Register environment' }).click();
    };
    await register();
    await page.waitForURL(/env=nojs/);
    await expect.poll(() => page.getByRole('heading', { level: 2, name: 'nojs' }).count()).toBe(1);
    expect(await page.getByText('registered without script').count()).toBe(1);
    expect(
      await page
        .getByRole('region', { name: /Target environments/ })
        .getByRole('rowheader')
        .allTextContents(),
    ).toEqual(expect.arrayContaining([expect.stringContaining('nojs')]));

    browserErrors.length = 0;
    await register();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Could not register the environment');
    expect(await alert.locator('.error-code code').textContent()).toMatch(/^[A-Z_]+$/);
    // The form comes back as it was sent.
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('nojs');
    expect(await page.getByLabel('Description').inputValue()).toBe('registered without script');
    // The refused form comes back with the status of a bad request (fail(400)), which Chromium logs.
    expect(browserErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    browserErrors.length = 0;

    // A refused connection string comes back without its password: it is never in the page's HTML.
    await page.goto(`${studio.base}/environments`);
    await page.getByLabel('Name', { exact: true }).fill('nojs-secret');
    await page.getByLabel('Connection string').fill('postgresql://tdm:s3cret-pw@127.0.0.1:1/nowhere?password=other-pw');
    await page.getByRole('button', { name: 'Register environment' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Could not register the environment');
    const html = await page.content();
    expect(html).not.toContain('s3cret-pw');
    expect(html).not.toContain('other-pw');
    expect(await page.getByLabel('Connection string').inputValue()).toBe('postgresql://tdm@127.0.0.1:1/nowhere');
    browserErrors.length = 0;
  }, 60_000);

  it('filters the audit log and the dataset catalog with GET forms', async () => {
    await tdm.audit({ actor: 'seed', action: 'seedWarning', severity: 'WARNING', targetKind: 'JOB', targetId: 'job-w' });
    await tdm.audit({ actor: 'seed', action: 'seedInfo', targetKind: 'JOB', targetId: 'job-i' });
    await page.goto(`${studio.base}/audit`);
    const table = page.getByRole('table');
    expect(await table.getByRole('rowheader').allTextContents()).toEqual(expect.arrayContaining(['seedWarning', 'seedInfo', 'executeWorkflow']));
    await page.getByLabel('Severity').selectOption('WARNING');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/severity=WARNING/);
    expect(await table.getByRole('rowheader').allTextContents()).toEqual(['seedWarning']);
    await page.getByLabel('Severity').selectOption('');
    await page.getByLabel('Action').selectOption('executeWorkflow');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/action=executeWorkflow/);
    expect(await table.getByRole('rowheader').allTextContents()).toEqual(['executeWorkflow']);
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toContain('action=executeWorkflow');

    await page.goto(`${studio.base}/datasets`);
    const names = page.getByRole('region', { name: /Catalog/ }).getByRole('rowheader');
    expect(await names.count()).toBeGreaterThan(0);
    await page.getByLabel('Filter').fill('no-such-dataset');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=no-such-dataset/);
    expect(await page.getByText('No dataset matches the filter.').count()).toBe(1);
    expect(browserErrors).toEqual([]);
  }, 60_000);
});
