import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { readCatalog } from '../../catalog/read-catalog.ts';
import type { DiscoverDeps } from './graph.ts';
import type { DiscoverStateType, DiscoverUpdate } from './state.ts';

/** Validates the input and resolves the password-free url of the source. */
export function resolveSource(deps: DiscoverDeps) {
  return async (state: DiscoverStateType): Promise<DiscoverUpdate> => {
    const schemas = [...new Set((state.schemas ?? []).map((s) => s.trim()).filter(Boolean))];
    const source = await deps.resolveSource(state.source);
    return { schemas: schemas.length ? schemas : ['public'], sourceUrl: source.displayUrl };
  };
}

/** Reads the catalog from the source and stores it as a schema version. */
export function readAndStore(deps: DiscoverDeps) {
  return async (state: DiscoverStateType, config?: LangGraphRunnableConfig): Promise<DiscoverUpdate> => {
    const started = deps.clock();
    deps.emit?.({
      step: 'discover',
      level: 'progress',
      message: `reading the catalog of ${state.sourceUrl} (${state.schemas.join(', ')})`,
      jobId: state.jobId ?? undefined,
    });
    const sql = await (await deps.resolveSource(state.source)).open();
    try {
      const catalog = await readCatalog(sql, state.schemas, deps.readOptions);
      config?.signal?.throwIfAborted();
      const saved = await deps.saveCatalog({ sourceUrl: state.sourceUrl ?? sql.redactedUrl, connectionId: state.source.connectionId, catalog });
      deps.onCatalog?.(saved.schemaVersionId, catalog);
      const tables = catalog.tables.filter((t) => !t.partitionOf);
      const summary = {
        database: catalog.database,
        serverVersion: catalog.serverVersion,
        tables: tables.length,
        partitions: catalog.tables.length - tables.length,
        columns: catalog.tables.reduce((n, t) => n + t.columns.length, 0),
        foreignKeys: catalog.tables.reduce((n, t) => n + t.foreignKeys.length, 0),
        enums: catalog.enums.length,
        rows: tables.reduce((n, t) => n + (t.rowCount ?? t.rowEstimate ?? 0), 0),
        durationMs: Math.round(deps.clock() - started),
        reused: !saved.created,
      };
      deps.emit?.({
        step: 'discover',
        level: 'progress',
        message: `${summary.tables} tables, ${summary.partitions} partitions, ${summary.foreignKeys} foreign keys → schema version ${saved.version}${saved.created ? '' : ' (unchanged)'}`,
        data: { ...summary, schemaVersionId: saved.schemaVersionId },
        jobId: state.jobId ?? undefined,
      });
      // A direct discovery has no job to link; the schema version itself is the artifact.
      const edges = state.jobId
        ? [
            {
              operation: 'discover',
              fromKind: 'JOB' as const,
              fromId: state.jobId,
              toKind: 'SCHEMA_VERSION' as const,
              toId: saved.schemaVersionId,
              config: { schemas: state.schemas },
            },
          ]
        : [];
      return { schemaVersionId: saved.schemaVersionId, schemaId: saved.schemaId, version: saved.version, summary, edges };
    } finally {
      await sql.close();
    }
  };
}
