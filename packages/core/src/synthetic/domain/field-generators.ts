/**
 * Compiles a field's generator into its compute function: one row's own values (sequence, semantic,
 * int, decimal, bool, const), listed choices (enum, cycle), dates and birth dates within their
 * bounds, patterns, lookups, references to a parent and aggregates over owned children.
 */
import { InvalidInputError } from '../../errors.ts';
import { SYNTHETIC_EPOCH } from '../semantic.ts';
import { coerce, DAY_MS, roundTo } from './columns.ts';
import { parentOf } from './distribute.ts';
import { addYears, DAY, dateLiteral, drawInstant, fillPattern, INSTANT, numberIn, YEAR_MS } from './draw.ts';
import { compileExpr, type Getter, type Value } from './expr.ts';
import type { GeneratorSpec } from './packs.ts';
import { type EntityPlan, type FieldPlan, type OwnerLink, read, type Row } from './plan.ts';

type Of<K extends string> = Extract<GeneratorSpec, Record<K, unknown>>;

/** What compiling a field needs from the scenario compiler (compile.ts). */
export interface FieldCompiler {
  /** The pack and scenario, for messages. */
  readonly where: string;
  entity(name: string, context: string): EntityPlan;
  resolvePath(from: EntityPlan, path: string, f: FieldPlan, raw?: boolean): Getter<Row>;
  compileLookup(plan: EntityPlan, f: FieldPlan, spec: { table: string; key: string; column: string }): Getter<Row>;
  aggregate(plan: EntityPlan, f: FieldPlan, childName: string, fieldName: string | null): { link: OwnerLink; target: FieldPlan | null };
}

/** The `after`/`before` bounds of a date field: instants read from other fields, moved by days or years. */
function dateBounds(compiler: FieldCompiler, plan: EntityPlan, f: FieldPlan, spec: unknown): Getter<Row>[] {
  if (spec === undefined) return [];
  const list = Array.isArray(spec) ? spec : [spec];
  return list.map((b: string | { field: string; days?: number; years?: number }) => {
    const { field, days = 0, years = 0 } = typeof b === 'string' ? { field: b } : b;
    const get = compiler.resolvePath(plan, field, f);
    return (row) => {
      const v = coerce(INSTANT, get(row));
      if (v === null) return null;
      return (years ? addYears(v as number, years) : (v as number)) + days * DAY_MS;
    };
  });
}

/** Sets the field's compute function (or its semantic stream) from its generator; a unique field needs a generator that guarantees it. */
export function compileField(compiler: FieldCompiler, plan: EntityPlan, f: FieldPlan): void {
  const g: GeneratorSpec = f.spec.generator;
  if (!compileValue(f, g) && !compileChoice(compiler, plan, f, g)) {
    if ('date' in g) compileDate(compiler, plan, f, g.date);
    else if ('birthDate' in g) compileBirthDate(compiler, plan, f, g.birthDate);
    else if ('pattern' in g) compilePattern(compiler, plan, f, g.pattern);
    else if ('lookup' in g) f.compute = compiler.compileLookup(plan, f, g.lookup);
    else if ('ref' in g) compileRef(compiler, plan, f, g.ref);
    else if ('expr' in g) {
      const { evaluate } = compileExpr<Row>(g.expr, (path) => compiler.resolvePath(plan, path, f));
      f.compute = (row) => evaluate(row);
    } else if ('sumOf' in g || 'minOf' in g || 'maxOf' in g) compileAggregate(compiler, plan, f, g);
    else if ('countOf' in g) {
      const { link } = compiler.aggregate(plan, f, g.countOf, null);
      const offsets = link.distribution.offsets;
      f.compute = (row) => (offsets[row.index + 1] as number) - (offsets[row.index] as number);
    }
  }
  if (f.unique && !('sequence' in g) && !('semantic' in g) && !('pattern' in g)) {
    throw new InvalidInputError(`${compiler.where}: ${plan.name}.${f.name} is unique, which only sequence, semantic and pattern generators guarantee`);
  }
}

