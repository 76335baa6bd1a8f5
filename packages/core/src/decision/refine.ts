import { type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { redactSecrets } from '../db/url.ts';
import { TdmError } from '../errors.ts';
import { availableModes, modeReason, sortReasons, validateOperations } from './rules.ts';
import { Operation, OPERATIONS, type PipelinePlan, type PlanReason, type SanitizedDecisionInput, SyntheticMode } from './types.ts';

/** What the chat model must answer: a JSON object of this shape. */
export const LlmRefinement = z.object({
  operations: z.array(Operation).min(1),
  syntheticMode: SyntheticMode.nullable(),
  fallbackModes: z.array(SyntheticMode).optional(),
  reason: z.string().min(1),
});
export type LlmRefinement = z.infer<typeof LlmRefinement>;

// Enough for a long feature file; the prompt stays well inside any model's context.
const MAX_TEST_CASE_CHARS = 12_000;

// Operations the model may not drop once the rules planned them: skipping masking of real rows or
// ignoring a named target is not a preference a model gets to make.
const PROTECTED: readonly Operation[] = ['pii', 'mask', 'provision'];

/**
 * The messages sent to the chat model. Built from the sanitized input only (no connection string
 * exists there); URLs lose credentials, query and fragment, and any connection string inside the
 * test-case text is redacted.
 */
export function buildRefinementPrompt(input: SanitizedDecisionInput, rulePlan: PipelinePlan): BaseMessage[] {
  const allowedModes = availableModes(input, [...OPERATIONS]);
  const request = {
    inputKinds: rulePlan.inputKinds,
    rulePlan: { operations: rulePlan.operations, syntheticMode: rulePlan.syntheticMode, fallbackModes: rulePlan.fallbackModes },
    allowedOperations: OPERATIONS,
    allowedSyntheticModes: allowedModes,
    domain: input.domain ?? null,
    scenario: input.scenario ?? null,
    testCaseUrls: (input.testCaseUrls ?? []).map(scrubUrl),
    testCaseFileName: input.testCaseFileName ?? null,
    testCase: input.testCaseContent ? truncate(redactSecrets(input.testCaseContent, []).replace(/\b(postgres(?:ql)?:\/\/)\S+/gi, '$1[redacted]')) : null,
  };
  return [
    new SystemMessage(
      [
        'You plan a test-data pipeline. Steps, in order: discover, pii, subset, mask, synthetic, provision.',
        'A rule-based plan is given. Refine it only where the test case shows the rules chose badly, for example a better synthetic mode.',
        `Use only allowedOperations and allowedSyntheticModes. Do not drop ${PROTECTED.join(', ')} when the rule plan has them.`,
        'Answer with one JSON object and nothing else:',
        '{"operations": string[], "syntheticMode": string | null, "fallbackModes": string[], "reason": string}',
      ].join('\n'),
    ),
    new HumanMessage(JSON.stringify(request, null, 2)),
  ];
}

/**
 * Applies the model's answer to the rule plan. The answer must parse, name only known operations and
 * modes the inputs allow, keep protected operations, and form a valid plan; otherwise the rule plan is
 * kept and a `plan` reason says why the answer was rejected. Never throws.
 */
export function applyRefinement(input: SanitizedDecisionInput, rulePlan: PipelinePlan, answer: unknown): PipelinePlan {
  try {
    return refine(input, rulePlan, parseAnswer(answer));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return keepRulePlan(rulePlan, `the LLM's refinement was rejected (${why}); the rule-based plan is kept`);
  }
}

/** The rule plan with a note, e.g. when the model could not be reached. */
export function keepRulePlan(rulePlan: PipelinePlan, note: string): PipelinePlan {
  return { ...rulePlan, reasons: [...rulePlan.reasons, { subject: 'plan', reason: note }] };
}

class RejectedAnswer extends Error {}

function parseAnswer(answer: unknown): LlmRefinement {
  let value = answer;
  if (typeof answer === 'string') {
    const text = answer
      .trim()
      .replace(/^```(?:json)?\s*/i, '')
      .replace(/\s*```$/, '');
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start < 0 || end < start) throw new RejectedAnswer('no JSON object in the answer');
    try {
      value = JSON.parse(text.slice(start, end + 1));
    } catch {
      throw new RejectedAnswer('the answer is not valid JSON');
    }
  }
  const parsed = LlmRefinement.safeParse(value);
  if (!parsed.success) throw new RejectedAnswer(parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; '));
  return parsed.data;
}

function refine(input: SanitizedDecisionInput, rulePlan: PipelinePlan, answer: LlmRefinement): PipelinePlan {
  const dropped = PROTECTED.filter((op) => rulePlan.operations.includes(op) && !answer.operations.includes(op));
  if (dropped.length) throw new RejectedAnswer(`it drops ${dropped.join(', ')}`);
  let operations: Operation[];
  try {
    operations = validateOperations(input, answer.operations);
  } catch (e) {
    throw new RejectedAnswer(e instanceof TdmError ? e.message : String(e));
  }
  const allowed = availableModes(input, operations);
  let syntheticMode: SyntheticMode | null = null;
  let fallbackModes: SyntheticMode[] = [];
  if (operations.includes('synthetic')) {
    if (!answer.syntheticMode) throw new RejectedAnswer('synthetic is planned without a synthetic mode');
    if (!allowed.includes(answer.syntheticMode)) {
      throw new RejectedAnswer(`synthetic mode ${answer.syntheticMode} is not possible with these inputs (possible: ${allowed.join(', ')})`);
    }
    syntheticMode = answer.syntheticMode;
    const requested = answer.fallbackModes ?? allowed;
    const impossible = requested.filter((m) => !allowed.includes(m));
    if (impossible.length) throw new RejectedAnswer(`fallback mode ${impossible.join(', ')} is not possible with these inputs`);
    fallbackModes = [...new Set(requested)].filter((m) => m !== syntheticMode);
  }
  // A mode without synthetic is irrelevant, not wrong: it is ignored.

  const ruleReason = new Map(rulePlan.reasons.map((r) => [r.subject, r.reason]));
  const reasons: PlanReason[] = [];
  for (const op of OPERATIONS) {
    const inPlan = operations.includes(op);
    const inRules = rulePlan.operations.includes(op);
    if (inPlan && inRules) reasons.push({ subject: op, reason: ruleReason.get(op) ?? 'planned by the rules' });
    else if (inPlan) reasons.push({ subject: op, reason: `added by the LLM: ${answer.reason}` });
    else if (inRules) reasons.push({ subject: op, reason: `not planned: removed by the LLM: ${answer.reason}` });
    else if (ruleReason.has(op)) reasons.push({ subject: op, reason: ruleReason.get(op) as string });
  }
  if (syntheticMode) {
    const same = syntheticMode === rulePlan.syntheticMode && fallbackModes.join() === rulePlan.fallbackModes.join();
    reasons.push({
      subject: 'syntheticMode',
      reason: same
        ? (ruleReason.get('syntheticMode') ?? modeReason(input, syntheticMode, fallbackModes))
        : `${modeReason(input, syntheticMode, fallbackModes)} (chosen by the LLM: ${answer.reason})`,
    });
  }
  reasons.push({ subject: 'plan', reason: `refined by the LLM: ${answer.reason}` });
  return { operations, syntheticMode, fallbackModes, reasons: sortReasons(reasons), inputKinds: rulePlan.inputKinds, refinedBy: 'llm' };
}

function scrubUrl(raw: string): string {
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.toString();
}

function truncate(text: string): string {
  return text.length <= MAX_TEST_CASE_CHARS ? text : `${text.slice(0, MAX_TEST_CASE_CHARS)}\n… (truncated)`;
}
