// What the workflow form holds, read from its fields (a form action, with or without script) and
// turned into the requests of "Classify intent" and "Execute workflow".
import type { VariablesOf } from '$lib/graphql';
import type { ClassifyIntentQuery, ExecuteWorkflowMutation } from '$lib/documents/workflows';

export const OPERATIONS = ['discover', 'pii', 'subset', 'mask', 'synthetic', 'provision'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface WorkflowValues {
  template: string;
  content: string;
  urls: string;
  connectionId: string;
  domain: string;
  scenario: string;
  rowCount: number;
  targetEnv: string;
  resetEnv: boolean;
  operations: Operation[];
}

export const DEFAULT_ROW_COUNT = 1000;

/** The form's fields; each checkbox is named after its operation. */
export function readWorkflowForm(form: FormData): WorkflowValues {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value : '';
  };
  const rows = Number.parseInt(text('rowCount'), 10);
  return {
    template: text('template'),
    content: text('testCaseContent'),
    urls: text('testCaseUrls'),
    connectionId: text('connectionId'),
    domain: text('domain'),
    scenario: text('scenario'),
    rowCount: Number.isFinite(rows) && rows > 0 ? rows : DEFAULT_ROW_COUNT,
    targetEnv: text('targetEnv'),
    resetEnv: form.has('resetEnv'),
    operations: OPERATIONS.filter((op) => form.has(op)),
  };
}

function urlList(urls: string): string[] {
  return urls
    .split('\n')
    .map((u) => u.trim())
    .filter(Boolean);
}

/** What both requests carry: only what the user filled in. */
function common(v: WorkflowValues) {
  const urls = urlList(v.urls);
  return {
    testCaseContent: v.content.trim() || undefined,
    testCaseUrls: urls.length ? urls : undefined,
    connectionId: v.connectionId || undefined,
    domain: v.domain || undefined,
    scenario: (v.domain && v.scenario) || undefined,
  };
}

export function classifyVariables(v: WorkflowValues): VariablesOf<typeof ClassifyIntentQuery> {
  return { input: { ...common(v), targetEnv: v.targetEnv || undefined, operations: v.operations.length ? v.operations : undefined } };
}

export function executeVariables(v: WorkflowValues): VariablesOf<typeof ExecuteWorkflowMutation> {
  // Provisioning's defaults are the default target without a reset; only a choice is sent.
  const provision = v.targetEnv || v.resetEnv ? { provision: { ...(v.targetEnv ? { targetEnv: v.targetEnv } : {}), resetEnv: v.resetEnv } } : undefined;
  return {
    input: {
      ...common(v),
      template: v.template || undefined,
      operations: v.operations.length ? v.operations : undefined,
      rowCounts: { '*': v.rowCount },
      config: provision,
    },
  };
}
