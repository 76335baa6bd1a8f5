const count = new Intl.NumberFormat('en');

/** Exact counts as-is; estimates (from planner statistics) are marked with "≈". */
export function formatRows(rowCount: number | null, rowEstimate: number | null): string {
  if (rowCount != null) return count.format(rowCount);
  if (rowEstimate != null && rowEstimate >= 0) return `≈ ${count.format(Math.round(rowEstimate))}`;
  return '—';
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "public, sales ,," → ["public", "sales"]; duplicates dropped, order kept. */
export function parseSchemaNames(text: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [...new Set(names)];
}

/**
 * A URL cut after each "/", "@", "?" and "&", so that it can wrap there (`<wbr>`) rather than in
 * the middle of a name. Joining the parts gives the URL back.
 */
export function urlParts(url: string): string[] {
  return url.split(/(?<=[/@?&])(?=.)/);
}

/** A whole count with thousands separators: 15000 → "15,000". */
export function formatCount(n: number): string {
  return count.format(n);
}

/** 850 → "850 ms", 1234 → "1.2 s", 125000 → "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  // 59,960 ms would round to "60.0 s": minutes from there on.
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const rest = seconds % 60;
  return rest ? `${Math.floor(seconds / 60)} min ${rest} s` : `${seconds / 60} min`;
}

/** One value of a previewed row as text; `null` (SQL NULL) is told apart by the caller. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** "required", "min_length:8", "enum:a|b" → "required", "min length 8", "one of a, b". */
export function formatConstraint(constraint: string): string {
  const colon = constraint.indexOf(':');
  const key = colon < 0 ? constraint : constraint.slice(0, colon);
  const value = colon < 0 ? '' : constraint.slice(colon + 1);
  if (key === 'enum' && value) return `one of ${value.split('|').join(', ')}`;
  if (key === 'pattern' && value) return `matches ${value}`;
  const words = key.replace(/_/g, ' ');
  return value ? `${words} ${value}` : words;
}

const TEST_CASE_FORMATS: Record<string, string> = {
  GHERKIN: 'Gherkin',
  CYPRESS: 'Cypress',
  PLAYWRIGHT: 'Playwright',
  SELENIUM_JAVA: 'Selenium (Java)',
  SELENIUM_PYTHON: 'Selenium (Python)',
  SELENIUM_CSHARP: 'Selenium (C#)',
  PLAYWRIGHT_PYTHON: 'Playwright (Python)',
  PLAYWRIGHT_JAVA: 'Playwright (Java)',
  PLAYWRIGHT_DOTNET: 'Playwright (.NET)',
  WEBDRIVERIO: 'WebdriverIO',
  TESTCAFE: 'TestCafe',
  NIGHTWATCH: 'Nightwatch',
  ROBOT: 'Robot Framework',
  CAPYBARA: 'Capybara (Ruby)',
  UNKNOWN: 'Unknown format',
};

/** "SELENIUM_JAVA" → "Selenium (Java)"; a format this list does not know is shown as sent. */
export function formatTestCaseFormat(format: string): string {
  return TEST_CASE_FORMATS[format] ?? format;
}

/** "1 table", "5 tables", "1,200 rows": a count with its noun, plural by adding "s" unless given. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${count.format(n)} ${n === 1 ? noun : nouns}`;
}

const units = ['B', 'KB', 'MB', 'GB', 'TB'];
/** 1536 → "1.5 KB". */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
