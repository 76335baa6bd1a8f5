import type { DecisionInput, Operation, SyntheticMode } from './types.ts';

/** One input a template asks for; `fields` are alternatives (any one of them satisfies it). */
export interface TemplateInput {
  name: string;
  fields: (keyof DecisionInput)[];
  required: boolean;
  description: string;
}

/** A named flow the Studio offers: the operations it runs and the inputs its form asks for. */
export interface WorkflowTemplate {
  /** Short stable name (`A`–`D`) that requests refer to. */
  name: string;
  title: string;
  description: string;
  operations: Operation[];
  syntheticMode: SyntheticMode | null;
  inputs: TemplateInput[];
}

const target: TemplateInput = {
  name: 'target',
  fields: ['targetEnv'],
  required: false,
  description: 'the environment to load the data into (the default target environment when omitted)',
};

/**
 * The product's four flows: A a source database to a provisioned target; B test-case content →
 * synthetic → provision; C test-case URLs → crawl → synthetic → provision; D a domain only →
 * synthetic → provision. Each is what `classifyIntent` plans for its required inputs plus a target
 * environment, so choosing a template and filling its form give the same plan.
 */
export const WORKFLOW_TEMPLATES: readonly WorkflowTemplate[] = [
  {
    name: 'A',
    title: 'Clone production safely',
    description: 'Discover the source schema, find personal data, copy a referentially intact subset, mask it and load it into a test environment.',
    operations: ['discover', 'pii', 'subset', 'mask', 'provision'],
    syntheticMode: null,
    inputs: [{ name: 'source', fields: ['connectionId', 'connectionString'], required: true, description: 'the source database to clone' }, target],
  },
  {
    name: 'B',
    title: 'Synthetic data from a test case',
    description: 'Read the entities and fields a test case uses (Gherkin, Cypress, Playwright, Selenium) and generate matching data.',
    operations: ['synthetic', 'provision'],
    syntheticMode: 'TEST_CASE',
    inputs: [
      { name: 'testCase', fields: ['testCaseContent'], required: true, description: 'the test-case text' },
      { name: 'fileName', fields: ['testCaseFileName'], required: false, description: 'its file name, which helps recognise the format' },
      target,
    ],
  },
  {
    name: 'C',
    title: 'Synthetic data from web forms',
    description: 'Crawl the given pages, read their form fields and constraints, and generate data that fits them.',
    operations: ['synthetic', 'provision'],
    syntheticMode: 'URL',
    inputs: [{ name: 'urls', fields: ['testCaseUrls'], required: true, description: 'the pages whose forms to crawl' }, target],
  },
  {
    name: 'D',
    title: 'Synthetic data from a domain pack',
    description: 'Generate realistic data for a business domain (and one of its scenarios) from a domain pack.',
    operations: ['synthetic', 'provision'],
    syntheticMode: 'DOMAIN',
    inputs: [
      { name: 'domain', fields: ['domain'], required: true, description: 'the domain pack' },
      { name: 'scenario', fields: ['scenario'], required: false, description: 'a scenario of that domain' },
      target,
    ],
  },
];
