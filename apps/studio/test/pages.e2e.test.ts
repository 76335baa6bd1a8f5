// Every page of the studio in Chromium against the real stack: the TDM engine on a temporary PGlite
// store with the demo source and default target, the real GraphQL server (HTTP, graphql-ws and the
// /export routes), the studio's dev server. Runs a workflow from /workflows and watches its logs
// arrive, follows it to its lineage and dataset, downloads and reads the exports, registers an
// environment and provisions into it. On every page: no serious or critical axe-core violation,
// no console error, screenshots at 1280 and 390 px in /tmp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../packages/core/src/config';
import { bootstrap } from '../../../packages/core/src/demo/bootstrap';
import { createTdm, type Tdm } from '../../../packages/core/src/runtime';
import { type App, createApp } from '../../../packages/server/src/app';
import { parseCsv } from '../../../packages/server/test/csv';
import { CHROMIUM, chromiumAvailable, launchChromium, type Studio, startStudio } from './browser';
import { download, screenshots, seriousViolations } from './pages';

const hasChromium = chromiumAvailable('studio pages e2e');

const SIGN_UP = `Feature: Sign up
  Scenario: Register
    When I fill in "Email" with "ann.lee@test.com"
    And I fill in "First name" with "Ann"
    And I press "Sign up"
`;

