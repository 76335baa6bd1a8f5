/**
 * Compiles a resolved scenario: one `EntityPlan` per entity with a compute function per field,
 * owned relationships shared out, and every pack mistake found before a row is made.
 */
import { InvalidInputError } from '../../errors.ts';
import { Rng } from '../rng.ts';
import { SYNTHETIC_EPOCH } from '../semantic.ts';
import { coerce, columnType, DAY_MS, formatter, roundTo } from './columns.ts';
import { COUNTRIES } from './countries.ts';
import { checkDependencies, loadOrder } from './dependencies.ts';
import { distribute, parentOf } from './distribute.ts';
import { addYears, DAY, dateLiteral, drawInstant, fillPattern, INSTANT, numberIn, parseCardinality, YEAR_MS } from './draw.ts';
import { compileExpr, type Getter, type Value } from './expr.ts';
import type { EntitySpec, FieldSpec, GeneratorSpec, RelationshipSpec, ResolvedScenario } from './packs.ts';
import { type CompiledScenario, EntityPlan, type FieldPlan, type OwnerLink, read, type Row } from './plan.ts';

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

type Pack = ResolvedScenario['pack'];
type Of<K extends string> = Extract<GeneratorSpec, Record<K, unknown>>;

/**
 * Compiles `scenario` for the given row counts. Pack mistakes (unknown fields, cycles, a cross-row
 * read of a semantic field, a foreign key without a sequence key to point to) are InvalidInputErrors.
 */
export function compileScenario(scenario: ResolvedScenario, counts: Record<string, number>, seed: string): CompiledScenario {
  return new ScenarioCompiler(scenario, counts, seed).compile();
}

class ScenarioCompiler {
  readonly pack: Pack;
  readonly where: string;
  readonly enums: Record<string, string[]>;
  readonly plans = new Map<string, EntityPlan>();
  readonly links: OwnerLink[] = [];

  constructor(
    readonly scenario: ResolvedScenario,
    readonly counts: Record<string, number>,
    readonly seed: string,
  ) {
    this.pack = scenario.pack;
    this.where = `${this.pack.name}/${scenario.scenario}`;
    this.enums = this.pack.enums ?? {};
  }

  compile(): CompiledScenario {
    for (const [name, spec] of this.scenario.entities) this.plans.set(name, this.planEntity(name, spec));
    // Relationships: owners share their children out now; references are drawn per row.
    for (const r of this.scenario.relationships) this.link(r);
    for (const plan of this.plans.values()) for (const f of plan.fields) this.compileField(plan, f);
    this.checkLengths();
    checkDependencies(this.plans, this.where);
    return { entities: loadOrder([...this.plans.values()], this.where), enums: this.enums, links: this.links };
  }

  planEntity(name: string, spec: EntitySpec): EntityPlan {
    const plan = new EntityPlan(name, spec.description, this.counts[name] ?? 0, this.seed, spec.checks ?? {});
    for (const [fieldName, f] of Object.entries(spec.fields) as [string, FieldSpec][]) {
      const type = columnType(f.type, this.enums);
      const field: FieldPlan = {
        name: fieldName,
        index: plan.fields.length,
        spec: f,
        type,
        virtual: f.virtual ?? false,
        nullable: (f.nullable ?? false) || (f.nullRate ?? 0) > 0,
        nullRate: f.nullRate ?? 0,
        unique: f.unique ?? false,
        salt: hash32(`${name}.${fieldName}`),
        semantic: null,
        compute: null,
        random: ['enum', 'int', 'decimal', 'bool', 'date', 'birthDate', 'pattern', 'ref'].some((k) => k in f.generator),
        streamOnly: false,
        deps: [],
        refTo: null,
        choices: null,
        format: formatter(type),
      };
      plan.fields.push(field);
      plan.byName.set(fieldName, field);
    }
    plan.primaryKey = spec.primaryKey ?? (plan.byName.has('id') ? ['id'] : []);
    for (const k of plan.primaryKey) if (!plan.byName.has(k)) throw new InvalidInputError(`${this.where}: primary key ${name}.${k} is not a field`);
    const pk = plan.primaryKey.length === 1 ? plan.byName.get(plan.primaryKey[0] as string) : undefined;
    const seq = pk && 'sequence' in pk.spec.generator ? pk.spec.generator.sequence : undefined;
    if (pk && seq !== undefined) plan.sequence = { start: seq?.start ?? 1, step: seq?.step ?? 1 };
    return plan;
  }

