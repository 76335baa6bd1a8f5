/**
 * The quality report of a dataset version: every table streamed once (scan.ts), keys matched
 * across tables for duplicates and orphans (in a bounded memory budget, spilling to disk: keys.ts), CHECKs evaluated by PostgreSQL, each column compared
 * with its reference, and the facts turned into metrics and a score (metrics.ts).
 */
import { tmpdir } from 'node:os';
import type { Catalog, TableDef } from '../catalog/types.ts';
import type { DatasetManifest, DatasetStore, DatasetTableManifest } from '../dataset/types.ts';
import type { SqlClient } from '../db/sql-client.ts';
import type { EmitEvent } from '../jobs/events.ts';
import { resolveType } from '../synthetic/schema/column-type.ts';
import type { CheckEvaluator } from '../synthetic/schema/evaluate.ts';
import { TableCheckRunner } from './checks.ts';
import type { DeclaredField } from '../synthetic/domain/declared.ts';
import { columnDrift, declaredDrift } from './drift.ts';
import { numericValue } from './formats.ts';
import type { MeasuredColumn, MeasuredFacts } from './metrics.ts';
import { scoreFacts } from './metrics.ts';
import type { ColumnProfile } from './profile.ts';
import { declaredDistributions, sampleSource } from './reference.ts';
import { DEFAULT_KEY_MEMORY_BYTES, type KeyBag, KeySpace, type KeySpaceOptions } from './keys.ts';
import { type KeySpec, scanTable, seedOf, type TableScan } from './scan.ts';
import type { QualityReportData, ReferenceKind } from './types.ts';

export interface QualityDeps {
  datasets: DatasetStore;
  loadCatalog(schemaVersionId: string): Promise<Catalog>;
  /** The source a schema version was read from, opened for sampling; null when there is none (a synthetic source). */
  openSource(schemaVersionId: string): Promise<{ sql: SqlClient; label: string } | null>;
  /** An evaluator for the catalog's CHECKs (an in-memory PGlite by default). */
  createEvaluator(catalog: Catalog): Promise<CheckEvaluator>;
  clock(): number;
  /**
   * Memory budget of the key checks and where keys past it are spilled (default: 64 MiB, the
   * system's temporary directory). Duplicate and orphan counts stay exact either way.
   */
  keys?: Partial<KeySpaceOptions>;
}

export interface QualityOptions {
  emit?: EmitEvent;
  jobId?: string;
  signal?: AbortSignal;
}

interface Reference {
  kind: ReferenceKind | null;
  label: string | null;
  sampled: Map<string, ColumnProfile[]>;
  declared: Map<string, Map<string, DeclaredField>>;
  /** Masked datasets: the input dataset and the masked columns (`schema.table.column`). */
  parent: DatasetManifest | null;
  masked: Set<string>;
  note: string | null;
}

const tableKey = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

async function resolveReference(deps: QualityDeps, manifest: DatasetManifest, catalog: Catalog | null): Promise<Reference> {
  const ref: Reference = { kind: null, label: null, sampled: new Map(), declared: new Map(), parent: null, masked: new Set(), note: null };
  const meta = manifest.meta as { mode?: string; pack?: string; version?: string; scenario?: string; maskedColumns?: { column: string }[] };
  if (manifest.kind === 'MASKED' && manifest.parentId) {
    ref.parent = await deps.datasets.readManifest(manifest.parentId);
    ref.masked = new Set((meta.maskedColumns ?? []).map((c) => c.column));
    return { ...ref, kind: 'INPUT_DATASET', label: `input dataset ${ref.parent.name} (${manifest.parentId})` };
  }
  if (manifest.kind === 'SYNTHETIC' && meta.mode === 'DOMAIN' && meta.pack) {
    const label = `declared distributions of domain pack ${meta.pack}@${meta.version ?? '?'} (${meta.scenario ?? 'default'})`;
    return { ...ref, kind: 'DOMAIN_PACK', label, declared: declaredDistributions(manifest) };
  }
  const fromSource = manifest.kind === 'SUBSET' || (manifest.kind === 'SYNTHETIC' && meta.mode === 'SCHEMA');
  if (!fromSource || !catalog || !manifest.schemaVersionId) return ref;
  let source: Awaited<ReturnType<QualityDeps['openSource']>>;
  try {
    source = await deps.openSource(manifest.schemaVersionId);
  } catch (err) {
    return { ...ref, note: `the source could not be sampled: ${(err as Error).message}` };
  }
  if (!source) return ref;
  try {
    const tables = manifest.tables.map((t) => ({ key: tableKey(t), schema: t.schema, name: t.name, columns: t.columns }));
    ref.sampled = await sampleSource(source.sql, catalog, tables);
    return { ...ref, kind: 'SOURCE_SAMPLE', label: `a sample of the source ${source.label} (≤ 2000 rows per table)` };
  } catch (err) {
    return { ...ref, note: `the source could not be sampled: ${(err as Error).message}` };
  } finally {
    await source.sql.close();
  }
}

