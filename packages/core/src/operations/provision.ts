/**
 * Provision: load a dataset version into a registered target environment, refusing its own source.
 */
import { TdmError, NotFoundError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { databaseIdentity, provisionDataset, type ProvisionResult } from '../provision/provision.ts';
import type { Tdm } from '../runtime.ts';
import { loadManifest } from '../store/datasets.ts';
import { loadCatalog } from '../store/schema-store.ts';

export interface ProvisionInput {
  datasetVersionId: string;
  /** An environment's name or id; the default environment when absent. */
  environment?: string | null;
  resetEnv?: boolean | null;
  /** Migrate a target that already holds the dataset's objects instead of refusing (see provisionDataset). */
  migrate?: boolean | null;
  allowDestructive?: boolean | null;
  runSmokeTests?: boolean | null;
}

export interface ProvisionOutcome extends ProvisionResult {
  environmentId: string;
  environment: string;
  datasetVersionId: string;
  provisionedTableIds: string[];
}

export async function runProvision(
  tdm: Tdm,
  input: ProvisionInput,
  ctx: { emit?: EmitEvent; jobId?: string; signal?: AbortSignal } = {},
): Promise<ProvisionOutcome> {
  const manifest = await loadManifest(tdm.store.prisma, input.datasetVersionId);
  if (!manifest) throw new NotFoundError('dataset version', input.datasetVersionId);
  if (!manifest.schemaVersionId) throw new TdmError('INVALID_INPUT', 'the dataset version has no schema version to create its tables from');
  const catalog = await loadCatalog(tdm.store.prisma, manifest.schemaVersionId);
  const env = await tdm.environments.resolve(input.environment);
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
    const prisma = tdm.store.prisma;
    const ids: string[] = [];
    if (result.migration) {
      await prisma.lineage.create({
        data: {
          jobId: ctx.jobId ?? null,
          operation: 'migrate',
          fromKind: 'DATASET_VERSION',
          fromId: manifest.datasetVersionId,
          toKind: 'ENVIRONMENT',
          toId: env.id,
          fallbacks: [],
        },
      });
    }
    await prisma.$transaction(async (tx) => {
      if (input.resetEnv) await tx.provisionedTable.deleteMany({ where: { environmentId: env.id } });
      for (const t of result.tables) {
        await tx.provisionedTable.deleteMany({ where: { environmentId: env.id, schemaName: t.schema, tableName: t.name } });
        const row = await tx.provisionedTable.create({
          data: {
            environmentId: env.id,
            datasetVersionId: manifest.datasetVersionId,
            jobId: ctx.jobId ?? null,
            schemaName: t.schema,
            tableName: t.name,
            rowCount: BigInt(t.rowCount),
          },
        });
        ids.push(row.id);
      }
    });
    return { ...result, environmentId: env.id, environment: env.name, datasetVersionId: manifest.datasetVersionId, provisionedTableIds: ids };
  } finally {
    await target.close();
  }
}
