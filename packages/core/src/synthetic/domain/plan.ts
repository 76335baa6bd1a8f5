/**
 * A resolved scenario compiled into something that can produce any row of any entity on demand.
 *
 * Every row is a pure function of (seed, entity, row number): its random draws come from
 * `new Rng(seed, entity, i)`, split into one small stream per field, so a field's value does not
 * depend on which other fields were computed first. Fields are computed lazily and memoised on the
 * row; a field may read fields of its own row, of rows it references (`customer.country_code`)
 * and aggregates of the rows it owns (`sumOf` order_item.line_total). That is how an order's total
 * and its items agree without either table being held in memory: the order computes its items'
 * line totals from (seed, item number), and the items, generated later, compute the same values.
 * Semantic fields (names, emails…) come from semantic.ts's fast sequential streams and are only
 * available while their own table streams; the compiler refuses a cross-row read of one.
 */
import { InvalidInputError } from '../../errors.ts';
import { Rng } from '../rng.ts';
import { createValueGenerator, type GeneratorOptions, type SemanticKind, SYNTHETIC_EPOCH, type ValueGenerator } from '../semantic.ts';
import { type ColumnType, coerce, columnType, DAY_MS, formatter, roundTo } from './columns.ts';
import { COUNTRIES } from './countries.ts';
import { type Distribution, distribute, parentOf } from './distribute.ts';
import { compileExpr, type Getter, type Value } from './expr.ts';
import type { FieldSpec, GeneratorSpec, RelationshipSpec, ResolvedScenario } from './packs.ts';

/** The stream of one field of one row: seeded from the row's words and the field's salt, without hashing. */
type FieldRng = Rng;
const fieldRng = (a: number, b: number, salt: number): FieldRng => Rng.fromWords(a, b ^ salt, Math.imul(salt, 0x9e3779b1) ^ a, 1);

const NO_RNG = fieldRng(0, 0, 0);

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: a cheap, well-mixed hash of one word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Row {
  readonly values: Value[];
  /** Per field: 0 not computed, 1 being computed, 2 done. */
  readonly state: number[];
  readonly a: number;
  readonly b: number;
  constructor(
    readonly entity: EntityPlan,
    readonly index: number,
  ) {
    const n = entity.fields.length;
    this.values = new Array<Value>(n).fill(null);
    this.state = new Array<number>(n).fill(0);
    // The row's words are a hash of the entity's stream (`new Rng(seed, entity)`) and the row number:
    // the same as drawing `new Rng(seed, entity, i)` per row for our purpose, without its string hashing.
    const lo = index >>> 0;
    const hi = Math.floor(index / 4294967296);
    this.a = fmix32(entity.words[0] ^ fmix32(lo + Math.imul(hi, 0x9e3779b1)));
    this.b = fmix32(entity.words[1] ^ fmix32(Math.imul(lo, 0x85ebca6b) + hi + 0x27d4eb2f));
  }
}

type Compute = (row: Row, rng: FieldRng) => Value;

interface Dep {
  entity: string;
  field: string;
  sameRow: boolean;
}

export interface FieldPlan {
  name: string;
  index: number;
  spec: FieldSpec;
  type: ColumnType;
  virtual: boolean;
  nullable: boolean;
  nullRate: number;
  unique: boolean;
  salt: number;
  semantic: { kind: SemanticKind; options: Omit<GeneratorOptions, 'seed' | 'path'> } | null;
  compute: Compute | null;
  /** Draws random numbers (else no stream is made for it). */
  random: boolean;
  /** Depends (on its own row) on a semantic field: readable only while its table streams. */
  streamOnly: boolean;
  deps: Dep[];
  /** For a foreign key: the entity it points to (the value kept is the parent's row number). */
  refTo: EntityPlan | null;
  /** Enum choices, for CHECK constraints. */
  choices: Value[] | null;
  format: (v: Value) => string | null;
}

export interface OwnerLink {
  parent: EntityPlan;
  child: EntityPlan;
  field: string;
  spec: RelationshipSpec;
  distribution: Distribution;
}

const CACHE_ROWS = 4096;