/** Keys a table's rows feed: its own PK and uniques, its FKs, and column sets other tables' FKs point at. */
function keySpecs(t: DatasetTableManifest, def: TableDef | null, catalog: Catalog | null): { own: KeySpec[]; fks: KeySpec[]; targets: KeySpec[] } {
  const pos = (cols: string[]) => cols.map((c) => t.columns.findIndex((x) => x.name === c));
  const ok = (s: KeySpec) => s.columns.length > 0 && s.columns.every((i) => i >= 0);
  if (!def) return { own: [], fks: [], targets: [] };
  const own: KeySpec[] = [
    ...(def.primaryKey ? [{ id: `pk:${def.primaryKey.name}`, columns: pos(def.primaryKey.columns) }] : []),
    ...def.uniques.map((u) => ({ id: `uq:${u.name}`, columns: pos(u.columns), nullsNotDistinct: u.nullsNotDistinct })),
  ].filter(ok);
  const fks = def.foreignKeys.map((fk) => ({ id: `fk:${fk.name}`, columns: pos(fk.columns) })).filter(ok);
  const targets: KeySpec[] = [];
  for (const other of catalog?.tables ?? []) {
    for (const fk of other.foreignKeys) {
      if (fk.referencedSchema !== def.schema || fk.referencedTable !== def.name) continue;
      const id = `ref:${fk.referencedColumns.join(',')}`;
      if (!targets.some((x) => x.id === id)) targets.push({ id, columns: pos(fk.referencedColumns) });
    }
  }
  return { own, fks, targets: targets.filter(ok) };
}

interface ScannedTable {
  manifest: DatasetTableManifest;
  def: TableDef | null;
  scan: TableScan;
  checks: TableCheckRunner | null;
  own: KeySpec[];
}

async function scanOne(
  deps: QualityDeps,
  manifest: DatasetManifest,
  t: DatasetTableManifest,
  catalog: Catalog | null,
  ref: Reference,
  evaluator: () => Promise<CheckEvaluator>,
  keySpace: KeySpace,
  options: QualityOptions,
): Promise<ScannedTable> {
  const def = catalog?.tables.find((x) => x.schema === t.schema && x.name === t.name) ?? null;
  const { own, fks, targets } = keySpecs(t, def, catalog);
  const checks = catalog && def ? await TableCheckRunner.create(evaluator, catalog, def, t.columns) : null;
  const parentHas = ref.parent?.tables.some((p) => p.schema === t.schema && p.name === t.name);
  const masked = t.columns.map((c, i) => (ref.masked.has(`${t.schema}.${t.name}.${c.name}`) ? i : -1)).filter((i) => i >= 0);
  const scan = await scanTable(
    deps.datasets.readTable(manifest.datasetVersionId, t),
    {
      columns: t.columns,
      table: def,
      catalog,
      keys: [...own, ...fks, ...targets],
      keySpace,
      checks: checks?.checkCount ? checks : null,
      parentRows: ref.parent && parentHas ? deps.datasets.readTable(ref.parent.datasetVersionId, t) : null,
      maskedColumns: masked,
      signal: options.signal,
    },
    seedOf(tableKey(t)),
  );
  options.emit?.({
    step: 'quality',
    level: 'progress',
    message: `${tableKey(t)}: ${scan.rowCount} rows profiled`,
    data: { table: tableKey(t), rows: scan.rowCount },
    jobId: options.jobId,
  });
  return { manifest: t, def, scan, checks: checks?.checkCount ? checks : null, own };
}

