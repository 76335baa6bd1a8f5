/**
 * The post-provision PII gate: for every personal column in a target environment, counts the values
 * that still equal a real source value (not just values that look personal). A CI pipeline fails a
 * provisioning whose gate reports leaks.
 *
 * Columns are judged by taxonomy category (pii/taxonomy.ts): when the provisioned dataset was
 * masked, every column of a category the mask step was asked to transform must be free of real
 * values — also a column of that category the source classification missed but detection on the
 * target finds. Columns whose recommended technique is `keep` (countries) are reported as kept,
 * not as leaks; a shuffled column leaks only when more rows keep their own value than a random
 * permutation would leave in place, a generalized one when most rows keep their exact value.
 */
import type { Catalog } from '../../catalog/types.ts';
import { readCatalog } from '../../catalog/read-catalog.ts';
import { quoteIdent, quoteQualified } from '../../db/quote.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import type { DatasetTableManifest } from '../../dataset/types.ts';
import { NotFoundError } from '../../errors.ts';
import { classifyCatalog } from '../../pii/classify.ts';
import { piiRulesFromEnv } from '../../pii/rules-file.ts';
import { categoryOf, PII_CATEGORIES, type PiiCategory } from '../../pii/taxonomy.ts';
import type { Tdm } from '../../runtime.ts';
import { loadManifest } from '../../store/datasets.ts';

export interface PiiLeak {
  schema: string;
  table: string;
  column: string;
  piiType: string;
  /** Taxonomy category of `piiType`. */
  category: string;
  /** Distinct target values equal to a source value (rows keeping their own value, when lined up by key). */
  matches: number;
}

export interface PiiGateReport {
  environment: string;
  datasetVersionId: string;
  sourceDatasetVersionId: string;
  checkedColumns: number;
  /** Categories checked: those the mask step transformed, or every category when the dataset was not masked. */
  categories: string[];
  leaks: PiiLeak[];
}

/**
 * Rows that keep their own value by chance under a random permutation of `values`: Σ c² / n over
 * the value counts c. A shuffled column leaks only above that plus three standard deviations.
 */
export function shuffleChanceLimit(values: Iterable<string>): number {
  const counts = new Map<string, number>();
  let n = 0;
  for (const v of values) {
    counts.set(v, (counts.get(v) ?? 0) + 1);
    n++;
  }
  if (n === 0) return 0;
  let expected = 0;
  for (const c of counts.values()) expected += (c * c) / n;
  return expected + 3 * Math.sqrt(expected) + 1;
}

