import { graphql, type ResultOf, type VariablesOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';
import { ErrorFields } from '../error-fields.ts';
import { unwrap } from './unwrap.ts';

const Execute = graphql(
  `
  mutation ExecuteWorkflow($input: ExecuteWorkflowInput!) {
    executeWorkflow(input: $input) {
      __typename
      ...ErrorFields
      ... on MutationExecuteWorkflowSuccess { data { workflowId jobId status operations } }
    }
  }
`,
  [ErrorFields],
);
const Classify = graphql(
  `
  query ClassifyIntent($input: ClassifyIntentInput!) {
    classifyIntent(input: $input) {
      __typename
      ...ErrorFields
      ... on QueryClassifyIntentSuccess { data { operations syntheticMode fallbackModes reasons { subject reason } inputKinds refinedBy } }
    }
  }
`,
  [ErrorFields],
);
const Templates = graphql(
  `query WorkflowTemplates { workflowTemplates { name title description operations syntheticMode inputs { name fields required description } } }`,
);
const Status = graphql(
  `query WorkflowStatus($workflowId: String!) { workflowStatus(workflowId: $workflowId) { workflowId status jobs { id status operations } } }`,
);

export type ExecuteWorkflowInput = VariablesOf<typeof Execute>['input'];
export type ExecuteWorkflowResult = NonNullable<Extract<ResultOf<typeof Execute>['executeWorkflow'], { data: unknown }>['data']>;
export type ClassifyIntentInput = VariablesOf<typeof Classify>['input'];
export type PipelinePlan = NonNullable<Extract<ResultOf<typeof Classify>['classifyIntent'], { data: unknown }>['data']>;
export type WorkflowTemplate = ResultOf<typeof Templates>['workflowTemplates'][number];

/** Workflow runs: plan them, start them, list the named templates. */
export class WorkflowsResource {
  constructor(private readonly client: TdmClient) {}

  /** Queues a run and returns at once: `{ workflowId, jobId, status: 'QUEUED' }`. Follow it with `tdm.jobs.logs(jobId)` or `tdm.jobs.waitFor(jobId)`. */
  async execute(input: ExecuteWorkflowInput): Promise<ExecuteWorkflowResult> {
    const data = await this.client.request(Execute, { input });
    return unwrap(data.executeWorkflow);
  }

  /** The plan the decision graph makes for these inputs: `{ operations, syntheticMode, reasons }`. */
  async classifyIntent(input: ClassifyIntentInput): Promise<PipelinePlan> {
    const data = await this.client.request(Classify, { input });
    return unwrap(data.classifyIntent);
  }

  async templates(): Promise<WorkflowTemplate[]> {
    return (await this.client.request(Templates)).workflowTemplates;
  }

  async status(workflowId: string) {
    return (await this.client.request(Status, { workflowId })).workflowStatus;
  }
}
