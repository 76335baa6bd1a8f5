/**
 * Mask: a new dataset version from an existing one, with PII columns transformed. Rules default to
 * the techniques of the schema version's PII classification (a user's override wins); explicit rules
 * override per column.
 */
import { createHash, randomUUID } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { maskTables, type MaskResult, type MaskRules } from '../mask/executor.ts';
import type { Tdm } from '../runtime.ts';
import { loadManifest, saveDatasetVersion } from '../store/datasets.ts';
import { loadCatalog } from '../store/schema-store.ts';
import { loadSecretKey } from '../store/secrets.ts';

export interface MaskInput {
  datasetVersionId: string;
  rules?: MaskRules | null;
  /** Overrides the configured salt (TDM_MASK_SALT); never stored. */
  salt?: string | null;
  name?: string | null;
}

export interface MaskOutcome extends MaskResult {
  datasetVersionId: string;
  parentId: string;
  totalRows: number;
}

/** The salt: the caller's, else TDM_MASK_SALT, else derived from the instance's secret key. */
export function maskSalt(tdm: Tdm, explicit?: string | null): string {
  if (explicit) return explicit;
  if (process.env.TDM_MASK_SALT) return process.env.TDM_MASK_SALT;
  return createHash('sha256')
    .update(`tdm-mask\n${loadSecretKey(tdm.config.secretKey, tdm.config.dataDir)}`)
    .digest('hex');
}

/** Default rules: each classified PII column's recommended technique (overrides first). */
export async function defaultMaskRules(tdm: Tdm, schemaVersionId: string): Promise<{ rules: MaskRules; piiTypes: Record<string, string> }> {
  const sv = await tdm.store.prisma.schemaVersion.findUnique({ where: { id: schemaVersionId }, select: { schemaId: true } });
  if (!sv) return { rules: {}, piiTypes: {} };
  const rows = await tdm.store.prisma.pIIClassification.findMany({
    where: { OR: [{ schemaVersionId }, { schemaId: sv.schemaId, source: 'OVERRIDE' }] },
    orderBy: { createdAt: 'asc' },
  });
  const chosen = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    const k = `${r.schemaName}.${r.tableName}.${r.columnName}`;
    const prev = chosen.get(k);
    if (!prev || r.source === 'OVERRIDE' || (prev.source !== 'OVERRIDE' && r.createdAt >= prev.createdAt)) chosen.set(k, r);
  }
  const rules: MaskRules = {};
  const piiTypes: Record<string, string> = {};
  for (const [k, r] of chosen) {
    if (r.piiType === 'NONE' || !r.technique || r.technique === 'none' || r.technique === 'keep') continue;
    rules[k] = { transformer: r.technique };
    piiTypes[k] = r.piiType;
  }
  return { rules, piiTypes };
}

export async function runMask(tdm: Tdm, input: MaskInput, ctx: { emit?: EmitEvent; jobId?: string; signal?: AbortSignal } = {}): Promise<MaskOutcome> {
  const manifest = await loadManifest(tdm.store.prisma, input.datasetVersionId);
  if (!manifest) throw new NotFoundError('dataset version', input.datasetVersionId);
  if (!manifest.schemaVersionId) throw new InvalidInputError('the dataset version has no schema version: its columns cannot be matched to rules');
  const catalog = await loadCatalog(tdm.store.prisma, manifest.schemaVersionId);
  const defaults = await defaultMaskRules(tdm, manifest.schemaVersionId);
  const rules: MaskRules = { ...defaults.rules, ...(input.rules ?? {}) };
  if (Object.keys(rules).length === 0) {
    throw new InvalidInputError('nothing to mask: give rules, or classify the schema version for PII first (operation pii)');
  }
  const datasetVersionId = randomUUID();
  const writer = tdm.datasets.createWriter(datasetVersionId);
  try {
    const result = await maskTables(tdm.datasets, manifest, catalog, writer, {
      rules,
      salt: maskSalt(tdm, input.salt),
      piiTypes: defaults.piiTypes,
      emit: ctx.emit,
      signal: ctx.signal,
    });
    const next = await writer.finish({
      name: input.name ?? `${manifest.name} (masked)`,
      kind: 'MASKED',
      schemaVersionId: manifest.schemaVersionId,
      parentId: manifest.datasetVersionId,
      jobId: ctx.jobId ?? null,
      meta: { ...manifest.meta, rulesHash: result.rulesHash, maskedColumns: result.columns, remapped: result.remapped },
    });
    await saveDatasetVersion(tdm.store.prisma, next, tdm.datasets.uri);
    return { ...result, datasetVersionId, parentId: manifest.datasetVersionId, totalRows: result.tables.reduce((n, t) => n + t.rowCount, 0) };
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}
