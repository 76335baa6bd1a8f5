/**
 * Dataset versions as downloadable files, streamed a row group at a time (never built in memory): one
 * table as `csv` or `parquet` (the dataset store's own encoding, rewritten so local and S3 stores answer
 * alike), or every table of a version as CSV files in one zip. The studio's `/export/…` downloads and
 * the REST `…/export` path both answer from here.
 *
 * CSV is RFC 4180: a header, CRLF line ends, each value as PostgreSQL's text, quoted when it holds a
 * comma, a quote or a line break; NULL is an empty field and the empty string is `""`.
 */
import { Zip, ZipDeflate } from 'fflate';
import { NotFoundError } from '../errors.ts';
import type { Tdm } from '../runtime.ts';
import { loadManifest } from '../store/datasets.ts';
import { writeParquet } from './parquet.ts';
import type { DatasetManifest, DatasetTableManifest, TextRow } from './types.ts';

export type ExportFormat = 'csv' | 'parquet';

/** A file being produced: its body is pulled by the client, so a slow reader holds back the reading. */
export interface ExportFile {
  contentType: string;
  /** `schema.table.csv`, `schema.table.parquet` or `<dataset name>.zip`. */
  fileName: string;
  body: ReadableStream<Uint8Array>;
}

export interface TableExport extends ExportFile {
  manifest: DatasetManifest;
  table: DatasetTableManifest;
}

/** Rows read per batch from the dataset store. */
const BATCH_SIZE = 10_000;
const encoder = new TextEncoder();

/** Finds the table (`schema.name`, or a name unique in the version) and streams it; NotFoundError otherwise. */
export async function exportTable(tdm: Tdm, datasetVersionId: string, tableName: string, format: ExportFormat): Promise<TableExport> {
  const manifest = await requireManifest(tdm, datasetVersionId);
  const table = manifest.tables.find((t) => (tableName.includes('.') ? `${t.schema}.${t.name}` === tableName : t.name === tableName));
  if (!table) throw new NotFoundError('table in dataset version', tableName);
  const fileName = `${table.schema}.${table.name}.${format}`;
  if (format === 'csv') {
    return { manifest, table, contentType: 'text/csv; charset=utf-8', fileName, body: fromIterable(tableCsv(tdm, datasetVersionId, table)) };
  }
  return { manifest, table, contentType: 'application/vnd.apache.parquet', fileName, body: tableParquet(tdm, datasetVersionId, table) };
}

/** Every table of a dataset version as `schema.table.csv` in one zip (deflated as it streams). */
export async function exportDatasetZip(tdm: Tdm, datasetVersionId: string): Promise<ExportFile & { manifest: DatasetManifest }> {
  const manifest = await requireManifest(tdm, datasetVersionId);
  return {
    manifest,
    contentType: 'application/zip',
    fileName: `${manifest.name || datasetVersionId}.zip`,
    body: fromIterable(datasetZip(tdm, datasetVersionId, manifest)),
  };
}

/** One CSV field: quoted only when it must be (or is the empty string, to tell it from NULL). */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return value === '' || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvLines(rows: readonly TextRow[]): string {
  let out = '';
  for (const row of rows) out += `${row.map(csvField).join(',')}\r\n`;
  return out;
}

async function requireManifest(tdm: Tdm, datasetVersionId: string): Promise<DatasetManifest> {
  const manifest = await loadManifest(tdm.store.prisma, datasetVersionId);
  if (!manifest) throw new NotFoundError('dataset version', datasetVersionId);
  return manifest;
}

async function* tableCsv(tdm: Tdm, datasetVersionId: string, table: DatasetTableManifest): AsyncGenerator<Uint8Array> {
  yield encoder.encode(csvLines([table.columns.map((c) => c.name)]));
  for await (const batch of tdm.datasets.readTable(datasetVersionId, table, { batchSize: BATCH_SIZE })) {
    yield encoder.encode(csvLines(batch));
  }
}

async function* datasetZip(tdm: Tdm, datasetVersionId: string, manifest: DatasetManifest): AsyncGenerator<Uint8Array> {
  const pending: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else pending.push(chunk);
  });
  function* drain(): Generator<Uint8Array> {
    if (failure) throw failure;
    while (pending.length) yield pending.shift() as Uint8Array;
  }
  for (const table of manifest.tables) {
    const entry = new ZipDeflate(`${table.schema}.${table.name}.csv`, { level: 6 });
    zip.add(entry);
    for await (const chunk of tableCsv(tdm, datasetVersionId, table)) {
      entry.push(chunk);
      yield* drain();
    }
    entry.push(new Uint8Array(0), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}

/** The Parquet writer pushes row groups into the sink and waits while the client has not read the last ones. */
function tableParquet(tdm: Tdm, datasetVersionId: string, table: DatasetTableManifest): ReadableStream<Uint8Array> {
  let resume: (() => void) | null = null;
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const sink = async (chunk: Uint8Array) => {
          if (cancelled) throw new Error('the download was cancelled');
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 1) <= 0) await new Promise<void>((r) => (resume = r));
        };
        writeParquet(table.columns, tdm.datasets.readTable(datasetVersionId, table, { batchSize: BATCH_SIZE }), sink).then(
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
}

/** A pull-based stream over an async iterable: the next chunk is produced when the reader asks for it. */
function fromIterable(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