export class EntityPlan {
  readonly fields: FieldPlan[] = [];
  readonly byName = new Map<string, FieldPlan>();
  owner: OwnerLink | null = null;
  readonly owned = new Map<string, OwnerLink>();
  readonly references = new Map<string, RelationshipSpec>();
  primaryKey: string[] = [];
  /** First value and step of a sequence primary key (foreign keys pointing here are computed from the row number). */
  sequence: { start: number; step: number } | null = null;
  readonly #cache = new Map<number, Row>();
  /** Two words of `new Rng(seed, name)`, from which each row's words are hashed. */
  readonly words: [number, number];

  constructor(
    readonly name: string,
    readonly description: string,
    readonly count: number,
    readonly seed: string,
    readonly checks: Record<string, string>,
  ) {
    const rng = new Rng(seed, name);
    this.words = [rng.uint32(), rng.uint32()];
  }

  /** Row `i` (memoised for a while: children of one parent are read together). */
  row(i: number): Row {
    let row = this.#cache.get(i);
    if (!row) {
      row = new Row(this, i);
      this.remember(row);
    }
    return row;
  }

  remember(row: Row): void {
    if (this.#cache.size >= CACHE_ROWS) this.#cache.clear();
    this.#cache.set(row.index, row);
  }

  /** The primary key value of row `i` of this entity. */
  keyOf(i: number): number {
    const s = this.sequence as { start: number; step: number };
    return s.start + i * s.step;
  }
}

/** The value of field `f` of `row`, computed on first read. */
export function read(row: Row, f: FieldPlan): Value {
  const i = f.index;
  const state = row.state[i];
  if (state === 2) return row.values[i] as Value;
  if (state === 1) throw new InvalidInputError(`field ${row.entity.name}.${f.name} depends on itself`);
  if (!f.compute) throw new InvalidInputError(`field ${row.entity.name}.${f.name} is only available while ${row.entity.name} is generated`);
  row.state[i] = 1;
  // Only fields that draw get a stream (most derived fields do not).
  const rng = f.random || f.nullRate > 0 ? fieldRng(row.a, row.b, f.salt) : NO_RNG;
  const v = f.nullRate > 0 && rng.chance(f.nullRate) ? null : coerce(f.type, f.compute(row, rng));
  row.values[i] = v;
  row.state[i] = 2;
  return v;
}

export interface CompiledScenario {
  /** In load order: parents before children. */
  entities: EntityPlan[];
  enums: Record<string, string[]>;
  /** Owned relationships with how their children were shared out. */
  links: OwnerLink[];
}

export const YEAR_MS = 365.25 * DAY_MS;
const INSTANT = columnType('timestamp', {});
const DAY = columnType('date', {});

export function dateLiteral(text: string): number {
  if (text === 'now') return SYNTHETIC_EPOCH;
  const rel = /^([+-]\d+)([dy])$/.exec(text);
  if (rel) return SYNTHETIC_EPOCH + Number(rel[1]) * (rel[2] === 'y' ? YEAR_MS : DAY_MS);
  return Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text.replace(' ', 'T')}Z`);
}

export function addYears(ms: number, years: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/** A value within [lo, hi] ms as the column stores it: whole days for dates, whole seconds for timestamps. */
function drawInstant(type: ColumnType, lo: number, hi: number, rng: FieldRng): number {
  if (type.kind === 'date') {
    const from = Math.ceil(lo / DAY_MS);
    const to = Math.max(from, Math.floor(hi / DAY_MS));
    return rng.int(from, to) * DAY_MS;
  }
  const from = Math.ceil(lo / 1000);
  const to = Math.max(from, Math.floor(hi / 1000));
  return rng.int(from, to) * 1000;
}

function fillPattern(pattern: string, rng: FieldRng, unique: number | null): string {
  const digits = [...pattern].filter((c) => c === '#').length;
  let uniqueDigits = '';
  let keep = 0;
  if (unique !== null) {
    keep = Math.min(digits, 12);
    const space = 10 ** keep;
    if (unique >= space) throw new InvalidInputError(`pattern ${JSON.stringify(pattern)} has room for ${space} unique values`);
    // An affine map with a multiplier prime to 10 is a bijection on [0, 10^k): distinct rows, distinct values, no visible counter.
    uniqueDigits = String((unique * 7919 + 104_729) % space).padStart(keep, '0');
  }
  let out = '';
  let seen = 0;
  for (const ch of pattern) {
    if (ch === '#') {
      out += seen >= digits - keep ? uniqueDigits[seen - (digits - keep)] : String.fromCharCode(48 + rng.int(0, 9));
      seen++;
    } else if (ch === '@') out += String.fromCharCode(65 + rng.int(0, 25));
    else out += ch;
  }
  return out;
}

function numberIn(dist: string | undefined, min: number, max: number, rng: FieldRng): number {
  switch (dist) {
    case 'low':
      return min + (max - min) * rng.next() ** 2.5;
    case 'normal': {
      const v = (min + max) / 2 + ((max - min) / 6) * rng.normal();
      return Math.min(max, Math.max(min, v));
    }
    case 'logUniform':
      return Math.exp(Math.log(Math.max(min, 1e-6)) + rng.next() * (Math.log(max) - Math.log(Math.max(min, 1e-6))));
    default:
      return min + (max - min) * rng.next();
  }
}

function parseCardinality(text: string | undefined): { min: number; max: number | null } {
  if (!text) return { min: 0, max: null };
  const [lo, hi] = text.split('..');
  return { min: Number(lo), max: hi === 'n' ? null : Number(hi) };
}

/**
 * Compiles `scenario` for the given row counts. Pack mistakes (unknown fields, cycles, a cross-row
 * read of a semantic field, a foreign key without a sequence key to point to) are InvalidInputErrors.
 */
export function compileScenario(scenario: ResolvedScenario, counts: Record<string, number>, seed: string): CompiledScenario {
  const pack = scenario.pack;
  const where = `${pack.name}/${scenario.scenario}`;
  const enums = pack.enums ?? {};
  const plans = new Map<string, EntityPlan>();
  for (const [name, spec] of scenario.entities) {
    const plan = new EntityPlan(name, spec.description, counts[name] ?? 0, seed, spec.checks ?? {});
    for (const [fieldName, f] of Object.entries(spec.fields)) {
      const type = columnType(f.type, enums);
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
    for (const k of plan.primaryKey) if (!plan.byName.has(k)) throw new InvalidInputError(`${where}: primary key ${name}.${k} is not a field`);
    const pk = plan.primaryKey.length === 1 ? plan.byName.get(plan.primaryKey[0] as string) : undefined;
    const seq = pk && 'sequence' in pk.spec.generator ? pk.spec.generator.sequence : undefined;
    if (pk && seq !== undefined) plan.sequence = { start: seq?.start ?? 1, step: seq?.step ?? 1 };
    plans.set(name, plan);
  }
  const entity = (name: string, context: string): EntityPlan => {
    const e = plans.get(name);
    if (!e) throw new InvalidInputError(`${where}: ${context} names ${JSON.stringify(name)}, which is not an entity of the scenario`);
    return e;
  };

  // Relationships: owners share their children out now; references are drawn per row.
  const links: OwnerLink[] = [];
  for (const r of scenario.relationships) {
    const child = entity(r.child, `relationship ${r.parent} → ${r.child}`);
    const parent = entity(r.parent, `relationship ${r.parent} → ${r.child}`);
    const f = child.byName.get(r.field);
    const target = f && 'ref' in f.spec.generator ? f.spec.generator.ref : null;
    if (!f || (typeof target === 'string' ? target : target?.entity) !== r.parent) {
      throw new InvalidInputError(`${where}: relationship ${r.parent} → ${r.child} needs field ${r.child}.${r.field} with generator ref: ${r.parent}`);
    }
    if (r.type === 'references') {
      child.references.set(r.field, r);
      continue;
    }
    if (child.owner) throw new InvalidInputError(`${where}: ${r.child} is owned by both ${child.owner.parent.name} and ${r.parent}`);
    const { min, max } = parseCardinality(r.cardinality);
    const distribution = distribute(parent.count, child.count, min, max, r.skew ?? 0, new Rng(seed, 'distribute', r.child, r.field));
    if (parent.count === 0 && child.count > 0) {
      throw new InvalidInputError(`${where}: ${child.count} ${r.child} rows need at least one ${r.parent} row`, { entity: r.parent });
    }
    const link: OwnerLink = { parent, child, field: r.field, spec: r, distribution };
    child.owner = link;
    parent.owned.set(child.name, link);
    links.push(link);
  }

  // Fields.
  for (const plan of plans.values()) {
    for (const f of plan.fields) compileField(plan, f);
  }

  /** A getter for `path` read from `from`'s rows; a foreign key reads as the parent's key (`raw`: its row number). */
  function resolvePath(from: EntityPlan, path: string, f: FieldPlan, raw = false): Getter<Row> {
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

  function lookupTable(table: string): Map<string, Record<string, Value>> {
    const rows: Record<string, Value>[] | undefined =
      table === 'countries' ? (COUNTRIES as unknown as Record<string, Value>[]) : (pack.lookups?.[table] as Record<string, Value>[] | undefined);
    if (!rows) throw new InvalidInputError(`${where}: unknown lookup table ${table}; available: countries, ${Object.keys(pack.lookups ?? {}).join(', ')}`);
    const key = Object.keys(rows[0] ?? {})[0] as string;
    return new Map(rows.map((r) => [String(r[key]), r]));
  }

  function compileLookup(plan: EntityPlan, f: FieldPlan, spec: { table: string; key: string; column: string }): Getter<Row> {
    const table = lookupTable(spec.table);
    const key = resolvePath(plan, spec.key, f);
    const first = table.values().next().value as Record<string, Value>;
    if (!(spec.column in first)) throw new InvalidInputError(`${where}: lookup table ${spec.table} has no column ${spec.column}`);
    return (row) => {
      const k = key(row);
      return k === null ? null : (table.get(String(k))?.[spec.column] ?? null);
    };
  }

  function aggregate(plan: EntityPlan, f: FieldPlan, childName: string, fieldName: string | null): { link: OwnerLink; target: FieldPlan | null } {
    const link = plan.owned.get(childName);
    if (!link) throw new InvalidInputError(`${where}: ${plan.name}.${f.name} aggregates ${childName}, which ${plan.name} does not own`);
    const target = fieldName === null ? null : (link.child.byName.get(fieldName) ?? null);
    if (fieldName !== null && !target) throw new InvalidInputError(`${where}: ${childName} has no field ${fieldName}`);
    if (target) f.deps.push({ entity: childName, field: target.name, sameRow: false });
    return { link, target };
  }

  function bounds(plan: EntityPlan, f: FieldPlan, spec: unknown): Getter<Row>[] {
    if (spec === undefined) return [];
    const list = Array.isArray(spec) ? spec : [spec];
    return list.map((b: string | { field: string; days?: number; years?: number }) => {
      const { field, days = 0, years = 0 } = typeof b === 'string' ? { field: b } : b;
      const get = resolvePath(plan, field, f);
      return (row) => {
        const v = coerce(INSTANT, get(row));
        if (v === null) return null;
        return (years ? addYears(v as number, years) : (v as number)) + days * DAY_MS;
      };
    });
  }

  function compileField(plan: EntityPlan, f: FieldPlan): void {
    const g: GeneratorSpec = f.spec.generator;
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
    } else if ('enum' in g) {
      const entries: [string | number | boolean, number][] = Array.isArray(g.enum) ? g.enum.map((v) => [v, 1]) : Object.entries(g.enum);
      const values = entries.map(([v]) => coerce(type, type.kind === 'text' ? String(v) : (v as Value)));
      if (type.labels) {
        const bad = values.filter((v) => !type.labels?.includes(String(v)));
        if (bad.length) throw new InvalidInputError(`${where}: ${plan.name}.${f.name} draws ${bad.join(', ')}, not labels of ${f.spec.type}`);
      }
      const cumulative = new Float64Array(entries.length);
      let sum = 0;
      entries.forEach(([, w], i) => {
        sum += w;
        cumulative[i] = sum;
      });
      f.choices = values;
      f.compute = (_row, rng) => values[rng.weightedCumulative(cumulative)] as Value;
    } else if ('cycle' in g) {
      const values = g.cycle.map((v) => coerce(type, type.kind === 'text' ? String(v) : v));
      f.choices = values;
      f.compute = (row) => values[row.index % values.length] as Value;
    } else if ('int' in g) {
      const { min, max, dist } = g.int;
      f.compute = (_row, rng) => (dist === undefined || dist === 'uniform' ? rng.int(min, max) : Math.min(max, Math.floor(numberIn(dist, min, max + 1, rng))));
    } else if ('decimal' in g) {
      const { min, max, dist } = g.decimal;
      f.compute = (_row, rng) => numberIn(dist, min, max, rng);
    } else if ('bool' in g) {
      const p = g.bool;
      f.compute = (_row, rng) => rng.chance(p);
    } else if ('date' in g) {
      const d = g.date;
      const after = bounds(plan, f, d.after);
      const before = bounds(plan, f, d.before);
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
    } else if ('birthDate' in g) {
      const { minAgeYears, maxAgeYears } = g.birthDate;
      const at = g.birthDate.at ? resolvePath(plan, g.birthDate.at, f) : () => SYNTHETIC_EPOCH;
      f.compute = (row, rng) => {
        const ref = coerce(INSTANT, at(row)) as number | null;
        const when = ref ?? SYNTHETIC_EPOCH;
        // Born on or before the day `minAgeYears` before `when`: at least that old then.
        return drawInstant(DAY, addYears(when, -maxAgeYears) + DAY_MS, addYears(when, -minAgeYears) - DAY_MS, rng);
      };
    } else if ('pattern' in g) {
      const p = g.pattern;
      const unique = f.unique;
      if (typeof p === 'string') f.compute = (row, rng) => fillPattern(p, rng, unique ? row.index : null);
      else {
        const get = compileLookup(plan, f, p.lookup);
        f.compute = (row, rng) => {
          const pattern = get(row);
          return pattern === null ? null : fillPattern(String(pattern), rng, unique ? row.index : null);
        };
      }
    } else if ('lookup' in g) {
      f.compute = compileLookup(plan, f, g.lookup);
    } else if ('ref' in g) {
      const spec = typeof g.ref === 'string' ? { entity: g.ref, via: undefined } : g.ref;
      const parent = entity(spec.entity, `${plan.name}.${f.name}`);
      if (!parent.sequence) throw new InvalidInputError(`${where}: ${plan.name}.${f.name} references ${parent.name}, whose key is not a sequence`);
      f.refTo = parent;
      const owner = plan.owner?.field === f.name ? plan.owner : null;
      if (spec.via) {
        // The same parent as another row's reference (a review's product is the one of the item reviewed).
        f.compute = resolvePath(plan, spec.via, f, true);
      } else if (owner) {
        const offsets = owner.distribution.offsets;
        f.compute = (row) => parentOf(offsets, row.index);
      } else {
        const skew = plan.references.get(f.name)?.skew ?? 0;
        f.compute = (_row, rng) => (parent.count === 0 ? null : Math.min(parent.count - 1, Math.floor(parent.count * rng.next() ** (1 + skew))));
      }
      const format = f.format;
      f.format = (v) => (v === null ? null : format(parent.keyOf(v as number)));
    } else if ('expr' in g) {
      const { evaluate } = compileExpr<Row>(g.expr, (path) => resolvePath(plan, path, f));
      f.compute = (row) => evaluate(row);
    } else if ('sumOf' in g || 'minOf' in g || 'maxOf' in g) {
      const [fn, spec] = 'sumOf' in g ? ['sum', g.sumOf] : 'minOf' in g ? ['min', g.minOf] : ['max', g.maxOf];
      const { link, target } = aggregate(plan, f, spec.entity, spec.field);
      const child = link.child;
      const offsets = link.distribution.offsets;
      const scale = target?.type.scale ?? type.scale ?? 6;
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
    } else if ('countOf' in g) {
      const { link } = aggregate(plan, f, g.countOf, null);
      const offsets = link.distribution.offsets;
      f.compute = (row) => (offsets[row.index + 1] as number) - (offsets[row.index] as number);
    } else if ('const' in g) {
      const v = g.const;
      f.choices = [v];
      f.compute = () => v;
    }
    if (f.unique && !('sequence' in g) && !('semantic' in g) && !('pattern' in g)) {
      throw new InvalidInputError(`${where}: ${plan.name}.${f.name} is unique, which only sequence, semantic and pattern generators guarantee`);
    }
  }

  for (const plan of plans.values()) {
    for (const f of plan.fields) {
      const max = f.type.maxLength;
      const long = max === null || !f.choices ? [] : f.choices.filter((v) => v !== null && String(v).length > max);
      if (long.length) throw new InvalidInputError(`${where}: ${plan.name}.${f.name} (${f.type.dataType}) cannot hold ${long.join(', ')}`);
    }
  }
  checkDependencies(plans, where);
  return { entities: loadOrder([...plans.values()], where), enums, links };
}

/** Marks fields that read semantic values of their own row, refuses cross-row reads of them, and refuses cycles. */
function checkDependencies(plans: Map<string, EntityPlan>, where: string): void {
  const field = (d: Dep) => plans.get(d.entity)?.byName.get(d.field) as FieldPlan;
  let changed = true;
  while (changed) {
    changed = false;
    for (const plan of plans.values()) {
      for (const f of plan.fields) {
        if (!f.streamOnly && f.deps.some((d) => d.sameRow && field(d).streamOnly)) {
          f.streamOnly = true;
          changed = true;
        }
      }
    }
  }
  for (const plan of plans.values()) {
    for (const f of plan.fields) {
      for (const d of f.deps) {
        if (!d.sameRow && field(d).streamOnly) {
          throw new InvalidInputError(
            `${where}: ${plan.name}.${f.name} reads ${d.entity}.${d.field}, a semantic value that exists only while ${d.entity} is generated`,
          );
        }
      }
    }
  }
  const state = new Map<FieldPlan, number>();
  const visit = (f: FieldPlan, entity: string, trail: string[]) => {
    const s = state.get(f);
    if (s === 2) return;
    if (s === 1) throw new InvalidInputError(`${where}: fields depend on each other in a cycle: ${[...trail, `${entity}.${f.name}`].join(' → ')}`);
    state.set(f, 1);
    for (const d of f.deps) visit(field(d), d.entity, [...trail, `${entity}.${f.name}`]);
    state.set(f, 2);
  };
  for (const plan of plans.values()) for (const f of plan.fields) visit(f, plan.name, []);
}

/** Parents before children (by foreign keys), otherwise the scenario's order. */
function loadOrder(plans: EntityPlan[], where: string): EntityPlan[] {
  const out: EntityPlan[] = [];
  const state = new Map<EntityPlan, number>();
  const visit = (p: EntityPlan) => {
    if (state.get(p) === 2) return;
    if (state.get(p) === 1) throw new InvalidInputError(`${where}: entities reference each other in a cycle through ${p.name}`);
    state.set(p, 1);
    for (const f of p.fields) if (f.refTo && f.refTo !== p) visit(f.refTo);
    state.set(p, 2);
    out.push(p);
  };
  for (const p of plans) visit(p);
  return out;
}

/** The seeded semantic streams of an entity's semantic fields (fresh per pass, so every pass yields the same rows). */
export function semanticStreams(plan: EntityPlan): (ValueGenerator | null)[] {
  return plan.fields.map((f) =>
    f.semantic ? createValueGenerator(f.semantic.kind, { seed: plan.seed, path: [plan.name, f.name], ...f.semantic.options }) : null,
  );
}

/** Streams an entity's rows as PostgreSQL text, in batches. */
export async function* entityRows(plan: EntityPlan, batchSize: number): AsyncGenerator<(string | null)[][]> {
  const streams = semanticStreams(plan);
  const columns = plan.fields.filter((f) => !f.virtual);
  const semantic = plan.fields.filter((f) => f.semantic);
  let batch: (string | null)[][] = [];
  for (let i = 0; i < plan.count; i++) {
    const row = new Row(plan, i);
    plan.remember(row);
    for (const f of semantic) {
      const v = (streams[f.index] as ValueGenerator).next(i);
      row.values[f.index] = f.nullRate > 0 && fieldRng(row.a, row.b, f.salt).chance(f.nullRate) ? null : v;
      row.state[f.index] = 2;
    }
    const out = new Array<string | null>(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const f = columns[c] as FieldPlan;
      out[c] = f.format(read(row, f));
    }
    batch.push(out);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
