import { z } from 'zod';

/** The pipeline's steps in canonical order; a plan is always an ordered sub-list of them. */
export const OPERATIONS = ['discover', 'pii', 'subset', 'mask', 'fusion', 'synthetic', 'quality', 'provision'] as const;
export const Operation = z.enum(OPERATIONS);
export type Operation = z.infer<typeof Operation>;

/** Synthetic modes in preference order: the first one the inputs allow is chosen, the rest are fallbacks. */
export const SYNTHETIC_MODES = ['URL', 'TEST_CASE', 'DOMAIN', 'SCHEMA'] as const;
export const SyntheticMode = z.enum(SYNTHETIC_MODES);
export type SyntheticMode = z.infer<typeof SyntheticMode>;

/** What kinds of input a request carried, in this fixed order. */
export const INPUT_KINDS = ['connection', 'schemaVersion', 'piiFound', 'testCaseContent', 'testCaseUrls', 'domain', 'targetEnv'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/**
 * A caller's request to the decision graph. Every field is optional, but at least one source of data
 * (connection, schema version, test-case text, URLs or domain) must be present. `operations` fixes the
 * plan: the rules then only validate and order it. Unknown keys are rejected so a typo
 * (`operation`) does not silently fall back to the rules.
 */
export const DecisionInput = z.strictObject({
  connectionString: z.string().optional(),
  connectionId: z.string().optional(),
  schemaVersionId: z.string().optional(),
  testCaseContent: z.string().optional(),
  testCaseFileName: z.string().optional(),
  testCaseUrls: z.array(z.string()).optional(),
  domain: z.string().optional(),
  scenario: z.string().optional(),
  /** An OpenAPI 3 / Swagger 2 document (JSON or YAML): an API schema for fusion. */
  openApiSpec: z.string().optional(),
  targetEnv: z.string().optional(),
  /** The PII classification of the source's schema version found personal columns (`false`: it found none). */
  piiFound: z.boolean().optional(),
  /** Explicit operations; validated against the inputs and put in canonical order. */
  operations: z.array(z.string()).optional(),
});
export type DecisionInput = z.infer<typeof DecisionInput>;

/**
 * A validated, normalised request without its connection string: what graph state and LLM prompts
 * may hold. `hasConnection` stands for "a connection string or id was given".
 */
export interface SanitizedDecisionInput {
  hasConnection: boolean;
  connectionId?: string;
  schemaVersionId?: string;
  testCaseContent?: string;
  testCaseFileName?: string;
  testCaseUrls?: string[];
  domain?: string;
  scenario?: string;
  /** An OpenAPI document was given (its text is not kept here). */
  hasOpenApiSpec?: boolean;
  targetEnv?: string;
  piiFound?: boolean;
  operations?: Operation[];
}

/** Why an operation was (or, for `mask`, was not) planned, or why a synthetic mode was chosen. */
export const PlanReason = z.object({
  /** An operation, `syntheticMode`, or `plan` for notes about the plan as a whole (LLM refinement). */
  subject: z.string(),
  reason: z.string(),
});
export type PlanReason = z.infer<typeof PlanReason>;

export const PipelinePlan = z.object({
  operations: z.array(Operation),
  syntheticMode: SyntheticMode.nullable(),
  fallbackModes: z.array(SyntheticMode),
  reasons: z.array(PlanReason),
  inputKinds: z.array(z.enum(INPUT_KINDS)),
  refinedBy: z.enum(['rules', 'llm']),
});
/** The decision: which operations run, in canonical order, which synthetic mode to try first, and why. */
export type PipelinePlan = z.infer<typeof PipelinePlan>;
