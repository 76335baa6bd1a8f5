/**
 * Compiles a resolved scenario: one `EntityPlan` per entity with a compute function per field,
 * owned relationships shared out, and every pack mistake found before a row is made.
 * The generator of each field is compiled in field-generators.ts.
 */
import { InvalidInputError } from '../../errors.ts';
import { Rng } from '../rng.ts';
import { columnType, formatter } from './columns.ts';
import { COUNTRIES } from './countries.ts';
import { checkDependencies, loadOrder } from './dependencies.ts';
import { distribute } from './distribute.ts';
import { parseCardinality } from './draw.ts';
import type { Getter, Value } from './expr.ts';
import { compileField, type FieldCompiler } from './field-generators.ts';
import type { EntitySpec, FieldSpec, RelationshipSpec, ResolvedScenario } from './packs.ts';
import { type CompiledScenario, EntityPlan, type FieldPlan, type OwnerLink, read, type Row } from './plan.ts';

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

type Pack = ResolvedScenario['pack'];

/**
 * Compiles `scenario` for the given row counts. Pack mistakes (unknown fields, cycles, a cross-row
 * read of a semantic field, a foreign key without a sequence key to point to) are InvalidInputErrors.
 */
export function compileScenario(scenario: ResolvedScenario, counts: Record<string, number>, seed: string): CompiledScenario {
  return new ScenarioCompiler(scenario, counts, seed).compile();
}

class ScenarioCompiler implements FieldCompiler {
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
    for (const plan of this.plans.values()) for (const f of plan.fields) compileField(this, plan, f);
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
