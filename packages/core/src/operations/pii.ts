/**
 * PII: classify every column of a schema version (names, sampled values, optional LLM) and store the
 * result; a user's override is stored on the source and wins on every later run.
 */
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { classifyCatalog, type PiiOverride } from '../pii/classify.ts';
import { piiRulesFromEnv } from '../pii/rules-file.ts';
import { categoryOf, TECHNIQUES } from '../pii/taxonomy.ts';
import { PII_TYPES, type PiiClassificationResult, type PiiType } from '../pii/types.ts';
import type { Tdm } from '../runtime.ts';
import { loadCatalog } from '../store/schema-store.ts';

export interface PiiColumn {
  schema: string;
  table: string;
  column: string;
  piiType: string;
  /** Taxonomy category of `piiType` (pii/taxonomy.ts). */
  category: string;
  confidence: number;
  technique: string;
  evidence: unknown;
  source: string;
}

export async function runClassifyPii(
  tdm: Tdm,
  input: { schemaVersionId: string; sampleSize?: number | null },
  ctx: { emit?: EmitEvent } = {},
): Promise<PiiColumn[]> {
  const sv = await tdm.store.prisma.schemaVersion.findUnique({ where: { id: input.schemaVersionId }, include: { schema: true } });
  if (!sv) throw new NotFoundError('schema version', input.schemaVersionId);
  if (!sv.schema.connectionId)
    throw new InvalidInputError(
      'this schema version was discovered from an inline connection string: discover it through a stored connection to sample its values',
    );
  const catalog = await loadCatalog(tdm.store.prisma, sv.id);
  const overrides = (
    await tdm.store.prisma.pIIClassification.findMany({ where: { schemaId: sv.schemaId, source: 'OVERRIDE' }, orderBy: { createdAt: 'asc' } })
  ).map((o): PiiOverride => ({ schema: o.schemaName, table: o.tableName, column: o.columnName, piiType: o.piiType as PiiType, technique: o.technique }));
  // A team's rules file (TDM_PII_RULES), read and validated before the source is opened.
  const rules = await piiRulesFromEnv();
  const sql = await tdm.connections.open({ connectionId: sv.schema.connectionId });
  let results: PiiClassificationResult[];
  try {
    results = await classifyCatalog(sql, catalog, { sampleSize: input.sampleSize ?? 100, llm: tdm.llm, overrides, rules });
  } finally {
    await sql.close();
  }
  await tdm.store.prisma.$transaction([
    tdm.store.prisma.pIIClassification.deleteMany({ where: { schemaVersionId: sv.id } }),
    tdm.store.prisma.pIIClassification.createMany({
      data: results
        .filter((r) => r.source !== 'OVERRIDE')
        .map((r) => ({
          schemaVersionId: sv.id,
          schemaName: r.schema,
          tableName: r.table,
          columnName: r.column,
          piiType: r.piiType,
          confidence: r.confidence,
          technique: r.technique,
          evidence: r.evidence as unknown as object,
          source: r.source,
        })),
    }),
  ]);
  const found = results.filter((r) => r.piiType !== 'NONE');
  ctx.emit?.({
    step: 'pii',
    level: 'progress',
    message: `${found.length} personal columns in ${results.length} columns`,
    data: { columns: results.length, pii: found.length },
  });
  return results.map(toColumn);
}

export async function overridePii(
  tdm: Tdm,
  input: { schemaVersionId: string; schema?: string | null; table: string; column: string; piiType: string; technique?: string | null },
): Promise<PiiColumn> {
  if (!(PII_TYPES as readonly string[]).includes(input.piiType))
    throw new InvalidInputError(`unknown piiType ${JSON.stringify(input.piiType)}`, { known: PII_TYPES });
  const sv = await tdm.store.prisma.schemaVersion.findUnique({ where: { id: input.schemaVersionId } });
  if (!sv) throw new NotFoundError('schema version', input.schemaVersionId);
  const catalog = await loadCatalog(tdm.store.prisma, sv.id);
  const table = catalog.tables.find((t) => t.name === input.table && (!input.schema || t.schema === input.schema));
  if (!table?.columns.some((c) => c.name === input.column))
    throw new NotFoundError('column', `${input.schema ?? ''}${input.schema ? '.' : ''}${input.table}.${input.column}`);
  const technique = input.technique ?? TECHNIQUES[input.piiType as PiiType] ?? 'redact';
  await tdm.store.prisma.pIIClassification.deleteMany({
    where: { schemaId: sv.schemaId, source: 'OVERRIDE', schemaName: table.schema, tableName: table.name, columnName: input.column },
  });
  const row = await tdm.store.prisma.pIIClassification.create({
    data: {
      schemaId: sv.schemaId,
      schemaName: table.schema,
      tableName: table.name,
      columnName: input.column,
      piiType: input.piiType,
      confidence: 1,
      technique,
      evidence: [{ detector: 'override', piiType: input.piiType, confidence: 1, evidence: 'set by a user' }],
      source: 'OVERRIDE',
    },
  });
  return {
    schema: row.schemaName,
    table: row.tableName,
    column: row.columnName,
    piiType: row.piiType,
    category: categoryOf(row.piiType),
    confidence: row.confidence,
    technique: row.technique,
    evidence: row.evidence,
    source: row.source,
  };
}

function toColumn(r: PiiClassificationResult): PiiColumn {
  return {
    schema: r.schema,
    table: r.table,
    column: r.column,
    piiType: r.piiType,
    category: r.category,
    confidence: r.confidence,
    technique: r.technique,
    evidence: r.evidence,
    source: r.source,
  };
}
