/**
 * Domain packs: versioned YAML files under `packages/core/domain-packs/` describing a business
 * domain as data — entities (tables) with typed fields and their generators, relationships with
 * cardinalities, cross-field rules and scenarios (entity subsets with overrides and default row
 * counts). This module validates them (zod) and resolves a scenario into the entity set the
 * generator (generate.ts) interprets. The generator vocabulary is documented in domain-packs/README.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { SEMANTIC_KINDS } from '../semantic.ts';

const NAME = /^[a-z][a-z0-9_]*$/;
const Name = z.string().regex(NAME, 'a lower-case snake_case name');
/** `field`, `customer.country_code`, `order.customer.created_at`: a field of this row or of a row reached through references. */
const Path = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'a dotted field path');
const Scalar = z.union([z.string(), z.number(), z.boolean()]);
/** A list of values (equally likely) or a map value → weight. */
const Choices = z.union([z.array(Scalar).min(1), z.record(z.string(), z.number().nonnegative())]);
/** Absolute date bound: ISO date, `now` (the synthetic epoch) or relative to it (`-5y`, `-90d`, `+30d`). */
const DateLiteral = z.string().regex(/^(now|[+-]\d+[dy]|\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?)$/, 'an ISO date, now, or -Ny / -Nd');
/** A bound taken from another field, optionally shifted. */
const FieldBound = z.union([Path, z.strictObject({ field: Path, days: z.number().optional(), years: z.number().optional() })]);
const FieldBounds = z.union([FieldBound, z.array(FieldBound).min(1)]);
const Dist = z.enum(['uniform', 'low', 'normal', 'logUniform']);
const Lookup = z.strictObject({ table: Name, key: Path, column: Name });
const Aggregate = z.strictObject({ entity: Name, field: Name });

export const GeneratorSpec = z.union([
  z.strictObject({ sequence: z.strictObject({ start: z.number().int().optional(), step: z.number().int().positive().optional() }).nullable() }),
  z.strictObject({
    semantic: z.union([
      z.enum(SEMANTIC_KINDS),
      z.strictObject({
        kind: z.enum(SEMANTIC_KINDS),
        min: z.number().optional(),
        max: z.number().optional(),
        minDate: z.string().optional(),
        maxDate: z.string().optional(),
      }),
    ]),
  }),
  z.strictObject({ enum: Choices }),
  /** Row n takes the (n mod length)-th value: every value appears, in order (a small catalogue). */
  z.strictObject({ cycle: z.array(Scalar).min(1) }),
  z.strictObject({ int: z.strictObject({ min: z.number().int(), max: z.number().int(), dist: Dist.optional() }) }),
  z.strictObject({ decimal: z.strictObject({ min: z.number(), max: z.number(), dist: Dist.optional() }) }),
  z.strictObject({ bool: z.number().min(0).max(1) }),
  z.strictObject({
    date: z.strictObject({
      from: DateLiteral.optional(),
      to: DateLiteral.optional(),
      after: FieldBounds.optional(),
      before: FieldBounds.optional(),
      minDays: z.number().nonnegative().optional(),
      maxDays: z.number().nonnegative().optional(),
    }),
  }),
  z.strictObject({ birthDate: z.strictObject({ at: Path.optional(), minAgeYears: z.number().int().nonnegative(), maxAgeYears: z.number().int().positive() }) }),
  z.strictObject({ pattern: z.union([z.string().min(1), z.strictObject({ lookup: Lookup })]) }),
  z.strictObject({ lookup: Lookup }),
  /** A foreign key; `via` takes the same parent as another reference (`order_item.product_id`). */
  z.strictObject({ ref: z.union([Name, z.strictObject({ entity: Name, via: Path })]) }),
  z.strictObject({ expr: z.string().min(1) }),
  z.strictObject({ sumOf: Aggregate }),
  z.strictObject({ minOf: Aggregate }),
  z.strictObject({ maxOf: Aggregate }),
  z.strictObject({ countOf: Name }),
  z.strictObject({ const: z.union([Scalar, z.null()]) }),
]);
export type GeneratorSpec = z.infer<typeof GeneratorSpec>;

