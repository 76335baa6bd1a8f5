/**
 * What a user compares between a provisioning source and its target: the structure (catalog minus
 * names, estimates and sequence positions), per-table row checksums, the index tree of partitioned
 * tables and the shared acceptance foreign-key check; and a client that reports every COPY write.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog } from '../../src/catalog/types.ts';
import { quoteQualified } from '../../src/db/quote.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { createPgliteUrl, createTestDatabase, type TestDatabase } from './databases.ts';
import { FIXTURES_DIR } from './load-sql.ts';
import { key, provisionable, selectList } from './memory-dataset.ts';

// The shared acceptance check lives beside the shared fixtures.
const FK_VIOLATIONS_SQL = await readFile(join(FIXTURES_DIR, '..', 'acceptance', 'fk-violations.sql'), 'utf8').catch(() => null);
if (!FK_VIOLATIONS_SQL) console.warn('acceptance/fk-violations.sql not found: the smoke report alone vouches for foreign keys');

export type EngineName = 'pglite' | 'postgres';

/** The engines a provisioning suite runs on: PGlite always, PostgreSQL when it answers. */
export function provisionEngines(pgUp: boolean): { name: EngineName; skip: boolean; create: (label: string) => Promise<TestDatabase> }[] {
  return [
    { name: 'pglite', skip: false, create: () => createPgliteUrl() },
    { name: 'postgres', skip: !pgUp, create: (label) => createTestDatabase(`prov_${label}`) },
  ];
}

/** The catalog minus what differs between two databases of the same structure (name, estimates, sequence positions). */
export function structureOf(catalog: Catalog) {
  return {
    enums: catalog.enums,
    domains: catalog.domains,
    sequences: catalog.sequences.map(({ lastValue: _lastValue, ...s }) => s),
    tables: catalog.tables.map(({ rowEstimate: _estimate, ...t }) => t),
  };
}

/** Per table: its own rows' count and an md5 over them in a fixed order, columns in catalog order. */
export async function checksums(sql: SqlClient, catalog: Catalog): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of provisionable(catalog)) {
    const { rows } = await sql.query<{ n: string; h: string }>(
      `select count(*)::int8::text as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from (select ${selectList(t)} from only ${quoteQualified(t.schema, t.name)}) t`,
    );
    out[key(t)] = `${rows[0]?.n}:${rows[0]?.h}`;
  }
  return out;
}

/**
 * Every index with the partitioned index it is attached to and whether it is valid: the catalog
 * prints a partitioned index the same whether or not its partitions' indexes are attached.
 */
export async function indexTree(sql: SqlClient, schemas: string[]): Promise<unknown[]> {
  const { rows } = await sql.query(
    `select n.nspname || '.' || ci.relname as index, pn.nspname || '.' || pi.relname as attached_to, i.indisvalid as valid
     from pg_index i join pg_class ci on ci.oid = i.indexrelid join pg_namespace n on n.oid = ci.relnamespace
     join pg_class ct on ct.oid = i.indrelid and ct.relkind in ('r', 'p')
     left join pg_inherits h on h.inhrelid = i.indexrelid left join pg_class pi on pi.oid = h.inhparent
     left join pg_namespace pn on pn.oid = pi.relnamespace
     where n.nspname = any($1::text[]) order by 1`,
    [schemas],
  );
  return rows;
}

/** /work/shared/acceptance/fk-violations.sql: "<violating rows> <foreign keys checked>". */
export async function acceptanceFkCheck(sql: SqlClient): Promise<string | null> {
  if (!FK_VIOLATIONS_SQL) return null;
  const cut = FK_VIOLATIONS_SQL.lastIndexOf('select coalesce');
  return sql.transaction(async (tx) => {
    await tx.exec(FK_VIOLATIONS_SQL.slice(0, cut));
    const { rows } = await tx.query(FK_VIOLATIONS_SQL.slice(cut).trim().replace(/;$/, ''));
    return String(Object.values(rows[0] ?? {})[0]);
  });
}

/** `sql` (and its transactions) with `onWrite` called on every write into a COPY … FROM STDIN stream. */
export function watchCopyWrites(sql: SqlClient, onWrite: () => void): SqlClient {
  return new Proxy(sql, {
    get(target, prop) {
      if (prop === 'transaction') {
        return <T>(fn: (tx: SqlClient) => Promise<T>) => target.transaction((tx) => fn(watchCopyWrites(tx, onWrite)));
      }
      if (prop === 'copyIn') {
        return async (statement: string) => {
          const copy = await target.copyIn(statement);
          const write = copy.stream.write.bind(copy.stream) as (...args: unknown[]) => boolean;
          copy.stream.write = ((...args: unknown[]) => {
            onWrite();
            return write(...args);
          }) as typeof copy.stream.write;
          return copy;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
