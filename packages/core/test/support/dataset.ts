/**
 * Helpers shared by the dataset tests: rows in batches, collecting them back, expecting a typed
 * failure, COPY in and out through a `SqlClient`, and the `finish` arguments of a test version.
 */
import { pipeline } from 'node:stream/promises';
import { batchesToCopyText, copyTextToBatches } from '../../src/dataset/copy-text.ts';
import type { TableInput, TextRow } from '../../src/dataset/types.ts';
import { quoteIdent } from '../../src/db/quote.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';

export async function* batchesOf(rows: TextRow[], size = 1000): AsyncGenerator<TextRow[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

export async function collect(batches: AsyncIterable<TextRow[]>): Promise<TextRow[]> {
  const rows: TextRow[] = [];
  for await (const batch of batches) rows.push(...batch);
  return rows;
}

export { failure } from './failure.ts';

/** A table as the store's input, with `format_type()` of each column, in column order. */
export async function tableInput(client: SqlClient, name: string): Promise<TableInput> {
  const { rows } = await client.query<{ name: string; pg_type: string; nullable: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS pg_type, NOT a.attnotnull AS nullable
       FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [`public.${quoteIdent(name)}`],
  );
  return { schema: 'public', name, columns: rows.map((r) => ({ name: r.name, pgType: r.pg_type, nullable: r.nullable })) };
}

/** `COPY (sql) TO STDOUT`, parsed into batches. */
export async function copyOutBatches(client: SqlClient, sql: string, batchSize = 5000): Promise<AsyncGenerator<TextRow[]>> {
  return copyTextToBatches(await client.copyOut(`COPY (${sql}) TO STDOUT`), batchSize);
}

/** `COPY table FROM STDIN` fed with the batches; resolves with the row count. */
export async function copyInBatches(client: SqlClient, table: string, batches: AsyncIterable<TextRow[]>): Promise<number> {
  const { stream, done } = await client.copyIn(`COPY ${quoteIdent(table)} FROM STDIN`);
  await pipeline(batchesToCopyText(batches), stream);
  return done;
}

export async function count(client: SqlClient, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) q`);
  return rows[0]?.n ?? -1;
}

export const FINISH = { name: 'test', kind: 'SUBSET' as const, schemaVersionId: null, parentId: null, jobId: null, meta: {} };
