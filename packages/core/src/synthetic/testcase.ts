/**
 * Test-case mode: the entities a test case fills in (testcase/analyze.ts) become tables — one per
 * entity, named in the plural (`user` → `users`, `address` → `addresses`), with a surrogate `id`
 * and one column per field — and rows whose values fit each field's type and the constraints the
 * text states (required, unique, lengths, ranges, enumerations, patterns). With `keepExamples`, the
 * example values a scenario uses together come first, one row per scenario or Examples row, so the
 * very data the test types exists in the database.
 *
 * The tables are planned in testcase-plan.ts and related in testcase-relations.ts; their values
 * come from testcase-values.ts. This module assembles the dataset and streams its rows.
 */
import { InvalidInputError } from '../errors.ts';
import type { TestCaseAnalysis } from '../testcase/types.ts';
import { syntheticCatalog } from './catalog.ts';
import { type PlannedColumn, type PlannedTable, planTable } from './testcase-plan.ts';
import { relate } from './testcase-relations.ts';
import { columnGenerator, exampleFor } from './testcase-values.ts';
import type { GeneratedDataset, GeneratedTable, RowCounts, TextRow } from './types.ts';

export interface TestCaseGenerateOptions {
  rowCounts?: RowCounts | null;
  seed?: number | string | null;
  /** Put the test case's own example rows first (default true). */
  keepExamples?: boolean | null;
  /** Stable identity of the test case (its content hash), for the synthetic source's url. */
  sourceKey: string;
  /** Name of the dataset's catalog (the test case's file name or title). */
  name?: string | null;
}

/** Builds the tables and rows for a test case's analysis. */
export function generateFromTestCase(analysis: TestCaseAnalysis, options: TestCaseGenerateOptions): GeneratedDataset {
  const entities = analysis.entities.filter((e) => e.fields.length > 0);
  if (!entities.length) {
    throw new InvalidInputError('the test case fills in no fields TDM recognises: nothing to generate (check its format, or use another synthetic mode)', {
      format: analysis.format,
    });
  }
  const seed = options.seed ?? 1;
  const keepExamples = options.keepExamples ?? true;
  const planned = relate(entities.map((e) => planTable(e, options.rowCounts, keepExamples)));
  const names = new Set<string>();
  for (const p of planned) {
    if (names.has(p.spec.name)) throw new InvalidInputError(`two entities map to the table ${p.spec.name}`);
    names.add(p.spec.name);
  }
  const catalog = syntheticCatalog(
    options.name ?? 'test case',
    planned.map((p) => p.spec),
  );
  const tables: GeneratedTable[] = planned.map((p) => ({
    table: {
      schema: 'public',
      name: p.spec.name,
      columns: p.columns.map((c) => ({ name: c.spec.name, pgType: c.spec.dataType, nullable: c.spec.nullable ?? true })),
    },
    rowCount: p.rowCount,
    rows: (batchSize: number) => rowsOf(p, seed, batchSize),
  }));
  return {
    mode: 'TEST_CASE',
    catalog,
    schemaVersionId: null,
    sourceUrl: `synthetic:testcase/${options.sourceKey}`,
    tables,
    meta: {
      seed,
      format: analysis.format,
      keepExamples,
      entities: planned.map((p) => ({
        entity: p.entity.name,
        table: p.spec.name,
        fields: p.entity.fields.map((f) => f.name),
        exampleRows: p.examples.length,
        parent: p.columns.find((c) => c.parent)?.parent?.spec.name ?? null,
      })),
      rowCounts: Object.fromEntries(planned.map((p) => [p.spec.name, p.rowCount])),
    },
  };
}

async function* rowsOf(p: PlannedTable, seed: string | number, batchSize: number): AsyncGenerator<TextRow[]> {
  const gens = p.columns.map((c) => columnGenerator(p, c, seed));
  const uniqueSeen = p.columns.map((c) => (c.field && c.constraints.unique ? new Set<string>() : null));
  let batch: TextRow[] = [];
  for (let row = 0; row < p.rowCount; row++) {
    const example = p.examples[row];
    const out: TextRow = new Array(p.columns.length);
    for (let i = 0; i < p.columns.length; i++) {
      const column = p.columns[i] as PlannedColumn;
      const given = example && column.field ? example[column.field.name] : undefined;
      const fromExample = given !== undefined ? exampleFor(given, column) : null;
      let value = fromExample ?? (gens[i] as (row: number) => string | null)(row);
      const seen = uniqueSeen[i];
      if (seen && value !== null) {
        // An example may equal a generated value of a unique column: the later row gives way.
        while (seen.has(value)) value = `${value}-${row.toString(36)}`;
        seen.add(value);
      }
      out[i] = value;
    }
    batch.push(out);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
