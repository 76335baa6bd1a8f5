/**
 * Each kind of source read into the same shape (`SourceEntity`): a discovered catalog (DB), an
 * OpenAPI 3 / Swagger 2 document (API: validated and dereferenced by @apidevtools/swagger-parser),
 * crawled forms (UI: the tables URL mode would make of them), a test case's analysis (TEST_CASE) and
 * a domain pack's scenario (DOMAIN).
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse as parseYaml } from 'yaml';
import type { Catalog } from '../catalog/types.ts';
import type { CrawledPage } from '../crawl/types.ts';
import { InvalidInputError } from '../errors.ts';
import { loadDomainPack, resolveScenario } from '../synthetic/domain/packs.ts';
import { planFormTables } from '../synthetic/forms.ts';
import { resolveType } from '../synthetic/schema/column-type.ts';
import type { TestCaseAnalysis } from '../testcase/types.ts';
import type { SourceEntity, SourceField } from './types.ts';

const field = (name: string, over: Partial<SourceField>): SourceField => ({
  name,
  dataType: null,
  maxLength: null,
  nullable: null,
  unique: null,
  enumValues: null,
  pattern: null,
  min: null,
  max: null,
  exampleValues: [],
  references: null,
  primaryKey: false,
  ...over,
});

/** DB: every table of a discovered catalog (partitions folded into their parent). */
export function fromCatalog(catalog: Catalog, ref: string): SourceEntity[] {
  return catalog.tables
    .filter((t) => !t.partitionOf)
    .map((t) => ({
      kind: 'DB' as const,
      ref,
      name: t.name,
      fields: t.columns.map((c) => {
        const fk = t.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === c.name);
        const type = resolveType(catalog, c.dataType);
        return field(c.name, {
          // Enums and domains as their base type: a unified schema has no types of its own.
          dataType: type.base === 'enum' ? 'text' : c.typeKind === 'domain' ? type.pgType : c.dataType,
          maxLength: c.maxLength,
          nullable: c.nullable,
          unique: Boolean(
            t.uniques.some((u) => u.columns.length === 1 && u.columns[0] === c.name) ||
              (t.primaryKey?.columns.length === 1 && t.primaryKey.columns[0] === c.name),
          ),
          enumValues: type.labels,
          references: fk ? { entity: fk.referencedTable, field: fk.referencedColumns[0] as string } : null,
          primaryKey: Boolean(t.primaryKey?.columns.includes(c.name)),
        });
      }),
    }));
}

interface JsonSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  example?: unknown;
  examples?: unknown[];
  nullable?: boolean;
  allOf?: JsonSchema[];
}

function pgTypeOf(s: JsonSchema): string {
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'integer':
      return s.format === 'int64' ? 'bigint' : 'integer';
    case 'number':
      return s.format === 'float' || s.format === 'double' ? 'double precision' : 'numeric';
    case 'boolean':
      return 'boolean';
    case 'array':
    case 'object':
      return 'jsonb';
    default:
      if (s.format === 'date') return 'date';
      if (s.format === 'date-time') return 'timestamp with time zone';
      if (s.format === 'uuid') return 'uuid';
      return s.maxLength ? `character varying(${s.maxLength})` : 'text';
  }
}

function merged(s: JsonSchema): JsonSchema {
  if (!s.allOf) return s;
  // allOf parts combined: their properties and required lists together.
  const out: JsonSchema = { ...s, allOf: undefined, properties: { ...s.properties }, required: [...(s.required ?? [])] };
  for (const part of s.allOf.map(merged)) {
    Object.assign(out, { ...part, properties: out.properties, required: out.required });
    Object.assign(out.properties as object, part.properties);
    out.required?.push(...(part.required ?? []));
  }
  return out;
}