  entity(name: string, context: string): EntityPlan {
    const e = this.plans.get(name);
    if (!e) throw new InvalidInputError(`${this.where}: ${context} names ${JSON.stringify(name)}, which is not an entity of the scenario`);
    return e;
  }

  link(r: RelationshipSpec): void {
    const where = this.where;
    const child = this.entity(r.child, `relationship ${r.parent} → ${r.child}`);
    const parent = this.entity(r.parent, `relationship ${r.parent} → ${r.child}`);
    const f = child.byName.get(r.field);
    const target = f && 'ref' in f.spec.generator ? f.spec.generator.ref : null;
    if (!f || (typeof target === 'string' ? target : target?.entity) !== r.parent) {
      throw new InvalidInputError(`${where}: relationship ${r.parent} → ${r.child} needs field ${r.child}.${r.field} with generator ref: ${r.parent}`);
    }
    if (r.type === 'references') {
      child.references.set(r.field, r);
      return;
    }
    if (child.owner) throw new InvalidInputError(`${where}: ${r.child} is owned by both ${child.owner.parent.name} and ${r.parent}`);
    const { min, max } = parseCardinality(r.cardinality);
    const distribution = distribute(parent.count, child.count, min, max, r.skew ?? 0, new Rng(this.seed, 'distribute', r.child, r.field));
    if (parent.count === 0 && child.count > 0) {
      throw new InvalidInputError(`${where}: ${child.count} ${r.child} rows need at least one ${r.parent} row`, { entity: r.parent });
    }
    const link: OwnerLink = { parent, child, field: r.field, spec: r, distribution };
    child.owner = link;
    parent.owned.set(child.name, link);
    this.links.push(link);
  }

  /** A getter for `path` read from `from`'s rows; a foreign key reads as the parent's key (`raw`: its row number). */
  resolvePath(from: EntityPlan, path: string, f: FieldPlan, raw = false): Getter<Row> {
    const where = this.where;
    const segments = path.split('.');
    const hops: FieldPlan[] = [];
    let cur = from;
    for (const seg of segments.slice(0, -1)) {
      let hop = cur.byName.get(seg);
      if (!hop?.refTo) {
        const candidates = cur.fields.filter((x) => x.refTo?.name === seg);
        if (candidates.length !== 1) {
          throw new InvalidInputError(
            `${where}: ${from.name}.${f.name} reads ${path}, but ${cur.name} has ${candidates.length ? 'several references' : 'no reference'} to ${seg}`,
          );
        }
        hop = candidates[0] as FieldPlan;
      }
      if (hops.length === 0) f.deps.push({ entity: cur.name, field: hop.name, sameRow: true });
      hops.push(hop);
      cur = hop.refTo as EntityPlan;
    }
    const last = segments[segments.length - 1] as string;
    const target = cur.byName.get(last);
    if (!target) throw new InvalidInputError(`${where}: ${from.name}.${f.name} reads ${path}, but ${cur.name} has no field ${last}`);
    f.deps.push({ entity: cur.name, field: target.name, sameRow: hops.length === 0 });
    const get: Getter<Row> =
      hops.length === 0
        ? (row) => read(row, target)
        : (row) => {
            let r = row;
            for (const hop of hops) {
              const p = read(r, hop);
              if (p === null) return null;
              r = (hop.refTo as EntityPlan).row(p as number);
            }
            return read(r, target);
          };
    const parent = target.refTo;
    if (raw || !parent) return get;
    return (row) => {
      const v = get(row);
      return v === null ? null : parent.keyOf(v as number);
    };
  }