/** Counts, per personal column of the environment's tables, the target values that still equal a real source value. */
export async function scanTargetForPii(tdm: Tdm, input: { environment?: string | null; datasetVersionId?: string | null }): Promise<PiiGateReport> {
  const prisma = tdm.store.prisma;
  const env = await tdm.environments.resolve(input.environment);
  const datasetVersionId =
    input.datasetVersionId ??
    (await prisma.provisionedTable.findFirst({ where: { environmentId: env.id }, orderBy: { provisionedAt: 'desc' } }))?.datasetVersionId;
  if (!datasetVersionId) throw new NotFoundError('dataset version provisioned into environment', env.name);
  const { source, transformed, masked } = await maskingChain(prisma, datasetVersionId);
  const manifest = await loadManifest(prisma, source.id);
  if (!manifest) throw new NotFoundError('dataset version', source.id);

  const target = await tdm.environments.open(env);
  try {
    const schemas = [...new Set(manifest.tables.map((t) => t.schema))];
    const catalog: Catalog = await readCatalog(target, schemas, { exactCounts: false });
    // Detection on the target itself, plus whatever the source's classification knew; the source's
    // connection rules apply as they did on the source (its tables are the target's).
    const sourceSchema = manifest.schemaVersionId
      ? await prisma.schemaVersion.findUnique({ where: { id: manifest.schemaVersionId }, select: { schema: { select: { connectionId: true } } } })
      : null;
    const detected = await classifyCatalog(target, catalog, {
      sampleSize: 100,
      llm: tdm.llm,
      includeNone: false,
      rules: await piiRulesFromEnv(),
      connectionRules: await tdm.connections.piiRules(sourceSchema?.schema.connectionId),
    });
    const known = manifest.schemaVersionId
      ? await prisma.pIIClassification.findMany({ where: { schemaVersionId: manifest.schemaVersionId, NOT: { piiType: 'NONE' } } })
      : [];
    const columns = personalColumns(detected, known);
    // The categories the mask was asked to transform (every category when nothing was masked).
    const asked = new Set<string>(masked ? [] : PII_CATEGORIES.filter((c): c is PiiCategory => c !== 'NONE'));
    for (const [key, c] of columns) if (transformed.has(key)) asked.add(c.category);

    const leaks: PiiLeak[] = [];
    let checked = 0;
    for (const [key, candidate] of columns) {
      const technique = transformed.get(key) ?? candidate.technique;
      if (!asked.has(candidate.category) || technique === 'keep') continue;
      const { technique: _t, ...c } = candidate;
      const mt = manifest.tables.find((t) => t.schema === c.schema && t.name === c.table);
      const index = mt?.columns.findIndex((x) => x.name === c.column) ?? -1;
      if (!mt || index < 0 || !catalog.tables.some((t) => t.schema === c.schema && t.name === c.table && t.columns.some((x) => x.name === c.column))) continue;
      checked++;
      const def = catalog.tables.find((t) => t.schema === c.schema && t.name === c.table);
      const pk = def?.primaryKey?.columns ?? [];
      const pkIndex = pk.map((k) => mt.columns.findIndex((x) => x.name === k));
      const matches = await realValueMatches(tdm, target, c, technique, { sourceId: source.id, table: mt, index, key: pk, keyIndex: pkIndex });
      if (matches === null) continue;
      if (matches > 0) leaks.push({ ...c, matches });
    }
    return {
      environment: env.name,
      datasetVersionId,
      sourceDatasetVersionId: source.id,
      checkedColumns: checked,
      categories: PII_CATEGORIES.filter((c) => asked.has(c)),
      leaks,
    };
  } finally {
    await target.close();
  }
}

type Candidate = { schema: string; table: string; column: string; piiType: string; category: string; technique: string };

/**
 * The dataset at the root of `datasetVersionId`'s masking chain (the subset of the source: the real
 * values), what the chain's mask steps did (transformer per "schema.table.column") and whether it masked at all.
 */
async function maskingChain(
  prisma: Tdm['store']['prisma'],
  datasetVersionId: string,
): Promise<{ source: { id: string; kind: string; parentId: string | null }; transformed: Map<string, string>; masked: boolean }> {
  // The real values: the dataset at the root of the masking chain (the subset of the source).
  const first = await prisma.datasetVersion.findUnique({ where: { id: datasetVersionId }, select: { id: true, kind: true, parentId: true } });
  if (!first) throw new NotFoundError('dataset version', datasetVersionId);
  let source: { id: string; kind: string; parentId: string | null } = first;
  // What the mask steps of the chain did: transformer per "schema.table.column".
  const transformed = new Map<string, string>();
  let masked = false;
  while (source.kind === 'MASKED' && source.parentId) {
    masked = true;
    const meta = (await loadManifest(prisma, source.id))?.meta as { maskedColumns?: { column: string; transformer: string }[] } | undefined;
    for (const m of meta?.maskedColumns ?? []) if (!transformed.has(m.column)) transformed.set(m.column, m.transformer);
    const parent: typeof source | null = await prisma.datasetVersion.findUnique({
      where: { id: source.parentId },
      select: { id: true, kind: true, parentId: true },
    });
    if (!parent) break;
    source = parent;
  }
  return { source, transformed, masked };
}

