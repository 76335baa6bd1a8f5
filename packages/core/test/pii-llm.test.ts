/**
 * The LLM detector through a real LangChain provider (ChatOpenAI) against a local HTTP server that
 * speaks the OpenAI chat completions API: no network. The server answers by the column asked about
 * and records every request, so the test sees what left the process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import { openSqlClient } from '../src/db/open.ts';
import { classifyCatalog } from '../src/pii/classify.ts';
import { createLlmDetector } from '../src/pii/detectors/llm.ts';
import { createPgliteUrl } from './support/databases.ts';

interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
}
const requests: ChatRequest[] = [];
let server: Server;
let baseURL = '';

/** What the fake model answers, by column name; anything else is NONE. Garbage for `broken`. */
function answerFor(question: string): string {
  const { column } = JSON.parse(question) as { column: string };
  if (column === 'broken') return 'I think this might be an e-mail, not sure.';
  const types: Record<string, string> = { x1: 'HEALTH_CONDITION', ref: 'PERSONAL_ID' };
  return JSON.stringify({ piiType: types[column] ?? 'NONE', confidence: 0.9, reason: 'by its values' });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.headers.authorization !== 'Bearer test-key') {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as ChatRequest;
      requests.push(parsed);
      const content = answerFor(parsed.messages.at(-1)?.content ?? '{}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 1,
          model: parsed.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const model = () => new ChatOpenAI({ model: 'gpt-test', apiKey: 'test-key', configuration: { baseURL }, maxRetries: 0, temperature: 0 });

describe('LLM detector with ChatOpenAI against a local OpenAI-compatible server', () => {
  it('asks with the taxonomy and the neighbours, sends at most five values, keeps only valid answers', async () => {
    const detector = createLlmDetector(model(), { maxValues: 5, maxValueLength: 64 });
    const values = Array.from({ length: 9 }, (_, i) => `asthma stage ${i}`);
    const column = {
      schema: 'public',
      table: 'visits',
      column: 'x1',
      dataType: 'text',
      isKey: false,
      values,
      context: { columns: ['id', 'x1', 'patient_id'], references: [], referencedBy: [] },
    };
    const signals = await detector.detect(column);
    expect(signals).toEqual([expect.objectContaining({ detector: 'llm', piiType: 'HEALTH_CONDITION', confidence: 0.9, rule: 'llm:answer' })]);
    const sent = requests.at(-1) as ChatRequest;
    expect(sent.model).toBe('gpt-test');
    expect(sent.messages[0]?.content).toContain('HEALTH: HEALTH_CONDITION');
    const question = JSON.parse(sent.messages.at(-1)?.content ?? '{}') as { sampleValues: string[]; otherColumns: string[] };
    expect(question.sampleValues).toHaveLength(5);
    expect(question.otherColumns).toEqual(['id', 'patient_id']);
    expect(await detector.detect({ ...column, column: 'broken' })).toEqual([]);
  });

  it('a classification with the model: the LLM alone flags a column the rules cannot read, capped and marked LLM', async () => {
    const db = await createPgliteUrl({ memory: true });
    const sql = await openSqlClient(db.url);
    try {
      await sql.exec(`create table hr (id int primary key, ref text, email text);
        insert into hr select i, 'Z' || (i * 7919 % 10007), 'p' || i || '@example.org' from generate_series(1, 10) i;`);
      const results = await classifyCatalog(sql, await readCatalog(sql, ['public']), { llm: model() });
      const ref = results.find((r) => r.column === 'ref');
      expect(ref).toMatchObject({ piiType: 'PERSONAL_ID', category: 'DIRECT_IDENTIFIER', source: 'LLM', confidence: 0.6 });
      // Where the rules already know, the model agreeing or not does not take the verdict away.
      expect(results.find((r) => r.column === 'email')).toMatchObject({ piiType: 'EMAIL', source: 'DETECTED' });
      expect(JSON.stringify(results)).not.toContain('@example.org');
    } finally {
      await sql.close();
      await db.drop();
    }
  });

  it('a server that is down leaves the rule-based verdicts standing', async () => {
    const down = new ChatOpenAI({ model: 'gpt-test', apiKey: 'test-key', configuration: { baseURL: 'http://127.0.0.1:9/v1' }, maxRetries: 0 });
    const signals = await createLlmDetector(down, { maxValues: 5, maxValueLength: 64 }).detect({
      schema: 'public',
      table: 't',
      column: 'c',
      dataType: 'text',
      isKey: false,
      values: ['a'],
    });
    expect(signals).toEqual([]);
  });
});
