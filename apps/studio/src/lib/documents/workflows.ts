// Workflow runs: planning (classifyIntent), executing, the history, a job's logs and lineage.
import { graphql, type ResultOf } from '../graphql';

export const WorkflowOptionsQuery = graphql(`
  query WorkflowOptions {
    workflowTemplates {
      name
      title
      description
      operations
      syntheticMode
      inputs {
        name
        fields
        required
        description
      }
    }
    connections(first: 100) {
      edges {
        node {
          id
          name
          url
        }
      }
    }
    domainPacks {
      name
      scenarios {
        name
      }
    }
    environments {
      id
      name
      isDefault
    }
  }
`);

export const ClassifyIntentQuery = graphql(`
  query ClassifyIntent($input: ClassifyIntentInput!) {
    classifyIntent(input: $input) {
      __typename
      ... on QueryClassifyIntentSuccess {
        data {
          operations
          syntheticMode
          fallbackModes
          inputKinds
          refinedBy
          reasons {
            subject
            reason
          }
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const ExecuteWorkflowMutation = graphql(`
  mutation ExecuteWorkflow($input: ExecuteWorkflowInput!) {
    executeWorkflow(input: $input) {
      __typename
      ... on MutationExecuteWorkflowSuccess {
        data {
          jobId
          workflowId
          operations
          status
        }
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const JobsQuery = graphql(`
  query Jobs($first: Int, $after: String, $status: JobStatus) {
    jobs(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          rawId
          workflowId
          status
          operations
          createdAt
          startedAt
          finishedAt
          qualityScore
          error {
            code
            message
            step
          }
          testCase {
            name
          }
        }
      }
    }
  }
`);

export const JobLogsSubscription = graphql(`
  subscription JobLogs($jobId: ID!) {
    jobLogs(jobId: $jobId) {
      seq
      step
      level
      message
      at
    }
  }
`);

/** The events a job has stored so far (the page's first paint; the subscription replays them too). */
export const JobLogHistoryQuery = graphql(`
  query JobLogHistory($jobId: ID!) {
    job(id: $jobId) {
      id
      logs {
        seq
        step
        level
        message
        at
      }
    }
  }
`);

export const JobTraceQuery = graphql(`
  query JobTrace($jobId: ID!) {
    jobTrace(jobId: $jobId) {
      jobId
      status
      fallbacksUsed
      datasetVersionIds
      schemaVersionIds
      provisionedTables {
        environment
        schema
        table
        rowCount
      }
    }
    job(id: $jobId) {
      id
      qualityScore
      status
    }
  }
`);

/** The history shows the newest jobs. */
export const JOBS_VARIABLES = { first: 25 };

/** A job's lineage graph: test case, job, schema and dataset versions, provisioned tables. */
export const jobLineageVariables = (jobId: string) => ({ kind: 'JOB' as const, id: jobId, depth: 4 });

export type WorkflowTemplate = ResultOf<typeof WorkflowOptionsQuery>['workflowTemplates'][number];
export type JobRow = ResultOf<typeof JobsQuery>['jobs']['edges'][number]['node'];
export type JobLogEvent = ResultOf<typeof JobLogsSubscription>['jobLogs'];
export type PipelinePlan = Extract<ResultOf<typeof ClassifyIntentQuery>['classifyIntent'], { __typename: 'QueryClassifyIntentSuccess' }>['data'];
