/**
 * Subset: plan a referentially intact slice of a source (pure planner), select it inside the source
 * and stream it into a new dataset version.
 */
import { randomUUID } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { databaseIdentity } from '../provision/provision.ts';
import type { Tdm } from '../runtime.ts';
import type { SourceRef } from '../store/connections.ts';
import { saveDatasetVersion } from '../store/datasets.ts';
import { loadCatalog } from '../store/schema-store.ts';
import { executeSubset } from '../subset/executor.ts';
import { formatPlan, planSubset, type SubsetPlan } from '../subset/planner.ts';

export interface SubsetInput {
  schemaVersionId?: string | null;
  connectionId?: string | null;
  connectionString?: string | null;
  schemas?: string[] | null;
  rootTable?: string | null;
  /** `{"*": 5000, "orders": 50000}`; absent → a full copy. */
  maxRowsPerTable?: Record<string, number> | null;
  /** Per-table SQL filters: `{ "customer": "store_id = 1" }`. */
  where?: Record<string, string> | null;
  name?: string | null;
}

export interface SubsetOutcome {
  datasetVersionId: string;
  schemaVersionId: string;
  plan: SubsetPlan;
  planText: string;
  tables: { schema: string; name: string; rowCount: number }[];
  cut: { table: string; wanted: number; kept: number; reason: string }[];
  totalRows: number;
  durationMs: number;
}

export async function runSubset(tdm: Tdm, input: SubsetInput, ctx: { emit?: EmitEvent; jobId?: string; signal?: AbortSignal } = {}): Promise<SubsetOutcome> {
  const { source, schemaVersionId } = await resolveSource(tdm, input, ctx);
  const catalog = await loadCatalog(tdm.store.prisma, schemaVersionId);
  const plan = planSubset(catalog, {
    rootTable: input.rootTable ?? undefined,
    maxRowsPerTable: input.maxRowsPerTable ?? undefined,
    where: input.where ?? undefined,
  });
  const planText = formatPlan(plan);
  ctx.emit?.({ step: 'subset', level: 'progress', message: `plan:\n${planText}`, data: { root: plan.root, tables: plan.tables.length } });

  const sql = await tdm.connections.open(source);
  const datasetVersionId = randomUUID();
  const writer = tdm.datasets.createWriter(datasetVersionId);
  try {
    const identity = await databaseIdentity(sql);
    const result = await executeSubset(sql, catalog, plan, writer, { emit: ctx.emit, signal: ctx.signal });
    const manifest = await writer.finish({
      name: input.name ?? `${catalog.database} subset`,
      kind: 'SUBSET',
      schemaVersionId,
      parentId: null,
      jobId: ctx.jobId ?? null,
      meta: { plan, cut: result.cut, sourceIdentity: identity, maxRowsPerTable: input.maxRowsPerTable ?? null, rootTable: plan.root },
    });
    await saveDatasetVersion(tdm.store.prisma, manifest, tdm.datasets.uri);
    return {
      datasetVersionId,
      schemaVersionId,
      plan,
      planText,
      tables: result.tables,
      cut: result.cut,
      totalRows: result.tables.reduce((n, t) => n + t.rowCount, 0),
      durationMs: result.durationMs,
    };
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  } finally {
    await sql.close();
  }
}

async function resolveSource(tdm: Tdm, input: SubsetInput, ctx: { emit?: EmitEvent; jobId?: string }): Promise<{ source: SourceRef; schemaVersionId: string }> {
  if (input.connectionId && input.connectionString) throw new InvalidInputError('give either connectionString or connectionId, not both');
  let source: SourceRef | null = input.connectionId ? { connectionId: input.connectionId } : null;
  if (!source && input.connectionString) source = { connectionId: (await tdm.connections.upsertInline(input.connectionString)).id };
  if (input.schemaVersionId) {
    const sv = await tdm.store.prisma.schemaVersion.findUnique({ where: { id: input.schemaVersionId }, include: { schema: true } });
    if (!sv) throw new NotFoundError('schema version', input.schemaVersionId);
    if (!source) {
      if (!sv.schema.connectionId) {
        throw new InvalidInputError(
          'this schema version was discovered from an inline connection string: give connectionId or connectionString to read its rows',
        );
      }
      source = { connectionId: sv.schema.connectionId };
    }
    return { source, schemaVersionId: sv.id };
  }
  if (!source) throw new InvalidInputError('subset needs schemaVersionId, connectionId or connectionString');
  const discovered = await tdm.discoverSchema(
    { connectionId: (source as { connectionId: string }).connectionId, schemas: input.schemas ?? ['public'] },
    { emit: ctx.emit, jobId: ctx.jobId },
  );
  return { source, schemaVersionId: discovered.schemaVersionId };
}
