/**
 * Subset: plan a referentially intact slice of a source (pure planner), select it inside the source
 * and stream it into a new dataset version.
 */
import { randomUUID } from 'node:crypto';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { InvalidInputError, NotFoundError } from '../../errors.ts';
import { copiedColumns } from '../../lineage/fields.ts';
import type { LineageEdgeInput } from '../../lineage/record.ts';
import { databaseIdentity } from '../../provision/provision.ts';
import { saveDatasetVersion } from '../../store/datasets.ts';
import { loadCatalog } from '../../store/schema-store.ts';
import { executeSubset } from '../../subset/executor.ts';
import { formatPlan, planSubset } from '../../subset/planner.ts';
import { runDiscover } from '../discover/graph.ts';
import type { SubsetDeps } from './graph.ts';
import type { SubsetStateType, SubsetUpdate } from './state.ts';

/** The schema version to cut and the source to read: given, the schema's stored connection, or discovered now. */
export function resolveInputs(deps: SubsetDeps) {
  return async (state: SubsetStateType, config?: LangGraphRunnableConfig): Promise<SubsetUpdate> => {
    let source = state.source;
    const id = state.request.schemaVersionId;
    if (id) {
      const sv = await deps.tdm.store.prisma.schemaVersion.findUnique({ where: { id }, include: { schema: true } });
      if (!sv) throw new NotFoundError('schema version', id);
      if (!source && sv.schema.connectionId) source = { connectionId: sv.schema.connectionId };
      if (!source) throw new InvalidInputError('this schema version has no stored connection: give connectionId or connectionString to read its rows');
      return { source, schemaVersionId: sv.id };
    }
    if (!source) throw new InvalidInputError('subset needs schemaVersionId, connectionId or connectionString');
    const discovered = await runDiscover(
      deps.tdm,
      { source, schemas: state.request.schemas ?? ['public'] },
      {
        emit: deps.emit,
        jobId: state.jobId,
        signal: config?.signal,
        resolveSource: deps.resolveSource,
        retry: deps.retry,
        onCatalog: (id, catalog) => deps.discovered?.set(id, catalog),
      },
    );
    return { source, schemaVersionId: discovered.schemaVersionId, fallbacks: discovered.fallbacks };
  };
}

/** Plans the subset, selects it in the source and writes the dataset version. */
export function cut(deps: SubsetDeps) {
  return async (state: SubsetStateType, runConfig?: LangGraphRunnableConfig): Promise<SubsetUpdate> => {
    const { tdm, emit } = deps;
    const schemaVersionId = state.schemaVersionId as string;
    const input = state.request;
    const catalog = deps.discovered?.get(schemaVersionId) ?? (await loadCatalog(tdm.store.prisma, schemaVersionId));
    const plan = planSubset(catalog, {
      rootTable: input.rootTable ?? undefined,
      maxRowsPerTable: input.maxRowsPerTable ?? undefined,
      where: input.where ?? undefined,
    });
    const planText = formatPlan(plan);
    emit?.({ step: 'subset', level: 'progress', message: `plan:\n${planText}`, data: { root: plan.root, tables: plan.tables.length } });

    const sql = await (await deps.resolveSource(state.source as { connectionId: string })).open();
    const datasetVersionId = randomUUID();
    const writer = tdm.datasets.createWriter(datasetVersionId);
    try {
      const identity = await databaseIdentity(sql);
      const result = await executeSubset(sql, catalog, plan, writer, { emit, signal: runConfig?.signal });
      const manifest = await writer.finish({
        name: input.name ?? `${catalog.database} subset`,
        kind: 'SUBSET',
        schemaVersionId,
        parentId: null,
        jobId: state.jobId,
        meta: { plan, cut: result.cut, sourceIdentity: identity, maxRowsPerTable: input.maxRowsPerTable ?? null, rootTable: plan.root },
      });
      await saveDatasetVersion(tdm.store.prisma, manifest, tdm.datasets.uri);
      const config = { rootTable: input.rootTable ?? null, maxRowsPerTable: input.maxRowsPerTable ?? null, where: input.where ?? null };
      const edges: LineageEdgeInput[] = [
        { operation: 'subset', fromKind: 'SCHEMA_VERSION', fromId: schemaVersionId, toKind: 'DATASET_VERSION', toId: datasetVersionId, config },
      ];
      if (state.jobId) edges.push({ operation: 'subset', fromKind: 'JOB', fromId: state.jobId, toKind: 'DATASET_VERSION', toId: datasetVersionId, config });
      const fieldLineage = [
        { owner: { kind: 'DATASET_VERSION' as const, id: datasetVersionId }, fields: copiedColumns(manifest.tables, 'SOURCE_COLUMN', schemaVersionId) },
      ];
      return {
        edges,
        fieldLineage,
        outcome: {
          datasetVersionId,
          schemaVersionId,
          plan,
          planText,
          tables: result.tables,
          cut: result.cut,
          totalRows: result.tables.reduce((n, t) => n + t.rowCount, 0),
          durationMs: result.durationMs,
        },
      };
    } catch (err) {
      await writer.abort().catch(() => undefined);
      throw err;
    } finally {
      await sql.close();
    }
  };
}