/** Generators of one row's own values: sequence, semantic, int, decimal, bool, const. */
function compileValue(f: FieldPlan, g: GeneratorSpec): boolean {
  const type = f.type;
  if ('sequence' in g) {
    const start = g.sequence?.start ?? 1;
    const step = g.sequence?.step ?? 1;
    f.compute = (row) => start + row.index * step;
  } else if ('semantic' in g) {
    const s = typeof g.semantic === 'string' ? { kind: g.semantic } : g.semantic;
    f.semantic = {
      kind: s.kind,
      options: {
        unique: f.unique,
        maxLength: type.maxLength,
        min: 'min' in s ? s.min : undefined,
        max: 'max' in s ? s.max : undefined,
        minDate: 'minDate' in s ? s.minDate : undefined,
        maxDate: 'maxDate' in s ? s.maxDate : undefined,
        scale: type.scale ?? undefined,
      },
    };
    f.streamOnly = true;
  } else if ('int' in g) {
    const { min, max, dist } = g.int;
    f.compute = (_row, rng) => (dist === undefined || dist === 'uniform' ? rng.int(min, max) : Math.min(max, Math.floor(numberIn(dist, min, max + 1, rng))));
  } else if ('decimal' in g) {
    const { min, max, dist } = g.decimal;
    f.compute = (_row, rng) => numberIn(dist, min, max, rng);
  } else if ('bool' in g) {
    const p = g.bool;
    f.compute = (_row, rng) => rng.chance(p);
  } else if ('const' in g) {
    const v = g.const;
    f.choices = [v];
    f.compute = () => v;
  } else return false;
  return true;
}

/** Generators choosing among listed values: enum (weighted) and cycle. */
function compileChoice(compiler: FieldCompiler, plan: EntityPlan, f: FieldPlan, g: GeneratorSpec): boolean {
  const type = f.type;
  if ('enum' in g) {
    const entries: [string | number | boolean, number][] = Array.isArray(g.enum) ? g.enum.map((v) => [v, 1]) : Object.entries(g.enum);
    const values = entries.map(([v]) => coerce(type, type.kind === 'text' ? String(v) : (v as Value)));
    if (type.labels) {
      const bad = values.filter((v) => !type.labels?.includes(String(v)));
      if (bad.length) throw new InvalidInputError(`${compiler.where}: ${plan.name}.${f.name} draws ${bad.join(', ')}, not labels of ${f.spec.type}`);
    }
    const cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, w], i) => {
      sum += w;
      cumulative[i] = sum;
    });
    f.choices = values;
    f.compute = (_row, rng) => values[rng.weightedCumulative(cumulative)] as Value;
    return true;
  }
  if ('cycle' in g) {
    const values = g.cycle.map((v) => coerce(type, type.kind === 'text' ? String(v) : v));
    f.choices = values;
    f.compute = (row) => values[row.index % values.length] as Value;
    return true;
  }
  return false;
}

function compileDate(compiler: FieldCompiler, plan: EntityPlan, f: FieldPlan, d: Of<'date'>['date']): void {
  const type = f.type;
  const after = dateBounds(compiler, plan, f, d.after);
  const before = dateBounds(compiler, plan, f, d.before);
  const from = d.from ? dateLiteral(d.from) : after.length ? Number.NEGATIVE_INFINITY : SYNTHETIC_EPOCH - 5 * YEAR_MS;
  const to = d.to ? dateLiteral(d.to) : SYNTHETIC_EPOCH;
  const minDays = (d.minDays ?? 0) * DAY_MS;
  const maxDays = d.maxDays === undefined ? null : d.maxDays * DAY_MS;
  f.compute = (row, rng) => {
    let lo = from;
    for (const b of after) {
      const v = b(row);
      if (v !== null && (v as number) > lo) lo = v as number;
    }
    let hi = to;
    for (const b of before) {
      const v = b(row);
      if (v !== null && (v as number) < hi) hi = v as number;
    }
    // The lower bounds are the rules ("after the order"); an upper bound gives way to them.
    const start = lo + minDays;
    const end = Math.max(start, maxDays === null ? hi : Math.min(hi, lo + maxDays));
    return drawInstant(type, start, end, rng);
  };
}

