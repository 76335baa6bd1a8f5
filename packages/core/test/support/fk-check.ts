/**
 * Counts rows that violate a foreign key, with a real NOT EXISTS query per key (MATCH SIMPLE: rows
 * with a NULL in the key are skipped), so a load that bypassed triggers cannot hide a broken key.
 * The project's own copy of the check, so tests run without ../shared.
 */
import type { SqlClient } from '../../src/db/sql-client.ts';
import { quoteIdent } from '../../src/db/quote.ts';

export async function fkCheck(sql: SqlClient): Promise<{ violations: number; fks: number }> {
  const { rows: fks } = await sql.query<{ child: string; parent: string; ccols: string[]; pcols: string[] }>(`
    select k.conrelid::regclass::text as child, k.confrelid::regclass::text as parent,
      array(select a.attname from unnest(k.conkey) with ordinality x(att, i) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.att order by x.i)::text[] as ccols,
      array(select a.attname from unnest(k.confkey) with ordinality x(att, i) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.att order by x.i)::text[] as pcols
    from pg_constraint k join pg_class c on c.oid = k.conrelid
    where k.contype = 'f' and not c.relispartition`);
  let violations = 0;
  for (const fk of fks) {
    const c = fk.ccols.map((n) => `c.${quoteIdent(n)}`);
    const p = fk.pcols.map((n) => `p.${quoteIdent(n)}`);
    const { rows } = await sql.query<{ n: string }>(
      `select count(*)::int8::text as n from ${fk.child} c where ${c.map((x) => `${x} is not null`).join(' and ')} and not exists (select 1 from ${fk.parent} p where (${p.join(', ')}) = (${c.join(', ')}))`,
    );
    violations += Number(rows[0]?.n ?? 0);
  }
  return { violations, fks: fks.length };
}
