/**
 * The PII detector registry. Each detector lives in its own file under `detectors/` and registers
 * itself on import; `detectors/index.ts` imports them all. The same definitions feed the
 * classifier, the GraphQL types and the docs, so a definition carries its description, params
 * schema and the type categories it looks at.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import type { TypeCategory } from './type-gate.ts';
import type { PiiDetector } from './types.ts';
import type { Vocabulary } from './vocabulary.ts';

/** What a detector may need at run time; nothing comes from module globals. */
export interface DetectorDeps {
  /** Chat model for the LLM detector; absent or null switches it off. */
  llm?: BaseChatModel | null;
  /** Reference "today" (date-of-birth plausibility); a parameter so runs are reproducible. */
  now: Date;
  /** Column-name vocabulary added by a rules file (rules-file.ts), looked up before the built-in one. */
  vocabulary?: Vocabulary;
}

export interface PiiDetectorDefinition<P = unknown> {
  name: string;
  description: string;
  kind: PiiDetector['kind'];
  params: z.ZodType<P>;
  /** Type categories whose columns the detector looks at; 'any' for the name rules. */
  appliesTo: readonly TypeCategory[] | 'any';
  /** Same column and sample → same signals (false for the LLM). */
  deterministic: boolean;
  /** Returns null when the detector cannot run with `deps` (e.g. the LLM detector without a model). */
  create(params: P, deps: DetectorDeps): PiiDetector | null;
}

const registry = new Map<string, PiiDetectorDefinition<never>>();

/** Adds a detector; throws when the name is already taken. */
export function registerDetector<P>(definition: PiiDetectorDefinition<P>): void {
  if (registry.has(definition.name)) throw new InvalidInputError(`PII detector "${definition.name}" is already registered`);
  registry.set(definition.name, definition as unknown as PiiDetectorDefinition<never>);
}

/** Every registered detector, in registration order. */
export function detectors(): readonly PiiDetectorDefinition<unknown>[] {
  return [...registry.values()] as PiiDetectorDefinition<unknown>[];
}

/** The detector called `name`, or undefined. */
export function getDetector(name: string): PiiDetectorDefinition<unknown> | undefined {
  return registry.get(name) as PiiDetectorDefinition<unknown> | undefined;
}
