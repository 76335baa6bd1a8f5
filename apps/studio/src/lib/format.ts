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
