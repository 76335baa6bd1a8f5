/**
 * `classifyCatalog`: samples every table of a catalog (one query per table), runs the registered
 * detectors over each column and combines their signals into one `PiiClassificationResult` per
 * column. Sampled values stay in memory for the detectors: they are never put in results, logs or
 * errors (a table that cannot be read is reported by SQLSTATE only).
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Catalog, TableDef } from '../catalog/types.ts';
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError } from '../errors.ts';
import { combine } from './combine.ts';
import { CONNECTION_RULES, isExcluded, mergePiiRules, type PiiRules, RULES_FILE, rulesDetectors, rulesVocabulary } from './rules-file.ts';
import { categoryOf, techniqueFor } from './taxonomy.ts';
import './detectors/index.ts';
import { detectors as registeredDetectors } from './registry.ts';
import { type TypeCategory, typeCategory } from './type-gate.ts';
import { PII_TYPES, type ColumnSample, type TableContext, type PiiClassificationResult, type PiiDetector, type PiiSignal, type PiiType } from './types.ts';

/** A reviewer's decision that replaces detection for one column (`piiType: 'NONE'` clears it). */
export interface PiiOverride {
  /** Omitted: the table of that name in any schema. */
  schema?: string;
  table: string;
  column: string;
  piiType: PiiType;
  /** Defaults to the type's recommended technique. */
  technique?: string;
}

export interface ClassifyOptions {
  /** Rows sampled per table. Default 100. */
  sampleSize?: number;
  /** Chat model for the LLM detector; null or absent leaves it off. */
  llm?: BaseChatModel | null;
  overrides?: PiiOverride[];
  /** Names of the detectors to run; default every registered one. */
  detectors?: string[];
  /** Params per detector name, parsed by the detector's zod schema. */
  detectorParams?: Record<string, unknown>;
  /** Below this a column is NONE. Default 0.5. */
  minConfidence?: number;
  /** "Today" for date-of-birth plausibility; pass it for reproducible runs. Default now. */
  now?: Date;
  /** Seed of `TABLESAMPLE … REPEATABLE`, so a re-run samples the same pages. Default 0. */
  seed?: number;
  /**
   * Read sampled values (default true). False classifies from names, types and table context only,
   * for sources whose rows may not be read.
   */
  sampleValues?: boolean;
  /** A team's rules (rules-file.ts): extra words and patterns, exclusions, fixed overrides. */
  rules?: PiiRules | null;
  /**
   * The source connection's own rules, applied on top of `rules` (its overrides and words win for
   * the same column or word); evidence names them apart from the file's.
   */
  connectionRules?: PiiRules | null;
  /** Also return NONE results (default true: the review screen shows every column). */
  includeNone?: boolean;
}

/** Types whose values no detector reads: not fetched (a bytea picture can be megabytes). */
const NOT_SAMPLED = new Set<TypeCategory>(['bytea', 'other']);
/** Characters kept per sampled value: enough for every validator, bounded for wide text columns. */
const MAX_VALUE_CHARS = 256;
/** Characters kept per sampled document or composite value: room for a record's attributes. */
const MAX_DOCUMENT_CHARS = 4096;

/** A column to sample and how its values are read. */
interface SampledColumn {
  name: string;
  /**
   * `composite`: read as `to_jsonb` (a composite's attribute names with their values, an array's
   * elements as a JSON array); `document`: JSON kept longer.
   */
  read: 'text' | 'document' | 'composite';
}

function sampleExpression(c: SampledColumn): string {
  const id = quoteIdent(c.name);
  if (c.read === 'composite') return `left(to_jsonb(${id})::text, ${MAX_DOCUMENT_CHARS})`;
  if (c.read === 'document') return `left(${id}::text, ${MAX_DOCUMENT_CHARS})`;
  return `left(${id}::text, ${MAX_VALUE_CHARS})`;
}

function sampleSql(table: TableDef, columns: SampledColumn[], sampleSize: number, seed: number, useTablesample: boolean): string {
  const list = columns.map((c, i) => `${sampleExpression(c)} as c${i}`).join(', ');
  const rows = table.rowCount ?? table.rowEstimate ?? 0;
  // Big tables: read about five samples' worth of pages instead of the first pages only.
  const percent = Math.min(100, Math.max(0.0001, ((sampleSize * 5) / Math.max(rows, 1)) * 100));
  const sample = useTablesample ? ` tablesample system (${percent.toFixed(4)}) repeatable (${seed})` : '';
  return `select ${list} from ${quoteQualified(table.schema, table.name)}${sample} limit ${sampleSize}`;
}

