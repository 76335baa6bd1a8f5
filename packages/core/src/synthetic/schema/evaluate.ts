/**
 * PostgreSQL as the judge of CHECKs the generator did not understand: a batch of candidate rows goes
 * into one `SELECT … FROM unnest(…)` that casts each column to its type and evaluates every
 * expression (a CHECK fails only when it is false, not when it is NULL). The default evaluator is an
 * in-memory PGlite holding the catalog's schemas, enums and domains (domains without their CHECKs:
 * those are evaluated as expressions like the table's, with VALUE bound to the column).
 */
import type { Catalog, ColumnDef } from '../../catalog/types.ts';
import { openSqlClient } from '../../db/open.ts';
import { quoteIdent, quoteQualified } from '../../db/quote.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import type { TextRow } from '../../dataset/types.ts';

/** One expression to evaluate; `valueColumn` set for a domain CHECK (its VALUE is that column). */
export interface CheckToEvaluate {
  name: string;
  expression: string;
  valueColumn?: string;
}

export interface CheckEvaluator {
  /** For each row (values in `columns` order), the names of the checks it fails (empty when it satisfies them all). */
  evaluate(columns: { name: string; castType: string }[], checks: CheckToEvaluate[], rows: TextRow[]): Promise<string[][]>;
  close(): Promise<void>;
}

const stripCheck = (e: string) =>
  e
    .trim()
    .replace(/^CHECK\s*/i, '')
    .replace(/\s+NOT VALID$/i, '');

/** The type a column is cast to for evaluation: a domain's base type, so a domain CHECK cannot abort the batch. */
export function castTypeFor(catalog: Catalog, column: ColumnDef): string {
  let type = column.dataType;
  for (let depth = 0; depth < 8; depth++) {
    const bare = type.replace(/"/g, '');
    const dom = catalog.domains.find((d) => bare === `${d.schema}.${d.name}` || bare === d.name);
    if (!dom) break;
    type = dom.baseType;
  }
  return type;
}

/** An evaluator over any database where the expressions' types and functions exist (the source, a target). */
export function sqlCheckEvaluator(sql: SqlClient, options: { closeClient?: boolean } = {}): CheckEvaluator {
  return {
    async evaluate(columns, checks, rows) {
      if (!rows.length || !checks.length) return rows.map(() => []);
      const params = columns.map((_, i) => rows.map((r) => r[i] ?? null));
      const inner = columns.map((c, i) => `c${i}::${c.castType} AS ${quoteIdent(c.name)}`).join(', ');
      const cases = checks
        .map((ch, i) => {
          const expr = stripCheck(ch.expression);
          const test = ch.valueColumn ? `(SELECT ${expr} FROM (SELECT t.${quoteIdent(ch.valueColumn)} AS value) v)` : `(${expr})`;
          return `CASE WHEN NOT coalesce(${test}, true) THEN ${i} END`;
        })
        .join(', ');
      const unnest = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
      const aliases = columns.map((_, i) => `c${i}`).join(', ');
      const query = `SELECT n::int AS n, array_remove(ARRAY[${cases}]::int[], NULL) AS failed FROM (SELECT n, ${inner} FROM unnest(${unnest}) WITH ORDINALITY AS u(${aliases}, n)) t ORDER BY n`;
      const result = await sql.transaction(async (tx) => {
        // The catalog prints expressions for this search_path.
        await tx.query(`select set_config('search_path', 'pg_catalog', true)`);
        return tx.query<{ n: number; failed: number[] }>(query, params);
      });
      const out: string[][] = rows.map(() => []);
      for (const r of result.rows) out[r.n - 1] = r.failed.map((i) => checks[i]?.name ?? 'check');
      return out;
    },
    async close() {
      if (options.closeClient) await sql.close();
    },
  };
}

/** An in-memory PGlite with the catalog's schemas, enums and (CHECK-less) domains. */
export async function createPgliteCheckEvaluator(catalog: Catalog): Promise<CheckEvaluator> {
  const sql = await openSqlClient('pglite:memory');
  try {
    for (const s of catalog.schemas) await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`);
    for (const e of catalog.enums) {
      await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(e.schema)}`);
      const labels = e.labels.map((l) => `'${l.replace(/'/g, "''")}'`).join(', ');
      await sql.exec(`CREATE TYPE ${quoteQualified(e.schema, e.name)} AS ENUM (${labels})`);
    }
    // Domains over other domains: create in passes until none is left or none can be.
    let pending = [...catalog.domains];
    while (pending.length) {
      const failed: typeof pending = [];
      for (const d of pending) {
        await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(d.schema)}`);
        try {
          await sql.exec(`SET search_path = pg_catalog; CREATE DOMAIN ${quoteQualified(d.schema, d.name)} AS ${d.baseType}`);
        } catch {
          failed.push(d);
        }
      }
      if (failed.length === pending.length) break;
      pending = failed;
    }
  } catch (err) {
    await sql.close();
    throw err;
  }
  return sqlCheckEvaluator(sql, { closeClient: true });
}
