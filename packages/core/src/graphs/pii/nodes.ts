/**
 * PII: classify every column of a schema version (names, sampled values when a source is available,
 * optional LLM) and store the result; a user's override is stored on the source and wins on every
 * later run.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { InvalidInputError, NotFoundError } from '../../errors.ts';
import { classifyCatalog, type PiiOverride } from '../../pii/classify.ts';
import { piiRulesFromEnv } from '../../pii/rules-file.ts';
import { categoryOf, TECHNIQUES } from '../../pii/taxonomy.ts';
import { PII_TYPES, type PiiClassificationResult, type PiiType } from '../../pii/types.ts';
import type { Tdm } from '../../runtime.ts';
import { loadCatalog } from '../../store/schema-store.ts';
import type { PiiDeps } from './graph.ts';
import type { PiiColumn, PiiStateType, PiiUpdate } from './state.ts';

/** The source to sample: the caller's, else the schema's stored connection, else none (names and types only). */
export function chooseSource(deps: PiiDeps) {
  return async (state: PiiStateType): Promise<PiiUpdate> => {
    const sv = await deps.tdm.store.prisma.schemaVersion.findUnique({ where: { id: state.schemaVersionId }, include: { schema: true } });
    if (!sv) throw new NotFoundError('schema version', state.schemaVersionId);
    const source = state.source ?? (sv.schema.connectionId ? { connectionId: sv.schema.connectionId } : null);
    if (!source) {
      deps.emit?.({ step: 'pii', level: 'warn', message: 'no connection to this source: classifying by names and types only, no value sampled' });
    }
    return { source };
  };
}

/** Classifies the catalog (sampling values when there is a source) and stores the result. */
export function classifyAndStore(deps: PiiDeps) {
  return async (state: PiiStateType, config?: LangGraphRunnableConfig): Promise<PiiUpdate> => {
    const { prisma } = deps.tdm.store;
    const sv = await prisma.schemaVersion.findUniqueOrThrow({ where: { id: state.schemaVersionId }, include: { schema: { select: { connectionId: true } } } });
    const catalog = await loadCatalog(prisma, sv.id);
    const overrides = (await prisma.pIIClassification.findMany({ where: { schemaId: sv.schemaId, source: 'OVERRIDE' }, orderBy: { createdAt: 'asc' } })).map(
      (o): PiiOverride => ({ schema: o.schemaName, table: o.tableName, column: o.columnName, piiType: o.piiType as PiiType, technique: o.technique }),
    );
    // A team's rules file (TDM_PII_RULES), then the rules of the connection the schema was discovered
    // through (else of the source sampled now), read and validated before the source is opened.
    const connectionId = sv.schema.connectionId ?? state.source?.connectionId ?? null;
    const rules = await piiRulesFromEnv();
    const connectionRules = await deps.tdm.connections.piiRules(connectionId);
    const sql = state.source ? await (await deps.resolveSource(state.source)).open() : null;
    let results: PiiClassificationResult[];
    try {
      results = await classifyCatalog(sql, catalog, { sampleSize: state.sampleSize, llm: deps.tdm.llm, overrides, rules, connectionRules });
    } finally {
      await sql?.close();
    }
    config?.signal?.throwIfAborted();
    await prisma.$transaction([
      prisma.pIIClassification.deleteMany({ where: { schemaVersionId: sv.id } }),
      prisma.pIIClassification.createMany({
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
    const valuesSampled = sql !== null;
    const found = results.filter((r) => r.piiType !== 'NONE');
    deps.emit?.({
      step: 'pii',
      level: 'progress',
      message: `${found.length} personal columns in ${results.length} columns${valuesSampled ? '' : ' (names and types only: no value sampled)'}`,
      data: { columns: results.length, pii: found.length, valuesSampled },
    });
    return { columns: results.map((r) => toColumn(r, valuesSampled)), valuesSampled };
  };
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
    valuesSampled: null,
  };
}

function toColumn(r: PiiClassificationResult, valuesSampled: boolean): PiiColumn {
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
    valuesSampled,
  };
}