async function sampleTable(
  sql: SqlClient,
  table: TableDef,
  columns: SampledColumn[],
  sampleSize: number,
  seed: number,
): Promise<{ values: string[][]; failure: string | null }> {
  const values = columns.map(() => [] as string[]);
  if (columns.length === 0) return { values, failure: null };
  const rows = table.rowCount ?? table.rowEstimate ?? 0;
  const attempts = rows > sampleSize * 20 ? [true, false] : [false];
  let failure: string | null = null;
  for (const useTablesample of attempts) {
    try {
      const result = await sql.query<Record<string, string | null>>(sampleSql(table, columns, sampleSize, seed, useTablesample));
      // A stale estimate can make the page sample come back short: then read the first rows instead.
      if (useTablesample && result.rows.length < sampleSize / 2) continue;
      for (const row of result.rows) {
        columns.forEach((_, i) => {
          const v = row[`c${i}`];
          if (v !== null && v !== undefined) values[i]?.push(v);
        });
      }
      return { values, failure: null };
    } catch (err) {
      failure = (err as { sqlState?: string }).sqlState ?? 'unknown';
    }
  }
  return { values, failure };
}

/** Per table: its columns and the foreign keys from and to it (partitions count as their parent). */
export function tableContexts(catalog: Catalog): Map<string, TableContext> {
  const out = new Map<string, TableContext>();
  const key = (schema: string, name: string) => `${schema}.${name}`;
  for (const t of catalog.tables) {
    out.set(key(t.schema, t.name), {
      columns: t.columns.map((c) => c.name),
      references: t.foreignKeys.map((fk) => ({ table: fk.referencedTable, columns: fk.columns })),
      referencedBy: [],
    });
  }
  for (const t of catalog.tables)
    for (const fk of t.foreignKeys) out.get(key(fk.referencedSchema, fk.referencedTable))?.referencedBy.push({ table: t.name, columns: fk.columns });
  return out;
}

const overrideKey = (schema: string, table: string, column: string) => JSON.stringify([schema, table, column]);

/**
 * Classifies every column of every table in `catalog`, sampling values from `sql` (the database
 * the catalog was read from; null: no values, names and types only). Results come in catalog order
 * (tables, then column positions); with `includeNone: false` only PII columns are returned.
 */
export async function classifyCatalog(sql: SqlClient | null, catalog: Catalog, options: ClassifyOptions = {}): Promise<PiiClassificationResult[]> {
  const sampleSize = options.sampleSize ?? 100;
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 100_000) throw new InvalidInputError('sampleSize must be an integer from 1 to 100000');
  const seed = Math.trunc(options.seed ?? 0);
  const ruleSets = [
    { rules: options.rules ?? null, origin: RULES_FILE },
    { rules: options.connectionRules ?? null, origin: CONNECTION_RULES },
  ].filter((s): s is RuleSet => s.rules !== null);
  const rules = mergePiiRules(...ruleSets.map((s) => s.rules));
  const active = activeDetectors(options, rules, ruleSets);
  const kinds = new Map(active.map((d) => [d.name, d.kind]));
  const classifier: ColumnClassifier = {
    ruleSets,
    overrides: overridesOf(rules, options.overrides ?? []),
    active,
    kindOf: (name) => kinds.get(name) ?? 'value',
    minConfidence: options.minConfidence,
  };
  const samplesOf = columnSampler(catalog);
  const results: PiiClassificationResult[] = [];
  for (const table of catalog.tables) {
    const columns = samplesOf(table);
    const sampled = columns.filter((c) => !NOT_SAMPLED.has(typeCategory(c)));
    const { values, failure } =
      options.sampleValues === false || !sql
        ? { values: [], failure: null }
        : await sampleTable(
            sql,
            table,
            sampled.map((c): SampledColumn => {
              const category = typeCategory(c);
              return { name: c.column, read: category === 'composite' || category === 'array' ? 'composite' : category === 'json' ? 'document' : 'text' };
            }),
            sampleSize,
            seed,
          );
    sampled.forEach((c, i) => {
      c.values = values[i] ?? [];
    });
    for (const column of columns) {
      const result = await classifyColumn(column, failure, classifier);
      if (result.piiType !== 'NONE' || options.includeNone !== false) results.push(result);
    }
  }
  return results;
}

type RuleSet = { rules: PiiRules; origin: typeof RULES_FILE };

/** The registered detectors asked for (with their params), then the rules files' own detectors. */
function activeDetectors(options: ClassifyOptions, rules: PiiRules | null, ruleSets: RuleSet[]): PiiDetector[] {
  const deps = { llm: options.llm ?? null, now: options.now ?? new Date(), ...(rules ? { vocabulary: rulesVocabulary(rules) } : {}) };
  const wanted = options.detectors ? new Set(options.detectors) : null;
  const active: PiiDetector[] = [];
  for (const def of registeredDetectors()) {
    if (wanted && !wanted.has(def.name)) continue;
    const detector = def.create(def.params.parse(options.detectorParams?.[def.name] ?? {}), deps);
    if (detector) active.push(detector);
  }
  for (const set of ruleSets) active.push(...rulesDetectors(set.rules, set.origin));
  return active;
}

