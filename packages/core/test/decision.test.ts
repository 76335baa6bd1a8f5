import { describe, expect, it } from 'vitest';
import { classifyIntent } from '../src/decision/rules.ts';
import { WORKFLOW_TEMPLATES } from '../src/decision/templates.ts';
import type { DecisionInput, Operation, PipelinePlan, SyntheticMode } from '../src/decision/types.ts';
import { InvalidInputError } from '../src/errors.ts';
import { CONN, GHERKIN } from './support/decision-inputs.ts';

function expectReasonsForEveryChoice(plan: PipelinePlan) {
  for (const op of plan.operations)
    expect(
      plan.reasons.some((r) => r.subject === op && r.reason.length > 0),
      `reason for ${op}`,
    ).toBe(true);
  expect(plan.reasons.some((r) => r.subject === 'syntheticMode')).toBe(plan.syntheticMode !== null);
}

describe('classifyIntent: the seed rules', () => {
  const cases: {
    name: string;
    input: DecisionInput;
    operations: Operation[];
    mode: SyntheticMode | null;
    fallbacks?: SyntheticMode[];
    kinds: string[];
  }[] = [
    { name: 'connection string', input: { connectionString: CONN }, operations: ['discover', 'pii', 'subset', 'mask'], mode: null, kinds: ['connection'] },
    {
      name: 'connection id, PII reported absent',
      input: { connectionId: 'c1', piiFound: false },
      operations: ['discover', 'pii', 'subset'],
      mode: null,
      kinds: ['connection', 'piiFound'],
    },
    {
      name: 'connection id, PII found, target',
      input: { connectionId: 'c1', piiFound: true, targetEnv: 'qa' },
      operations: ['discover', 'pii', 'subset', 'mask', 'provision'],
      mode: null,
      kinds: ['connection', 'piiFound', 'targetEnv'],
    },
    {
      name: 'connection and its schema version',
      input: { connectionId: 'c1', schemaVersionId: 'sv1' },
      operations: ['discover', 'pii', 'subset', 'mask'],
      mode: null,
      kinds: ['connection', 'schemaVersion'],
    },
    { name: 'schema version alone', input: { schemaVersionId: 'sv1' }, operations: ['synthetic'], mode: 'SCHEMA', fallbacks: [], kinds: ['schemaVersion'] },
    {
      name: 'schema version with PII and target',
      input: { schemaVersionId: 'sv1', piiFound: true, targetEnv: 'qa' },
      operations: ['synthetic', 'provision'],
      mode: 'SCHEMA',
      kinds: ['schemaVersion', 'piiFound', 'targetEnv'],
    },
    {
      name: 'test-case text',
      input: { testCaseContent: GHERKIN, testCaseFileName: 'signup.feature' },
      operations: ['synthetic'],
      mode: 'TEST_CASE',
      fallbacks: [],
      kinds: ['testCaseContent'],
    },
    {
      name: 'domain and scenario with target',
      input: { domain: 'ecommerce', scenario: 'checkout', targetEnv: 'qa' },
      operations: ['synthetic', 'provision'],
      mode: 'DOMAIN',
      kinds: ['domain', 'targetEnv'],
    },
    {
      name: 'test-case URLs',
      input: { testCaseUrls: ['https://shop.test/register'] },
      operations: ['synthetic'],
      mode: 'URL',
      fallbacks: [],
      kinds: ['testCaseUrls'],
    },
    {
      name: 'every synthetic input: URL first, the rest in order as fallbacks',
      input: { testCaseUrls: ['https://shop.test/register'], testCaseContent: GHERKIN, domain: 'ecommerce', schemaVersionId: 'sv1' },
      operations: ['fusion', 'synthetic'],
      mode: 'URL',
      fallbacks: ['TEST_CASE', 'DOMAIN', 'SCHEMA'],
      kinds: ['schemaVersion', 'testCaseContent', 'testCaseUrls', 'domain'],
    },
    {
      name: 'text beats domain',
      input: { domain: 'ecommerce', testCaseContent: GHERKIN },
      operations: ['fusion', 'synthetic'],
      mode: 'TEST_CASE',
      fallbacks: ['DOMAIN'],
      kinds: ['testCaseContent', 'domain'],
    },
    {
      name: 'source plus test case: subset and synthetic, schema as fallback',
      input: { connectionString: CONN, testCaseContent: GHERKIN, targetEnv: 'qa' },
      operations: ['discover', 'pii', 'subset', 'mask', 'fusion', 'synthetic', 'provision'],
      mode: 'TEST_CASE',
      fallbacks: ['SCHEMA'],
      kinds: ['connection', 'testCaseContent', 'targetEnv'],
    },
  ];

  it.each(cases)('$name', ({ input, operations, mode, fallbacks, kinds }) => {
    const plan = classifyIntent(input);
    expect(plan.operations).toEqual(operations);
    expect(plan.syntheticMode).toBe(mode);
    if (fallbacks) expect(plan.fallbackModes).toEqual(fallbacks);
    expect(plan.inputKinds).toEqual(kinds);
    expect(plan.refinedBy).toBe('rules');
    expectReasonsForEveryChoice(plan);
  });

  it('explains a skipped mask', () => {
    expect(classifyIntent({ connectionId: 'c1', piiFound: false }).reasons).toContainEqual({ subject: 'mask', reason: expect.stringMatching(/not planned/) });
    expect(classifyIntent({ schemaVersionId: 'sv1', piiFound: true }).reasons).toContainEqual({
      subject: 'mask',
      reason: expect.stringMatching(/not planned.*synthetic/),
    });
  });

  it('names the target environment in the provision reason and explains the fallbacks', () => {
    const plan = classifyIntent({ testCaseUrls: ['https://shop.test/a'], domain: 'retail', targetEnv: 'staging' });
    expect(plan.reasons.find((r) => r.subject === 'provision')?.reason).toContain('"staging"');
    expect(plan.reasons.find((r) => r.subject === 'syntheticMode')?.reason).toMatch(/^URL: .*falls back to DOMAIN$/);
  });

  it('never puts the connection string into the plan', () => {
    expect(JSON.stringify(classifyIntent({ connectionString: CONN, targetEnv: 'qa' }))).not.toContain('S3cr3t');
  });

  it.each(WORKFLOW_TEMPLATES)('template $name ($title) is what the rules plan for its inputs', (template) => {
    const input: Record<string, unknown> = { targetEnv: 'qa' };
    const sample: Record<string, unknown> = { connectionId: 'c1', testCaseContent: GHERKIN, domain: 'ecommerce', testCaseUrls: ['https://shop.test/register'] };
    for (const field of template.inputs.filter((i) => i.required)) {
      const key = field.fields.find((f) => f in sample) as string;
      input[key] = sample[key];
    }
    const plan = classifyIntent(input as DecisionInput);
    expect(plan.operations).toEqual(template.operations);
    expect(plan.syntheticMode).toBe(template.syntheticMode);
  });

  it('has the four seed templates with names A–D', () => {
    expect(WORKFLOW_TEMPLATES.map((t) => [t.name, t.operations.join(',')])).toEqual([
      ['A', 'discover,pii,subset,mask,provision'],
      ['B', 'synthetic,provision'],
      ['C', 'synthetic,provision'],
      ['D', 'synthetic,provision'],
    ]);
    // B test-case content, C test-case URLs (crawled), D a domain only.
    expect(WORKFLOW_TEMPLATES.map((t) => t.syntheticMode)).toEqual([null, 'TEST_CASE', 'URL', 'DOMAIN']);
  });
});

