import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { PipelinePlan } from '../decision/types.ts';
import type { Operation } from './context.ts';
import type { WorkflowInput } from './input.ts';
import { WORKFLOW_TEMPLATES } from '../decision/templates.ts';
import { InvalidInputError } from '../errors.ts';

/**
 * The operations a job runs: the caller's, a template's, or the plan of the decision graph — the same
 * graph `classifyIntent` runs (rules, refined by the chat model when one is configured).
 */
export async function planOperations(
  input: WorkflowInput,
  deps: { llm?: BaseChatModel | null } = {},
): Promise<{ operations: Operation[]; plan: PipelinePlan; testCaseKind: string }> {
  // The planner, the test-case parsers and the step registry load with the first workflow, not with the server.
  const [{ decide }, { analyzeTestCase, loadTestCaseParsers }, { getStep }] = await Promise.all([
    import('../graphs/decision/graph.ts'),
    import('../testcase/analyze.ts'),
    import('../graphs/registry.ts'),
  ]);
  let operations = input.operations ?? undefined;
  if (!operations && input.template) {
    const t = WORKFLOW_TEMPLATES.find((x) => x.name.toLowerCase() === input.template?.toLowerCase());
    if (!t) throw new InvalidInputError(`unknown workflow template ${JSON.stringify(input.template)}`, { known: WORKFLOW_TEMPLATES.map((x) => x.name) });
    operations = t.operations as Operation[];
  }
  const targetEnv = (input.config?.provision as { targetEnv?: string } | undefined)?.targetEnv;
  const plan = await decide(
    {
      connectionString: input.connectionString ?? undefined,
      connectionId: input.connectionId ?? undefined,
      schemaVersionId: input.schemaVersionId ?? undefined,
      testCaseContent: input.testCaseContent ?? undefined,
      testCaseFileName: input.testCaseFileName ?? undefined,
      testCaseUrls: input.testCaseUrls ?? undefined,
      domain: input.domain ?? undefined,
      scenario: input.scenario ?? undefined,
      openApiSpec: input.openApiSpec ?? undefined,
      targetEnv,
      operations,
    },
    { llm: deps.llm },
  );
  // Malformed test-case text is refused here, with the parser's line, before a job exists.
  if (input.testCaseContent) await loadTestCaseParsers();
  const testCaseKind = input.testCaseContent
    ? analyzeTestCase({ content: input.testCaseContent, fileName: input.testCaseFileName ?? undefined }).format
    : 'NONE';
  const missing = plan.operations.filter((op) => !getStep(op));
  if (missing.length && operations) {
    throw new InvalidInputError(
      `operation${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not available in this version of TDM`,
      { missing },
    );
  }
  // A planned operation this version cannot run is left out, and the plan says so.
  const available = plan.operations.filter((op) => getStep(op)) as Operation[];
  if (available.length === 0)
    throw new InvalidInputError(`the planned operations (${plan.operations.join(', ')}) are not available in this version of TDM`, { missing });
  const reasons = [...plan.reasons, ...missing.map((op) => ({ subject: op, reason: 'planned, but not available in this version of TDM: left out' }))];
  return { operations: available, plan: { ...plan, reasons }, testCaseKind };
}
