/**
 * CHECK constraints of a table and of its columns' domains, evaluated by PostgreSQL itself (an
 * in-memory PGlite holding the catalog's enums and domains — see synthetic/schema/evaluate.ts), a
 * batch of rows per query. A CHECK counts as violated only when it is false (NULL passes, as in
 * PostgreSQL). A CHECK the evaluator cannot run (a function of an extension it lacks) is left out
 * and reported as such.
 */
import type { Catalog, TableDef } from '../catalog/types.ts';
import type { DatasetColumn, TextRow } from '../dataset/types.ts';
import type { CheckEvaluator, CheckToEvaluate } from '../synthetic/schema/evaluate.ts';
import { castTypeFor } from '../synthetic/schema/evaluate.ts';
import { resolveType } from '../synthetic/schema/columns.ts';

const BATCH = 2000;

interface Check extends CheckToEvaluate {
  columns: string[];
}

export class TableCheckRunner {
  readonly #checks: Check[];
  readonly #columns: { name: string; castType: string; index: number }[];
  readonly violations = new Map<string, number>();
  readonly skipped = new Map<string, string>();
  #pending: TextRow[] = [];
  evaluatedRows = 0;

  constructor(
    private readonly evaluator: CheckEvaluator,
    catalog: Catalog,
    table: TableDef,
    columns: DatasetColumn[],
  ) {
    const present = new Set(columns.map((c) => c.name));
    const checks: Check[] = table.checks
      .filter((c) => c.columns.every((col) => present.has(col)))
      .map((c) => ({ name: c.name, expression: c.expression, columns: c.columns.length ? c.columns : [...present] }));
    for (const column of columns) {
      const type = resolveType(catalog, column.pgType);
      for (const d of type.domainChecks)
        checks.push({ name: `${column.name}: ${d.name}`, expression: d.expression, valueColumn: column.name, columns: [column.name] });
    }
    this.#checks = checks;
    const used = new Set(checks.flatMap((c) => c.columns));
    this.#columns = columns
      .map((c, index) => ({ c, index }))
      .filter(({ c }) => used.has(c.name))
      .map(({ c, index }) => {
        const def = table.columns.find((x) => x.name === c.name);
        return { name: c.name, castType: def ? castTypeFor(catalog, def) : c.pgType, index };
      });
  }

  get active(): boolean {
    return this.#checks.some((c) => !this.skipped.has(c.name));
  }

  /** Column indexes the checks read (rows with an unparsable value there are not sent). */
  get columnIndexes(): number[] {
    return this.#columns.map((c) => c.index);
  }

  /** The columns a CHECK reads, to charge its violations to them. */
  columnsOf(name: string): string[] {
    return this.#checks.find((c) => c.name === name)?.columns ?? [];
  }

  async add(row: TextRow): Promise<void> {
    if (!this.active) return;
    this.#pending.push(this.#columns.map((c) => row[c.index] ?? null));
    if (this.#pending.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    const rows = this.#pending;
    this.#pending = [];
    if (!rows.length) return;
    const checks = this.#checks.filter((c) => !this.skipped.has(c.name));
    if (!checks.length) return;
    const cols = this.#columns.map(({ name, castType }) => ({ name, castType }));
    let failed: string[][];
    try {
      failed = await this.evaluator.evaluate(cols, checks, rows);
    } catch {
      // One expression the evaluator cannot run spoils the batch: find it, then evaluate the rest.
      failed = rows.map(() => []);
      for (const check of checks) {
        try {
          const alone = await this.evaluator.evaluate(cols, [check], rows);
          for (const [i, names] of alone.entries()) failed[i]?.push(...names);
        } catch (err) {
          this.skipped.set(check.name, (err as Error).message.split('\n')[0] ?? 'cannot be evaluated');
        }
      }
    }
    this.evaluatedRows += rows.length;
    for (const names of failed) for (const n of names) this.violations.set(n, (this.violations.get(n) ?? 0) + 1);
  }

  get checkCount(): number {
    return this.#checks.length;
  }
}