/** The personal columns by "schema.table.column": detected on the target, then those the source's classification knew. */
function personalColumns(
  detected: Awaited<ReturnType<typeof classifyCatalog>>,
  known: { schemaName: string; tableName: string; columnName: string; piiType: string; technique: string }[],
): Map<string, Candidate> {
  const columns = new Map<string, Candidate>();
  for (const d of detected)
    if (d.piiType !== 'NONE')
      columns.set(`${d.schema}.${d.table}.${d.column}`, {
        schema: d.schema,
        table: d.table,
        column: d.column,
        piiType: d.piiType,
        category: d.category,
        technique: d.technique,
      });
  for (const k of known)
    columns.set(`${k.schemaName}.${k.tableName}.${k.columnName}`, {
      schema: k.schemaName,
      table: k.tableName,
      column: k.columnName,
      piiType: k.piiType,
      category: categoryOf(k.piiType),
      technique: k.technique,
    });
  return columns;
}

/** Where a candidate column's real values are: the source dataset, its table and the column's position there, and the table's key. */
interface RealValues {
  sourceId: string;
  table: DatasetTableManifest;
  index: number;
  key: string[];
  keyIndex: number[];
}

/**
 * How many target values of `c` still equal a real value: row by row through the key (a shuffled or
 * generalized column only past what chance or boundaries leave), or distinct values without a key;
 * null when there is nothing to compare (or a shuffle cannot be told without a key).
 */
async function realValueMatches(
  tdm: Tdm,
  target: SqlClient,
  c: Omit<Candidate, 'technique' | 'piiType' | 'category'>,
  technique: string,
  from: RealValues,
): Promise<number | null> {
  const { sourceId, table: mt, index, key: pk, keyIndex: pkIndex } = from;
  let matches = 0;
  if (pk.length && pkIndex.every((i) => i >= 0) && !pk.includes(c.column)) {
    // A leak is a row that still carries its own real value: compare row by row through the key.
    const real = new Map<string, string>();
    for await (const batch of tdm.datasets.readTable(sourceId, mt)) {
      for (const row of batch) {
        const v = row[index];
        if (v != null && v !== '') real.set(JSON.stringify(pkIndex.map((i) => row[i])), v);
      }
    }
    if (real.size === 0) return null;
    const keySql = pk.map((k) => `${quoteIdent(k)}::text`).join(', ');
    const { rows } = await target.query<{ k: string[]; v: string }>(
      `select array[${keySql}] as k, ${quoteIdent(c.column)}::text as v from ${quoteQualified(c.schema, c.table)} where ${quoteIdent(c.column)} is not null`,
    );
    matches = rows.filter((r) => real.get(JSON.stringify(r.k)) === r.v).length;
    // A permutation leaves some rows on their own value by chance; only more than that is a leak.
    if (technique === 'shuffle' && matches <= shuffleChanceLimit(real.values())) matches = 0;
    // Coarsening leaves values already on a boundary as they were (45000 in buckets of 1000): a leak is most rows unchanged.
    if (technique === 'generalize' && matches <= real.size / 2) matches = 0;
  } else if (technique === 'shuffle') {
    // Without a key to line rows up by, a shuffled column cannot be told from the original: its values are the same set.
    return null;
  } else {
    // No key to line rows up by (or the column is the key): any real value left counts.
    const real = new Set<string>();
    for await (const batch of tdm.datasets.readTable(sourceId, mt))
      for (const row of batch) if (row[index] != null && row[index] !== '') real.add(row[index] as string);
    if (real.size === 0) return null;
    const { rows } = await target.query<{ v: string }>(
      `select distinct ${quoteIdent(c.column)}::text as v from ${quoteQualified(c.schema, c.table)} where ${quoteIdent(c.column)} is not null`,
    );
    matches = rows.filter((r) => real.has(r.v)).length;
  }
  return matches;
}
