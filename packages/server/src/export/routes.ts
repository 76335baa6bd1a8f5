/**
 * File downloads beside the GraphQL endpoint, streamed as they are produced (never built in memory):
 *
 * - `GET /export/datasets.csv` — the dataset catalog, one line per dataset version;
 * - `GET /export/datasets/<id>.zip` — every table of a dataset version as CSV, in one zip;
 * - `GET /export/datasets/<id>/<schema.table>.csv` — one table of a dataset version;
 * - `GET /export/audit.csv?severity=&action=&since=&until=` — the audit log rows `auditLogs` would list.
 *
 * Dataset files come from core's one export (`@tdm/core/dataset/export`, shared with the REST path):
 * table rows are read batch by batch from the Parquet dataset store and the response waits for the
 * socket to drain between chunks, so a slow client holds back the reading, not the memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFoundError, TdmError } from '@tdm/core/errors';
import type { Tdm } from '@tdm/core/runtime';
import { exportDatasetZip, exportTable } from '@tdm/core/dataset/export';
import { auditWhere } from '../schema/audit.ts';
import { rawId } from '../schema/catalog.ts';
import { csvLine, safeFileName } from './csv.ts';

const PAGE = 500;

/** Writes and, when the socket's buffer is full, waits until it drains. */
async function write(res: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
}

function start(res: ServerResponse, type: string, fileName: string) {
  res.writeHead(200, {
    'content-type': type,
    'content-disposition': `attachment; filename="${fileName}"`,
    'cache-control': 'no-store',
  });
}

async function datasetsCsv(tdm: Tdm, res: ServerResponse) {
  start(res, 'text/csv; charset=utf-8', 'datasets.csv');
  await write(res, csvLine(['id', 'name', 'kind', 'totalRows', 'tables', 'bytes', 'createdAt', 'derivedFrom', 'schemaVersionId']));
  let cursor: string | undefined;
  for (;;) {
    const page = await tdm.store.prisma.datasetVersion.findMany({
      select: {
        id: true,
        name: true,
        kind: true,
        totalRows: true,
        bytes: true,
        createdAt: true,
        parentId: true,
        schemaVersionId: true,
        _count: { select: { tables: true } },
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const d of page) {
      await write(res, csvLine([d.id, d.name, d.kind, d.totalRows, d._count.tables, d.bytes, d.createdAt, d.parentId, d.schemaVersionId]));
    }
    if (page.length < PAGE) break;
    cursor = page[page.length - 1]?.id;
  }
  res.end();
}

/** Sends a file produced by core's dataset export, waiting for the socket to drain between chunks. */
async function send(res: ServerResponse, type: string, fileName: string, body: ReadableStream<Uint8Array>) {
  start(res, type, fileName);
  for await (const chunk of body) await write(res, chunk);
  res.end();
}

async function tableCsv(tdm: Tdm, res: ServerResponse, datasetVersionId: string, tableName: string) {
  const file = await exportTable(tdm, datasetVersionId, tableName, 'csv');
  const { manifest, table } = file;
  await send(res, file.contentType, `${safeFileName(`${manifest.name || datasetVersionId}-${table.schema}.${table.name}`)}.csv`, file.body);
}

async function datasetZip(tdm: Tdm, res: ServerResponse, datasetVersionId: string) {
  const file = await exportDatasetZip(tdm, datasetVersionId);
  await send(res, file.contentType, `${safeFileName(file.manifest.name || datasetVersionId)}.zip`, file.body);
}

async function auditCsv(tdm: Tdm, res: ServerResponse, params: URLSearchParams) {
  const date = (name: string) => {
    const v = params.get(name);
    if (!v) return null;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw new BadRequest(`${name} is not a date-time: ${v}`);
    return d;
  };
  const severity = params.get('severity') || null;
  if (severity && !['INFO', 'WARNING', 'CRITICAL'].includes(severity)) throw new BadRequest(`unknown severity: ${severity}`);
  const where = auditWhere({ severity: severity as 'INFO' | null, action: params.get('action') || null, since: date('since'), until: date('until') });
  start(res, 'text/csv; charset=utf-8', 'audit-log.csv');
  await write(res, csvLine(['createdAt', 'severity', 'action', 'actor', 'target', 'targetKind', 'details', 'id']));
  let cursor: string | undefined;
  for (;;) {
    const page = await tdm.store.prisma.auditLog.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const a of page) await write(res, csvLine([a.at, a.severity, a.action, a.actor, a.targetId, a.targetKind, a.details, a.id]));
    if (page.length < PAGE) break;
    cursor = page[page.length - 1]?.id;
  }
  res.end();
}

class BadRequest extends Error {}

/**
 * Answers `/export/…` requests and returns true; returns false for every other path.
 * `authorize` throws when the request may not read (a server with TDM_AUTH=required and no token).
 */
export async function handleExport(
  tdm: Tdm,
  req: IncomingMessage,
  res: ServerResponse,
  authorize: (authorization: string | null) => Promise<unknown>,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://tdm.local');
  if (!url.pathname.startsWith('/export/')) return false;
  const fail = (status: number, message: string) => {
    if (res.headersSent) res.destroy(new Error(message));
    else res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    fail(405, 'method not allowed');
    return true;
  }
  try {
    await authorize(req.headers.authorization ?? null);
  } catch {
    fail(401, 'an API token is required');
    return true;
  }
  try {
    const path = decodeURIComponent(url.pathname.slice('/export/'.length));
    const zip = path.match(/^datasets\/([^/]+)\.zip$/);
    const table = path.match(/^datasets\/([^/]+)\/([^/]+)\.csv$/);
    if (path === 'datasets.csv') await datasetsCsv(tdm, res);
    else if (path === 'audit.csv') await auditCsv(tdm, res, url.searchParams);
    else if (zip) await datasetZip(tdm, res, rawId(zip[1], 'DatasetVersion') as string);
    else if (table) await tableCsv(tdm, res, rawId(table[1], 'DatasetVersion') as string, table[2] as string);
    else fail(404, `no export at ${url.pathname}`);
  } catch (err) {
    if (err instanceof BadRequest || err instanceof URIError) fail(400, err.message);
    else if (err instanceof NotFoundError) fail(404, err.message);
    else if (err instanceof TdmError) fail(400, err.message);
    else {
      console.error('export failed', err);
      fail(500, 'export failed');
    }
  }
  return true;
}
