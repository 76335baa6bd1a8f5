/**
 * Schema mode: synthetic rows for a source's own tables, from its schema version's catalog alone.
 * Every table is generated in FK load order with the constraints the target will enforce —
 * types, NOT NULL, keys and uniques, CHECKs, foreign keys (skewed, trees for self-references, cycles
 * through keys computable from a row number) — so provisioning the result into an empty database
 * with all of the source's constraints succeeds. Same seed, same rows; rows stream in batches.
 */
import type { Catalog } from '../../catalog/types.ts';
import type { GeneratedDataset, GeneratedTable, RowCounts } from '../types.ts';
import { type CheckEvaluator, createPgliteCheckEvaluator } from './evaluate.ts';
import { type GenerationContext, generateRows } from './generate.ts';
import { planSchema, type TablePlan } from './plan.ts';

export type { CheckEvaluator, CheckToEvaluate } from './evaluate.ts';
export { createPgliteCheckEvaluator, sqlCheckEvaluator } from './evaluate.ts';
export { SyntheticConstraintError } from './generate.ts';

export interface SchemaModeOptions {
  schemaVersionId: string;
  /** `{"*": 1000, "orders": 5000}`; 100 rows per table by default. */
  rowCounts?: RowCounts;
  seed?: number | string;
  /** PII types by "schema.table.column" (pii/types.ts): they pick the semantic generator. */
  piiTypes?: Record<string, string>;
  /** Only these tables (qualified or bare names); FKs to others become NULL where allowed. */
  tables?: string[];
  /**
   * Judges CHECKs the generator does not understand. Default: an in-memory PGlite with the
   * catalog's types, opened on first need; close it with the returned dataset's `close()`.
   */
  checkEvaluator?: CheckEvaluator;
}

/**
 * Plans the generation of `catalog`'s tables and returns them as a `GeneratedDataset` (mode
 * SCHEMA). Rows are generated lazily when a table's `rows()` is iterated; `meta` records the seed,
 * the row counts, the caps (a junction with fewer distinct pairs than asked…) and the tables whose
 * CHECKs PostgreSQL judges.
 */
export async function generateFromSchema(catalog: Catalog, options: SchemaModeOptions): Promise<GeneratedDataset & { close(): Promise<void> }> {
  const seed = options.seed ?? 1;
  const plans = await planSchema(catalog, { seed, rowCounts: options.rowCounts, piiTypes: options.piiTypes, tables: options.tables });
  let evaluator: Promise<CheckEvaluator> | null = options.checkEvaluator ? Promise.resolve(options.checkEvaluator) : null;
  let ownEvaluator = false;
  const ctx = (): GenerationContext => ({
    seed,
    tuples: new Map(),
    inProgress: new Set(),
    evaluator: () => {
      if (!evaluator) {
        ownEvaluator = true;
        evaluator = createPgliteCheckEvaluator(catalog);
      }
      return evaluator;
    },
  });
  // Key tuples materialized for children are shared by all tables of one dataset.
  const shared = ctx();
  const tables: GeneratedTable[] = plans.map((plan) => ({
    table: {
      schema: plan.def.schema,
      name: plan.def.name,
      columns: plan.columns.map((c) => ({ name: c.def.name, pgType: c.def.dataType, nullable: c.def.nullable })),
    },
    rowCount: plan.count,
    rows: (batchSize: number) => generateRows(plan, { ...shared, inProgress: new Set() }, Math.max(1, batchSize)),
  }));
  return {
    mode: 'SCHEMA',
    catalog,
    schemaVersionId: options.schemaVersionId,
    sourceUrl: null,
    tables,
    meta: {
      generator: 'schema',
      seed,
      rowCounts: Object.fromEntries(plans.map((p) => [p.qualified, p.count])),
      caps: plans.filter((p) => p.count < p.requested).map((p) => ({ table: p.qualified, requested: p.requested, rows: p.count, reason: p.capReason })),
      checkedInPostgres: plans.filter((p) => p.evaluate.length).map((p) => ({ table: p.qualified, checks: p.evaluate.map((c) => c.name) })),
    },
    async close() {
      if (evaluator && ownEvaluator) await (await evaluator).close();
    },
  };
}

export type { TablePlan };
