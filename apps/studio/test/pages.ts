// Shared by the page-walk browser tests: axe-core checks, screenshots at two widths, downloads.
import { readFile } from 'node:fs/promises';
import { AxeBuilder } from '@axe-core/playwright';
import type { Download, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The serious and critical axe-core violations of the page as it is now ("rule: target…"). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** `/tmp/studio-<name>-1280.png` and `-390.png`, full page; the viewport is restored after. */
export async function screenshots(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `/tmp/studio-${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `/tmp/studio-${name}-390.png`, fullPage: true });
  // Nothing sticks out sideways at phone width except inside scrolling regions.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} is wider than a 390px screen`).toBeLessThanOrEqual(1);
  await page.setViewportSize(size);
}

/** Clicks `click` and returns the file the browser downloaded. */
export async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; body: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download') as Promise<Download>, click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), body: await readFile(path) };
}
