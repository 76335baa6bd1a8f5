/**
 * Optional LLM detector: asks a LangChain chat model (passed in through the deps, off by default;
 * the runtime builds it from the environment in decision/llm.ts) what a column holds, from its
 * table, name, type, its neighbours' names and at most five sampled values, answering with a PII
 * type of the taxonomy. The answer must
 * be a JSON object that passes the zod schema; anything else, and any model error, yields no
 * signal, so a flaky or chatty model can never break or skew a classification. The model's
 * free-text reason is not kept: it could quote the sampled values.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { registerDetector } from '../registry.ts';
import { PII_TYPES, TAXONOMY } from '../taxonomy.ts';
import type { ColumnSample, PiiDetector, PiiSignal } from '../types.ts';

export const MAX_LLM_VALUES = 5;

export const llmParams = z.object({
  /** Sampled values sent with the question (0 sends only the name and type). */
  maxValues: z.number().int().min(0).max(MAX_LLM_VALUES).default(MAX_LLM_VALUES),
  /** Characters kept of each value. */
  maxValueLength: z.number().int().min(1).max(200).default(64),
});
export type LlmParams = z.infer<typeof llmParams>;

export const llmAnswer = z.object({
  piiType: z.enum(PII_TYPES),
  confidence: z.number().min(0).max(1),
  reason: z.string().optional(),
});

const SYSTEM = `You classify database columns for personal data (PII), as a privacy reviewer would.
Answer with one JSON object and nothing else: {"piiType": <one type below>, "confidence": <0..1>, "reason": <short, without quoting values>}.
Types (category: type — meaning):
${PII_TYPES.map((t) => `${TAXONOMY[t].category}: ${t} — ${TAXONOMY[t].description}`).join('\n')}
Reference data (country or city lookup tables, product names, band names, film titles) is NONE. UUIDs and surrogate keys are NONE.`;

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

/** The JSON object in a model answer (bare, or inside a ``` fence), validated; null when invalid. */
export function parseLlmAnswer(text: string): z.infer<typeof llmAnswer> | null {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1] ?? text;
  const start = fenced.indexOf('{');
  const end = fenced.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const parsed = llmAnswer.safeParse(JSON.parse(fenced.slice(start, end + 1)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function createLlmDetector(model: BaseChatModel, params: LlmParams): PiiDetector {
  return {
    name: 'llm',
    description: 'LLM column classifier',
    kind: 'llm',
    async detect(column: ColumnSample): Promise<PiiSignal[]> {
      const values = column.values
        .filter((v) => v.trim() !== '')
        .slice(0, Math.min(params.maxValues, MAX_LLM_VALUES))
        .map((v) => v.slice(0, params.maxValueLength));
      const question = JSON.stringify({
        table: `${column.schema}.${column.table}`,
        column: column.column,
        dataType: column.dataType,
        otherColumns: column.context?.columns.filter((c) => c !== column.column).slice(0, 30) ?? [],
        sampleValues: values,
      });
      let answer: z.infer<typeof llmAnswer> | null;
      try {
        const reply = await model.invoke([new SystemMessage(SYSTEM), new HumanMessage(question)]);
        answer = parseLlmAnswer(contentText(reply.content));
      } catch {
        // A model outage must not fail the classification; the rule-based signals still stand.
        answer = null;
      }
      if (!answer) return [];
      return [
        {
          detector: 'llm',
          piiType: answer.piiType,
          confidence: answer.confidence,
          rule: 'llm:answer',
          evidence: `LLM (${model._llmType()}) answered ${answer.piiType}`,
        },
      ];
    },
  };
}

registerDetector({
  name: 'llm',
  description: 'Optional LangChain chat model asked about the column name and at most five sampled values; off unless a model is passed.',
  kind: 'llm',
  params: llmParams,
  appliesTo: 'any',
  deterministic: false,
  create: (params, deps) => (deps.llm ? createLlmDetector(deps.llm, params) : null),
});
