/** A page of a dataset table's rows as plain objects (ints, floats and booleans as JSON values). */
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { DatasetColumn, TextRow } from './types.ts';
import type { Tdm } from '../runtime.ts';
import { loadManifest } from '../store/datasets.ts';

export interface PreviewResult {
  schema: string;
  table: string;
  columns: DatasetColumn[];
  rowCount: number;
  rows: Record<string, unknown>[];
}

export async function previewRows(
  tdm: Tdm,
  datasetVersionId: string,
  table: string,
  options: { limit?: number; offset?: number } = {},
): Promise<PreviewResult> {
  const manifest = await loadManifest(tdm.store.prisma, datasetVersionId);
  if (!manifest) throw new NotFoundError('dataset version', datasetVersionId);
  const wanted = table.includes('.') ? table : null;
  const t = manifest.tables.find((x) => (wanted ? `${x.schema}.${x.name}` === wanted : x.name === table));
  if (!t) throw new NotFoundError('table in dataset version', table);
  const limit = Math.min(Math.max(options.limit ?? 50, 0), 1000);
  const offset = Math.max(options.offset ?? 0, 0);
  if (!Number.isInteger(limit) || !Number.isInteger(offset)) throw new InvalidInputError('limit and offset must be integers');
  const rows: Record<string, unknown>[] = [];
  for await (const batch of tdm.datasets.readTable(datasetVersionId, t, { offset, limit })) {
    for (const r of batch) {
      if (rows.length >= limit) break;
      rows.push(toObject(t.columns, r));
    }
    if (rows.length >= limit) break;
  }
  return { schema: t.schema, table: t.name, columns: t.columns, rowCount: t.rowCount, rows };
}

const NUMBER_TYPES = new Set(['smallint', 'integer', 'real', 'double precision']);

function toObject(columns: DatasetColumn[], row: TextRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    const v = row[i] ?? null;
    if (v === null) out[c.name] = null;
    else if (c.pgType === 'boolean') out[c.name] = v === 't';
    else if (NUMBER_TYPES.has(c.pgType) && Number.isFinite(Number(v))) out[c.name] = Number(v);
    else out[c.name] = v;
  });
  return out;
}
