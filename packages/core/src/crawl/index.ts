/**
 * Reads the forms of web pages in a real browser (Chromium through playwright-core), so what the
 * URL mode generates for a form is exactly what that form accepts: the DOM after the page's own
 * scripts ran, with the constraints the browser enforces, and the constraints its scripts rewrite when a
 * choice changes (crawl/dependencies.ts). One browser per call (or the caller's),
 * one context per call, one page per URL, all closed afterwards. Failures are typed `CrawlError`s
 * whose messages carry the URL without user:password; `crawlFormsSettled` keeps going past them so
 * a workflow can crawl what it can and fall back to another synthetic mode for the rest.
 */
import { type Browser, type BrowserContext, chromium, errors, type Page } from 'playwright-core';
import { CrawlError, type CrawlFailure } from '../errors.ts';
import { discoverDependencies } from './dependencies.ts';
import { EXTRACT_FORMS_SCRIPT } from './extract.ts';
import { CrawledPage } from './types.ts';

export type { CrawledDependency, CrawledDependencyCase, CrawledField, CrawledFieldChanges, CrawledForm, CrawledOption, CrawledPage } from './types.ts';

export interface CrawlOptions {
  /** Limit for loading one page (navigation to DOMContentLoaded), ms; default 30,000. */
  timeoutMs?: number;
  /** A browser to use (and leave open); by default one is launched for the call and closed after. */
  browser?: Browser;
  signal?: AbortSignal;
  /** Pages loaded at the same time; default 4. */
  concurrency?: number;
  /**
   * Probe each small select, radio group and single checkbox for constraints that depend on its value
   * (crawl/dependencies.ts); default true. Off, every form's `dependencies` is empty.
   */
  dependencies?: boolean;
}

/** The outcome for one URL of `crawlFormsSettled`, in the order the URLs were given. */
export type CrawlOutcome = { url: string; ok: true; page: CrawledPage; error: null } | { url: string; ok: false; page: null; error: CrawlError };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const CLOSE_WAIT_MS = 2_000;

/** Waits for `work` (errors ignored) at most `ms`. */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** A URL fit for messages and stored data: user and password removed (also from unparseable input). */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return url.href;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  }
}

/**
 * Starts Chromium: `TDM_CHROMIUM_PATH`, else Debian's /usr/bin/chromium. Throws a CrawlError
 * BROWSER_UNAVAILABLE (naming `url`, the page it was needed for) when it cannot start.
 */
export async function launchCrawlBrowser(url = ''): Promise<Browser> {
  const executablePath = process.env.TDM_CHROMIUM_PATH || DEFAULT_CHROMIUM;
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (err) {
    const why = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    throw new CrawlError('BROWSER_UNAVAILABLE', url, `Chromium could not be started from ${executablePath} (set TDM_CHROMIUM_PATH): ${why}`);
  }
}

/**
 * Opens every URL and reads its forms. Resolves with one `CrawledPage` per URL, in order, or
 * rejects with the first URL's `CrawlError` (INVALID_URL, UNREACHABLE, TIMEOUT, HTTP_STATUS,
 * NOT_HTML, NO_FORMS, BROWSER_UNAVAILABLE); use `crawlFormsSettled` to keep the pages that worked.
 */
export async function crawlForms(urls: string[], options: CrawlOptions = {}): Promise<CrawledPage[]> {
  const outcomes = await crawlFormsSettled(urls, options);
  return outcomes.map((o) => {
    if (!o.ok) throw o.error;
    return o.page;
  });
}

/**
 * Like `crawlForms`, but never rejects for a page: each URL gets its page or its `CrawlError`.
 * Only an abort (`signal`) rejects the whole call.
 */
export async function crawlFormsSettled(urls: string[], options: CrawlOptions = {}): Promise<CrawlOutcome[]> {
  const { signal } = options;
  signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const outcomes: (CrawlOutcome | undefined)[] = new Array(urls.length);
  const targets: { index: number; url: URL; safe: string }[] = [];
  urls.forEach((raw, index) => {
    const safe = redactUrl(raw);
    const url = parseTarget(raw, safe);
    if (url instanceof CrawlError) outcomes[index] = { url: safe, ok: false, page: null, error: url };
    else targets.push({ index, url, safe });
  });
  if (targets.length) {
    let browser = options.browser;
    let launched: Browser | null = null;
    try {
      if (!browser) {
        try {
          launched = await launchCrawlBrowser(targets[0]?.safe);
          browser = launched;
        } catch (err) {
          if (!(err instanceof CrawlError)) throw err;
          for (const t of targets)
            outcomes[t.index] = { url: t.safe, ok: false, page: null, error: new CrawlError('BROWSER_UNAVAILABLE', t.safe, err.message) };
        }
      }
      if (browser) {
        const context = await browser.newContext({ serviceWorkers: 'block' });
        try {
          let next = 0;
          const worker = async () => {
            while (next < targets.length) {
              const t = targets[next++] as (typeof targets)[number];
              signal?.throwIfAborted();
              try {
                const page = await crawlPage(context, t.url, t.safe, timeoutMs, options.dependencies ?? true, signal);
                outcomes[t.index] = { url: t.safe, ok: true, page, error: null };
              } catch (err) {
                signal?.throwIfAborted();
                if (!(err instanceof CrawlError)) throw err;
                outcomes[t.index] = { url: t.safe, ok: false, page: null, error: err };
              }
            }
          };
          const workers = Math.max(1, Math.min(options.concurrency ?? 4, targets.length));
          await Promise.all(Array.from({ length: workers }, worker));
        } finally {
          await bounded(context.close(), CLOSE_WAIT_MS);
        }
      }
    } finally {
      if (launched) await bounded(launched.close(), CLOSE_WAIT_MS);
    }
  }
  return outcomes as CrawlOutcome[];
}

