/**
 * Writes a generated dataset into the dataset store: the catalog of a mode's own tables becomes a
 * schema version of its synthetic source (so provisioning creates the tables like any other), then
 * each table's rows stream into its Parquet file, in load order, with progress events.
 */
import { randomUUID } from 'node:crypto';
import type { EmitEvent } from '../jobs/events.ts';
import type { Tdm } from '../runtime.ts';
import { saveDatasetVersion } from '../store/datasets.ts';
import { saveCatalog } from '../store/schema-store.ts';
import type { GeneratedDataset } from './types.ts';

export interface WrittenSynthetic {
  datasetVersionId: string;
  schemaVersionId: string;
  tables: { schema: string; name: string; rowCount: number }[];
  totalRows: number;
  durationMs: number;
}

const BATCH = 8192;

export async function writeGenerated(
  tdm: Tdm,
  generated: GeneratedDataset,
  ctx: { emit?: EmitEvent; jobId?: string | null; signal?: AbortSignal; name?: string | null } = {},
): Promise<WrittenSynthetic> {
  const started = performance.now();
  let schemaVersionId = generated.schemaVersionId;
  if (!schemaVersionId) {
    if (!generated.sourceUrl) throw new Error('a generated dataset needs a schema version or a synthetic source url');
    const saved = await saveCatalog(tdm.store.prisma, { sourceUrl: generated.sourceUrl, name: generated.catalog.database, catalog: generated.catalog });
    schemaVersionId = saved.schemaVersionId;
  }
  const datasetVersionId = randomUUID();
  const writer = tdm.datasets.createWriter(datasetVersionId);
  const tables: WrittenSynthetic['tables'] = [];
  try {
    for (const t of generated.tables) {
      ctx.signal?.throwIfAborted();
      const tableStarted = performance.now();
      const written = await writer.writeTable(t.table, abortable(t.rows(BATCH), ctx.signal));
      tables.push({ schema: t.table.schema, name: t.table.name, rowCount: written.rowCount });
      const seconds = (performance.now() - tableStarted) / 1000;
      ctx.emit?.({
        step: 'synthetic',
        level: 'progress',
        message: `${t.table.schema}.${t.table.name}: ${written.rowCount} rows (${Math.round(written.rowCount / Math.max(seconds, 1e-6))} rows/s)`,
        data: { table: `${t.table.schema}.${t.table.name}`, rows: written.rowCount, seconds },
      });
    }
    const manifest = await writer.finish({
      name: ctx.name ?? `${generated.catalog.database} (synthetic, ${generated.mode.toLowerCase()})`,
      kind: 'SYNTHETIC',
      schemaVersionId,
      parentId: null,
      jobId: ctx.jobId ?? null,
      meta: { ...generated.meta, mode: generated.mode },
    });
    await saveDatasetVersion(tdm.store.prisma, manifest, tdm.datasets.uri);
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
  return {
    datasetVersionId,
    schemaVersionId,
    tables,
    totalRows: tables.reduce((n, t) => n + t.rowCount, 0),
    durationMs: performance.now() - started,
  };
}

async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncIterable<T> {
  for await (const item of source) {
    signal?.throwIfAborted();
    yield item;
  }
}
