/**
 * One table of a dataset version as a downloadable file, streamed a row group at a time: `parquet`
 * (the dataset store's own encoding, rewritten so local and S3 stores answer alike) or `csv` (a
 * header, then each value as PostgreSQL's text, quoted as RFC 4180 wants; NULL is an empty field).
 */
import { NotFoundError } from '../errors.ts';
import type { Tdm } from '../runtime.ts';
import { loadManifest } from '../store/datasets.ts';
import { writeParquet } from './parquet.ts';
import type { DatasetTableManifest, TextRow } from './types.ts';

export type ExportFormat = 'csv' | 'parquet';

export interface TableExport {
  table: DatasetTableManifest;
  contentType: string;
  fileName: string;
  body: ReadableStream<Uint8Array>;
}

/** Finds the table (`schema.name`, or a name unique in the version) and streams it; NotFoundError otherwise. */
export async function exportTable(tdm: Tdm, datasetVersionId: string, tableName: string, format: ExportFormat): Promise<TableExport> {
  const manifest = await loadManifest(tdm.store.prisma, datasetVersionId);
  if (!manifest) throw new NotFoundError('dataset version', datasetVersionId);
  const table = manifest.tables.find((t) => (tableName.includes('.') ? `${t.schema}.${t.name}` === tableName : t.name === tableName));
  if (!table) throw new NotFoundError('table in dataset version', tableName);
  const batches = () => tdm.datasets.readTable(datasetVersionId, table, { batchSize: 10_000 });
  const fileName = `${table.schema}.${table.name}.${format}`;
  if (format === 'csv') {
    const encoder = new TextEncoder();
    const header = `${table.columns.map((c) => csvField(c.name)).join(',')}\n`;
    const iterator = batches()[Symbol.asyncIterator]();
    let started = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(header));
          return;
        }
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(csvLines(next.value)));
      },
      async cancel() {
        await iterator.return?.();
      },
    });
    return { table, contentType: 'text/csv; charset=utf-8', fileName, body };
  }
  // The Parquet writer pushes row groups into the sink and waits while the client has not read the last ones.
  let resume: (() => void) | null = null;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const sink = async (chunk: Uint8Array) => {
          if (cancelled) throw new Error('the download was cancelled');
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 1) <= 0) await new Promise<void>((r) => (resume = r));
        };
        writeParquet(table.columns, batches(), sink).then(
          () => controller.close(),
          (err) => (cancelled ? undefined : controller.error(err)),
        );
      },
      pull() {
        resume?.();
        resume = null;
      },
      cancel() {
        cancelled = true;
        resume?.();
      },
    },
    { highWaterMark: 4 },
  );
  return { table, contentType: 'application/vnd.apache.parquet', fileName, body };
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvLines(rows: TextRow[]): string {
  let out = '';
  for (const row of rows) out += `${row.map(csvField).join(',')}\n`;
  return out;
}
