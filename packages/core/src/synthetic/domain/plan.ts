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
import { createValueGenerator, type GeneratorOptions, type SemanticKind, type ValueGenerator } from '../semantic.ts';
import { type ColumnType, coerce } from './columns.ts';
import type { Distribution } from './distribute.ts';
import type { Value } from './expr.ts';
import type { FieldSpec, RelationshipSpec } from './packs.ts';

/** The stream of one field of one row: seeded from the row's words and the field's salt, without hashing. */
export type FieldRng = Rng;
const fieldRng = (a: number, b: number, salt: number): FieldRng => Rng.fromWords(a, b ^ salt, Math.imul(salt, 0x9e3779b1) ^ a, 1);

const NO_RNG = fieldRng(0, 0, 0);

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

export interface Dep {
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