function parseTarget(raw: string, safe: string): URL | CrawlError {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return new CrawlError('INVALID_URL', safe, `not a valid URL: ${JSON.stringify(safe)}`);
  }
  // Only web pages: file:, data:, chrome: … would let a caller read the server's own files into a dataset.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return new CrawlError('INVALID_URL', safe, `cannot crawl ${url.protocol} URLs (only http and https): ${safe}`);
  }
  return url;
}

async function crawlPage(
  context: BrowserContext,
  url: URL,
  safe: string,
  timeoutMs: number,
  probe: boolean,
  signal: AbortSignal | undefined,
): Promise<CrawledPage> {
  const page = await context.newPage();
  const onAbort = () => void page.close().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const started = performance.now();
    const response = await navigate(page, url, safe, timeoutMs);
    if (response) {
      const status = response.status();
      if (status >= 400) throw new CrawlError('HTTP_STATUS', safe, `${safe} answered HTTP ${status}`, { details: { status } });
      const contentType = (await response.headerValue('content-type'))?.split(';')[0]?.trim().toLowerCase();
      if (contentType && !HTML_TYPES.has(contentType)) {
        throw new CrawlError('NOT_HTML', safe, `${safe} is ${contentType}, not an HTML page`, { details: { contentType } });
      }
    }
    // Forms are read once the DOM is parsed (and the page's synchronous scripts ran); images and
    // stylesheets that are slow or missing do not hold the crawl up.
    const remaining = Math.max(1, timeoutMs - (performance.now() - started));
    try {
      await page.waitForLoadState('domcontentloaded', { timeout: remaining });
    } catch (err) {
      throw navigationError(err, safe, timeoutMs);
    }
    const raw = await page.evaluate(EXTRACT_FORMS_SCRIPT);
    const parsed = CrawledPage.parse({ ...(raw as object), url: safe });
    const forms = parsed.forms.filter((f) => f.fields.some((field) => field.type !== 'hidden' && field.type !== 'file'));
    if (!forms.length) throw new CrawlError('NO_FORMS', safe, `${safe} has no form control to fill in`);
    if (!probe) return { ...parsed, forms };
    const reload = async () => {
      await page.goto(url.href, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    };
    const dependencies = await discoverDependencies(page, parsed.forms, forms, reload, signal);
    return { ...parsed, forms: forms.map((form) => ({ ...form, dependencies: dependencies.get(form) ?? [] })) };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Closing a page that is still rendering a non-HTML response can stall in Chromium for a minute;
    // the context's close at the end of the call takes what is left.
    await bounded(page.close(), CLOSE_WAIT_MS);
  }
}

async function navigate(page: Page, url: URL, safe: string, timeoutMs: number) {
  try {
    return await page.goto(url.href, { waitUntil: 'commit', timeout: timeoutMs });
  } catch (err) {
    throw navigationError(err, safe, timeoutMs);
  }
}

const NET_ERROR = /net::(ERR_[A-Z_]+)/;

/** Maps a navigation failure to a CrawlError. Playwright's message is not reused: it may echo the URL. */
function navigationError(err: unknown, safe: string, timeoutMs: number): CrawlError {
  if (err instanceof CrawlError) return err;
  if (err instanceof errors.TimeoutError) return new CrawlError('TIMEOUT', safe, `${safe} did not load within ${timeoutMs} ms`, { details: { timeoutMs } });
  const message = err instanceof Error ? err.message : String(err);
  const code = NET_ERROR.exec(message)?.[1];
  let reason: CrawlFailure = 'UNREACHABLE';
  if (/Download is starting/i.test(message)) reason = 'NOT_HTML';
  else if (code === 'ERR_TIMED_OUT' || code === 'ERR_CONNECTION_TIMED_OUT') reason = 'TIMEOUT';
  else if (code === 'ERR_INVALID_URL') reason = 'INVALID_URL';
  else if (!code) throw err;
  const why =
    reason === 'NOT_HTML'
      ? 'is a download, not an HTML page'
      : reason === 'TIMEOUT'
        ? 'timed out'
        : reason === 'INVALID_URL'
          ? 'is not a valid URL'
          : 'is unreachable';
  return new CrawlError(reason, safe, `${safe} ${why}${code ? ` (${code})` : ''}`, { details: { error: code ?? 'download' } });
}