describe('classifyIntent: explicit operations', () => {
  const cases: { name: string; input: DecisionInput; operations: Operation[]; mode: SyntheticMode | null }[] = [
    {
      name: 'reordered canonically',
      input: { connectionId: 'c1', operations: ['provision', 'subset', 'discover'] },
      operations: ['discover', 'subset', 'provision'],
      mode: null,
    },
    {
      name: 'case and duplicates normalised',
      input: { connectionId: 'c1', operations: ['MASK', 'mask', ' subset ', 'discover'] },
      operations: ['discover', 'subset', 'mask'],
      mode: null,
    },
    {
      name: 'rules would mask, caller does not',
      input: { connectionString: CONN, piiFound: true, operations: ['discover', 'subset'] },
      operations: ['discover', 'subset'],
      mode: null,
    },
    { name: 'synthetic from text', input: { testCaseContent: GHERKIN, operations: ['synthetic'] }, operations: ['synthetic'], mode: 'TEST_CASE' },
    {
      name: 'synthetic from a discovered schema',
      input: { connectionId: 'c1', operations: ['synthetic', 'discover'] },
      operations: ['discover', 'synthetic'],
      mode: 'SCHEMA',
    },
    { name: 'mask without pii on a schema version', input: { schemaVersionId: 'sv1', operations: ['mask'] }, operations: ['mask'], mode: null },
    {
      name: 'provision without a named target (default target)',
      input: { domain: 'ecommerce', operations: ['provision', 'synthetic'] },
      operations: ['synthetic', 'provision'],
      mode: 'DOMAIN',
    },
  ];

  it.each(cases)('$name', ({ input, operations, mode }) => {
    const plan = classifyIntent(input);
    expect(plan.operations).toEqual(operations);
    expect(plan.syntheticMode).toBe(mode);
    for (const op of operations) expect(plan.reasons).toContainEqual({ subject: op, reason: 'requested by the caller' });
    expect(plan.reasons.some((r) => r.subject === 'syntheticMode')).toBe(mode !== null);
  });
});

