/**
 * Rows of one planned table, in batches. Per row: key columns first (pure functions of the row
 * number, never drawn again), junction and one-to-one FKs (distinct parents by construction), then
 * the drawn part (FKs with skew, OR branches, plain values, values derived from another column),
 * drawn again while a guarded UNIQUE sees a duplicate. When a table has CHECKs the generator could
 * not honour by construction, each batch is judged by PostgreSQL (evaluate.ts) and failing rows are
 * drawn again, a bounded number of times. Every draw comes from streams seeded by (seed, table,
 * column), so the same seed gives the same rows.
 */
import type { TextRow } from '../../dataset/types.ts';
import { TdmError } from '../../errors.ts';
import { Rng } from '../rng.ts';
import type { CheckConstraint } from './checks.ts';
import { type ColumnConstraints, constraintsFor } from './column-constraints.ts';
import { generatable } from './column-type.ts';
import { offsetter, type ValueFn, valueGenerator } from './columns.ts';
import type { CheckEvaluator } from './evaluate.ts';
import { junctionPicker, permutation, skewedPicker } from './keys.ts';
import type { PlannedColumn, PlannedForeignKey, TablePlan } from './plan.ts';

/** A generated table cannot satisfy one of its constraints. */
export class SyntheticConstraintError extends TdmError {
  constructor(table: string, constraint: string, message: string) {
    super('STEP_FAILED', `${table}: ${message}`, { details: { step: 'synthetic', table, constraint } });
  }
}

export interface GenerationContext {
  seed: string | number;
  evaluator(): Promise<CheckEvaluator>;
  /** Key tuples of tables whose keys are not pure, by table and column list. */
  tuples: Map<string, (string | null)[][]>;
  inProgress: Set<TablePlan>;
}

const NULL_RATE = 0.1;
const MAX_ATTEMPTS = 64;
const MAX_EVAL_ROUNDS = 64;

type Lookup = (j: number) => (string | null)[];

/** The parent's values of `columns` for parent row j. */
async function lookupFor(fk: PlannedForeignKey, ctx: GenerationContext): Promise<{ lookup: Lookup; count: number } | 'null'> {
  const parent = fk.parent;
  if (!parent || parent.count === 0) return 'null';
  const cols = fk.def.referencedColumns.map((name) => parent.columns.find((c) => c.def.name === name));
  if (cols.some((c) => !c)) return 'null';
  const planned = cols as PlannedColumn[];
  if (planned.every((c) => c.key?.pure)) {
    const keys = planned.map((c) => c.key as NonNullable<PlannedColumn['key']>);
    return { lookup: keys.length === 1 ? (j) => [(keys[0] as (typeof keys)[0]).value(j)] : (j) => keys.map((k) => k.value(j)), count: parent.count };
  }
  if (fk.self) return 'null';
  if (ctx.inProgress.has(parent)) return 'null';
  const tuples = await materialize(parent, planned, ctx);
  return { lookup: (j) => tuples[j] as (string | null)[], count: tuples.length };
}

/** Runs the parent's generation once to keep only the key tuples children reference. */
async function materialize(plan: TablePlan, cols: PlannedColumn[], ctx: GenerationContext): Promise<(string | null)[][]> {
  const id = `${plan.qualified}|${cols.map((c) => c.def.name).join(',')}`;
  const cached = ctx.tuples.get(id);
  if (cached) return cached;
  const out: (string | null)[][] = [];
  for await (const batch of generateRows(plan, ctx, 8192)) for (const row of batch) out.push(cols.map((c) => row[c.index] ?? null));
  ctx.tuples.set(id, out);
  return out;
}

function mergeConstraints(column: string, base: ColumnConstraints, branch: CheckConstraint[]): ColumnConstraints {
  const extra = constraintsFor(column, branch);
  const list: CheckConstraint[] = [];
  if (base.min || base.max) list.push({ kind: 'range', column, min: base.min, max: base.max });
  if (extra.min || extra.max) list.push({ kind: 'range', column, min: extra.min, max: extra.max });
  if (base.values) list.push({ kind: 'in', column, values: base.values });
  if (extra.values) list.push({ kind: 'in', column, values: extra.values });
  const merged = constraintsFor(column, list);
  return { ...base, ...extra, min: merged.min, max: merged.max, values: merged.values, notIn: [...(base.notIn ?? []), ...(extra.notIn ?? [])] };
}

