/**
 * The post-provision PII gate: for every personal column in a target environment, counts the values
 * that still equal a real source value (not just values that look personal). A CI pipeline fails a
 * provisioning whose gate reports leaks.
 */
import type { Catalog } from '../../catalog/types.ts';
import { readCatalog } from '../../catalog/read-catalog.ts';
import { quoteIdent, quoteQualified } from '../../db/quote.ts';
import { NotFoundError } from '../../errors.ts';
import { classifyCatalog } from '../../pii/classify.ts';
import type { Tdm } from '../../runtime.ts';
import { loadManifest } from '../../store/datasets.ts';

export interface PiiLeak {
  schema: string;
  table: string;
  column: string;
  piiType: string;
  /** Distinct target values equal to a source value. */
  matches: number;
}

export interface PiiGateReport {
  environment: string;
  datasetVersionId: string;
  sourceDatasetVersionId: string;
  checkedColumns: number;
  leaks: PiiLeak[];
}

export async function scanTargetForPii(tdm: Tdm, input: { environment?: string | null; datasetVersionId?: string | null }): Promise<PiiGateReport> {
  const prisma = tdm.store.prisma;
  const env = await tdm.environments.resolve(input.environment);
  const datasetVersionId =
    input.datasetVersionId ??
    (await prisma.provisionedTable.findFirst({ where: { environmentId: env.id }, orderBy: { provisionedAt: 'desc' } }))?.datasetVersionId;
  if (!datasetVersionId) throw new NotFoundError('dataset version provisioned into environment', env.name);
  // The real values: the dataset at the root of the masking chain (the subset of the source).
  const first = await prisma.datasetVersion.findUnique({ where: { id: datasetVersionId }, select: { id: true, kind: true, parentId: true } });
  if (!first) throw new NotFoundError('dataset version', datasetVersionId);
  let source: { id: string; kind: string; parentId: string | null } = first;
  while (source.kind === 'MASKED' && source.parentId) {
    const parent: typeof source | null = await prisma.datasetVersion.findUnique({
      where: { id: source.parentId },
      select: { id: true, kind: true, parentId: true },
    });
    if (!parent) break;
    source = parent;
  }
  const manifest = await loadManifest(prisma, source.id);
  if (!manifest) throw new NotFoundError('dataset version', source.id);

  const target = await tdm.environments.open(env);
  try {
    const schemas = [...new Set(manifest.tables.map((t) => t.schema))];
    const catalog: Catalog = await readCatalog(target, schemas, { exactCounts: false });
    // Detection on the target itself, plus whatever the source's classification knew.
    const detected = await classifyCatalog(target, catalog, { sampleSize: 100, llm: tdm.llm, includeNone: false });
    const known = manifest.schemaVersionId
      ? await prisma.pIIClassification.findMany({ where: { schemaVersionId: manifest.schemaVersionId, NOT: { piiType: 'NONE' } } })
      : [];
    const columns = new Map<string, { schema: string; table: string; column: string; piiType: string }>();
    for (const d of detected)
      if (d.piiType !== 'NONE') columns.set(`${d.schema}.${d.table}.${d.column}`, { schema: d.schema, table: d.table, column: d.column, piiType: d.piiType });
    for (const k of known)
      columns.set(`${k.schemaName}.${k.tableName}.${k.columnName}`, { schema: k.schemaName, table: k.tableName, column: k.columnName, piiType: k.piiType });

    const leaks: PiiLeak[] = [];
    let checked = 0;
    for (const c of columns.values()) {
      const mt = manifest.tables.find((t) => t.schema === c.schema && t.name === c.table);
      const index = mt?.columns.findIndex((x) => x.name === c.column) ?? -1;
      if (!mt || index < 0 || !catalog.tables.some((t) => t.schema === c.schema && t.name === c.table && t.columns.some((x) => x.name === c.column))) continue;
      checked++;
      const def = catalog.tables.find((t) => t.schema === c.schema && t.name === c.table);
      const pk = def?.primaryKey?.columns ?? [];
      const pkIndex = pk.map((k) => mt.columns.findIndex((x) => x.name === k));
      let matches = 0;
      if (pk.length && pkIndex.every((i) => i >= 0) && !pk.includes(c.column)) {
        // A leak is a row that still carries its own real value: compare row by row through the key.
        const real = new Map<string, string>();
        for await (const batch of tdm.datasets.readTable(source.id, mt)) {
          for (const row of batch) {
            const v = row[index];
            if (v != null && v !== '') real.set(JSON.stringify(pkIndex.map((i) => row[i])), v);
          }
        }
        if (real.size === 0) continue;
        const keySql = pk.map((k) => `${quoteIdent(k)}::text`).join(', ');
        const { rows } = await target.query<{ k: string[]; v: string }>(
          `select array[${keySql}] as k, ${quoteIdent(c.column)}::text as v from ${quoteQualified(c.schema, c.table)} where ${quoteIdent(c.column)} is not null`,
        );
        matches = rows.filter((r) => real.get(JSON.stringify(r.k)) === r.v).length;
      } else {
        // No key to line rows up by (or the column is the key): any real value left counts.
        const real = new Set<string>();
        for await (const batch of tdm.datasets.readTable(source.id, mt))
          for (const row of batch) if (row[index] != null && row[index] !== '') real.add(row[index] as string);
        if (real.size === 0) continue;
        const { rows } = await target.query<{ v: string }>(
          `select distinct ${quoteIdent(c.column)}::text as v from ${quoteQualified(c.schema, c.table)} where ${quoteIdent(c.column)} is not null`,
        );
        matches = rows.filter((r) => real.has(r.v)).length;
      }
      if (matches > 0) leaks.push({ ...c, matches });
    }
    return { environment: env.name, datasetVersionId, sourceDatasetVersionId: source.id, checkedColumns: checked, leaks };
  } finally {
    await target.close();
  }
}