/** API: the object schemas of an OpenAPI 3 (`components.schemas`) or Swagger 2 (`definitions`) document, JSON or YAML. */
export async function fromOpenApi(text: string): Promise<SourceEntity[]> {
  let doc: unknown;
  try {
    doc = parseYaml(text); // JSON is YAML too
  } catch (err) {
    throw new InvalidInputError(`the OpenAPI document is neither JSON nor YAML: ${(err as Error).message}`);
  }
  let api: { info?: { title?: string; version?: string }; components?: { schemas?: Record<string, JsonSchema> }; definitions?: Record<string, JsonSchema> };
  try {
    api = (await SwaggerParser.validate(doc as never)) as typeof api;
  } catch (err) {
    throw new InvalidInputError(`invalid OpenAPI document: ${(err as Error).message.split('\n')[0]}`);
  }
  const ref = `${api.info?.title ?? 'api'}@${api.info?.version ?? '?'}`;
  const schemas = api.components?.schemas ?? api.definitions ?? {};
  const entities: SourceEntity[] = [];
  for (const [name, raw] of Object.entries(schemas)) {
    const s = merged(raw);
    if (!s.properties) continue;
    const required = new Set(s.required ?? []);
    entities.push({
      kind: 'API',
      ref,
      name,
      fields: Object.entries(s.properties).map(([prop, p0]) => {
        const p = merged(p0);
        const examples = [p.example, ...(p.examples ?? [])].filter((x) => x !== undefined && x !== null && typeof x !== 'object').map(String);
        return field(prop, {
          dataType: pgTypeOf(p),
          maxLength: p.maxLength ?? null,
          nullable: required.has(prop) ? false : (p.nullable ?? true),
          enumValues: p.enum ? p.enum.map(String) : null,
          pattern: p.pattern ?? null,
          min: p.minimum === undefined ? null : String(p.minimum),
          max: p.maximum === undefined ? null : String(p.maximum),
          exampleValues: examples,
          primaryKey: prop === 'id',
          unique: prop === 'id' ? true : null,
        });
      }),
    });
  }
  return entities;
}

const TEST_CASE_TYPES: Record<string, string> = {
  date: 'date',
  datetime: 'timestamp with time zone',
  time: 'time without time zone',
  number: 'numeric',
  integer: 'integer',
  decimal: 'numeric',
  boolean: 'boolean',
};

/** TEST_CASE: the entities and fields a test case fills in, with its example values. */
export function fromTestCase(analysis: TestCaseAnalysis, ref: string): SourceEntity[] {
  return analysis.entities.map((e) => ({
    kind: 'TEST_CASE' as const,
    ref,
    name: e.name,
    fields: e.fields.map((f) => {
      const value = (key: string) => f.constraints.find((c) => c.startsWith(`${key}:`))?.slice(key.length + 1) ?? null;
      const maxLength = value('max_length');
      return field(f.name, {
        dataType: TEST_CASE_TYPES[f.type] ?? 'text',
        maxLength: maxLength ? Number(maxLength) : null,
        nullable: f.constraints.includes('required') ? false : null,
        unique: f.constraints.includes('unique') ? true : null,
        enumValues: value('enum')?.split('|') ?? null,
        pattern: value('pattern'),
        min: value('min'),
        max: value('max'),
        exampleValues: f.exampleValues,
      });
    }),
  }));
}

/** UI: one entity per crawled form, one field per control (as URL mode would make the table). */
export function fromForms(pages: CrawledPage[]): SourceEntity[] {
  return planFormTables(pages).map((t) => ({
    kind: 'UI' as const,
    ref: t.url,
    name: t.table,
    fields: t.columns.map((c) =>
      field(c.column, {
        dataType: c.pgType,
        maxLength: c.field.maxLength,
        nullable: c.nullable,
        enumValues: c.field.options?.map((o) => o.value).filter((v) => v !== '') ?? null,
        pattern: c.field.pattern,
        min: c.field.min,
        max: c.field.max,
        exampleValues: c.field.value ? [c.field.value] : [],
      }),
    ),
  }));
}

/** DOMAIN: the entities of a pack's scenario, with the values its enums and generators declare. */
export function fromDomain(domain: string, scenario: string | null): SourceEntity[] {
  const pack = loadDomainPack(domain);
  const resolved = resolveScenario(pack, scenario);
  const ref = `${pack.name}@${pack.version}/${resolved.scenario}`;
  return resolved.entities.map(([name, spec]) => ({
    kind: 'DOMAIN' as const,
    ref,
    name,
    fields: Object.entries(spec.fields)
      .filter(([, f]) => !f.virtual)
      .map(([fname, f]) => {
        const gen = f.generator as Record<string, unknown>;
        const packEnum = (pack.enums as Record<string, string[]> | undefined)?.[f.type];
        const choices = gen.enum as unknown[] | Record<string, number> | undefined;
        const target = typeof gen.ref === 'string' ? gen.ref : (gen.ref as { entity?: string } | undefined)?.entity;
        return field(fname, {
          dataType: packEnum ? 'text' : f.type,
          nullable: f.nullable ?? (f.nullRate ? true : null),
          unique: f.unique ?? null,
          enumValues: packEnum ?? (choices ? (Array.isArray(choices) ? choices.map(String) : Object.keys(choices)) : null),
          references: target ? { entity: target, field: 'id' } : null,
          primaryKey: spec.primaryKey ? spec.primaryKey.includes(fname) : fname === 'id',
        });
      }),
  }));
}
