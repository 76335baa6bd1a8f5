import { builder } from '../builder.ts';

/** Rows of one table or entity: the typed form of the `{ "<table>": n }` maps the core keeps. */
export interface TableRowCount {
  table: string;
  rowCount: number;
}

export const TableRowCountRef = builder.objectRef<TableRowCount>('TableRowCount').implement({
  description: 'Rows of one table (or entity of a domain pack)',
  fields: (t) => ({
    table: t.exposeString('table', { description: '"schema.table", a table name, an entity name, or "*" for every other table' }),
    rowCount: t.exposeFloat('rowCount'),
  }),
});

/** `{ "public.orders": 50, … }` → one entry per key, in the map's order; anything else → []. */
export function rowCountEntries(map: unknown): TableRowCount[] {
  if (!map || typeof map !== 'object' || Array.isArray(map)) return [];
  return Object.entries(map as Record<string, unknown>).map(([table, n]) => ({ table, rowCount: Number(n) }));
}