describe('classifyIntent: invalid requests', () => {
  const cases: { name: string; input: unknown; message: RegExp }[] = [
    { name: 'no inputs at all', input: {}, message: /nothing to plan from/ },
    { name: 'only blank strings', input: { connectionString: '  ', domain: '' }, message: /nothing to plan from/ },
    { name: 'only a target', input: { targetEnv: 'qa' }, message: /nothing to plan from/ },
    { name: 'only a PII flag', input: { piiFound: true }, message: /nothing to plan from/ },
    { name: 'unknown operation', input: { connectionId: 'c1', operations: ['discover', 'explode'] }, message: /unknown operation "explode"/ },
    { name: 'empty operations', input: { connectionId: 'c1', operations: [] }, message: /operations is empty/ },
    { name: 'subset without a source', input: { testCaseContent: GHERKIN, operations: ['subset'] }, message: /subset needs a source connection/ },
    { name: 'discover without a source', input: { domain: 'ecommerce', operations: ['discover', 'synthetic'] }, message: /discover needs a source/ },
    { name: 'pii without a catalog', input: { connectionId: 'c1', operations: ['pii'] }, message: /pii needs a catalog/ },
    { name: 'provision with nothing to load', input: { connectionId: 'c1', operations: ['discover', 'provision'] }, message: /provision needs data/ },
    { name: 'mask with no rows', input: { connectionId: 'c1', operations: ['discover', 'mask'] }, message: /mask needs rows/ },
    { name: 'synthetic without a synthetic input', input: { connectionId: 'c1', operations: ['synthetic'] }, message: /synthetic needs/ },
    { name: 'connection string and id', input: { connectionString: CONN, connectionId: 'c1' }, message: /either connectionString or connectionId/ },
    { name: 'scenario without a domain', input: { testCaseContent: GHERKIN, scenario: 'checkout' }, message: /scenario needs a domain/ },
    { name: 'file name without content', input: { domain: 'x', testCaseFileName: 'a.feature' }, message: /without testCaseContent/ },
    { name: 'non-http URL', input: { testCaseUrls: ['ftp://files.test/form'] }, message: /must use http or https/ },
    { name: 'not a URL', input: { testCaseUrls: ['register page'] }, message: /not a valid URL/ },
    { name: 'unknown key', input: { connectionString: CONN, operation: ['discover'] }, message: /Unrecognized key/ },
    { name: 'wrong type', input: { connectionString: CONN, piiFound: 'yes' }, message: /piiFound/ },
  ];

  it.each(cases)('$name', ({ input, message }) => {
    let error: unknown;
    try {
      classifyIntent(input as DecisionInput);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe('INVALID_INPUT');
    expect((error as Error).message).toMatch(message);
    expect(JSON.stringify({ m: (error as Error).message, d: (error as InvalidInputError).details })).not.toContain('S3cr3t');
  });
});