export const FieldSpec = z.strictObject({
  /** PostgreSQL type: bigint, integer, numeric(12,2), varchar(80), char(3), text, date, timestamp, timestamptz, boolean, uuid, or a pack enum's name. */
  type: z.string().min(1),
  generator: GeneratorSpec,
  description: z.string().optional(),
  nullable: z.boolean().optional(),
  /** Share of NULLs (makes the column nullable). */
  nullRate: z.number().min(0).max(1).optional(),
  unique: z.boolean().optional(),
  /** Computed for other fields' use, not a column. */
  virtual: z.boolean().optional(),
});
export type FieldSpec = z.infer<typeof FieldSpec>;

export const EntitySpec = z.strictObject({
  description: z.string(),
  primaryKey: z.array(Name).min(1).optional(),
  fields: z.record(Name, FieldSpec),
  /** CHECK constraints (name → boolean SQL expression over the row's columns). */
  checks: z.record(Name, z.string()).optional(),
});
export type EntitySpec = z.infer<typeof EntitySpec>;

const Cardinality = z.string().regex(/^\d+\.\.(\d+|n)$/, 'min..max or min..n');
export const RelationshipSpec = z.strictObject({
  parent: Name,
  child: Name,
  /** The child's foreign-key field (its generator is `ref: <parent>`). */
  field: Name,
  /** `owns`: children are grouped under their parent within the cardinality; `references`: each child picks a parent. */
  type: z.enum(['owns', 'references']),
  cardinality: Cardinality.optional(),
  /** 0 = even; higher = a few parents get most children (lognormal weights for `owns`, power law for `references`). */
  skew: z.number().nonnegative().optional(),
});
export type RelationshipSpec = z.infer<typeof RelationshipSpec>;

export const RuleSpec = z.strictObject({
  name: Name,
  description: z.string(),
  /** The rule applies when all of these entities are generated. */
  entities: z.array(Name).min(1),
  /** SQL over the provisioned tables (schema `public`) returning one row with the number of violating rows. */
  violations: z.string(),
});
export type RuleSpec = z.infer<typeof RuleSpec>;

const EntityOverride = z.strictObject({
  description: z.string().optional(),
  /** A partial field replaces the given keys of the field; null removes the field; a new name adds one. */
  fields: z.record(Name, z.union([FieldSpec.partial(), z.null()])).optional(),
  checks: z.record(Name, z.union([z.string(), z.null()])).optional(),
});

