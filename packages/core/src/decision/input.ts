import { redactConnectionString } from '../db/url.ts';
import { InvalidInputError } from '../errors.ts';
import { DecisionInput, INPUT_KINDS, type InputKind, OPERATIONS, type Operation, type SanitizedDecisionInput } from './types.ts';

const blank = (s: string | undefined): string | undefined => (s === undefined || s.trim() === '' ? undefined : s.trim());

/**
 * Validates and normalises a decision request, and drops its connection string: the result says only
 * whether a connection was given (`hasConnection`). Blank strings count as absent. Throws
 * `InvalidInputError` for unknown keys or operations, contradictory fields, non-http(s) URLs, and a
 * request with nothing to plan from. Idempotent: a sanitized input passes through unchanged.
 */
export function sanitizeInput(input: DecisionInput | SanitizedDecisionInput): SanitizedDecisionInput {
  const {
    hasConnection: alreadyConnected = false,
    hasOpenApiSpec: alreadyApi = false,
    ...rest
  } = 'hasConnection' in input ? input : { ...input, hasConnection: false, hasOpenApiSpec: false };
  const parsed = DecisionInput.safeParse(rest);
  if (!parsed.success) {
    // Issues name paths and expectations, never the received values, so no secret leaks into the message.
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidInputError(`invalid decision input: ${issues.join('; ')}`, { issues });
  }
  const raw = parsed.data;
  if (blank(raw.connectionString) && blank(raw.connectionId)) {
    throw new InvalidInputError('give either connectionString or connectionId, not both');
  }
  const out: SanitizedDecisionInput = {
    hasConnection: alreadyConnected || Boolean(blank(raw.connectionString) || blank(raw.connectionId)),
  };
  const connectionId = blank(raw.connectionId);
  if (connectionId) out.connectionId = connectionId;
  const schemaVersionId = blank(raw.schemaVersionId);
  if (schemaVersionId) out.schemaVersionId = schemaVersionId;
  // Test-case text keeps its exact layout: analysers report line numbers.
  if (raw.testCaseContent !== undefined && raw.testCaseContent.trim() !== '') out.testCaseContent = raw.testCaseContent;
  const fileName = blank(raw.testCaseFileName);
  if (fileName) {
    if (!out.testCaseContent) throw new InvalidInputError('testCaseFileName was given without testCaseContent');
    out.testCaseFileName = fileName;
  }
  const urls = normalizeUrls(raw.testCaseUrls ?? []);
  if (urls.length) out.testCaseUrls = urls;
  const domain = blank(raw.domain);
  if (domain) out.domain = domain;
  const scenario = blank(raw.scenario);
  if (scenario) {
    if (!domain) throw new InvalidInputError('a scenario needs a domain: give the domain pack the scenario belongs to');
    out.scenario = scenario;
  }
  if (alreadyApi || blank(raw.openApiSpec)) out.hasOpenApiSpec = true;
  const targetEnv = blank(raw.targetEnv);
  if (targetEnv) out.targetEnv = targetEnv;
  if (raw.piiFound !== undefined) out.piiFound = raw.piiFound;
  if (raw.operations !== undefined) out.operations = parseOperations(raw.operations);

  if (!out.hasConnection && !out.schemaVersionId && !out.testCaseContent && !out.testCaseUrls && !out.domain) {
    throw new InvalidInputError('nothing to plan from: give a source connection, a schema version id, test-case text, test-case URLs or a domain');
  }
  return out;
}

/** The kinds of input present, in `INPUT_KINDS` order. */
export function detectInputKinds(input: SanitizedDecisionInput): InputKind[] {
  const present: Record<InputKind, boolean> = {
    connection: input.hasConnection,
    schemaVersion: Boolean(input.schemaVersionId),
    piiFound: input.piiFound !== undefined,
    testCaseContent: Boolean(input.testCaseContent),
    testCaseUrls: Boolean(input.testCaseUrls?.length),
    domain: Boolean(input.domain),
    targetEnv: Boolean(input.targetEnv),
  };
  return INPUT_KINDS.filter((k) => present[k]);
}

function parseOperations(requested: string[]): Operation[] {
  if (requested.length === 0) throw new InvalidInputError('operations is empty: omit it to let the rules decide');
  const known = new Set<string>(OPERATIONS);
  const names = requested.map((o) => o.trim().toLowerCase());
  const unknown = names.filter((o) => !known.has(o));
  if (unknown.length) {
    throw new InvalidInputError(
      `unknown operation${unknown.length > 1 ? 's' : ''} ${unknown.map((o) => JSON.stringify(o)).join(', ')}; expected one of ${OPERATIONS.join(', ')}`,
      { unknown },
    );
  }
  return [...new Set(names as Operation[])];
}

function normalizeUrls(urls: string[]): string[] {
  const out: string[] = [];
  for (const candidate of urls.map((u) => u.trim()).filter(Boolean)) {
    const shown = JSON.stringify(redactConnectionString(candidate));
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      throw new InvalidInputError(`test-case URL ${shown} is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidInputError(`test-case URL ${shown} must use http or https`);
    }
    if (!out.includes(candidate)) out.push(candidate);
  }
  return out;
}