  lookupTable(table: string): Map<string, Record<string, Value>> {
    const pack = this.pack;
    const rows: Record<string, Value>[] | undefined =
      table === 'countries' ? (COUNTRIES as unknown as Record<string, Value>[]) : (pack.lookups?.[table] as Record<string, Value>[] | undefined);
    if (!rows) throw new InvalidInputError(`${this.where}: unknown lookup table ${table}; available: countries, ${Object.keys(pack.lookups ?? {}).join(', ')}`);
    const key = Object.keys(rows[0] ?? {})[0] as string;
    return new Map(rows.map((r) => [String(r[key]), r]));
  }

  compileLookup(plan: EntityPlan, f: FieldPlan, spec: { table: string; key: string; column: string }): Getter<Row> {
    const table = this.lookupTable(spec.table);
    const key = this.resolvePath(plan, spec.key, f);
    const first = table.values().next().value as Record<string, Value>;
    if (!(spec.column in first)) throw new InvalidInputError(`${this.where}: lookup table ${spec.table} has no column ${spec.column}`);
    return (row) => {
      const k = key(row);
      return k === null ? null : (table.get(String(k))?.[spec.column] ?? null);
    };
  }

  aggregate(plan: EntityPlan, f: FieldPlan, childName: string, fieldName: string | null): { link: OwnerLink; target: FieldPlan | null } {
    const link = plan.owned.get(childName);
    if (!link) throw new InvalidInputError(`${this.where}: ${plan.name}.${f.name} aggregates ${childName}, which ${plan.name} does not own`);
    const target = fieldName === null ? null : (link.child.byName.get(fieldName) ?? null);
    if (fieldName !== null && !target) throw new InvalidInputError(`${this.where}: ${childName} has no field ${fieldName}`);
    if (target) f.deps.push({ entity: childName, field: target.name, sameRow: false });
    return { link, target };
  }

  bounds(plan: EntityPlan, f: FieldPlan, spec: unknown): Getter<Row>[] {
    if (spec === undefined) return [];
    const list = Array.isArray(spec) ? spec : [spec];
    return list.map((b: string | { field: string; days?: number; years?: number }) => {
      const { field, days = 0, years = 0 } = typeof b === 'string' ? { field: b } : b;
      const get = this.resolvePath(plan, field, f);
      return (row) => {
        const v = coerce(INSTANT, get(row));
        if (v === null) return null;
        return (years ? addYears(v as number, years) : (v as number)) + days * DAY_MS;
      };
    });
  }

  compileField(plan: EntityPlan, f: FieldPlan): void {
    const g: GeneratorSpec = f.spec.generator;
    if (!this.compileValue(f, g) && !this.compileChoice(plan, f, g)) {
      if ('date' in g) this.compileDate(plan, f, g.date);
      else if ('birthDate' in g) this.compileBirthDate(plan, f, g.birthDate);
      else if ('pattern' in g) this.compilePattern(plan, f, g.pattern);
      else if ('lookup' in g) f.compute = this.compileLookup(plan, f, g.lookup);
      else if ('ref' in g) this.compileRef(plan, f, g.ref);
      else if ('expr' in g) {
        const { evaluate } = compileExpr<Row>(g.expr, (path) => this.resolvePath(plan, path, f));
        f.compute = (row) => evaluate(row);
      } else if ('sumOf' in g || 'minOf' in g || 'maxOf' in g) this.compileAggregate(plan, f, g);
      else if ('countOf' in g) {
        const { link } = this.aggregate(plan, f, g.countOf, null);
        const offsets = link.distribution.offsets;
        f.compute = (row) => (offsets[row.index + 1] as number) - (offsets[row.index] as number);
      }
    }
    if (f.unique && !('sequence' in g) && !('semantic' in g) && !('pattern' in g)) {
      throw new InvalidInputError(`${this.where}: ${plan.name}.${f.name} is unique, which only sequence, semantic and pattern generators guarantee`);
    }
  }

