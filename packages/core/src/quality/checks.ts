/**
 * CHECK constraints of a table and of its columns' domains. Each expression is parsed with the real
 * PostgreSQL parser (libpg-query, synthetic/schema/checks.ts); one it understands completely is
 * evaluated here in JavaScript (check-js.ts), any other by PostgreSQL itself — an in-memory PGlite
 * holding the catalog's enums and domains (synthetic/schema/evaluate.ts), a batch of rows per query,
 * started only when such a CHECK exists. A CHECK counts as violated only when it is false (NULL
 * passes). One the evaluator cannot run (a function of an extension it lacks) is left out and
 * reported.
 */
import type { Catalog, TableDef } from '../catalog/types.ts';
import type { DatasetColumn, TextRow } from '../dataset/types.ts';
import { parseCheck } from '../synthetic/schema/checks.ts';
import { resolveType } from '../synthetic/schema/column-type.ts';
import type { CheckEvaluator, CheckToEvaluate } from '../synthetic/schema/evaluate.ts';
import { castTypeFor } from '../synthetic/schema/evaluate.ts';
import { compileCheck, type RowPredicate } from './check-js.ts';

const BATCH = 2000;

interface Check extends CheckToEvaluate {
  columns: string[];
}

function checksOf(catalog: Catalog, table: TableDef, columns: DatasetColumn[]): Check[] {
  const present = new Set(columns.map((c) => c.name));
  const checks: Check[] = table.checks
    .filter((c) => c.columns.every((col) => present.has(col)))
    .map((c) => ({ name: c.name, expression: c.expression, columns: c.columns.length ? c.columns : [...present] }));
  for (const column of columns) {
    const type = resolveType(catalog, column.pgType);
    for (const d of type.domainChecks)
      checks.push({ name: `${column.name}: ${d.name}`, expression: d.expression, valueColumn: column.name, columns: [column.name] });
  }
  return checks;
}

export class TableCheckRunner {
  readonly violations = new Map<string, number>();
  readonly skipped = new Map<string, string>();
  evaluatedRows = 0;
  #pending: TextRow[] = [];
  #evaluator: CheckEvaluator | null = null;
  #checkColumns: number[] = [];

  private constructor(
    private readonly checks: Check[],
    private readonly js: { name: string; test: RowPredicate }[],
    private readonly sql: Check[],
    private readonly sqlColumns: { name: string; castType: string; index: number }[],
    private readonly getEvaluator: () => Promise<CheckEvaluator>,
  ) {}

  /** The runner of a table's CHECKs; `getEvaluator` is called only when one needs PostgreSQL. */
  static async create(getEvaluator: () => Promise<CheckEvaluator>, catalog: Catalog, table: TableDef, columns: DatasetColumn[]): Promise<TableCheckRunner> {
    const checks = checksOf(catalog, table, columns);
    const names = columns.map((c) => c.name);
    const js: { name: string; test: RowPredicate }[] = [];
    const sql: Check[] = [];
    for (const check of checks) {
      const parsed = await parseCheck(check.expression, check.valueColumn ? { valueColumn: check.valueColumn } : {});
      let test: RowPredicate | null = null;
      if (parsed.exact && parsed.constraints.length) {
        try {
          test = compileCheck(parsed.constraints, names);
        } catch {
          test = null;
        }
      }
      if (test) js.push({ name: check.name, test });
      else sql.push(check);
    }
    const used = new Set(sql.flatMap((c) => c.columns));
    const sqlColumns = columns
      .map((c, index) => ({ c, index }))
      .filter(({ c }) => used.has(c.name))
      .map(({ c, index }) => {
        const def = table.columns.find((x) => x.name === c.name);
        return { name: c.name, castType: def ? castTypeFor(catalog, def) : c.pgType, index };
      });
    const runner = new TableCheckRunner(checks, js, sql, sqlColumns, getEvaluator);
    const read = new Set(checks.flatMap((c) => c.columns));
    runner.#checkColumns = names.flatMap((n, i) => (read.has(n) ? [i] : []));
    return runner;
  }

  get checkCount(): number {
    return this.checks.length;
  }

  /** Column indexes the checks read (rows with an unparsable value there are not evaluated). */
  get columnIndexes(): number[] {
    return this.#checkColumns;
  }

  /** The columns a CHECK reads, to charge its violations to them. */
  columnsOf(name: string): string[] {
    return this.checks.find((c) => c.name === name)?.columns ?? [];
  }

  #count(name: string): void {
    this.violations.set(name, (this.violations.get(name) ?? 0) + 1);
  }

  async add(row: TextRow): Promise<void> {
    this.evaluatedRows++;
    for (const c of this.js) if (!c.test(row)) this.#count(c.name);
    if (this.sql.length > this.skipped.size) {
      this.#pending.push(this.sqlColumns.map((c) => row[c.index] ?? null));
      if (this.#pending.length >= BATCH) await this.flush();
    }
  }

  async flush(): Promise<void> {
    const rows = this.#pending;
    this.#pending = [];
    const checks = this.sql.filter((c) => !this.skipped.has(c.name));
    if (!rows.length || !checks.length) return;
    this.#evaluator ??= await this.getEvaluator();
    const cols = this.sqlColumns.map(({ name, castType }) => ({ name, castType }));
    let failed: string[][];
    try {
      failed = await this.#evaluator.evaluate(cols, checks, rows);
    } catch {
      // One expression the evaluator cannot run spoils the batch: find it, then evaluate the rest.
      failed = rows.map(() => []);
      for (const check of checks) {
        try {
          const alone = await this.#evaluator.evaluate(cols, [check], rows);
          for (const [i, names] of alone.entries()) failed[i]?.push(...names);
        } catch (err) {
          this.skipped.set(check.name, (err as Error).message.split('\n')[0] ?? 'cannot be evaluated');
        }
      }
    }
    for (const names of failed) for (const n of names) this.#count(n);
  }

  /** Row × CHECK evaluations done (skipped CHECKs excluded). */
  get evaluations(): number {
    return this.evaluatedRows * (this.checks.length - this.skipped.size);
  }
}
