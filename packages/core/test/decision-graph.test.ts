/** The decision graph (rules, then the LLM when asked, with fallbacks) and the chat model taken from the environment. */
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { createChatModelFromEnv } from '../src/decision/llm.ts';
import { classifyIntent } from '../src/decision/rules.ts';
import type { DecisionInput } from '../src/decision/types.ts';
import { InvalidInputError } from '../src/errors.ts';
import { createDecisionGraph, decide } from '../src/graphs/decision/graph.ts';
import { CONN, GHERKIN } from './support/decision-inputs.ts';

/** A fake chat model that records every prompt it receives. */
class RecordingModel extends FakeListChatModel {
  readonly prompts: BaseMessage[][] = [];
  override async _generate(messages: BaseMessage[], options?: this['ParsedCallOptions']): Promise<ChatResult> {
    this.prompts.push(messages);
    return super._generate(messages, options);
  }
  promptText(): string {
    return this.prompts
      .flat()
      .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
      .join('\n');
  }
}

class FailingModel extends FakeListChatModel {
  override async _generate(): Promise<ChatResult> {
    throw new Error(`connection refused for https://api.example.test (key sk-123)`);
  }
}

describe('decision graph', () => {
  it('runs parse → classify → plan without an LLM and keeps no connection string in state', async () => {
    const input = { connectionString: CONN, testCaseContent: GHERKIN, targetEnv: 'qa' };
    const state = await createDecisionGraph().invoke({ request: input });
    expect(state.request).toBeNull();
    expect(state.input).toMatchObject({ hasConnection: true, testCaseContent: GHERKIN, targetEnv: 'qa' });
    expect(state.input && 'connectionString' in state.input).toBe(false);
    expect(state.inputKinds).toEqual(['connection', 'testCaseContent', 'targetEnv']);
    expect(state.plan).toEqual(classifyIntent(input));
    expect(JSON.stringify(state)).not.toContain('S3cr3t');
  });

  it('decide() rejects invalid input with InvalidInputError', async () => {
    await expect(decide({})).rejects.toBeInstanceOf(InvalidInputError);
    await expect(decide({ connectionId: 'c', operations: ['nope'] })).rejects.toThrow(/unknown operation/);
  });

  const refinable: DecisionInput = { connectionString: CONN, testCaseContent: GHERKIN, domain: 'ecommerce', targetEnv: 'qa' };
  const all = ['discover', 'pii', 'subset', 'mask', 'synthetic', 'provision'];

  it('applies a valid LLM refinement', async () => {
    const answer = {
      operations: all,
      syntheticMode: 'DOMAIN',
      fallbackModes: ['TEST_CASE'],
      reason: 'the test case only signs up; the domain pack covers the data it needs',
    };
    const llm = new RecordingModel({ responses: [`\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``] });
    const plan = await decide(refinable, { llm });
    expect(llm.prompts).toHaveLength(1);
    expect(plan.refinedBy).toBe('llm');
    expect(plan.operations).toEqual(all);
    expect(plan.syntheticMode).toBe('DOMAIN');
    expect(plan.fallbackModes).toEqual(['TEST_CASE']);
    expect(plan.reasons.find((r) => r.subject === 'syntheticMode')?.reason).toMatch(/^DOMAIN: .*chosen by the LLM/);
    expect(plan.reasons).toContainEqual({ subject: 'plan', reason: `refined by the LLM: ${answer.reason}` });
  });

  it('lets the LLM drop an optional step, with a reason', async () => {
    const answer = { operations: ['discover', 'pii', 'subset', 'mask', 'provision'], syntheticMode: null, reason: 'the subset already holds sign-up data' };
    const plan = await decide(refinable, { llm: new RecordingModel({ responses: [JSON.stringify(answer)] }) });
    expect(plan.refinedBy).toBe('llm');
    expect(plan.operations).toEqual(answer.operations);
    expect(plan.syntheticMode).toBeNull();
    expect(plan.fallbackModes).toEqual([]);
    expect(plan.reasons).toContainEqual({ subject: 'synthetic', reason: expect.stringMatching(/^not planned: removed by the LLM/) });
  });

  const garbage: { name: string; response: string; why: RegExp }[] = [
    { name: 'prose', response: 'I think you should mask things.', why: /no JSON object/ },
    { name: 'broken JSON', response: '{"operations": [discover]}', why: /not valid JSON/ },
    { name: 'unknown operation', response: JSON.stringify({ operations: ['discover', 'teleport'], syntheticMode: null, reason: 'x' }), why: /operations/ },
    { name: 'missing reason', response: JSON.stringify({ operations: all, syntheticMode: 'DOMAIN' }), why: /reason/ },
    { name: 'impossible mode', response: JSON.stringify({ operations: all, syntheticMode: 'URL', reason: 'crawl' }), why: /URL is not possible/ },
    {
      name: 'drops masking',
      response: JSON.stringify({ operations: ['discover', 'subset', 'synthetic', 'provision'], syntheticMode: 'DOMAIN', reason: 'x' }),
      why: /drops pii, mask/,
    },
    {
      name: 'drops the target',
      response: JSON.stringify({ operations: ['discover', 'pii', 'subset', 'mask'], syntheticMode: null, reason: 'x' }),
      why: /drops provision/,
    },
    { name: 'synthetic without a mode', response: JSON.stringify({ operations: all, syntheticMode: null, reason: 'x' }), why: /without a synthetic mode/ },
  ];

  it.each(garbage)('keeps the rule plan when the LLM answers $name', async ({ response, why }) => {
    const plan = await decide(refinable, { llm: new RecordingModel({ responses: [response] }) });
    const rules = classifyIntent(refinable);
    expect(plan.refinedBy).toBe('rules');
    expect(plan.operations).toEqual(rules.operations);
    expect(plan.syntheticMode).toBe(rules.syntheticMode);
    expect(plan.fallbackModes).toEqual(rules.fallbackModes);
    const note = plan.reasons.find((r) => r.subject === 'plan')?.reason ?? '';
    expect(note).toMatch(/rejected.*rule-based plan is kept/);
    expect(note).toMatch(why);
  });

  it('keeps the rule plan when the LLM does not validate against the inputs', async () => {
    const input: DecisionInput = { testCaseContent: GHERKIN, targetEnv: 'qa' };
    const response = JSON.stringify({ operations: ['subset', 'synthetic', 'provision'], syntheticMode: 'TEST_CASE', reason: 'x' });
    const plan = await decide(input, { llm: new RecordingModel({ responses: [response] }) });
    expect(plan.operations).toEqual(['synthetic', 'provision']);
    expect(plan.reasons.find((r) => r.subject === 'plan')?.reason).toMatch(/subset needs a source connection/);
  });

  it('keeps the rule plan, with the cause, when the LLM call fails', async () => {
    const plan = await decide(refinable, { llm: new FailingModel({ responses: ['unused'] }) });
    expect(plan.refinedBy).toBe('rules');
    const note = plan.reasons.find((r) => r.subject === 'plan')?.reason ?? '';
    expect(note).toMatch(/could not refine the plan.*connection refused/);
  });

  it('never sends the connection string, credentials in URLs, or connection strings in the test case', async () => {
    const llm = new RecordingModel({ responses: ['garbage'] });
    await decide(
      {
        connectionString: CONN,
        testCaseContent: `${GHERKIN}    # fixture db: postgres://admin:Tr0ub4dor@10.0.0.5/app\n`,
        testCaseUrls: ['https://bob:pa55word@shop.test/register?token=t0k3n#top'],
        targetEnv: 'qa',
      },
      { llm },
    );
    const prompt = llm.promptText();
    expect(llm.prompts).toHaveLength(1);
    expect(prompt).toContain('I enter \\"email\\" as \\"ann@test.com\\"');
    expect(prompt).toContain('https://shop.test/register');
    for (const secret of [CONN, 'S3cr3t', 'db.internal', 'Tr0ub4dor', '10.0.0.5', 'pa55word', 't0k3n']) expect(prompt).not.toContain(secret);
  });

  it('does not ask the LLM when the caller fixed the operations', async () => {
    const llm = new RecordingModel({ responses: [JSON.stringify({ operations: ['discover'], syntheticMode: null, reason: 'x' })] });
    const plan = await decide({ connectionId: 'c1', operations: ['discover', 'subset'] }, { llm });
    expect(llm.prompts).toHaveLength(0);
    expect(plan.refinedBy).toBe('rules');
    expect(plan.operations).toEqual(['discover', 'subset']);
  });
});

describe('createChatModelFromEnv', () => {
  it('is off unless TDM_LLM_PROVIDER is set', () => {
    expect(createChatModelFromEnv({})).toBeNull();
    expect(createChatModelFromEnv({ TDM_LLM_PROVIDER: '' })).toBeNull();
  });

  it('builds a fake model whose answers drive the refinement', async () => {
    const answer = { operations: ['synthetic', 'provision'], syntheticMode: 'DOMAIN', reason: 'domain pack fits' };
    const llm = createChatModelFromEnv({ TDM_LLM_PROVIDER: 'fake', TDM_LLM_FAKE_RESPONSES: JSON.stringify([JSON.stringify(answer)]) });
    expect(llm).toBeInstanceOf(FakeListChatModel);
    const plan = await decide({ testCaseContent: GHERKIN, domain: 'ecommerce', targetEnv: 'qa' }, { llm });
    expect(plan).toMatchObject({ refinedBy: 'llm', syntheticMode: 'DOMAIN', fallbackModes: ['TEST_CASE'] });
  });

  it.each([
    [{ TDM_LLM_PROVIDER: 'anthropic' }, /not supported; supported: openai, azure-openai, ollama, fake/],
    [{ TDM_LLM_PROVIDER: 'fake' }, /needs TDM_LLM_FAKE_RESPONSES/],
    [{ TDM_LLM_PROVIDER: 'fake', TDM_LLM_FAKE_RESPONSES: '[oops' }, /not valid JSON/],
    [{ TDM_LLM_PROVIDER: 'fake', TDM_LLM_FAKE_RESPONSES: '[1, 2]' }, /array of strings/],
  ])('rejects %j', (env, message) => {
    expect(() => createChatModelFromEnv(env)).toThrow(InvalidInputError);
    expect(() => createChatModelFromEnv(env)).toThrow(message);
  });
});
