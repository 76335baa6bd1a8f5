/** How PII signals become a verdict (combine), the detector registry, and the LLM detector on a fake model. */
import { FakeListChatModel } from '@langchain/core/utils/testing';
import type { BaseMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { combine } from '../src/pii/combine.ts';
import { createLlmDetector, llmParams, parseLlmAnswer } from '../src/pii/detectors/llm.ts';
import { detectors, type PiiDetectorDefinition, registerDetector } from '../src/pii/registry.ts';
import type { ColumnSample, PiiSignal, PiiType } from '../src/pii/types.ts';
import { col, NOW } from './support/pii-samples.ts';

describe('combine', () => {
  const name = (piiType: PiiType, confidence = 0.8): PiiSignal => ({ detector: 'name-rules', piiType, confidence, evidence: 'name' });
  const value = (piiType: PiiType, confidence = 0.75): PiiSignal => ({ detector: 'value-rules', piiType, confidence, evidence: 'values' });
  const llm = (piiType: PiiType, confidence = 0.9): PiiSignal => ({ detector: 'llm', piiType, confidence, evidence: 'llm' });
  const kindOf = (d: string) => (d === 'name-rules' ? 'name' : d === 'llm' ? 'llm' : 'value') as 'name' | 'value' | 'llm';
  const run = (c: ColumnSample, s: PiiSignal[]) => combine(c, s, { kindOf });

  it('name and values agreeing → high confidence', () => {
    const r = run(col({ column: 'email' }), [name('EMAIL'), value('EMAIL')]);
    expect([r.piiType, r.technique, r.source]).toEqual(['EMAIL', 'fake', 'DETECTED']);
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('values only → medium; name only → the rule confidence', () => {
    expect(run(col({ column: 'c' }), [value('EMAIL')]).confidence).toBe(0.75);
    expect(run(col({ column: 'c' }), [name('EMAIL')]).confidence).toBe(0.8);
  });

  it('name only on a gated type is dropped', () => {
    const r = run(col({ column: 'first_name', dataType: 'integer' }), [name('FIRST_NAME')]);
    expect(r.piiType).toBe('NONE');
    expect(r.evidence.some((e) => e.evidence.includes('integer column cannot hold'))).toBe(true);
    expect(run(col({ column: 'birth_date', dataType: 'text' }), [name('DATE_OF_BIRTH')]).piiType).toBe('NONE');
  });

  it('key columns: name-only dropped, validated values still count', () => {
    expect(run(col({ column: 'email', isKey: true }), [name('EMAIL')]).piiType).toBe('NONE');
    expect(run(col({ column: 'email', isKey: true }), [name('EMAIL'), value('EMAIL')]).piiType).toBe('EMAIL');
  });

  it('UUID values discount name-only guesses', () => {
    expect(run(col({ column: 'name', table: 'customer' }), [name('FULL_NAME', 0.65), value('NONE', 0.9)]).piiType).toBe('NONE');
  });

  it('values that contradict the name halve its confidence', () => {
    const c = col({ column: 'email', values: ['yes', 'no', 'maybe', 'no'] });
    expect(run(c, [name('EMAIL')]).piiType).toBe('NONE');
  });

  it('families: name wins for names, validated IBAN wins for bank accounts', () => {
    expect(run(col({ column: 'first_name' }), [name('FIRST_NAME'), value('FULL_NAME', 0.6)]).piiType).toBe('FIRST_NAME');
    const bank = run(col({ column: 'account_number' }), [name('BANK_ACCOUNT'), value('IBAN', 0.85)]);
    expect([bank.piiType, bank.technique]).toEqual(['IBAN', 'partial']);
  });

  it('hex digests support a password name but never flag alone', () => {
    expect(run(col({ column: 'password' }), [name('PASSWORD'), value('PASSWORD', 0.3)]).confidence).toBeGreaterThanOrEqual(0.9);
    expect(run(col({ column: 'checksum' }), [value('PASSWORD', 0.3)]).piiType).toBe('NONE');
  });

  it('LLM alone is capped and marked; agreeing LLM adds a little', () => {
    const alone = run(col({ column: 'x' }), [llm('EMAIL')]);
    expect([alone.piiType, alone.confidence, alone.source]).toEqual(['EMAIL', 0.6, 'LLM']);
    expect(run(col({ column: 'x' }), [name('EMAIL'), llm('EMAIL')]).confidence).toBeGreaterThan(0.8);
  });

  it.each<[PiiType, string]>([
    ['CREDIT_CARD', 'partial'],
    ['NATIONAL_ID', 'hash'],
    ['USERNAME', 'hash'],
    ['DATE_OF_BIRTH', 'dateShift'],
    ['POSTAL_CODE', 'generalize'],
    ['PASSWORD', 'null'],
    ['FREE_TEXT_PERSONAL', 'redact'],
    ['ADDRESS', 'fake'],
  ])('%s → technique %s', (t, technique) =>
    expect(run(col({ column: 'c', dataType: t === 'DATE_OF_BIRTH' ? 'date' : 'text' }), [value(t)]).technique).toBe(technique),
  );
});

describe('registry', () => {
  it('holds one entry per detector file and refuses duplicates', async () => {
    await import('../src/pii/detectors/index.ts');
    expect(detectors().map((d) => d.name)).toEqual(expect.arrayContaining(['name-rules', 'value-rules', 'llm']));
    for (const d of detectors()) expect(d.params.safeParse({}).success).toBe(true);
    const first = detectors()[0] as PiiDetectorDefinition<unknown>;
    expect(() => registerDetector({ ...first })).toThrow(/already registered/);
  });

  it('the LLM detector is off without a model', () => {
    const def = detectors().find((d) => d.name === 'llm');
    expect(def?.create(def.params.parse({}), { now: NOW })).toBeNull();
  });
});

/** A fake chat model that records what it was asked. */
class RecordingModel extends FakeListChatModel {
  prompts: BaseMessage[][] = [];
  override async _generate(messages: BaseMessage[], options?: this['ParsedCallOptions']) {
    this.prompts.push(messages);
    return super._generate(messages, options);
  }
}
const promptText = (m: BaseMessage[]) => m.map((x) => String(x.content)).join('\n');

describe('LLM detector', () => {
  const values = Array.from({ length: 12 }, (_, i) => `person${i}@example.com`);

  it('sends at most five values and turns a valid answer into a signal', async () => {
    const model = new RecordingModel({ responses: ['```json\n{"piiType":"EMAIL","confidence":0.9,"reason":"looks like mail"}\n```'] });
    const signals = await createLlmDetector(model, { maxValues: 5, maxValueLength: 64 }).detect(col({ column: 'contact', values }));
    expect(signals.map((s) => [s.piiType, s.confidence])).toEqual([['EMAIL', 0.9]]);
    expect(signals[0]?.evidence).not.toContain('@');
    const sent = promptText(model.prompts[0] ?? []);
    expect(values.filter((v) => sent.includes(`"${v}"`))).toHaveLength(5);
  });

  it.each(['not json at all', '{"piiType":"SHOE_SIZE","confidence":0.9}', '{"piiType":"EMAIL","confidence":7}', '[]'])(
    'ignores invalid answer %s',
    async (answer) => {
      const model = new RecordingModel({ responses: [answer] });
      expect(await createLlmDetector(model, { maxValues: 5, maxValueLength: 64 }).detect(col({ column: 'c', values }))).toEqual([]);
      expect(parseLlmAnswer(answer)).toBeNull();
    },
  );

  it('rejects more than five values in its params', () => {
    expect(() => llmParams.parse({ maxValues: 6 })).toThrow();
    expect(llmParams.parse({}).maxValues).toBe(5);
  });
});
