/**
 * Provision: load a dataset version into a registered target environment (all or nothing: one
 * transaction on the target), refusing its own source.
 */
import { randomUUID } from 'node:crypto';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { NotFoundError, TdmError } from '../../errors.ts';
import { copiedColumns } from '../../lineage/fields.ts';
import { databaseIdentity, provisionDataset } from '../../provision/provision.ts';
import { insertRows } from '../../store/bulk-insert.ts';
import { assertResetAllowed } from '../../store/target-safety.ts';
import { loadManifest } from '../../store/datasets.ts';
import { loadCatalog } from '../../store/schema-store.ts';
import type { ProvisionDeps } from './graph.ts';
import type { ProvisionStateType, ProvisionUpdate } from './state.ts';

/** Loads the dataset into the environment and records its provisioned tables. */
export function provision(deps: ProvisionDeps) {
  return async (state: ProvisionStateType, config?: LangGraphRunnableConfig): Promise<ProvisionUpdate> => {
    const { tdm } = deps;
    const input = state.request;
    const ctx = { emit: deps.emit, jobId: state.jobId, signal: config?.signal };
    const manifest = await loadManifest(tdm.store.prisma, input.datasetVersionId);
    if (!manifest) throw new NotFoundError('dataset version', input.datasetVersionId);
    if (!manifest.schemaVersionId) throw new TdmError('INVALID_INPUT', 'the dataset version has no schema version to create its tables from');
    const catalog = await loadCatalog(tdm.store.prisma, manifest.schemaVersionId);
    const env = await tdm.environments.resolve(input.environment);
    assertResetAllowed(env, input.resetEnv);
    const target = await tdm.environments.open(env);
    try {
      const identity = await databaseIdentity(target);
      if (manifest.meta?.sourceIdentity && manifest.meta.sourceIdentity === identity) {
        throw new TdmError('CONFLICT', `environment ${env.name} is the dataset's own source database: TDM never provisions into a source`, {
          details: { environment: env.name },
        });
      }
      const result = await provisionDataset(target, {
        store: tdm.datasets,
        manifest,
        catalog,
        resetEnv: input.resetEnv ?? false,
        migrate: input.migrate ?? false,
        allowDestructive: input.allowDestructive ?? false,
        runSmokeTests: input.runSmokeTests ?? true,
        emit: ctx.emit,
        signal: ctx.signal,
      });
      const ids = await recordProvisionedTables(tdm.store.prisma, env.id, manifest.datasetVersionId, ctx.jobId ?? null, result.tables, input.resetEnv ?? false);
      const edges = provisionEdges(manifest.datasetVersionId, env, input, ids, Boolean(result.migration));
      const outcome = { ...result, environmentId: env.id, environment: env.name, datasetVersionId: manifest.datasetVersionId, provisionedTableIds: ids };
      // Each provisioned table's columns come unchanged from the dataset's table of the same name.
      const fieldLineage = result.tables.map((t, i) => ({
        owner: { kind: 'TABLE' as const, id: ids[i] as string },
        fields: copiedColumns(
          manifest.tables.filter((m) => m.schema === t.schema && m.name === t.name),
          'DATASET_COLUMN',
          manifest.datasetVersionId,
        ),
      }));
      return { outcome, edges, fieldLineage };
    } finally {
      await target.close();
    }
  };
}

/** Records the tables now in the environment (all of its tables replaced on a reset); returns their ids in `tables` order. */
async function recordProvisionedTables(
  prisma: ProvisionDeps['tdm']['store']['prisma'],
  environmentId: string,
  datasetVersionId: string,
  jobId: string | null,
  tables: { schema: string; name: string; rowCount: number }[],
  reset: boolean,
): Promise<string[]> {
  // One statement per kind, not per table: the metadata store may be an embedded PGlite.
  const ids = tables.map(() => randomUUID());
  const replaced = reset
    ? prisma.provisionedTable.deleteMany({ where: { environmentId } })
    : prisma.provisionedTable.deleteMany({ where: { environmentId, OR: tables.map((t) => ({ schemaName: t.schema, tableName: t.name })) } });
  const inserted = insertRows(
    prisma,
    'ProvisionedTable',
    { id: 'text', environmentId: 'text', datasetVersionId: 'text', jobId: 'text', schemaName: 'text', tableName: 'text', rowCount: 'int8' },
    tables.map((t, i) => ({ id: ids[i], environmentId, datasetVersionId, jobId, schemaName: t.schema, tableName: t.name, rowCount: t.rowCount })),
  );
  if (reset || tables.length) await prisma.$transaction([replaced, inserted]);
  return ids;
}

/** Lineage: the dataset went into the environment and each of its tables, and migrated the environment's schema first when it had to. */
function provisionEdges(datasetVersionId: string, env: { id: string; name: string }, input: ProvisionStateType['request'], ids: string[], migrated: boolean) {
  return [
    {
      operation: 'provision',
      fromKind: 'DATASET_VERSION' as const,
      fromId: datasetVersionId,
      toKind: 'ENVIRONMENT' as const,
      toId: env.id,
      config: { environment: env.name, resetEnv: input.resetEnv ?? false, migrate: input.migrate ?? false, runSmokeTests: input.runSmokeTests ?? true },
    },
    ...ids.map((id) => ({
      operation: 'provision',
      fromKind: 'DATASET_VERSION' as const,
      fromId: datasetVersionId,
      toKind: 'TABLE' as const,
      toId: id,
    })),
    // A migrated target: its schema was brought over to the dataset's before the load.
    ...(migrated
      ? [
          {
            operation: 'migrate',
            fromKind: 'DATASET_VERSION' as const,
            fromId: datasetVersionId,
            toKind: 'ENVIRONMENT' as const,
            toId: env.id,
            config: { allowDestructive: input.allowDestructive ?? false },
          },
        ]
      : []),
  ];
}
