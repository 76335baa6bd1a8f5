/**
 * `GET /api/v1/datasets/{id}/tables/{schema.table}/export?format=csv|parquet`: a dataset table as a
 * file, streamed. Not a GraphQL field (GraphQL answers JSON), so it checks the token itself, as the
 * GraphQL context does.
 */
import { exportTable } from '@tdm/core/dataset/export';
import { TdmError } from '@tdm/core/errors';
import type { Tdm } from '@tdm/core/runtime';
import { resolveActor } from '../auth.ts';
import { rawId } from '../schema/catalog.ts';
import { errorResponse, REST_BASE, statusOf } from './handler.ts';

const PATTERN = new RegExp(`^${REST_BASE}/datasets/([^/]+)/tables/([^/]+)/export/?$`);

export async function handleExport(tdm: Tdm, request: Request, authRequired: boolean): Promise<Response | null> {
  const url = new URL(request.url);
  const m = PATTERN.exec(url.pathname);
  if (!m) return null;
  if (request.method !== 'GET') return errorResponse(405, { code: 'METHOD_NOT_ALLOWED', message: 'use GET' });
  try {
    await resolveActor(tdm, request.headers.get('authorization'), authRequired);
  } catch (err) {
    return errorResponse(401, { code: 'UNAUTHENTICATED', message: (err as Error).message });
  }
  const format = url.searchParams.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'parquet')
    return errorResponse(400, { code: 'INVALID_INPUT', message: `format ${JSON.stringify(format)}: csv or parquet` });
  try {
    const id = rawId(decodeURIComponent(m[1]!), 'DatasetVersion')!;
    const file = await exportTable(tdm, id, decodeURIComponent(m[2]!), format);
    return new Response(file.body, {
      headers: {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${file.fileName.replace(/"/g, '')}"`,
        'x-row-count': String(file.table.rowCount),
      },
    });
  } catch (err) {
    if (err instanceof TdmError) return errorResponse(statusOf(err.code), { type: err.constructor.name, code: err.code, message: err.message });
    throw err;
  }
}
