import { InvalidInputError } from '../errors.ts';
import { detectInputKinds, sanitizeInput } from './input.ts';
import {
  type DecisionInput,
  OPERATIONS,
  type Operation,
  type PipelinePlan,
  type PlanReason,
  type SanitizedDecisionInput,
  SYNTHETIC_MODES,
  type SyntheticMode,
} from './types.ts';

/**
 * The rule-based decision: which operations run (in canonical order), which synthetic mode is tried
 * first and which are fallbacks, with a reason per choice. Pure and synchronous. With explicit
 * `operations` the caller's list is validated against the inputs and ordered; otherwise:
 * a connection plans discover + pii + subset, and mask unless the caller reported that no PII was
 * found; test-case URLs, text, a domain, or a schema version without a connection plan synthetic
 * (mode preference URL > TEST_CASE > DOMAIN > SCHEMA); a target environment plans provision.
 * Throws `InvalidInputError` for requests that cannot make a valid plan.
 */
export function classifyIntent(raw: DecisionInput | SanitizedDecisionInput): PipelinePlan {
  const input = sanitizeInput(raw);
  const inputKinds = detectInputKinds(input);
  if (input.operations) {
    const operations = validateOperations(input, input.operations);
    const reasons: PlanReason[] = operations.map((subject) => ({ subject, reason: 'requested by the caller' }));
    const { syntheticMode, fallbackModes } = chooseModes(input, operations);
    if (syntheticMode) reasons.push({ subject: 'syntheticMode', reason: modeReason(input, syntheticMode, fallbackModes) });
    return { operations, syntheticMode, fallbackModes, reasons, inputKinds, refinedBy: 'rules' };
  }

  const planned = new Set<Operation>();
  const reasons: PlanReason[] = [];
  const plan = (op: Operation, reason: string) => {
    planned.add(op);
    reasons.push({ subject: op, reason });
  };

  if (input.hasConnection) {
    plan('discover', 'a source connection was given: read its catalog into a schema version');
    plan('pii', 'classify the source columns for personal data before any row leaves the source');
    plan('subset', 'copy a referentially intact subset of the source rows');
    if (input.piiFound === true) {
      plan('mask', 'the PII classification found personal columns: mask them before the data reaches a test environment');
    } else if (input.piiFound === false) {
      reasons.push({ subject: 'mask', reason: 'not planned: the PII classification found no personal columns' });
    } else {
      // The plan is made before the pii step runs; copying production without masking is the unsafe default.
      plan('mask', 'the source may hold personal data: mask what the pii step finds (nothing changes if it finds none)');
    }
  } else if (input.piiFound === true) {
    reasons.push({
      subject: 'mask',
      reason: 'not planned: PII was reported, but without a source connection only synthetic rows are made and they hold no real personal data',
    });
  }

  const syntheticInputs = syntheticInputsOf(input);
  if (syntheticInputs.length) {
    plan(
      'synthetic',
      input.hasConnection
        ? `${syntheticInputs.join(', ')} given alongside the source: generate the rows they describe in addition to the subset`
        : `no source connection: generate synthetic data from the ${syntheticInputs.join(', ')}`,
    );
  }
  const schemaSources = schemaSourcesOf(input, [...planned]);
  if (schemaSources.length >= 2) {
    plan(
      'fusion',
      `${schemaSources.join(', ')} describe the same data: fuse them into one unified schema (DB > API > UI > test case > domain)${planned.has('synthetic') ? ' for synthetic to generate from' : ''}`,
    );
  }
  if (input.targetEnv) plan('provision', `target environment ${JSON.stringify(input.targetEnv)} was named: load the data there`);

  const operations = validateOperations(input, [...planned]);
  const { syntheticMode, fallbackModes } = chooseModes(input, operations);
  if (syntheticMode) reasons.push({ subject: 'syntheticMode', reason: modeReason(input, syntheticMode, fallbackModes) });
  return { operations, syntheticMode, fallbackModes, reasons: sortReasons(reasons), inputKinds, refinedBy: 'rules' };
}

/**
 * Orders `requested` canonically and checks that the inputs can feed every step: each step reads
 * the artifacts of the steps before it (or an existing schema version), so e.g. `subset` needs a
 * source and `provision` needs a step that produces rows. All problems are reported at once.
 */