/** Fixed classifications by column: the rules file's first, a reviewer's stored override of the same column replaces them. */
function overridesOf(rules: PiiRules | null, stored: PiiOverride[]): Map<string, PiiOverride> {
  const overrides = new Map<string, PiiOverride>();
  const fileOverrides = (rules?.overrides ?? []).map((o): PiiOverride => ({ ...o, piiType: o.type }));
  for (const o of [...fileOverrides, ...stored]) {
    if (!PII_TYPES.includes(o.piiType)) throw new InvalidInputError(`unknown PII type in override: ${String(o.piiType)}`);
    overrides.set(overrideKey(o.schema ?? '*', o.table, o.column), o);
  }
  return overrides;
}

/**
 * The sample of each column of a table, values not read yet: whether it is a key, its base type
 * through domains, a composite's attributes and the table's context.
 */
function columnSampler(catalog: Catalog): (table: TableDef) => ColumnSample[] {
  const domainBase = new Map(catalog.domains.map((d) => [`${d.schema}.${d.name}`, d.baseType]));
  const composites = new Map((catalog.compositeTypes ?? []).map((t) => [`${t.schema}.${t.name}`, t.attributes.map((a) => a.name)]));
  const contexts = tableContexts(catalog);
  return (table) => {
    const context = contexts.get(`${table.schema}.${table.name}`);
    const keyColumns = new Set([...(table.primaryKey?.columns ?? []), ...table.foreignKeys.flatMap((fk) => fk.columns)]);
    return table.columns.map((c) => {
      let baseType: string | undefined;
      // Domains over domains: follow to the base type (bounded, in case of a malformed catalog).
      for (let t = `${c.typeSchema}.${c.typeName}`, i = 0; c.typeKind === 'domain' && domainBase.has(t) && i < 10; i++) {
        baseType = domainBase.get(t) as string;
        t = baseType.includes('.') ? baseType : `pg_catalog.${baseType}`;
      }
      const sample: ColumnSample = {
        schema: table.schema,
        table: table.name,
        column: c.name,
        dataType: c.dataType,
        isKey: keyColumns.has(c.name),
        values: [],
        ...(baseType ? { baseType } : {}),
        typeKind: c.typeKind,
        ...(context ? { context } : {}),
      };
      // A composite, or an array of one (its array type is the element's name with a leading underscore).
      const attributes =
        c.typeKind === 'composite'
          ? composites.get(`${c.typeSchema}.${c.typeName}`)
          : c.typeKind === 'array' && c.typeName.startsWith('_')
            ? composites.get(`${c.typeSchema}.${c.typeName.slice(1)}`)
            : undefined;
      if (attributes) sample.attributes = attributes;
      return sample;
    });
  };
}

/** How each column is classified: rule sets, overrides and the detectors to run. */
interface ColumnClassifier {
  ruleSets: RuleSet[];
  overrides: Map<string, PiiOverride>;
  active: PiiDetector[];
  kindOf(detector: string): PiiDetector['kind'];
  minConfidence: number | undefined;
}

/** A column's classification: a fixed override, an exclusion by rules, or the detectors' combined signals (`failure`: the table's values could not be sampled). */
async function classifyColumn(column: ColumnSample, failure: string | null, c: ColumnClassifier): Promise<PiiClassificationResult> {
  const excludedBy = c.ruleSets.find((s) => isExcluded(s.rules, column.table, column.column))?.origin;
  const override = c.overrides.get(overrideKey(column.schema, column.table, column.column)) ?? c.overrides.get(overrideKey('*', column.table, column.column));
  if (override) {
    const evidence: PiiSignal[] = [{ detector: 'override', piiType: override.piiType, confidence: 1, evidence: 'set by a reviewer' }];
    return {
      schema: column.schema,
      table: column.table,
      column: column.column,
      piiType: override.piiType,
      category: categoryOf(override.piiType),
      confidence: 1,
      technique: override.technique ?? techniqueFor(override.piiType, typeCategory(column)),
      evidence,
      source: 'OVERRIDE',
    };
  }
  if (excludedBy) {
    return {
      schema: column.schema,
      table: column.table,
      column: column.column,
      piiType: 'NONE',
      category: 'NONE',
      confidence: 1,
      technique: 'keep',
      evidence: [{ detector: excludedBy.id, piiType: 'NONE', confidence: 1, rule: `${excludedBy.id}:exclude`, evidence: `excluded by ${excludedBy.label}` }],
      source: 'DETECTED',
    };
  }
  const signals: PiiSignal[] = [];
  for (const detector of c.active) signals.push(...(await detector.detect(column)));
  if (failure)
    signals.push({ detector: 'sampler', piiType: 'NONE', confidence: 0, evidence: `values could not be sampled (SQLSTATE ${failure}); name rules only` });
  return combine(column, signals, { minConfidence: c.minConfidence, kindOf: (d) => (d === 'sampler' ? 'name' : c.kindOf(d)) });
}