  /** Generators of one row's own values: sequence, semantic, int, decimal, bool, const. */
  compileValue(f: FieldPlan, g: GeneratorSpec): boolean {
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
  compileChoice(plan: EntityPlan, f: FieldPlan, g: GeneratorSpec): boolean {
    const type = f.type;
    if ('enum' in g) {
      const entries: [string | number | boolean, number][] = Array.isArray(g.enum) ? g.enum.map((v) => [v, 1]) : Object.entries(g.enum);
      const values = entries.map(([v]) => coerce(type, type.kind === 'text' ? String(v) : (v as Value)));
      if (type.labels) {
        const bad = values.filter((v) => !type.labels?.includes(String(v)));
        if (bad.length) throw new InvalidInputError(`${this.where}: ${plan.name}.${f.name} draws ${bad.join(', ')}, not labels of ${f.spec.type}`);
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

  compileDate(plan: EntityPlan, f: FieldPlan, d: Of<'date'>['date']): void {
    const type = f.type;
    const after = this.bounds(plan, f, d.after);
    const before = this.bounds(plan, f, d.before);
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

  compileBirthDate(plan: EntityPlan, f: FieldPlan, spec: Of<'birthDate'>['birthDate']): void {
    const { minAgeYears, maxAgeYears } = spec;
    const at = spec.at ? this.resolvePath(plan, spec.at, f) : () => SYNTHETIC_EPOCH;
    f.compute = (row, rng) => {
      const ref = coerce(INSTANT, at(row)) as number | null;
      const when = ref ?? SYNTHETIC_EPOCH;
      // Born on or before the day `minAgeYears` before `when`: at least that old then.
      return drawInstant(DAY, addYears(when, -maxAgeYears) + DAY_MS, addYears(when, -minAgeYears) - DAY_MS, rng);
    };
  }

  compilePattern(plan: EntityPlan, f: FieldPlan, p: Of<'pattern'>['pattern']): void {
    const unique = f.unique;
    if (typeof p === 'string') {
      f.compute = (row, rng) => fillPattern(p, rng, unique ? row.index : null);
      return;
    }
    const get = this.compileLookup(plan, f, p.lookup);
    f.compute = (row, rng) => {
      const pattern = get(row);
      return pattern === null ? null : fillPattern(String(pattern), rng, unique ? row.index : null);
    };
  }

  compileRef(plan: EntityPlan, f: FieldPlan, ref: Of<'ref'>['ref']): void {
    const spec = typeof ref === 'string' ? { entity: ref, via: undefined } : ref;
    const parent = this.entity(spec.entity, `${plan.name}.${f.name}`);
    if (!parent.sequence) throw new InvalidInputError(`${this.where}: ${plan.name}.${f.name} references ${parent.name}, whose key is not a sequence`);
    f.refTo = parent;
    const owner = plan.owner?.field === f.name ? plan.owner : null;
    if (spec.via) {
      // The same parent as another row's reference (a review's product is the one of the item reviewed).
      f.compute = this.resolvePath(plan, spec.via, f, true);
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

  compileAggregate(plan: EntityPlan, f: FieldPlan, g: Of<'sumOf'> | Of<'minOf'> | Of<'maxOf'>): void {
    const [fn, spec] = 'sumOf' in g ? ['sum', g.sumOf] : 'minOf' in g ? ['min', g.minOf] : ['max', g.maxOf];
    const { link, target } = this.aggregate(plan, f, spec.entity, spec.field);
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

  /** Listed choices must fit the column's length. */
  checkLengths(): void {
    for (const plan of this.plans.values()) {
      for (const f of plan.fields) {
        const max = f.type.maxLength;
        const long = max === null || !f.choices ? [] : f.choices.filter((v) => v !== null && String(v).length > max);
        if (long.length) throw new InvalidInputError(`${this.where}: ${plan.name}.${f.name} (${f.type.dataType}) cannot hold ${long.join(', ')}`);
      }
    }
  }
}