type Filler = (row: number, out: TextRow) => void;

/** How a table's rows are filled: the columns a filler owns, fillers run once per row, fillers drawn again on a retry. */
interface Fillers {
  owned: Set<number>;
  once: Filler[];
  drawn: Filler[];
}

/** Streams `plan.count` rows in batches of `batchSize`. */
export async function* generateRows(plan: TablePlan, ctx: GenerationContext, batchSize: number): AsyncGenerator<TextRow[]> {
  const { seed } = ctx;
  const width = plan.columns.length;
  ctx.inProgress.add(plan);
  try {
    // --- set-up: which filler owns each column
    const keys = plan.columns.filter((c) => c.key);
    const fillers: Fillers = { owned: new Set(keys.map((c) => c.index)), once: [], drawn: [] };
    await junctionFillers(plan, ctx, fillers);
    await foreignKeyFillers(plan, ctx, fillers);
    orFillers(plan, seed, fillers);
    columnFillers(plan, seed, fillers);
    derivedFillers(plan, seed, fillers.drawn);
    const { once } = fillers;
    const { seen, draw } = uniqueGuard(plan, fillers.drawn);

    const evaluator = plan.evaluate.length ? await ctx.evaluator() : null;
    const keyFns = keys.map((c) => [c.index, (c.key as NonNullable<PlannedColumn['key']>).value] as const);

    for (let start = 0; start < plan.count; start += batchSize) {
      const end = Math.min(plan.count, start + batchSize);
      const rows: TextRow[] = new Array(end - start);
      const added: (string | null)[][] = evaluator ? new Array(end - start) : [];
      for (let row = start; row < end; row++) {
        const out: TextRow = new Array(width);
        for (const [i, value] of keyFns) out[i] = value(row);
        for (const f of once) f(row, out);
        const ks = draw(row, out);
        if (evaluator) added[row - start] = ks;
        rows[row - start] = out;
      }
      if (evaluator) await judge(evaluator, plan, rows, start, added, seen, draw);
      yield rows;
    }
  } finally {
    ctx.inProgress.delete(plan);
  }
}

/** A junction's FKs: distinct parent pairs by construction, when every parent's keys can be looked up. */
async function junctionFillers(plan: TablePlan, ctx: GenerationContext, { owned, once }: Fillers): Promise<void> {
  const { seed } = ctx;
  const table = plan.qualified;
  if (plan.junction) {
    const parts = await Promise.all(plan.junction.map((fk) => lookupFor(fk, ctx)));
    const usable = parts.every((p) => p !== 'null');
    if (usable) {
      const resolved = parts as { lookup: Lookup; count: number }[];
      const pick = junctionPicker(
        resolved.map((p) => p.count),
        new Rng(seed, table, 'junction'),
      );
      const junction = plan.junction;
      once.push((row, out) => {
        const js = pick(row);
        for (let k = 0; k < junction.length; k++) {
          const fk = junction[k] as PlannedForeignKey;
          const values = (resolved[k] as { lookup: Lookup }).lookup(js[k] as number);
          for (let m = 0; m < fk.columns.length; m++) out[fk.columns[m] as number] = values[m] ?? null;
        }
      });
      for (const fk of junction) for (const i of fk.columns) owned.add(i);
    }
  }
}

