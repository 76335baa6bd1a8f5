/**
 * A REST route's GraphQL operation, built from the schema: the selection set of a root field's
 * result (result unions and connections looked through, typed errors with all their fields), and
 * the schema-aware snake_case ⇄ camelCase conversion of its variables and data. JSON scalars (a
 * workflow's `config`, `row_counts` keyed by table names) pass through verbatim in both directions.
 */
import type { GraphQLField, GraphQLInputType, GraphQLNamedType, GraphQLOutputType, GraphQLSchema } from 'graphql';
import { getNamedType, isAbstractType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType, isScalarType } from './kinds.ts';
import { InvalidInputError } from '@tdm/core/errors';

/** Computed fields with routes of their own (lineage, trace, logs): too heavy to fetch for every item of a list. */
const SKIP = new Set(['Job.trace', 'Job.logs', 'DatasetVersion.manifest', 'DatasetVersion.derivatives']);
const MAX_DEPTH = 4;

export const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Result unions, their `…Success { data }` members, connections and edges: wrappers, not entities. */
const isWrapper = (t: GraphQLNamedType) => isAbstractType(t) || /(Success|Connection|ConnectionEdge)$/.test(t.name);

export function rootField(schema: GraphQLSchema, ref: string): { kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> } {
  const [typeName, fieldName] = ref.split('.') as [string, string];
  const type = typeName === 'Query' ? schema.getQueryType() : schema.getMutationType();
  const field = type?.getFields()[fieldName];
  if (!field) throw new Error(`REST route names ${ref}, which the GraphQL schema does not have`);
  return { kind: typeName === 'Query' ? 'query' : 'mutation', field };
}

const modelCache = new WeakMap<GraphQLSchema, Set<string>>();
function models(schema: GraphQLSchema): Set<string> {
  let set = modelCache.get(schema);
  if (!set) {
    const byId = Object.values(schema.getQueryType()?.getFields() ?? {}).filter((f) => f.args.some((a) => a.name === 'id'));
    const types = byId.map((f) => getNamedType(f.type)).filter((t) => isObjectType(t) && t.getFields().id);
    set = new Set(types.map((t) => t.name));
    modelCache.set(schema, set);
  }
  return set;
}

/** `query Rest($id: ID!) { job(id: $id) { …every field a client of this route needs… } }`. */
export function buildOperation(schema: GraphQLSchema, ref: string, argNames: string[]): string {
  const { kind, field } = rootField(schema, ref);
  const args = field.args.filter((a) => argNames.includes(a.name));
  const vars = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  return `${kind} Rest${vars ? `(${vars})` : ''} { ${field.name}${call}${selection(schema, field.type, 0, false, [])} }`;
}

function selection(schema: GraphQLSchema, type: GraphQLOutputType, depth: number, nested: boolean, path: string[]): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isAbstractType(named)) {
    const members = schema.getPossibleTypes(named).map((m) => `... on ${m.name}${selection(schema, m, depth, nested, path)}`);
    return ` { __typename ${members.join(' ')} }`;
  }
  if (!isObjectType(named)) return '';
  const fields = named.getFields();
  // An entity that has a root field of its own (`job(id:)`) is referenced by id inside another, as SOFA's models are.
  if (nested && models(schema).has(named.name)) return ' { id }';
  const parts: string[] = [];
  for (const f of Object.values(fields)) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    if (SKIP.has(`${named.name}.${f.name}`) || f.name === 'lineage') continue;
    const inner = getNamedType(f.type);
    if (isLeafType(inner)) parts.push(f.name);
    // A type already on the path (connection → schemas → connection) is a cycle: the client has it.
    else if (depth < MAX_DEPTH && !path.includes(inner.name)) {
      const sub = selection(schema, f.type, isWrapper(named) ? depth : depth + 1, nested || !isWrapper(named), [...path, named.name]);
      if (sub) parts.push(`${f.name}${sub}`);
    }
  }
  return parts.length ? ` { ${parts.join(' ')} }` : '';
}

/** A snake_case (or camelCase) request value → the variables GraphQL expects; unknown keys are INVALID_INPUT. */
export function toVariable(value: unknown, type: GraphQLInputType, path: string): unknown {
  if (value === null || value === undefined) return value;
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) return Array.isArray(value) ? value.map((v, i) => toVariable(v, t.ofType, `${path}[${i}]`)) : [toVariable(value, t.ofType, path)];
  if (isInputObjectType(t)) {
    if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError(`${path || 'the body'} must be an object`);
    const fields = Object.values(t.getFields());
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const f = fields.find((x) => snake(x.name) === key || x.name === key);
      if (!f) throw new InvalidInputError(`unknown field ${path ? `${path}.` : ''}${key} (expected ${fields.map((x) => snake(x.name)).join(', ')})`);
      out[f.name] = toVariable(v, f.type, path ? `${path}.${snake(f.name)}` : snake(f.name));
    }
    return out;
  }
  return value;
}

/** GraphQL data → the REST body: snake_case keys, `__typename` dropped, JSON scalars untouched. */
export function toRest(value: unknown, type: GraphQLOutputType, schema: GraphQLSchema): unknown {
  if (value === null || value === undefined) return value ?? null;
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) return (value as unknown[]).map((v) => toRest(v, t.ofType, schema));
  if (isScalarType(t) || isLeafType(t)) return value;
  const record = value as Record<string, unknown>;
  const concrete = isAbstractType(t) ? schema.getType(String(record.__typename)) : t;
  if (!concrete || !isObjectType(concrete)) return value;
  const fields = concrete.getFields();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    if (key === '__typename') continue;
    const f = fields[key];
    out[snake(key)] = f ? toRest(v, f.type, schema) : v;
  }
  return out;
}
