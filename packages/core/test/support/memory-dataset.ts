/**
 * A dataset store in memory for provisioning tests: rows as TextRow arrays, handed out in small
 * batches so every load streams several of them; or produced on the fly by a generator, never
 * held at all. `dumpDataset` fills it from a source database with COPY, as a full-copy subset would.
 */
import type { Catalog, TableDef } from '../../src/catalog/types.ts';
import { copyTextToBatches } from '../../src/dataset/copy-text.ts';
import type { DatasetManifest, DatasetStore, TableRef, TextRow } from '../../src/dataset/types.ts';
import { quoteIdent, quoteQualified } from '../../src/db/quote.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';

export const provisionable = (catalog: Catalog) => catalog.tables.filter((t) => t.kind !== 'FOREIGN_TABLE');
export const key = (t: TableRef) => `${t.schema}.${t.name}`;
export const selectList = (t: TableDef) => t.columns.map((c) => quoteIdent(c.name)).join(', ');

export interface StoredTable {
  rows?: TextRow[];
  generate?: () => Iterable<TextRow>;
}

export class MemoryStore implements DatasetStore {
  readonly uri = 'memory:';
  readonly versions = new Map<string, { manifest: DatasetManifest; tables: Map<string, StoredTable> }>();
  constructor(readonly batchSize = 7) {}

  put(manifest: DatasetManifest, tables: Map<string, StoredTable>): DatasetManifest {
    this.versions.set(manifest.datasetVersionId, { manifest, tables });
    return manifest;
  }
  createWriter(): never {
    throw new Error('not used by these tests');
  }
  async readManifest(id: string): Promise<DatasetManifest> {
    const v = this.versions.get(id);
    if (!v) throw new Error(`no dataset ${id}`);
    return v.manifest;
  }
  async *readTable(id: string, table: TableRef): AsyncIterable<TextRow[]> {
    const stored = this.versions.get(id)?.tables.get(`${table.schema}.${table.name}`);
    if (!stored) throw new Error(`no table ${table.schema}.${table.name} in ${id}`);
    let batch: TextRow[] = [];
    for (const row of stored.rows ?? stored.generate?.() ?? []) {
      batch.push(row);
      if (batch.length >= this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  async delete(id: string): Promise<void> {
    this.versions.delete(id);
  }
}

/** Every table's own rows (FROM ONLY), generated columns included: the provisioner must leave those out. */
export async function dumpDataset(store: MemoryStore, source: SqlClient, catalog: Catalog, id: string): Promise<DatasetManifest> {
  const tables = new Map<string, StoredTable>();
  const manifest: DatasetManifest = {
    formatVersion: 1,
    datasetVersionId: id,
    name: id,
    kind: 'SUBSET',
    schemaVersionId: null,
    parentId: null,
    jobId: null,
    createdAt: new Date(0).toISOString(),
    tables: [],
    meta: {},
  };
  for (const t of provisionable(catalog)) {
    const out = await source.copyOut(`COPY (SELECT ${selectList(t)} FROM ONLY ${quoteQualified(t.schema, t.name)}) TO STDOUT`);
    const rows: TextRow[] = [];
    for await (const batch of copyTextToBatches(out, 1000)) rows.push(...batch);
    tables.set(key(t), { rows });
    manifest.tables.push({
      schema: t.schema,
      name: t.name,
      file: `${t.schema}.${t.name}.parquet`,
      rowCount: rows.length,
      bytes: 0,
      checksum: '',
      columns: t.columns.map((c) => ({ name: c.name, pgType: c.dataType, nullable: c.nullable, parquetType: 'STRING' })),
    });
  }
  return store.put(manifest, tables);
}
