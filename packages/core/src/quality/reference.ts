/**
 * What a dataset is compared with. A subset (and a schema-mode synthetic dataset whose source is
 * known) against a sample of the source — `TABLESAMPLE SYSTEM` on large tables, so only a few
 * pages are read, never the whole table — taken in a READ ONLY transaction; a domain-mode dataset
 * against what its pack declares (synthetic/domain/declared.ts: weights, ranges and their
 * distributions, date ranges, pattern shapes, null rates). A masked dataset's reference, its
 * input dataset, is read in step with it (scan.ts).
 */
import type { Catalog } from '../catalog/types.ts';
import type { DatasetColumn, DatasetManifest } from '../dataset/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { loadDomainPack, resolveScenario } from '../synthetic/domain/packs.ts';
import { columnType } from '../synthetic/domain/columns.ts';
import { type DeclaredField, declaredField } from '../synthetic/domain/declared.ts';
import type { ColumnProfile } from './profile.ts';
import { columnProfiles, seedOf } from './scan.ts';

/** Rows sampled per source table. */
export const SOURCE_SAMPLE_ROWS = 2000;

/** Profiles of a sample of each table of the source, aligned with the dataset's columns. */
export async function sampleSource(
  sql: SqlClient,
  catalog: Catalog,
  tables: { key: string; schema: string; name: string; columns: DatasetColumn[] }[],
  rows = SOURCE_SAMPLE_ROWS,
): Promise<Map<string, ColumnProfile[]>> {
  const out = new Map<string, ColumnProfile[]>();
  await sql.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION READ ONLY');
    for (const t of tables) {
      const def = catalog.tables.find((x) => x.schema === t.schema && x.name === t.name) ?? null;
      if (!def) continue;
      const present = new Set(def.columns.map((c) => c.name));
      const cols = t.columns.map((c, i) => `${present.has(c.name) ? `${quoteIdent(c.name)}::text` : 'NULL::text'} AS c${i}`);
      const size = def.rowCount ?? def.rowEstimate ?? 0;
      // A few pages at random: enough blocks for ~3× the rows wanted, so LIMIT rarely comes up short.
      const percent = size > rows * 2 ? Math.min(100, Math.max(0.01, (300 * rows) / size)) : null;
      const from = `${quoteQualified(t.schema, t.name)}${percent === null ? '' : ` TABLESAMPLE SYSTEM (${percent.toFixed(4)}) REPEATABLE (42)`}`;
      const sampled = await sampleRows(
        tx,
        `SELECT ${cols.join(', ')} FROM ${from} LIMIT ${rows}`,
        `SELECT ${cols.join(', ')} FROM ${quoteQualified(t.schema, t.name)} LIMIT ${rows}`,
      );
      const profiles = columnProfiles(t.columns, def, catalog, seedOf(t.key) + 1);
      for (const r of sampled) for (const [i, p] of profiles.entries()) p.add(r[`c${i}`] ?? null);
      out.set(t.key, profiles);
    }
  });
  return out;
}

/**
 * The sample; where TABLESAMPLE is refused (a foreign table, a view-like relation) the first rows
 * instead — still never a full scan. A savepoint keeps the transaction usable after the refusal.
 */
async function sampleRows(tx: SqlClient, sampled: string, plain: string): Promise<Record<string, string | null>[]> {
  if (sampled === plain) return (await tx.query<Record<string, string | null>>(plain)).rows;
  await tx.exec('SAVEPOINT tdm_sample');
  try {
    const { rows } = await tx.query<Record<string, string | null>>(sampled);
    await tx.exec('RELEASE SAVEPOINT tdm_sample');
    return rows;
  } catch {
    await tx.exec('ROLLBACK TO SAVEPOINT tdm_sample');
    return (await tx.query<Record<string, string | null>>(plain)).rows;
  }
}

/** What the pack declares about a domain-mode dataset's columns, by `schema.table` then column. */
export function declaredDistributions(manifest: DatasetManifest): Map<string, Map<string, DeclaredField>> {
  const meta = manifest.meta as { pack?: string; scenario?: string };
  const out = new Map<string, Map<string, DeclaredField>>();
  if (!meta.pack) return out;
  const scenario = resolveScenario(loadDomainPack(meta.pack), meta.scenario ?? null);
  const enums = scenario.pack.enums ?? {};
  for (const [entity, spec] of scenario.entities) {
    const table = manifest.tables.find((t) => t.name === entity);
    if (!table) continue;
    const columns = new Map<string, DeclaredField>();
    for (const [field, f] of Object.entries(spec.fields)) {
      if (f.virtual) continue;
      const d = declaredField(f, columnType(f.type, enums), table.rowCount);
      if (d.distribution) columns.set(field, d);
    }
    out.set(`${table.schema}.${table.name}`, columns);
  }
  return out;
}
