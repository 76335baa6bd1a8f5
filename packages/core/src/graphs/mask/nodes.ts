/**
 * Mask: a new dataset version from an existing one, with PII columns transformed. Rules default to
 * the techniques of the schema version's PII classification (a user's override wins); explicit rules
 * override per column.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { InvalidInputError, NotFoundError } from '../../errors.ts';
import { type MaskResult, maskTables, type MaskRules } from '../../mask/executor.ts';
import { copiedColumns, type FieldLineageInput } from '../../lineage/fields.ts';
import type { LineageEdgeInput } from '../../lineage/record.ts';
import type { Tdm } from '../../runtime.ts';
import { loadManifest, saveDatasetVersion } from '../../store/datasets.ts';
import { defaultMaskRules } from '../../store/pii.ts';
import { loadCatalog } from '../../store/schema-store.ts';
import { loadSecretKey } from '../../store/secrets.ts';
import type { MaskDeps } from './graph.ts';
import type { MaskStateType, MaskUpdate } from './state.ts';

/** The salt: the caller's, else TDM_MASK_SALT, else derived from the instance's secret key. */
export function maskSalt(tdm: Tdm, explicit?: string | null): string {
  if (explicit) return explicit;
  if (process.env.TDM_MASK_SALT) return process.env.TDM_MASK_SALT;
  return createHash('sha256')
    .update(`tdm-mask\n${loadSecretKey(tdm.config.secretKey, tdm.config.dataDir)}`)
    .digest('hex');
}

/** Transforms the parent dataset's PII columns into a new dataset version. */
export function mask(deps: MaskDeps) {
  return async (state: MaskStateType, config?: LangGraphRunnableConfig): Promise<MaskUpdate> => {
    const { tdm } = deps;
    const manifest = await loadManifest(tdm.store.prisma, state.datasetVersionId);
    if (!manifest) throw new NotFoundError('dataset version', state.datasetVersionId);
    if (!manifest.schemaVersionId) throw new InvalidInputError('the dataset version has no schema version: its columns cannot be matched to rules');
    const catalog = await loadCatalog(tdm.store.prisma, manifest.schemaVersionId);
    const defaults = await defaultMaskRules(tdm.store.prisma, manifest.schemaVersionId);
    const rules: MaskRules = { ...defaults.rules, ...(state.rules ?? {}) };
    if (Object.keys(rules).length === 0) {
      // Classified and nothing personal found: the data passes through as a masked version of its own,
      // so the lineage still reads subset → mask → provision. Never classified: that is a mistake.
      const classified = await tdm.store.prisma.pIIClassification.count({ where: { schemaVersionId: manifest.schemaVersionId } });
      if (classified === 0) throw new InvalidInputError('nothing to mask: give rules, or classify the schema version for PII first (operation pii)');
      deps.emit?.({
        step: 'mask',
        level: 'info',
        message: `no column needed masking: the PII classification found no personal data in ${classified} columns; the data passes through unchanged`,
        data: { classifiedColumns: classified, maskedColumns: 0 },
      });
    }
    const datasetVersionId = randomUUID();
    const writer = tdm.datasets.createWriter(datasetVersionId);
    try {
      const result = await maskTables(tdm.datasets, manifest, catalog, writer, {
        rules,
        salt: maskSalt(tdm, deps.salt),
        piiTypes: defaults.piiTypes,
        emit: deps.emit,
        signal: config?.signal,
      });
      const next = await writer.finish({
        name: state.name ?? `${manifest.name} (masked)`,
        kind: 'MASKED',
        schemaVersionId: manifest.schemaVersionId,
        parentId: manifest.datasetVersionId,
        jobId: state.jobId,
        meta: { ...manifest.meta, rulesHash: result.rulesHash, maskedColumns: result.columns, remapped: result.remapped },
      });
      await saveDatasetVersion(tdm.store.prisma, next, tdm.datasets.uri);
      // The rule set's hash stands for the config: the salt itself is never recorded.
      const edges: LineageEdgeInput[] = [
        {
          operation: 'mask',
          fromKind: 'DATASET_VERSION',
          fromId: manifest.datasetVersionId,
          toKind: 'DATASET_VERSION',
          toId: datasetVersionId,
          config: { rulesHash: result.rulesHash },
        },
      ];
      if (state.jobId)
        edges.push({
          operation: 'mask',
          fromKind: 'JOB' as const,
          fromId: state.jobId,
          toKind: 'DATASET_VERSION' as const,
          toId: datasetVersionId,
          config: { rulesHash: result.rulesHash },
        });
      const outcome = { ...result, datasetVersionId, parentId: manifest.datasetVersionId, totalRows: result.tables.reduce((n, t) => n + t.rowCount, 0) };
      const fieldLineage = [
        { owner: { kind: 'DATASET_VERSION' as const, id: datasetVersionId }, fields: maskedFields(next.tables, manifest.datasetVersionId, rules, result) },
      ];
      return { outcome, edges, fieldLineage };
    } catch (err) {
      await writer.abort().catch(() => undefined);
      throw err;
    }
  };
}

/** Each column of the masked dataset: from the parent's column, with its transformer (and params hash) when masked. */
function maskedFields(
  tables: { schema: string; name: string; columns: { name: string }[] }[],
  parentId: string,
  rules: MaskRules,
  result: MaskResult,
): FieldLineageInput[] {
  const applied = new Map(result.columns.map((c) => [c.column, c]));
  return copiedColumns(tables, 'DATASET_COLUMN', parentId).map((f) => {
    const rule = applied.get(f.origin);
    if (!rule) return f;
    // A rule spread along a foreign key keeps the params of the column it came from.
    const key = rule.propagatedFrom ?? f.origin;
    const params = (rules[key] ?? rules[key.slice(key.indexOf('.') + 1)])?.params ?? {};
    return {
      ...f,
      transform: rule.propagatedFrom ? `${rule.transformer} (via ${rule.propagatedFrom})` : rule.transformer,
      params: { transformer: rule.transformer, params },
    };
  });
}