/** The FKs not filled as a junction: trees for self-references, a permutation for one-to-one, skewed picks otherwise; NULL when the parent has no rows to point to. */
async function foreignKeyFillers(plan: TablePlan, ctx: GenerationContext, { owned, once, drawn }: Fillers): Promise<void> {
  const { seed } = ctx;
  const table = plan.qualified;
  const nullFk = (fk: PlannedForeignKey) => {
    if (!fk.nullable) {
      throw new SyntheticConstraintError(
        table,
        fk.def.name,
        `foreign key ${fk.def.name} needs rows of ${fk.def.referencedSchema}.${fk.def.referencedTable}, which are not generated (or form a cycle of composite keys)`,
      );
    }
    drawn.push((_row, out) => {
      for (const i of fk.columns) out[i] = null;
    });
  };

  for (const fk of plan.fks) {
    if (fk.columns.every((i) => owned.has(i))) continue;
    const rng = new Rng(seed, table, fk.def.name, 'fk');
    const found = await lookupFor(fk, ctx);
    for (const i of fk.columns) owned.add(i);
    if (found === 'null') {
      nullFk(fk);
      continue;
    }
    const { lookup, count } = found;
    const assign = (out: TextRow, values: (string | null)[]) => {
      for (let m = 0; m < fk.columns.length; m++) out[fk.columns[m] as number] = values[m] ?? null;
    };
    if (fk.self) {
      // A tree: a row points to an earlier row (busy early rows), or is a root.
      drawn.push((row, out) => {
        if (row === 0 || (fk.nullable && rng.next() < 0.15)) {
          if (fk.nullable) for (const i of fk.columns) out[i] = null;
          else assign(out, lookup(row));
          return;
        }
        const u = rng.next();
        assign(out, lookup(Math.floor(row * u * u)));
      });
    } else if (fk.injective) {
      const perm = permutation(count, rng);
      once.push((row, out) => assign(out, lookup(perm(row))));
    } else {
      const pick = skewedPicker(count, rng);
      drawn.push((_row, out) => {
        if (fk.nullable && rng.next() < NULL_RATE) for (const i of fk.columns) out[i] = null;
        else assign(out, lookup(pick()));
      });
    }
  }
}

/** The columns of an OR of CHECKs: each row draws one branch and values within it. */
function orFillers(plan: TablePlan, seed: string | number, { owned, drawn }: Fillers): void {
  const table = plan.qualified;
  const plainGen = (c: PlannedColumn, constraints: ColumnConstraints, tag: string): ValueFn | null => {
    if (!generatable(c.type)) return null;
    return valueGenerator({ seed, table, column: c.def, type: c.type, constraints, piiType: c.piiType, stream: tag });
  };

  for (const or of plan.ors) {
    const rng = new Rng(seed, table, 'or', or.columns.join(','));
    const gens = or.branches.map((branch, b) =>
      or.columns.map((i) => {
        const c = plan.columns[i] as PlannedColumn;
        return plainGen(c, mergeConstraints(c.def.name, c.constraints, branch), `branch${b}`);
      }),
    );
    const nulls = new Rng(seed, table, 'or-null', or.columns.join(','));
    for (const i of or.columns) owned.add(i);
    drawn.push((row, out) => {
      const b = rng.int(0, gens.length - 1);
      const branchGens = gens[b] as (ValueFn | null)[];
      for (let k = 0; k < or.columns.length; k++) {
        const c = plan.columns[or.columns[k] as number] as PlannedColumn;
        const gen = branchGens[k];
        out[c.index] = !gen || (!c.required && nulls.next() < NULL_RATE) ? null : gen(row);
      }
    });
  }
}

/** Every column no other filler owns: its own values, NULL now and then when it allows NULL. */
function columnFillers(plan: TablePlan, seed: string | number, { owned, drawn }: Fillers): void {
  const table = plan.qualified;
  const columnGen = (c: PlannedColumn): ValueFn | null => {
    if (!generatable(c.type)) return null;
    return valueGenerator({ seed, table, column: c.def, type: c.type, constraints: c.constraints, piiType: c.piiType });
  };

  for (const c of plan.columns) {
    if (owned.has(c.index)) continue;
    const gen = columnGen(c);
    if (!gen) {
      if (c.required) {
        throw new SyntheticConstraintError(table, c.def.name, `column ${c.def.name} of type ${c.def.dataType} is NOT NULL and its values cannot be generated`);
      }
      drawn.push((_row, out) => {
        out[c.index] = null;
      });
      continue;
    }
    const i = c.index;
    if (c.required) {
      drawn.push((row, out) => {
        out[i] = gen(row);
      });
    } else {
      const nulls = new Rng(seed, table, c.def.name, 'null');
      drawn.push((row, out) => {
        out[i] = nulls.next() < NULL_RATE ? null : gen(row);
      });
    }
  }
}

