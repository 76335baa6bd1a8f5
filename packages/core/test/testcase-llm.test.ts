/**
 * The LLM path of the test-case analysis against a local HTTP server that speaks the OpenAI chat
 * completions API (no network): the provider comes from `TDM_LLM_PROVIDER` and `TDM_LLM_BASE_URL`,
 * the model's answer refines names, entities and types, the example values it is sent are masked,
 * and without a model — or with a model that answers nonsense or not at all — the deterministic
 * analysis is kept.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatModelFromEnv } from '../src/decision/llm.ts';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import { maskValue, refineAnalysis } from '../src/testcase/refine.ts';

const STEPS = `When I enter "Ann" as the firstname
And I enter "ann.lee@test.com" as "email"
And I enter "+44 20 7946 0958" as the contact
`;

let server: Server;
let baseUrl: string;
const requests: { url: string; body: { model?: string; messages?: { role: string; content: string }[] } }[] = [];
let answer: () => string | null = () => null;

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => resolve(data));
  });

beforeAll(async () => {
  await loadTestCaseParsers();
  server = createServer(async (req, res) => {
    const body = JSON.parse((await read(req)) || '{}');
    requests.push({ url: req.url ?? '', body });
    const content = answer();
    if (content === null) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'down' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

const env = (provider: string) => ({ TDM_LLM_PROVIDER: provider, TDM_LLM_BASE_URL: baseUrl, TDM_LLM_MODEL: 'local-model', TDM_LLM_TIMEOUT_MS: '5000' });

describe('LLM refinement of a test-case analysis', () => {
  it('without a configured model, the rule-based analysis is returned as it is', async () => {
    const analysis = analyzeTestCase({ content: STEPS });
    expect(createChatModelFromEnv({})).toBeNull();
    const refined = await refineAnalysis(analysis, createChatModelFromEnv({}));
    expect(refined).toEqual({ ...analysis, refinedBy: 'rules' });
  });

  it.each(['openai', 'ollama'])('%s provider: names and types refined by the model, values sent masked', async (provider) => {
    requests.length = 0;
    answer = () =>
      JSON.stringify({
        entities: [
          {
            name: 'user',
            from: ['user', 'record'],
            fields: [
              { name: 'first_name', from: ['firstname'], type: 'string' },
              { name: 'phone', from: ['contact'], type: 'phone' },
              { name: 'invented', from: ['not_found_by_the_parser'], type: 'email' },
            ],
          },
        ],
      });
    const analysis = analyzeTestCase({ content: STEPS });
    const refined = await refineAnalysis(analysis, createChatModelFromEnv(env(provider)));
    expect(refined.refinedBy).toBe('llm');
    expect(refined.entities.map((e) => [e.name, e.fields.map((f) => `${f.name}:${f.type}`).sort()])).toEqual([
      ['user', ['email:email', 'first_name:string', 'phone:phone']],
    ]);
    expect(refined.entities[0]?.exampleRows).toEqual([{ first_name: 'Ann', email: 'ann.lee@test.com', phone: '+44 20 7946 0958' }]);
    // One chat completion request, to the configured server and model, with no raw example value in it.
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('/v1/chat/completions');
    expect(requests[0]?.body.model).toBe('local-model');
    const sent = JSON.stringify(requests[0]?.body.messages);
    for (const raw of ['Ann', 'ann.lee@test.com', '7946']) expect(sent).not.toContain(raw);
    expect(sent).toContain(maskValue('ann.lee@test.com'));
  });

  it('an answer that is not JSON, or a server error, keeps the deterministic analysis', async () => {
    const analysis = analyzeTestCase({ content: STEPS });
    answer = () => 'I cannot help with that.';
    expect(await refineAnalysis(analysis, createChatModelFromEnv(env('openai')))).toEqual({ ...analysis, refinedBy: 'rules' });
    answer = () => null;
    expect(await refineAnalysis(analysis, createChatModelFromEnv(env('openai')))).toEqual({ ...analysis, refinedBy: 'rules' });
  });

  it('masks values by shape', () => {
    expect(maskValue('Ann Lee')).toBe('Xxx Xxx');
    expect(maskValue('ann@x.io')).toBe('xxx@x.xx');
    expect(maskValue('+44 20 7946')).toBe('+99 99 9999');
  });

  it('azure-openai needs an endpoint and a deployment', () => {
    expect(() => createChatModelFromEnv({ TDM_LLM_PROVIDER: 'azure-openai' })).toThrow(/TDM_LLM_BASE_URL/);
    expect(createChatModelFromEnv({ TDM_LLM_PROVIDER: 'azure-openai', TDM_LLM_BASE_URL: baseUrl, TDM_LLM_MODEL: 'dep', TDM_LLM_API_KEY: 'k' })).not.toBeNull();
  });
});