async function orphansOf(table: ScannedTable, byTable: Map<string, ScannedTable>): Promise<{ orphans: number; values: number }> {
  let orphans = 0;
  let values = 0;
  for (const fk of table.def?.foreignKeys ?? []) {
    const child = table.scan.keys.get(`fk:${fk.name}`);
    const parent = byTable.get(`${fk.referencedSchema}.${fk.referencedTable}`)?.scan.keys.get(`ref:${fk.referencedColumns.join(',')}`);
    if (!child || !parent) continue; // the parent table is not part of the dataset
    values += child.size;
    orphans += await parent.missingFrom(child);
  }
  return { orphans, values };
}

function measureColumns(t: ScannedTable, ref: Reference, catalog: Catalog | null): MeasuredColumn[] {
  const key = tableKey(t.manifest);
  const refProfiles = t.scan.reference ?? ref.sampled.get(key) ?? null;
  const declared = ref.declared.get(key);
  const checkCharge = new Map<string, number>();
  for (const [name, n] of t.checks?.violations ?? []) for (const c of t.checks?.columnsOf(name) ?? []) checkCharge.set(c, (checkCharge.get(c) ?? 0) + n);
  return t.manifest.columns.map((c, i) => {
    const p = t.scan.profiles[i] as ColumnProfile;
    const r = refProfiles?.[i] ?? null;
    const toNumber = numericValue(resolveType(catalog ?? ({ enums: [], domains: [] } as unknown as Catalog), c.pgType));
    const d = declared?.get(c.name);
    const drift = r ? columnDrift(p, r, toNumber) : d?.distribution ? declaredDrift(p, d.distribution, toNumber) : null;
    const typeViolations = p.violations - (p.notNull ? p.nulls : 0);
    return {
      table: key,
      column: c.name,
      nullRatio: p.nullRatio,
      distinctRatio: p.distinctRatio,
      typeConsistency: p.consistency,
      drift: drift === null ? null : Math.round(drift * 10000) / 10000,
      constraintViolations: p.violations + (checkCharge.get(c.name) ?? 0),
      rows: p.rows,
      values: p.values,
      nulls: p.nulls,
      notNull: p.notNull,
      referenceNullRatio: r?.rows ? r.nullRatio : (d?.nullRatio ?? null),
      inconsistent: p.inconsistent,
      constrainedValues: p.constrained ? p.values - p.inconsistent : 0,
      typeViolations,
    };
  });
}

/** Measures a dataset version. Reads it once (and its input dataset, for a masked one). */
export async function computeQualityReport(deps: QualityDeps, datasetVersionId: string, options: QualityOptions = {}): Promise<QualityReportData> {
  const started = deps.clock();
  const manifest = await deps.datasets.readManifest(datasetVersionId);
  const catalog = manifest.schemaVersionId ? await deps.loadCatalog(manifest.schemaVersionId) : null;
  const ref = await resolveReference(deps, manifest, catalog);
  // PostgreSQL evaluates the CHECKs JavaScript cannot: started once, on the first one.
  let evaluator: Promise<CheckEvaluator> | null = null;
  const getEvaluator = () => {
    evaluator ??= deps.createEvaluator(catalog as Catalog);
    return evaluator;
  };
  const keySpace = new KeySpace({
    memoryBytes: deps.keys?.memoryBytes ?? DEFAULT_KEY_MEMORY_BYTES,
    dir: deps.keys?.dir ?? tmpdir(),
    partitions: deps.keys?.partitions,
  });
  try {
    const scanned: ScannedTable[] = [];
    try {
      let spillTold = false;
      for (const t of manifest.tables) {
        scanned.push(await scanOne(deps, manifest, t, catalog, ref, getEvaluator, keySpace, options));
        if (keySpace.spilled && !spillTold) {
          spillTold = true;
          options.emit?.({
            step: 'quality',
            level: 'info',
            message: `keys past the ${Math.round(keySpace.memoryBytes / 1024)} KiB key budget were spilled to disk; duplicates and orphans are counted partition by partition`,
            data: { table: tableKey(t), keyMemoryBytes: keySpace.memoryBytes },
            jobId: options.jobId,
          });
        }
      }
    } finally {
      if (evaluator) await (await (evaluator as Promise<CheckEvaluator>)).close();
    }
    const tables = await countKeys(scanned);
    return assemble(manifest, scanned, tables, ref, catalog, deps.clock() - started);
  } finally {
    await keySpace.close();
  }
}