describe.skipIf(!hasChromium)(`every studio page on the real stack (needs ${CHROMIUM})`, () => {
  let savedStudioOrigin: string | undefined;
  let dataDir: string;
  let tdm: Tdm;
  let app: App;
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  const browserErrors: string[] = [];
  let datasetId = '';
  let jobId = '';

  const metric = (label: string) =>
    page
      .locator('dl.metrics div')
      .filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
      .locator('dd');

  async function open(path: string) {
    await page.goto(`${studio.base}${path}`);
    await page.waitForSelector('html[data-hydrated="true"]', { timeout: 60_000 });
  }

  /** The page's HTML as the server sends it, without its scripts (so without the data they carry). */
  async function firstHtml(path: string): Promise<string> {
    const response = await fetch(`${studio.base}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.text()).replace(/<script[\s\S]*?<\/script>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  }

  async function checkPage(name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshots(page, name);
    expect(browserErrors, name).toEqual([]);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tdm-studio-pages-'));
    tdm = await createTdm({ ...loadConfig({ TDM_DATA_DIR: dataDir }), databaseUrl: `pglite://${dataDir}/meta` });
    await bootstrap(tdm);
    await tdm.jobs.startWorking({ concurrency: 1 });
    app = createApp(tdm);
    studio = await startStudio(await app.start(0, '127.0.0.1'));
    // The API accepts WebSockets from the studio's origin only; here the studio listens on a free port.
    savedStudioOrigin = process.env.STUDIO_ORIGIN;
    process.env.STUDIO_ORIGIN = studio.base;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') browserErrors.push(msg.text());
    });
    page.on('pageerror', (err) => browserErrors.push(String(err)));
  });

  afterAll(async () => {
    if (savedStudioOrigin === undefined) delete process.env.STUDIO_ORIGIN;
    else process.env.STUDIO_ORIGIN = savedStudioOrigin;
    await browser?.close();
    await studio?.close();
    await app?.stop();
    await tdm?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows an empty dashboard with its metrics and quick actions', async () => {
    // The first HTML already has the numbers (a server load), before any script runs.
    const html = await (await fetch(`${studio.base}/`)).text();
    expect(html).toMatch(/<dt[^>]*>Datasets ready<\/dt>\s*<dd[^>]*>0<\/dd>/);
    await open('/');
    await expect.poll(() => metric('Datasets ready').textContent(), { timeout: 60_000 }).toBe('0');
    for (const label of ['Rows generated', 'Workflows completed', 'Failed jobs', 'Running jobs']) expect(await metric(label).textContent(), label).toBe('0');
    expect(await page.getByRole('link', { name: 'Execute workflow' }).getAttribute('href')).toBe('/workflows');
    expect(await page.getByRole('link', { name: 'Browse datasets' }).getAttribute('href')).toBe('/datasets');
    await checkPage('dashboard-empty');
  }, 120_000);

  it('classifies, executes a workflow and shows its live logs and lineage', async () => {
    await open('/workflows');
    await page.getByLabel('Template').selectOption('C');
    expect(await page.getByRole('checkbox', { name: 'synthetic' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'subset' }).isChecked()).toBe(false);
    expect(await page.getByLabel('Row count').inputValue()).toBe('1000');
    await page.getByLabel('Domain').selectOption('ecommerce');
    await page.getByLabel('Scenario').selectOption('b2c');
    await page.getByLabel('Row count').fill('40');
    await page.getByRole('checkbox', { name: 'provision' }).uncheck();

    await page.getByRole('button', { name: 'Classify intent' }).click();
    const plan = page.getByRole('region', { name: 'Recommended plan' });
    await expect.poll(() => plan.textContent()).toContain('DOMAIN');
    expect(await plan.getByRole('listitem').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Execute workflow' }).click();
    await page.waitForURL(/\?job=/);
    jobId = new URL(page.url()).searchParams.get('job') ?? '';
    const log = page.getByRole('log');
    await expect.poll(() => log.textContent(), { timeout: 90_000 }).toMatch(/\[synthetic\] \w+/);
    await expect.poll(() => log.textContent(), { timeout: 90_000 }).toMatch(/\[workflow\] completed/);
    const history = page.getByRole('region', { name: /Execution history/ });
    await expect.poll(() => history.getByRole('row').nth(1).textContent()).toContain('completed');

    // The level filter hides info lines.
    const all = await log.locator('p').count();
    await page.getByLabel('Level').selectOption('warn');
    await expect.poll(() => log.locator('p').count()).toBeLessThan(all);
    await page.getByLabel('Level').selectOption('all');
    await checkPage('workflows');

    await page.getByRole('tab', { name: 'Lineage' }).click();
    const graph = page.getByRole('img', { name: /lineage/i });
    await expect.poll(() => graph.locator('g.node[data-kind=DATASET_VERSION]').count()).toBe(1);
    expect(await graph.locator('g.node[data-kind=JOB]').count()).toBe(1);
    await checkPage('workflows-lineage');
    await graph.locator('g.node[data-kind=DATASET_VERSION]').click();
    await page.waitForURL(/\/datasets\?selected=/);
    datasetId = new URL(page.url()).searchParams.get('selected') ?? '';
    expect(datasetId).not.toBe('');
  }, 180_000);

  it('lists the dataset in the catalog, previews a table and exports it', async () => {
    const catalog = page.getByRole('region', { name: /Catalog/ });
    const row = catalog.getByRole('row').filter({ hasText: 'synthetic' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/200|\d{3}/);
    const preview = page.getByRole('table', { name: /First \d+ of/ });
    await page.getByLabel('Preview table').selectOption('public.customer');
    await expect.poll(() => preview.locator('caption').textContent()).toContain('public.customer');
    expect(await preview.locator('tbody tr').count()).toBe(20);
    await checkPage('datasets');

    const zip = await download(page, () => row.getByRole('link', { name: 'Export', exact: true }).click());
    expect(zip.name).toMatch(/\.zip$/);
    const files = unzipSync(new Uint8Array(zip.body));
    expect(Object.keys(files)).toContain('public.customer.csv');
    const customers = parseCsv(strFromU8(files['public.customer.csv'] as Uint8Array));
    expect(customers[0]).toContain('email');
    expect(customers.length - 1).toBe(40);

    const one = await download(page, () => page.getByRole('link', { name: 'Export public.customer as CSV' }).click());
    expect(parseCsv(one.body.toString('utf8'))).toEqual(customers);

    const all = await download(page, () => page.getByRole('link', { name: 'Export all' }).click());
    const lines = parseCsv(all.body.toString('utf8'));
    expect(lines[0]?.slice(0, 3)).toEqual(['id', 'name', 'kind']);
    expect(lines.filter((l) => l[0] === datasetId)).toHaveLength(1);
  }, 120_000);

  it('updates the dashboard: a dataset, its rows and a completed workflow', async () => {
    await open('/');
    await expect.poll(() => metric('Datasets ready').textContent()).toBe('1');
    expect(await metric('Workflows completed').textContent()).toBe('1');
    expect(Number((await metric('Rows generated').textContent())?.replaceAll(',', ''))).toBeGreaterThanOrEqual(40);
    expect(await page.getByRole('region', { name: 'Job timeline' }).getByRole('listitem').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Recent datasets' }).getByRole('link').first().getAttribute('href')).toBe(`/datasets?selected=${datasetId}`);
    await checkPage('dashboard');
  }, 60_000);

  it('filters the audit log, pages through it and exports the filtered rows as CSV', async () => {
    // Enough events for two pages of 25.
    for (let i = 0; i < 30; i++) await tdm.audit({ actor: 'seed', action: 'seedEvent', targetKind: 'JOB', targetId: `job-${i}` });
    await open('/audit');
    await expect.poll(() => page.getByRole('table').locator('tbody tr').count()).toBe(25);
    const firstTargets = await page.getByRole('table').locator('tbody tr').allTextContents();
    await page.getByRole('link', { name: 'Next page →' }).click();
    await page.waitForURL(/after=/);
    await expect.poll(() => page.getByRole('table').locator('tbody tr').count()).toBeGreaterThan(0);
    const secondTargets = await page.getByRole('table').locator('tbody tr').allTextContents();
    expect(secondTargets.filter((row) => firstTargets.includes(row))).toEqual([]);
    expect(firstTargets.length + secondTargets.length).toBe(Number(await page.locator('#audit-heading .count').textContent()));
    await page.getByRole('link', { name: '← First page' }).click();
    await page.waitForURL((url) => !url.searchParams.has('after'));

    const table = page.getByRole('table');
    await expect.poll(() => page.getByLabel('Action').locator('option').allTextContents()).toEqual(['Any', 'executeWorkflow', 'seedEvent']);
    await page.getByLabel('Action').selectOption('executeWorkflow');
    await page.waitForURL(/action=executeWorkflow/);
    await expect.poll(() => table.getByRole('rowheader').allTextContents()).toEqual(['executeWorkflow']);
    await page.getByLabel('Severity').selectOption('CRITICAL');
    await expect.poll(() => page.getByText('No audit events match these filters.').count()).toBe(1);
    await page.getByLabel('Severity').selectOption('');
    await expect.poll(() => table.getByRole('rowheader').count()).toBe(1);
    await checkPage('audit');

    const csv = await download(page, () => page.getByRole('link', { name: 'Export CSV' }).click());
    const rows = parseCsv(csv.body.toString('utf8'));
    const header = rows[0] ?? [];
    for (const column of ['action', 'severity', 'actor', 'target', 'createdAt']) expect(header).toContain(column);
    expect(rows.slice(1).map((r) => r[header.indexOf('action')])).toEqual(['executeWorkflow']);
  }, 60_000);

  it('shows the lineage around the job, the dataset reachable from the search', async () => {
    await open('/lineage');
    const graph = page.getByRole('img', { name: /lineage/i });
    await expect.poll(() => graph.locator('g.node').count()).toBeGreaterThanOrEqual(2);
    await page.getByLabel('Search').fill('dataset');
    await page.getByLabel('Start from').selectOption({ index: 0 });
    await page.waitForURL(/kind=DATASET_VERSION/);
    await expect.poll(() => graph.locator('g.node.focus').getAttribute('data-kind')).toBe('DATASET_VERSION');
    await checkPage('lineage');
  }, 60_000);

  it('registers an environment and provisions the dataset into it with a reset', async () => {
    await open('/environments');
    await expect
      .poll(() =>
        page
          .getByRole('region', { name: /Target environments/ })
          .getByRole('rowheader')
          .count(),
      )
      .toBe(1);
    await page.getByLabel('Name', { exact: true }).fill('qa');
    await page.getByLabel('Connection string').fill(`pglite://${dataDir}/qa-target`);
    await page.getByRole('checkbox', { name: 'Allow reset' }).check();
    await page.getByRole('button', { name: 'Register environment' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Registered qa');
    await page.waitForURL(/env=qa/);
    await expect.poll(() => page.getByRole('heading', { level: 2, name: 'qa' }).count()).toBe(1);
    expect(await page.getByText('Nothing provisioned here yet.').count()).toBe(1);

    await page.getByRole('radio', { name: 'reset' }).check();
    await page.getByRole('button', { name: 'Provision' }).click();
    await expect.poll(() => page.locator('.alert.success').textContent(), { timeout: 90_000 }).toMatch(/Provisioned \d+ tables into qa/);
    expect(await page.locator('.alert.success').textContent()).toContain('Smoke tests passed');
    const tables = page.getByRole('table', { name: 'Provisioned tables' });
    await expect.poll(() => tables.getByRole('rowheader').allTextContents()).toContain('public.customer');
    expect(await tables.getByRole('row', { name: /public\.customer/ }).textContent()).toContain('40');
    await checkPage('environments');
  }, 150_000);

  it('renders every page with its data in the first HTML, before any script runs', async () => {
    const logs = await firstHtml(`/workflows?job=${jobId}`);
    expect(logs).toContain(jobId.slice(0, 8));
    expect(logs).toMatch(/role="log"[\s\S]*\[synthetic\] \w+/);
    expect(logs).not.toContain('Waiting for log events');
    expect(logs).toContain('<option value="ecommerce"');
    const jobLineage = await firstHtml(`/workflows?job=${jobId}&tab=lineage`);
    expect(jobLineage).toContain('data-kind="DATASET_VERSION"');

    const catalog = await firstHtml(`/datasets?selected=${datasetId}`);
    expect(catalog).toContain(`selected=${datasetId}`);
    expect(catalog).toContain('public.customer');
    expect(catalog).not.toContain('Loading the catalog');

    expect(await firstHtml('/audit?action=executeWorkflow')).toMatch(/<th scope="row"[^>]*>executeWorkflow<\/th>/);
    expect(await firstHtml('/lineage')).toMatch(/role="img"[\s\S]*data-kind="JOB"/);
    expect(await firstHtml(`/lineage?kind=DATASET_VERSION&id=${datasetId}`)).toMatch(/<g class="node focus"[^>]*data-kind="DATASET_VERSION"/);

    const environments = await firstHtml('/environments?env=qa');
    expect(environments).toMatch(/<th scope="row"[^>]*>public\.customer<\/th>/);
    expect(await firstHtml(`/quality?dataset=${datasetId}`)).toMatch(/quality score \d+ of 100/);
    expect(await firstHtml('/schema-fusion')).toContain('<option value="ecommerce"');
    expect(await firstHtml('/synthetic')).toContain('<option value="ecommerce"');
    expect(await firstHtml('/schemas')).not.toContain('Loading schemas');
  }, 120_000);

  it('scores the dataset: a radial score chart, its metrics and columns', async () => {
    await open(`/quality?dataset=${datasetId}`);
    const chart = page.getByRole('img', { name: /quality score/i });
    await expect.poll(() => chart.count(), { timeout: 90_000 }).toBe(1);
    expect(await chart.getAttribute('aria-label')).toMatch(/quality score \d+ of 100/);
    const metrics = page.getByRole('region', { name: 'Metrics' });
    for (const name of ['nullRatio', 'typeConsistency', 'drift']) expect(await metrics.getByRole('rowheader', { name }).count(), name).toBe(1);
    await expect.poll(() => page.getByRole('region', { name: 'Column metrics' }).getByRole('row').count()).toBeGreaterThan(1);
    await checkPage('quality');
  }, 120_000);

  it('fuses a test case with a domain pack into unified entities', async () => {
    await open('/schema-fusion');
    await page.getByLabel('Test case content').fill(SIGN_UP);
    await page.getByLabel('Domain').selectOption('ecommerce');
    await page.getByRole('button', { name: 'Run fusion' }).click();
    const unified = page.getByRole('region', { name: /Unified schema/ });
    await expect.poll(() => unified.getByRole('rowheader', { name: 'email' }).count(), { timeout: 90_000 }).toBeGreaterThan(0);
    expect(await unified.textContent()).toContain('TEST_CASE');
    await checkPage('schema-fusion');
  }, 120_000);

  it('keeps the schemas and synthetic data pages', async () => {
    await open('/schemas');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Schemas');
    await expect.poll(() => page.getByRole('region', { name: /Discovered schemas/ }).textContent()).toContain('Discovered schemas');
    await checkPage('schemas');
    await open('/synthetic');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Synthetic data');
    await checkPage('synthetic');
  }, 60_000);

  it('keeps the dashboard live: a workflow started elsewhere shows up without a reload', async () => {
    await open('/');
    await expect.poll(() => metric('Datasets ready').textContent()).toBe('1');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Live' }).count()).toBe(1);
    const started = await app.yoga.fetch('http://tdm.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation ($input: ExecuteWorkflowInput!) { executeWorkflow(input: $input) { __typename } }',
        variables: { input: { domain: 'banking', operations: ['synthetic'], rowCounts: { '*': 10 } } },
      }),
    });
    expect(await started.text()).toContain('MutationExecuteWorkflowSuccess');
    await expect.poll(() => metric('Datasets ready').textContent(), { timeout: 60_000 }).toBe('2');
    await expect.poll(() => metric('Workflows completed').textContent(), { timeout: 30_000 }).toBe('2');
    expect(await page.getByRole('region', { name: 'Job timeline' }).getByRole('listitem').count()).toBe(2);
    expect(browserErrors).toEqual([]);
  }, 90_000);
});
