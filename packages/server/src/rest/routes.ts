/**
 * The REST paths of the product's API reference, each one a GraphQL root field. Adding a path is
 * one line: the operation, its arguments and its OpenAPI description all come from the schema.
 *
 * `field` is `Query.x` or `Mutation.x`. Path parameters (`{job_id}`) and query parameters fill the
 * field's arguments (snake_case → camelCase); a POST body fills the `input` argument when the field
 * has one, otherwise the arguments themselves. `fixed` sets arguments the path implies.
 */
export interface RestRoute {
  method: 'GET' | 'POST';
  path: string;
  field: string;
  summary: string;
  fixed?: Record<string, unknown>;
}

export const REST_ROUTES: RestRoute[] = [
  { method: 'POST', path: '/workflow/execute', field: 'Mutation.executeWorkflow', summary: 'Queue a workflow run; answers job_id and workflow_id at once' },
  { method: 'GET', path: '/workflow/logs/{job_id}', field: 'Query.workflowLogs', summary: "A job's stored log events (after_seq for the next page)" },
  { method: 'GET', path: '/workflow/status/{workflow_id}', field: 'Query.workflowStatus', summary: 'A workflow and its jobs' },
  { method: 'GET', path: '/workflow/templates', field: 'Query.workflowTemplates', summary: 'The named workflow templates A–D' },
  { method: 'POST', path: '/workflow/analyze-test-case', field: 'Query.analyzeTestCase', summary: 'Entities and fields a test case fills in' },
  { method: 'POST', path: '/workflow/classify-intent', field: 'Query.classifyIntent', summary: 'The plan the decision graph makes for these inputs' },
  { method: 'POST', path: '/discover-schema', field: 'Mutation.discoverSchema', summary: "Read a source database's catalog into a schema version" },
  { method: 'POST', path: '/pii/classify', field: 'Mutation.classifyPii', summary: 'Classify the columns of a schema version' },
  { method: 'POST', path: '/subset', field: 'Mutation.subsetDatabase', summary: 'A referentially intact slice of a source as a dataset version' },
  { method: 'POST', path: '/mask', field: 'Mutation.maskDataset', summary: 'A masked copy of a dataset version' },
  { method: 'POST', path: '/synthetic', field: 'Mutation.generateSynthetic', summary: 'Generate a synthetic dataset version' },
  { method: 'POST', path: '/provision', field: 'Mutation.provisionDataset', summary: 'Load a dataset version into a target environment' },
  { method: 'GET', path: '/schemas', field: 'Query.schemas', summary: 'Discovered sources and their latest schema versions' },
  { method: 'GET', path: '/schemas/{id}', field: 'Query.schemaVersion', summary: 'One schema version with its tables' },
  { method: 'GET', path: '/datasets', field: 'Query.datasets', summary: 'Dataset versions, newest first' },
  { method: 'GET', path: '/datasets/{id}', field: 'Query.dataset', summary: 'One dataset version with its tables' },
  { method: 'GET', path: '/jobs', field: 'Query.jobs', summary: 'Jobs, newest first (status filters)' },
  { method: 'GET', path: '/jobs/{id}', field: 'Query.job', summary: 'One job: status, context, results' },
  { method: 'POST', path: '/jobs/{id}/cancel', field: 'Mutation.cancelJob', summary: 'Cancel a queued or running job' },
  { method: 'GET', path: '/job/{job_id}/trace', field: 'Query.jobTrace', summary: 'What a job read, made and provisioned (provisioned_tables)' },
  { method: 'GET', path: '/lineage/job/{id}/full', field: 'Query.lineage', fixed: { kind: 'JOB', depth: 20 }, summary: 'The whole lineage graph around a job' },
  { method: 'GET', path: '/target-tables', field: 'Query.targetTables', summary: 'What TDM provisioned into an environment (env_id: its name or id)' },
  { method: 'GET', path: '/environments', field: 'Query.environments', summary: 'Target environments' },
  {
    method: 'GET',
    path: '/quality/dataset/{dataset_version_id}',
    field: 'Query.qualityReport',
    summary: "A dataset version's quality report (measured on the spot when it has none)",
  },
  {
    method: 'POST',
    path: '/schema-fusion/fuse',
    field: 'Mutation.fuseSchemas',
    summary: 'Fuse two or more schema sources (DB, OpenAPI, forms, test case, domain) into a unified schema',
  },
  {
    method: 'GET',
    path: '/provision/schema-evolution/{dataset_version_id}',
    field: 'Query.schemaEvolution',
    summary: "What differs between an environment's live schema and a dataset version's (environment: its name or id)",
  },
  {
    method: 'GET',
    path: '/provision/migration-script/{dataset_version_id}',
    field: 'Query.migrationScript',
    summary: "The SQL that brings an environment's schema to a dataset version's (environment: its name or id)",
  },
  { method: 'POST', path: '/environments', field: 'Mutation.createEnvironment', summary: 'Register a target environment' },
  { method: 'GET', path: '/connections', field: 'Query.connections', summary: 'Registered source connections' },
  { method: 'POST', path: '/connections', field: 'Mutation.createConnection', summary: 'Register a source connection' },
];
