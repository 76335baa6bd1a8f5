/**
 * URL mode: crawl time per form page (`crawlForms` over the shared form fixtures served from a local
 * HTTP server, one browser launched once; median of 5 crawls of all pages, divided by the page
 * count; `page-warm` includes probing the small selects, radio groups and checkboxes for dependent
 * constraints, `page-warm-read-only` skips it), the cold call that launches its own browser, and the generation rate of 100,000 rows for
 * the largest crawled form (`generateFromForms`, rows/s). Without the fixtures, a small page of the
 * bench's own is crawled instead (noted).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { crawlForms, launchCrawlBrowser } from '../packages/core/src/crawl/index.ts';
import { generateFromForms } from '../packages/core/src/synthetic/forms.ts';
import { FIXTURES_DIR } from '../packages/core/test/support/load-sql.ts';
import { type BenchContext, measure, type Result, result, round, timeOnce } from './lib.ts';

const FORMS_DIR = join(FIXTURES_DIR, 'forms');
const GEN_ROWS = 100_000;

const OWN_PAGE = `<!doctype html><html><head><title>Bench sign-up</title></head><body><form id="signup">
<input name="first_name" required maxlength="40"><input name="last_name" required maxlength="40">
<input type="email" name="email" required><input type="tel" name="phone" pattern="[0-9]{3}-[0-9]{4}">
<input type="number" name="age" min="18" max="99"><input type="date" name="birthday" min="1950-01-01" max="2005-12-31">
<select name="plan" required><option value="">Choose</option><option>basic</option><option>pro</option></select>
<label><input type="checkbox" name="terms" required> Terms</label><textarea name="bio" maxlength="200"></textarea>
</form></body></html>`;

async function pages(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!existsSync(FORMS_DIR)) return out;
  for (const dir of await readdir(FORMS_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of await readdir(join(FORMS_DIR, dir.name))) {
      if (file.endsWith('.html')) out.set(`/${dir.name}/${file}`, await readFile(join(FORMS_DIR, dir.name, file), 'utf8'));
    }
  }
  return out;
}

export async function run(ctx: BenchContext): Promise<Result[]> {
  let served = await pages();
  if (!served.size) {
    ctx.note(`form fixtures not found in ${FORMS_DIR}: crawled the bench's own sign-up page instead`);
    served = new Map([['/own/signup.html', OWN_PAGE]]);
  }
  const server = createServer((req, res) => {
    const body = served.get(new URL(req.url ?? '/', 'http://x').pathname);
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? '<!doctype html><title>Not found</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ctx.defer(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const urls = [...served.keys()].map((p) => `${base}${p}`);

  // Cold: the call launches (and closes) its own browser.
  const cold = await timeOnce(() => crawlForms(urls));
  const browser = await launchCrawlBrowser();
  ctx.defer(() => browser.close());
  const warm = await measure(() => crawlForms(urls, { browser }), { warmup: 1, runs: 5 });
  const readOnly = await measure(() => crawlForms(urls, { browser, dependencies: false }), { warmup: 1, runs: 5 });
  const crawled = cold.value;
  const forms = crawled.reduce((n, p) => n + p.forms.length, 0);
  const dependent = crawled.reduce((n, p) => n + p.forms.filter((f) => f.dependencies.length).length, 0);
  ctx.log(
    `${urls.length} pages, ${forms} forms (${dependent} with dependent constraints); cold call ${round(cold.ms)} ms (with browser launch), ` +
      `warm median ${round(warm.median)} ms, ${round(readOnly.median)} ms without probing`,
  );

  // Generation: the form with the most controls, 100,000 rows.
  const largest = crawled.flatMap((page) => page.forms.map((form) => ({ page, form }))).sort((a, b) => b.form.fields.length - a.form.fields.length)[0];
  if (!largest) throw new Error('no form crawled');
  const single = { ...largest.page, forms: [largest.form] };
  const generated = generateFromForms([single], { seed: 1, rowCounts: { '*': GEN_ROWS } });
  const table = generated.tables[0];
  if (!table) throw new Error('no table generated');
  const gen = await measure(
    async () => {
      let n = 0;
      for await (const batch of table.rows(8192)) n += batch.length;
      if (n !== GEN_ROWS) throw new Error(`generated ${n} rows, expected ${GEN_ROWS}`);
    },
    { warmup: 1, runs: 3 },
  );
  const rate = GEN_ROWS / (gen.median / 1000);
  ctx.log(`generated ${GEN_ROWS} rows of ${table.table.name} (${table.table.columns.length} columns) in ${round(gen.median)} ms: ${Math.round(rate)} rows/s`);

  return [
    result('crawl/forms/page-warm', warm.median / urls.length, 'ms/page', '< 500 ms/page'),
    result('crawl/forms/page-warm-read-only', readOnly.median / urls.length, 'ms/page', 'report only'),
    result('crawl/forms/call-cold', cold.ms, 'ms', 'report only'),
    result(`crawl/forms/generate-${table.table.columns.length}-columns`, rate, 'rows/s', 'report only'),
  ];
}
