/**
 * How the subset's tables are read: a full copy reads them on several connections sharing the
 * transaction's snapshot (db/shared-snapshot.ts), the largest first so the long tables do not end
 * up last on one connection; every row still comes from the one snapshot, so the dataset is as
 * consistent as one read in one transaction. A subset proper reads through the temporary key
 * tables, which only its own transaction sees: one table after another there.
 */
import type { TableDef } from '../catalog/types.ts';
import { copyConnections, runAll, withSharedSnapshot } from '../db/shared-snapshot.ts';
import type { SqlClient } from '../db/sql-client.ts';

export interface ReadItem {
  def: TableDef;
}

export interface ReadTablesOptions {
  /** Whether the tables may be read on other connections (no temporary tables involved). */
  concurrent: boolean;
  /** Run in every helper transaction once it has the snapshot. */
  setup?: (scope: SqlClient) => Promise<void>;
  signal?: AbortSignal;
}

/** What a table is expected to weigh: rows (exact, else the estimate) times columns. */
function weight(def: TableDef): number {
  return Math.max(def.rowCount ?? def.rowEstimate ?? 0, 0) * Math.max(def.columns.length, 1);
}

/** The items heaviest first; equal weights keep their given order. */
export function heaviestFirst<I extends ReadItem>(items: I[]): I[] {
  return items
    .map((item, i) => ({ item, i, w: weight(item.def) }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .map((x) => x.item);
}

/**
 * Reads every item with `read` inside `tx` (a REPEATABLE READ transaction on `source`); returns what
 * each read returned, in `items` order. With `concurrent`, up to `TDM_COPY_CONNECTIONS` connections
 * read at once, heaviest tables first; the first failure stops the others and is thrown.
 */
export async function readTables<I extends ReadItem, R>(
  source: SqlClient,
  tx: SqlClient,
  items: I[],
  options: ReadTablesOptions,
  read: (scope: SqlClient, item: I, signal: AbortSignal | undefined) => Promise<R>,
): Promise<R[]> {
  const { signal } = options;
  if (!options.concurrent || items.length < 2 || copyConnections() < 2 || source.kind !== 'postgres') {
    const out: R[] = [];
    for (const item of items) {
      signal?.throwIfAborted();
      out.push(await read(tx, item, signal));
    }
    return out;
  }
  const order = heaviestFirst(items);
  const connections = Math.min(copyConnections(), items.length);
  const results = await withSharedSnapshot(source, tx, { connections, setup: options.setup }, (scopes) => runAll(scopes, order, read, signal));
  const byItem = new Map(order.map((item, i) => [item, results[i] as R]));
  return items.map((item) => byItem.get(item) as R);
}
