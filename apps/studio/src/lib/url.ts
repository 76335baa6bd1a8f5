/**
 * A same-page href with `updates` applied to the search params; `null` or '' removes one.
 * "?…", or the bare path when no parameter is left (so no dangling "?").
 */
export function withParams(url: URL, updates: Record<string, string | null>): string {
  const params = new URLSearchParams(url.searchParams);
  for (const [key, value] of Object.entries(updates)) {
    if (value == null || value === '') params.delete(key);
    else params.set(key, value);
  }
  const query = params.toString();
  return query ? `?${query}` : url.pathname;
}

/** A stable, whitespace-free element id for a table, used by FK links. */
export function tableAnchor(schema: string, name: string): string {
  return `table-${schema}.${name}`.replace(/\s+/g, '_');
}

/** "sales.orders" → ["sales", "orders"]; a bare "orders" is taken to be in `defaultSchema`. */
export function splitTableRef(ref: string, defaultSchema: string): [schema: string, name: string] {
  const dot = ref.indexOf('.');
  return dot < 0 ? [defaultSchema, ref] : [ref.slice(0, dot), ref.slice(dot + 1)];
}
