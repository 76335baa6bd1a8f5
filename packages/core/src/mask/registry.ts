/**
 * The transformer registry: the one list that the mask step, GraphQL types, Studio forms and docs
 * read. `createTransformerRegistry()` gives an isolated registry (tests, plugins); the module-level
 * functions work on the default one, which holds the built-in transformers.
 */
import { z } from 'zod';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { builtinTransformers } from './transformers/index.ts';
import type { AnyTransformerDefinition, ColumnTransform, TransformContext, TransformerInfo } from './types.ts';

type AnyTransformer = AnyTransformerDefinition;

export interface TransformerRegistry {
  /** Adds a transformer; a second one under the same name is a programming error and throws. */
  register(def: AnyTransformer): void;
  get(name: string): AnyTransformer | undefined;
  /** Every transformer without code, params as JSON Schema, in registration order. */
  list(): TransformerInfo[];
  /**
   * Validates raw params (defaults applied) and builds the column transform; for transformers that
   * need the column (`shuffle`), `values` must be given and `prepare` is used.
   */
  create(name: string, params: unknown, ctx: TransformContext, values?: AsyncIterable<string | null>): Promise<ColumnTransform>;
}

/** The JSON Schema of a transformer's params as a form fills them: fields with defaults are optional. */
export function paramsJsonSchema(def: AnyTransformer): Record<string, unknown> {
  return z.toJSONSchema(def.params, { io: 'input' }) as Record<string, unknown>;
}

export function createTransformerRegistry(initial: readonly AnyTransformer[] = []): TransformerRegistry {
  const byName = new Map<string, AnyTransformer>();
  const registry: TransformerRegistry = {
    register(def) {
      if (byName.has(def.name)) throw new Error(`transformer ${def.name} is already registered`);
      byName.set(def.name, def);
    },
    get: (name) => byName.get(name),
    list: () =>
      [...byName.values()].map((def) => ({
        name: def.name,
        description: def.description,
        appliesTo: def.appliesTo,
        deterministic: def.deterministic,
        injective: def.injective,
        needsColumn: def.needsColumn ?? false,
        paramsSchema: paramsJsonSchema(def),
      })),
    async create(name, params, ctx, values) {
      const def = byName.get(name);
      if (!def) throw new NotFoundError('transformer', name);
      const parsed = def.params.safeParse(params ?? {});
      if (!parsed.success) {
        throw new InvalidInputError(`invalid params for transformer ${name}: ${z.prettifyError(parsed.error)}`, { transformer: name });
      }
      if (def.needsColumn) {
        if (!def.prepare || !values) throw new InvalidInputError(`transformer ${name} needs the column's values`, { transformer: name });
        return def.prepare(parsed.data, ctx, values);
      }
      return def.create(parsed.data, ctx);
    },
  };
  for (const def of initial) registry.register(def);
  return registry;
}

const defaultRegistry = createTransformerRegistry(builtinTransformers);

/** Registers a transformer in the default registry; throws when the name is taken. */
export function registerTransformer(def: AnyTransformer): void {
  defaultRegistry.register(def);
}

/** The transformer registered under `name`, or undefined. */
export function getTransformer(name: string): AnyTransformer | undefined {
  return defaultRegistry.get(name);
}

/** All registered transformers with their params' JSON Schema (for GraphQL, Studio forms and docs). */
export function transformers(): TransformerInfo[] {
  return defaultRegistry.list();
}

/** Validates params and builds a column transform from the default registry (see `TransformerRegistry.create`). */
export function createTransform(name: string, params: unknown, ctx: TransformContext, values?: AsyncIterable<string | null>): Promise<ColumnTransform> {
  return defaultRegistry.create(name, params, ctx, values);
}