export function validateOperations(input: SanitizedDecisionInput, requested: readonly Operation[]): Operation[] {
  const ops = new Set(requested);
  const operations = OPERATIONS.filter((o) => ops.has(o));
  const has = (o: Operation) => ops.has(o);
  const catalog = Boolean(input.schemaVersionId) || (input.hasConnection && has('discover'));
  const problems: string[] = [];
  if (operations.length === 0) problems.push('no operations to run');
  if (has('discover') && !input.hasConnection) problems.push('discover needs a source connection');
  if (has('subset') && !input.hasConnection) problems.push('subset needs a source connection');
  else if (has('subset') && !catalog) problems.push('subset needs the source catalog: add discover or give a schema version id');
  if (has('pii') && !catalog) problems.push('pii needs a catalog: a source connection with discover, or a schema version id');
  if (has('mask') && !has('subset') && !has('synthetic') && !input.schemaVersionId) {
    problems.push('mask needs rows to mask: add subset or synthetic, or give a schema version id');
  }
  if (has('synthetic') && availableModes(input, operations).length === 0) {
    problems.push('synthetic needs test-case text, test-case URLs, a domain or a schema (schema version id, or a connection with discover)');
  }
  if (has('fusion') && schemaSourcesOf(input, operations).length < 2) {
    problems.push(
      'fusion needs two or more schema sources: a database (schema version, or a connection with discover), an OpenAPI document, test-case URLs, test-case text, a domain',
    );
  }
  if (has('quality') && !has('subset') && !has('mask') && !has('synthetic')) {
    problems.push('quality needs a dataset to measure: add subset, mask or synthetic');
  }
  if (has('provision') && !has('subset') && !has('mask') && !has('synthetic')) {
    problems.push('provision needs data to load: add subset or synthetic');
  }
  if (problems.length) throw new InvalidInputError(`invalid operations ${operations.join(', ') || '(none)'}: ${problems.join('; ')}`, { problems });
  return operations;
}

/** The schema sources a request carries, for fusion: DB, API, UI, test case, domain. */
export function schemaSourcesOf(input: SanitizedDecisionInput, operations: readonly Operation[]): string[] {
  const found: string[] = [];
  if (input.schemaVersionId || (input.hasConnection && operations.includes('discover'))) found.push('the database schema');
  if (input.hasOpenApiSpec) found.push('the OpenAPI document');
  if (input.testCaseUrls?.length) found.push('the crawled forms');
  if (input.testCaseContent) found.push('the test case');
  if (input.domain) found.push('the domain pack');
  return found;
}

/** Synthetic modes the inputs support, in preference order (URL > TEST_CASE > DOMAIN > SCHEMA). */
export function availableModes(input: SanitizedDecisionInput, operations: readonly Operation[]): SyntheticMode[] {
  const available: Record<SyntheticMode, boolean> = {
    URL: Boolean(input.testCaseUrls?.length),
    TEST_CASE: Boolean(input.testCaseContent),
    DOMAIN: Boolean(input.domain),
    SCHEMA: Boolean(input.schemaVersionId) || (input.hasConnection && operations.includes('discover')),
  };
  return SYNTHETIC_MODES.filter((m) => available[m]);
}

function chooseModes(input: SanitizedDecisionInput, operations: readonly Operation[]) {
  if (!operations.includes('synthetic')) return { syntheticMode: null, fallbackModes: [] as SyntheticMode[] };
  const [syntheticMode = null, ...fallbackModes] = availableModes(input, operations);
  return { syntheticMode, fallbackModes };
}

function syntheticInputsOf(input: SanitizedDecisionInput): string[] {
  const found: string[] = [];
  if (input.testCaseUrls?.length) found.push('test-case URLs');
  if (input.testCaseContent) found.push('test-case text');
  if (input.domain) found.push('domain pack');
  // With a connection the schema version names the source's catalog, not a request for synthetic rows.
  if (input.schemaVersionId && !input.hasConnection) found.push('schema version');
  return found;
}

/** The reason for a synthetic mode choice; exported so refinements can explain a changed mode. */
export function modeReason(input: SanitizedDecisionInput, mode: SyntheticMode, fallbacks: readonly SyntheticMode[]): string {
  const why: Record<SyntheticMode, () => string> = {
    URL: () => `crawl the ${input.testCaseUrls?.length ?? 0} given URL(s): their forms give real field names and constraints`,
    TEST_CASE: () => `derive entities and fields from the test-case text${input.testCaseFileName ? ` (${input.testCaseFileName})` : ''}`,
    DOMAIN: () => `generate from the ${JSON.stringify(input.domain)} domain pack${input.scenario ? ` (scenario ${JSON.stringify(input.scenario)})` : ''}`,
    SCHEMA: () =>
      input.schemaVersionId ? `generate rows that fit schema version ${input.schemaVersionId}` : 'generate rows that fit the schema discovered from the source',
  };
  const rest = fallbacks.length ? `; falls back to ${fallbacks.join(', ')}` : '';
  return `${mode}: ${why[mode]()}${rest}`;
}

const SUBJECT_ORDER: readonly string[] = [...OPERATIONS, 'syntheticMode', 'plan'];

/** Reasons in canonical order: operations, then the synthetic mode, then plan-level notes. */
export function sortReasons(reasons: PlanReason[]): PlanReason[] {
  const rank = (s: string) => (SUBJECT_ORDER.includes(s) ? SUBJECT_ORDER.indexOf(s) : SUBJECT_ORDER.length);
  return reasons
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.subject) - rank(b.r.subject) || a.i - b.i)
    .map(({ r }) => r);
}
