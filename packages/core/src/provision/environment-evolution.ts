/**
 * Schema evolution and migration scripts for a registered environment against a dataset version:
 * the target's live schema is read (never changed) and compared with the schema the dataset
 * version was taken from. Each report is recorded in lineage (environment ← dataset version).
 */
import { createHash } from 'node:crypto';
import { TdmError, NotFoundError } from '../errors.ts';
import type { Tdm } from '../runtime.ts';
import { loadManifest } from '../store/datasets.ts';
import { loadCatalog } from '../store/schema-store.ts';
import { type EvolutionReport, evolutionReport } from './errors.ts';
import { evolutionOf, type MigrationScript, writeMigration } from './migration.ts';

export interface EnvironmentEvolutionInput {
  /** An environment's name or id. */
  environment: string;
  datasetVersionId: string;
}

export interface EnvironmentEvolution extends EvolutionReport {
  environmentId: string;
  environment: string;
  datasetVersionId: string;
}

export interface EnvironmentMigration extends MigrationScript {
  environmentId: string;
  environment: string;
  datasetVersionId: string;
  /** The changes the script makes, in its order. */
  changes: EvolutionReport['changes'];
}

async function compare(tdm: Tdm, input: EnvironmentEvolutionInput, operation: 'schemaEvolution' | 'migrationScript', jobId: string | null) {
  const manifest = await loadManifest(tdm.store.prisma, input.datasetVersionId);
  if (!manifest) throw new NotFoundError('dataset version', input.datasetVersionId);
  if (!manifest.schemaVersionId) throw new TdmError('INVALID_INPUT', 'the dataset version has no schema version to compare the environment with');
  const catalog = await loadCatalog(tdm.store.prisma, manifest.schemaVersionId);
  const env = await tdm.environments.resolve(input.environment);
  const target = await tdm.environments.open(env);
  try {
    const { evolution } = await evolutionOf(target, catalog, manifest.tables);
    const report = evolutionReport(evolution);
    await tdm.store.prisma.lineage.create({
      data: {
        jobId,
        operation,
        fromKind: 'DATASET_VERSION',
        fromId: manifest.datasetVersionId,
        toKind: 'ENVIRONMENT',
        toId: env.id,
        // What the environment looked like against the dataset: the same report hashes the same.
        configHash: createHash('sha256').update(JSON.stringify(report)).digest('hex'),
        fallbacks: [],
      },
    });
    return { env, manifest, evolution, report };
  } finally {
    await target.close();
  }
}

/**
 * What differs between an environment's live schema and a dataset version's schema, and whether
 * the dataset's rows can be loaded into it as it is (`compatible`).
 */
export async function environmentEvolution(tdm: Tdm, input: EnvironmentEvolutionInput, ctx: { jobId?: string } = {}): Promise<EnvironmentEvolution> {
  const { env, manifest, report } = await compare(tdm, input, 'schemaEvolution', ctx.jobId ?? null);
  return { ...report, environmentId: env.id, environment: env.name, datasetVersionId: manifest.datasetVersionId };
}

/**
 * The SQL script that makes an environment's schema equal a dataset version's schema, to review
 * and apply with psql (`provisionDataset` with `migrate` applies the same statements itself).
 */
export async function environmentMigration(tdm: Tdm, input: EnvironmentEvolutionInput, ctx: { jobId?: string } = {}): Promise<EnvironmentMigration> {
  const { env, manifest, evolution, report } = await compare(tdm, input, 'migrationScript', ctx.jobId ?? null);
  const script = writeMigration(
    evolution,
    `TDM migration of environment ${env.name} to the schema of dataset version ${manifest.datasetVersionId}\nmade ${new Date().toISOString()}`,
  );
  return { ...script, changes: report.changes, environmentId: env.id, environment: env.name, datasetVersionId: manifest.datasetVersionId };
}