export const ScenarioSpec = z.strictObject({
  description: z.string(),
  entities: z.array(Name).min(1),
  /** Default row count per entity (their ratios are the scenario's shape). */
  rows: z.record(Name, z.number().int().nonnegative()),
  overrides: z
    .strictObject({
      entities: z.record(Name, EntityOverride).optional(),
      relationships: z
        .array(
          z.strictObject({
            child: Name,
            field: Name,
            type: z.enum(['owns', 'references']).optional(),
            cardinality: Cardinality.optional(),
            skew: z.number().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type ScenarioSpec = z.infer<typeof ScenarioSpec>;

export const DomainPackSpec = z.strictObject({
  name: Name,
  version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a semver version'),
  description: z.string(),
  /** PostgreSQL enum types (created in the target), usable as field types. */
  enums: z.record(Name, z.array(z.string()).min(1)).optional(),
  /** Small lookup tables of the pack (rows of name → value); `countries` is built in. */
  lookups: z.record(Name, z.array(z.record(z.string(), Scalar)).min(1)).optional(),
  entities: z.record(Name, EntitySpec),
  relationships: z.array(RelationshipSpec),
  rules: z.array(RuleSpec),
  scenarios: z.record(Name, ScenarioSpec),
});
export type DomainPack = z.infer<typeof DomainPackSpec>;

/** What a pack offers, for pickers and docs. */
export interface DomainPackSummary {
  name: string;
  version: string;
  description: string;
  entities: { name: string; description: string }[];
  scenarios: { name: string; description: string; entities: string[]; rows: Record<string, number> }[];
}

/** A scenario with its overrides applied: the entities (in the scenario's order) and relationships among them. */
export interface ResolvedScenario {
  pack: DomainPack;
  scenario: string;
  description: string;
  entities: [string, EntitySpec][];
  relationships: RelationshipSpec[];
  rules: RuleSpec[];
  rows: Record<string, number>;
}

const PACKS_DIR = fileURLToPath(new URL('../../../domain-packs/', import.meta.url));

function packNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Parses and validates a pack document; problems name the pack and the path in it. */
export function parseDomainPack(text: string, source: string): DomainPack {
  const parsed = DomainPackSpec.safeParse(parse(text));
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new InvalidInputError(`domain pack ${source} is invalid: ${issues.join('; ')}`, { pack: source, issues });
  }
  return parsed.data;
}

/** Loads the pack `name` from the packs directory; an unknown name lists the available packs. */
export function loadDomainPack(name: string, dir: string = PACKS_DIR): DomainPack {
  const available = packNames(dir);
  if (!available.includes(name)) {
    throw new InvalidInputError(`unknown domain ${JSON.stringify(name)}; available: ${available.join(', ')}`, { domain: name, available });
  }
  const pack = parseDomainPack(readFileSync(`${dir}/${name}.yaml`, 'utf8'), `${name}.yaml`);
  if (pack.name !== name) throw new InvalidInputError(`domain pack ${name}.yaml calls itself ${JSON.stringify(pack.name)}`, { pack: name });
  return pack;
}

/** Every pack of the packs directory with its scenarios and entities. */
export function listDomainPacks(dir: string = PACKS_DIR): DomainPackSummary[] {
  return packNames(dir).map((name) => {
    const pack = loadDomainPack(name, dir);
    return {
      name: pack.name,
      version: pack.version,
      description: pack.description,
      entities: Object.entries(pack.entities).map(([entity, spec]) => ({ name: entity, description: spec.description })),
      scenarios: Object.entries(pack.scenarios).map(([scenario, spec]) => ({
        name: scenario,
        description: spec.description,
        entities: spec.entities,
        rows: spec.rows,
      })),
    };
  });
}

/**
 * The scenario `name` of `pack` (its first scenario when null) with overrides applied. An unknown
 * scenario lists the pack's scenarios; a scenario naming an unknown entity is a pack error.
 */
export function resolveScenario(pack: DomainPack, name?: string | null): ResolvedScenario {
  const available = Object.keys(pack.scenarios);
  const scenarioName = name ?? available[0];
  const scenario = scenarioName === undefined ? undefined : pack.scenarios[scenarioName];
  if (!scenario || scenarioName === undefined) {
    throw new InvalidInputError(`unknown scenario ${JSON.stringify(name)} of domain ${pack.name}; available: ${available.join(', ')}`, {
      domain: pack.name,
      scenario: name,
      available,
    });
  }
  const included = new Set(scenario.entities);
  const entities: [string, EntitySpec][] = scenario.entities.map((entity) => {
    const base = pack.entities[entity];
    if (!base) throw new InvalidInputError(`scenario ${scenarioName} of domain ${pack.name} names unknown entity ${JSON.stringify(entity)}`);
    return [entity, applyOverride(base, scenario.overrides?.entities?.[entity], `${pack.name}/${scenarioName}/${entity}`)];
  });
  for (const entity of Object.keys(scenario.overrides?.entities ?? {})) {
    if (!included.has(entity)) throw new InvalidInputError(`scenario ${scenarioName} of domain ${pack.name} overrides ${entity}, which it does not include`);
  }
  const relationships = pack.relationships
    .filter((r) => included.has(r.child) && included.has(r.parent))
    .map((r) => {
      const o = scenario.overrides?.relationships?.find((x) => x.child === r.child && x.field === r.field);
      return o ? { ...r, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } : r;
    });
  return {
    pack,
    scenario: scenarioName,
    description: scenario.description,
    entities,
    relationships,
    rules: pack.rules.filter((r) => r.entities.every((e) => included.has(e))),
    rows: scenario.rows,
  };
}

function applyOverride(base: EntitySpec, override: z.infer<typeof EntityOverride> | undefined, where: string): EntitySpec {
  if (!override) return base;
  const fields: Record<string, FieldSpec> = { ...base.fields };
  for (const [name, patch] of Object.entries(override.fields ?? {})) {
    if (patch === null) {
      delete fields[name];
      continue;
    }
    const merged = { ...fields[name], ...patch };
    const checked = FieldSpec.safeParse(merged);
    if (!checked.success) throw new InvalidInputError(`override of ${where}.${name} is incomplete: ${checked.error.issues[0]?.message}`);
    fields[name] = checked.data;
  }
  const checks: Record<string, string> = { ...base.checks };
  for (const [name, expression] of Object.entries(override.checks ?? {})) {
    if (expression === null) delete checks[name];
    else checks[name] = expression;
  }
  return { ...base, description: override.description ?? base.description, fields, checks };
}