/** Columns compared to another column (`end >= start`): moved from the other column's value. */
function derivedFillers(plan: TablePlan, seed: string | number, drawn: Filler[]): void {
  const table = plan.qualified;
  for (const d of plan.derived) {
    const c = plan.columns[d.left] as PlannedColumn;
    const shift = offsetter(c.type);
    if (!shift) continue;
    const rng = new Rng(seed, table, c.def.name, 'derived');
    const lo = d.op === '>' || d.op === '<' ? 1 : 0;
    const sign = d.op === '<' || d.op === '<=' ? -1 : 1;
    drawn.push((_row, out) => {
      const right = out[d.right];
      if (right === null || right === undefined || out[d.left] === null) return;
      out[d.left] = d.op === '=' ? right : shift(right, sign * rng.int(lo, 30));
    });
  }
}

/** Draws a row's drawn part again while a guarded UNIQUE sees a duplicate; `seen` holds the keys taken. */
function uniqueGuard(plan: TablePlan, drawn: Filler[]): { seen: Set<string>[]; draw: (row: number, out: TextRow) => (string | null)[] } {
  const table = plan.qualified;
  const seen = plan.guardedUniques.map(() => new Set<string>());
  const guardKeys = (out: TextRow): (string | null)[] =>
    plan.guardedUniques.map((u) => {
      let key = '';
      for (const i of u.columns) {
        const v = out[i];
        if (v === null || v === undefined) {
          if (!u.nullsNotDistinct) return null;
          key += '\u0000N\u0001';
        } else key += `${v}\u0001`;
      }
      return key;
    });

  const draw = (row: number, out: TextRow): (string | null)[] => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      for (const f of drawn) f(row, out);
      if (!seen.length) return [];
      const ks = guardKeys(out);
      if (ks.every((k, n) => k === null || !(seen[n] as Set<string>).has(k))) {
        ks.forEach((k, n) => {
          if (k !== null) (seen[n] as Set<string>).add(k);
        });
        return ks;
      }
    }
    const name = plan.guardedUniques[0]?.name ?? 'unique';
    throw new SyntheticConstraintError(
      table,
      name,
      `no distinct values left for ${plan.guardedUniques.map((u) => u.name).join(', ')} after ${MAX_ATTEMPTS} attempts; ask for fewer rows`,
    );
  };
  return { seen, draw };
}

/** Has PostgreSQL evaluate the CHECKs not honoured by construction; draws failing rows again. */
async function judge(
  evaluator: CheckEvaluator,
  plan: TablePlan,
  rows: TextRow[],
  start: number,
  added: (string | null)[][],
  seen: Set<string>[],
  draw: (row: number, out: TextRow) => (string | null)[],
): Promise<void> {
  let pending = rows.map((_, k) => k);
  let lastFailure = '';
  for (let round = 0; round < MAX_EVAL_ROUNDS && pending.length; round++) {
    const verdicts = await evaluator.evaluate(
      plan.castTypes,
      plan.evaluate,
      pending.map((k) => rows[k] as TextRow),
    );
    const failing = pending.filter((_, n) => (verdicts[n]?.length ?? 0) > 0);
    if (!failing.length) return;
    // Name the check most of the failing rows trip over.
    const tally = new Map<string, number>();
    for (const v of verdicts) for (const name of v) tally.set(name, (tally.get(name) ?? 0) + 1);
    lastFailure = [...tally.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? lastFailure;
    for (const k of failing) {
      (added[k] ?? []).forEach((key, n) => {
        if (key !== null) seen[n]?.delete(key);
      });
      added[k] = draw(start + k, rows[k] as TextRow);
    }
    pending = failing;
  }
  if (pending.length) {
    throw new SyntheticConstraintError(
      plan.qualified,
      lastFailure,
      `CHECK ${lastFailure} still fails for ${pending.length} rows after ${MAX_EVAL_ROUNDS} attempts: its values cannot be generated`,
    );
  }
}