/** Duplicate keys and FK orphans per table (partition by partition for keys that were spilled). */
async function countKeys(scanned: ScannedTable[]): Promise<{ tables: TableQualityRow[]; keyRows: number; fkRows: number }> {
  const byTable = new Map(scanned.map((s) => [tableKey(s.manifest), s]));
  let keyRows = 0;
  let fkRows = 0;
  const tables: TableQualityRow[] = [];
  for (const s of scanned) {
    let duplicateKeys = 0;
    for (const k of s.own) {
      const bag = s.scan.keys.get(k.id) as KeyBag;
      keyRows += bag.size;
      duplicateKeys += await bag.duplicates();
    }
    const { orphans, values } = await orphansOf(s, byTable);
    fkRows += values;
    tables.push({ table: tableKey(s.manifest), rowCount: s.scan.rowCount, fkOrphans: orphans, duplicateKeys });
  }
  return { tables, keyRows, fkRows };
}

type TableQualityRow = QualityReportData['tables'][number];

function assemble(
  manifest: DatasetManifest,
  scanned: ScannedTable[],
  { tables, keyRows, fkRows }: { tables: TableQualityRow[]; keyRows: number; fkRows: number },
  ref: Reference,
  catalog: Catalog | null,
  durationMs: number,
): QualityReportData {
  const columns = scanned.flatMap((s) => measureColumns(s, ref, catalog));
  const leakRows = scanned.flatMap((s) => s.scan.leaks);
  const facts: MeasuredFacts = {
    columns,
    tables,
    keyRows,
    fkRows,
    checkEvaluations: scanned.reduce((n, s) => n + (s.checks?.evaluations ?? 0), 0),
    checkViolations: scanned.reduce((n, s) => n + [...(s.checks?.violations.values() ?? [])].reduce((a, b) => a + b, 0), 0),
    skippedChecks: scanned.flatMap((s) => [...(s.checks?.skipped.keys() ?? [])].map((n) => `${tableKey(s.manifest)} ${n}`)),
    referenceLabel: ref.label,
    leaks: manifest.kind === 'MASKED' ? { compared: sum(leakRows, 'compared'), equal: sum(leakRows, 'equal'), columns: leakRows.length } : null,
  };
  const { score, metrics } = scoreFacts(facts);
  if (ref.note) metrics.push({ name: 'drift', score: 1, weight: 0, detail: ref.note });
  return {
    datasetVersionId: manifest.datasetVersionId,
    score,
    metrics: ref.note ? metrics.filter((m, i) => m.name !== 'drift' || i === metrics.length - 1) : metrics,
    columns: columns.map(({ table, column, nullRatio, distinctRatio, typeConsistency, drift, constraintViolations }) => ({
      table,
      column,
      nullRatio,
      distinctRatio,
      typeConsistency,
      drift,
      constraintViolations,
    })),
    tables,
    reference: ref.label,
    referenceKind: ref.kind,
    rowsScanned: tables.reduce((n, t) => n + t.rowCount, 0),
    durationMs: Math.round(durationMs),
  };
}

const sum = <K extends string>(rows: Record<K, number>[], k: K) => rows.reduce((n, r) => n + r[k], 0);