function compileBirthDate(compiler: FieldCompiler, plan: EntityPlan, f: FieldPlan, spec: Of<'birthDate'>['birthDate']): void {
  const { minAgeYears, maxAgeYears } = spec;
  const at = spec.at ? compiler.resolvePath(plan, spec.at, f) : () => SYNTHETIC_EPOCH;
  f.compute = (row, rng) => {
    const ref = coerce(INSTANT, at(row)) as number | null;
    const when = ref ?? SYNTHETIC_EPOCH;
    // Born on or before the day `minAgeYears` before `when`: at least that old then.
    return drawInstant(DAY, addYears(when, -maxAgeYears) + DAY_MS, addYears(when, -minAgeYears) - DAY_MS, rng);
  };
}

function compilePattern(compiler: FieldCompiler, plan: EntityPlan, f: FieldPlan, p: Of<'pattern'>['pattern']): void {
  const unique = f.unique;
  if (typeof p === 'string') {
    f.compute = (row, rng) => fillPattern(p, rng, unique ? row.index : null);
    return;
  }
  const get = compiler.compileLookup(plan, f, p.lookup);
  f.compute = (row, rng) => {
    const pattern = get(row);
    return pattern === null ? null : fillPattern(String(pattern), rng, unique ? row.index : null);
  };
}

function compileRef(compiler: FieldCompiler, plan: EntityPlan, f: FieldPlan, ref: Of<'ref'>['ref']): void {
  const spec = typeof ref === 'string' ? { entity: ref, via: undefined } : ref;
  const parent = compiler.entity(spec.entity, `${plan.name}.${f.name}`);
  if (!parent.sequence) throw new InvalidInputError(`${compiler.where}: ${plan.name}.${f.name} references ${parent.name}, whose key is not a sequence`);
  f.refTo = parent;
  const owner = plan.owner?.field === f.name ? plan.owner : null;
  if (spec.via) {
    // The same parent as another row's reference (a review's product is the one of the item reviewed).
    f.compute = compiler.resolvePath(plan, spec.via, f, true);
  } else if (owner) {
    const offsets = owner.distribution.offsets;
    f.compute = (row) => parentOf(offsets, row.index);
  } else {
    const skew = plan.references.get(f.name)?.skew ?? 0;
    f.compute = (_row, rng) => (parent.count === 0 ? null : Math.min(parent.count - 1, Math.floor(parent.count * rng.next() ** (1 + skew))));
  }
  const format = f.format;
  f.format = (v) => (v === null ? null : format(parent.keyOf(v as number)));
}

function compileAggregate(compiler: FieldCompiler, plan: EntityPlan, f: FieldPlan, g: Of<'sumOf'> | Of<'minOf'> | Of<'maxOf'>): void {
  const [fn, spec] = 'sumOf' in g ? ['sum', g.sumOf] : 'minOf' in g ? ['min', g.minOf] : ['max', g.maxOf];
  const { link, target } = compiler.aggregate(plan, f, spec.entity, spec.field);
  const child = link.child;
  const offsets = link.distribution.offsets;
  const scale = target?.type.scale ?? f.type.scale ?? 6;
  f.compute = (row) => {
    const start = offsets[row.index] as number;
    const end = offsets[row.index + 1] as number;
    let acc: number | null = fn === 'sum' ? 0 : null;
    for (let c = start; c < end; c++) {
      const v = read(child.row(c), target as FieldPlan);
      if (v === null) continue;
      const n = v as number;
      acc = acc === null ? n : fn === 'sum' ? roundTo(acc + n, scale) : fn === 'min' ? Math.min(acc, n) : Math.max(acc, n);
    }
    return acc;
  };
}
